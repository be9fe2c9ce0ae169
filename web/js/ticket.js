// The WeChat sign-in, without the page: the ticket WeChat's callback leaves in the address, and when to offer
// WeChat at all. Pure functions (no DOM, no network), so that they can be tested on their own.

const TICKET = /([#?&])wx=([^&#]*)/;

/**
 * Take a `wx=<ticket>` out of an address's hash, wherever it sits (`#wx=T`, `#/me#wx=T`, `#/me?a=1&wx=T`).
 * Returns {ticket, route}: the ticket (null when none) and the hash without it (`#/` when nothing is left).
 */
export function takeTicket(hash) {
  const found = TICKET.exec(hash || "");
  if (!found) return { ticket: null, route: hash || "#/" };
  const [whole, mark] = found;
  let ticket = null;
  try {
    ticket = decodeURIComponent(found[2]) || null;
  } catch {
    ticket = null; // a mangled ticket is no ticket; it still leaves the address
  }
  const before = hash.slice(0, found.index);
  let after = hash.slice(found.index + whole.length);
  // `?wx=T&b=1` keeps its `?` for what follows; `?wx=T` alone drops it.
  if (mark === "?") after = after.startsWith("&") ? `?${after.slice(1)}` : after;
  let route = before + after;
  if (!route.startsWith("#")) route = `#${route}`;
  return { ticket, route: route === "#" ? "#/" : route };
}

/** Whether the page runs inside WeChat's own browser. */
export function inWeChat(userAgent) {
  return /MicroMessenger/i.test(userAgent || "");
}

/** Whether the sign-in page offers 微信登录: inside WeChat, or where the local WeChat simulator is configured. */
export function offersWeChat(config, userAgent) {
  return inWeChat(userAgent) || Boolean(config && config.simulator);
}

/** Whether the sign-in page starts WeChat's sign-in at once: inside WeChat, where the bureau configured it. */
export function startsAtOnce(config, userAgent) {
  return inWeChat(userAgent) && Boolean(config && config.enabled);
}

/** The address that starts WeChat's sign-in and comes back to `route` (a hash such as `#/me`). */
export function startAddress(route) {
  const hash = route && route.startsWith("#/") ? route : "#/";
  return `/api/auth/wechat/start?next=${encodeURIComponent(`/${hash}`)}`;
}
