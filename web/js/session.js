// The resident's session (token and user), kept in localStorage on this device.

const KEY = "p24.session";
const listeners = [];
let memory = null;

/** The stored session {token, user} or null. */
export function getSession() {
  try {
    const raw = localStorage.getItem(KEY);
    const session = raw ? JSON.parse(raw) : null;
    return session && session.token && session.user ? session : null;
  } catch {
    return null;
  }
}

/** Store a session and tell listeners. */
export function setSession(session) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ token: session.token, user: session.user }));
  } catch {
    // Storage refused: the session lasts until the page closes.
  }
  memory = session;
  for (const listener of listeners) listener();
}

/** The current session, from storage or memory. */
export function session() {
  return getSession() || memory;
}

/** Forget the session (sign out, or the server said it expired). */
export function clearSession() {
  memory = null;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
  for (const listener of listeners) listener();
}

/** Update the stored user (e.g. a new nickname). */
export function updateUser(user) {
  const current = session();
  if (current) setSession({ token: current.token, user: { ...current.user, ...user } });
}

/** Run a function when the session changes. */
export function onSessionChange(listener) {
  listeners.push(listener);
}
