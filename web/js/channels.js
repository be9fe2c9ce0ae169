// The person's notice channels, in the order they are tried: which a role may choose, and the edits the
// 消息通知 list makes (turn one on or off, move one up or down). Pure functions, tested on their own.

/** Every channel, in the order a new list shows them. */
export const CHANNELS = ["wechat", "email", "sms"];

/** The channels a role may choose: residents have WeChat and SMS; officers may also have email. */
export function channelsFor(role) {
  return role === "citizen" ? CHANNELS.filter((channel) => channel !== "email") : CHANNELS;
}

/**
 * The rows of the list: the chosen channels first, in their order and on, then the others off.
 * Channels the role may not choose are left out.
 */
export function channelRows(notify, role) {
  const allowed = channelsFor(role);
  const chosen = [...new Set((notify || []).filter((channel) => allowed.includes(channel)))];
  return [...chosen.map((channel) => ({ channel, on: true })), ...allowed.filter((c) => !chosen.includes(c)).map((channel) => ({ channel, on: false }))];
}

/** The rows with one turned on or off. */
export function toggleRow(rows, index, on) {
  return rows.map((row, i) => (i === index ? { ...row, on } : row));
}

/** The rows with one moved by `delta` places (-1 up, +1 down); a move past either end changes nothing. */
export function moveRow(rows, index, delta) {
  const to = index + delta;
  if (index < 0 || index >= rows.length || to < 0 || to >= rows.length) return rows;
  const next = [...rows];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

/** What `PATCH /me {"notify"}` takes: the channels turned on, in the order shown. */
export function chosenChannels(rows) {
  return rows.filter((row) => row.on).map((row) => row.channel);
}
