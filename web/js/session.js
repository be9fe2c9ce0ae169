// The resident's session (token and user), kept in localStorage on this device and shared by its tabs;
// and a pending sign-in (the phone a code was sent to, and when; never the code), so a reload or another tab
// still has somewhere to type the code.

const KEY = "p24.session";
const PENDING = "p24.pendingSignIn";
const DRAFT_PREFIX = "p24.draft.";
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

function tell(external = false) {
  for (const listener of listeners) listener(external);
}

/** Store a session and tell listeners. */
export function setSession(session) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ token: session.token, user: session.user }));
  } catch {
    // Storage refused: the session lasts until the page closes.
  }
  memory = session;
  tell();
}

/** The current session, from storage or memory. */
export function session() {
  return getSession() || memory;
}

/** Forget the session (the server said it expired); a draft stays for when the resident signs in again. */
export function clearSession() {
  memory = null;
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
  tell();
}

/** Sign out on this device: every tab forgets the session, and the resident's unsent draft goes too. */
export function signOut() {
  const current = session();
  if (current) forget(DRAFT_PREFIX + current.user.id);
  clearSession();
}

/** Update the stored user (e.g. a new nickname). */
export function updateUser(user) {
  const current = session();
  if (current) setSession({ token: current.token, user: { ...current.user, ...user } });
}

/** Run a function when the session changes; it gets `true` when another tab changed it. */
export function onSessionChange(listener) {
  listeners.push(listener);
}

// Another tab signed in or out: this tab follows (storage events fire only in the other tabs).
globalThis.addEventListener?.("storage", (event) => {
  if (event.key !== KEY && event.key !== null) return;
  memory = null;
  tell(true);
});

function read(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage refused: it lasts until the page closes.
  }
}

function forget(key) {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored.
  }
}

/**
 * The pending sign-in {phone, sentAt, expiresAt, retryAt} (epoch ms) while its code may still be valid, or null.
 * `retryAt` is when a new code may be asked for.
 */
export function pendingSignIn(now = Date.now()) {
  const pending = read(PENDING);
  if (!pending || typeof pending.phone !== "string" || !(pending.expiresAt > now)) return null;
  return pending;
}

/** Remember that a code was sent to `phone` now, valid for `expiresIn` s; another may be asked in `wait` s. */
export function codeSent(phone, expiresIn, wait, now = Date.now()) {
  write(PENDING, { phone, sentAt: now, expiresAt: now + expiresIn * 1000, retryAt: now + wait * 1000 });
}

/** The server said to wait `seconds` before asking `phone` another code. */
export function codeRefused(phone, seconds, now = Date.now()) {
  const pending = pendingSignIn(now);
  if (pending && pending.phone === phone) write(PENDING, { ...pending, retryAt: now + seconds * 1000 });
}

/** Run a function when another tab sends a code or signs in; call the returned function to stop. */
export function onPendingChange(listener) {
  const follow = (event) => {
    if (event.key === PENDING) listener(pendingSignIn());
  };
  window.addEventListener("storage", follow);
  return () => window.removeEventListener("storage", follow);
}

/** The pending sign-in is over (signed in). */
export function clearPending() {
  forget(PENDING);
}

/** The signed-in resident's unsent compose draft, or null. */
export function loadDraft() {
  const current = session();
  return current ? read(DRAFT_PREFIX + current.user.id) : null;
}

/** Keep the compose draft of the signed-in resident. */
export function saveDraft(draft) {
  const current = session();
  if (current) write(DRAFT_PREFIX + current.user.id, draft);
}

/** Drop the compose draft (it was posted). */
export function clearDraft() {
  const current = session();
  if (current) forget(DRAFT_PREFIX + current.user.id);
}
