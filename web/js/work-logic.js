// The workbench's pure rules: no DOM, no network, no words, so that Node can test them on their own.

/** The queue's views, in the order of their tabs. */
export const VIEWS = ["due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups"];

/**
 * The address of one page of the queue: the view and the filters that are set, then the cursor. Without a
 * unit the API answers an officer's own unit, and every unit to leaders and the command center.
 */
export function queuePath({ view = "due", unit = "", board = "", district = "", cursor = "", limit = 20 } = {}) {
  const query = new URLSearchParams({ view: VIEWS.includes(view) ? view : "due" });
  if (unit) query.set("unit", unit);
  if (board) query.set("board", board);
  if (district) query.set("district", district);
  if (cursor) query.set("cursor", cursor);
  query.set("limit", String(limit));
  return `/work/queue?${query}`;
}

/**
 * A post's first-response clock: {kind: "left"|"overdue"|"none", ms}. The queue says which posts are still
 * unanswered (due, overdue); elsewhere the deadline is history, so no clock is shown.
 */
export function clock(post, view, now = Date.now()) {
  const due = Date.parse((post && post.first_response_due) || "");
  if (Number.isNaN(due) || !["due", "overdue"].includes(view)) return { kind: "none", ms: 0 };
  const left = due - now;
  return left > 0 ? { kind: "left", ms: left } : { kind: "overdue", ms: -left };
}

/**
 * Merge a refreshed first page into what is shown: the fresh page in its order, then the posts loaded
 * further down (by "load more") that the fresh page does not hold, so a refresh never shortens the list.
 * `fresh` is true when the fresh page reached the end (no cursor): then nothing older is kept.
 */
export function mergeRefresh(shown, fresh, reachedEnd) {
  if (reachedEnd) return [...fresh];
  const seen = new Set(fresh.map((post) => post.id));
  return [...fresh, ...shown.slice(fresh.length).filter((post) => !seen.has(post.id))];
}

/** Append a further page, skipping posts already shown (a post may move between pages meanwhile). */
export function appendPage(shown, page) {
  const seen = new Set(shown.map((post) => post.id));
  return [...shown, ...page.filter((post) => !seen.has(post.id))];
}

/** Whether the signed-in user sits in the command center (their unit, looked up in the unit directory). */
export function inCommandCenter(user, units = []) {
  if (!user || !user.unit) return false;
  if (user.unit.kind) return user.unit.kind === "command_center";
  const unit = units.find((u) => u.id === user.unit.id);
  return Boolean(unit && unit.kind === "command_center");
}

/** Whether the user may look at any unit (the unit picker) and re-route: leaders, admins, the command center. */
export function seesEveryUnit(user, units = []) {
  return Boolean(user) && (["leader", "admin"].includes(user.role) || inCommandCenter(user, units));
}

/** Whether the user is police (the workbench is theirs; residents are sent to the citizen page). */
export function isPolice(user) {
  return Boolean(user) && ["officer", "leader", "admin"].includes(user.role);
}

/**
 * Whether a failed sign-in asks for the second factor: the API names `totp` among the fields, or its code
 * or message speaks of it. Returns false for any other failure.
 */
export function needsSecondFactor(error) {
  if (!error) return false;
  const fields = Object.keys(error.fields || {});
  if (fields.includes("totp")) return true;
  const said = `${error.code || ""} ${error.serverMessage || ""}`.toLowerCase();
  return /totp|mfa|second[_ ]factor|2fa|两步|二次验证|动态口令/.test(said);
}

/** The number a board row shows for a figure, or "—" when the API gave none. */
export function figure(value) {
  if (value === null || value === undefined || value === "") return "—";
  return typeof value === "number" ? String(Math.round(value * 10) / 10) : String(value);
}
