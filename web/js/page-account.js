// Sign-in by phone and SMS code, and the resident's own page.

import { api, describeError } from "./api.js";
import { alertBox, busy, checkField, h, loading, replace } from "./dom.js";
import { lang, t } from "./i18n.js";
import { spacedPhone } from "./format.js";
import { clearPending, clearSession, codeRefused, codeSent, onPendingChange, pendingSignIn, session, setSession, signOut, updateUser } from "./session.js";
import { boardsById, loadBoards } from "./store.js";
import { postCard } from "./page-feed.js";
import { signInPrompt } from "./page-compose.js";
import { go, goInstead } from "./app.js";
import { noticePanel } from "./page-notify.js";
import { clearWechatOutcome, startWeChat, wechatButton, wechatChoice, wechatOutcome } from "./wechat.js";

const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];
const RESEND_AFTER = 60; // seconds before the server sends a phone another code

function safeNext(value) {
  return value && /^\/[A-Za-z0-9/_?=&%.-]*$/.test(value) ? `#${value}` : "#/";
}

/** A clock time like 14:05 for the current language. */
function clockTime(ms) {
  return new Date(ms).toLocaleTimeString(lang() === "en" ? "en-GB" : "zh-CN", { hour: "2-digit", minute: "2-digit", hour12: false });
}

/**
 * The sign-in page: phone -> code -> session. A code once sent stays pending (phone and times, never the code)
 * across reloads and tabs, so the code box and the wait before a new code survive; a signed-in resident is
 * sent on to where they were going (or 我的) instead of seeing the form.
 */
export async function loginPage(ctx) {
  const { view, params } = ctx;
  const next = safeNext(params.get("next"));
  const current = session();
  // Back from WeChat: an openid not yet bound asks the phone once (signed in or not), or a failure says why.
  const returned = wechatOutcome(location.hash);
  const bindTicket = returned && returned.bind;
  if (current && !bindTicket) {
    replace(view, h("h1", {}, t("login.title")), h("p", { class: "panel" }, t("login.already", { name: current.user.nickname })));
    goInstead(next === "#/" ? "#/me" : next);
    return;
  }
  const choice = bindTicket ? { offer: false, atOnce: false } : await wechatChoice();
  if (!ctx.isCurrent()) return;
  if (choice.atOnce && !returned) {
    // Inside WeChat, where the bureau set it up: no form, WeChat signs the resident in (a phone only once).
    replace(view, h("h1", {}, t("login.title")), loading(t("wechat.opening")));
    startWeChat(next, { instead: true });
    return;
  }
  const phone = h("input", { id: "login-phone", name: "phone", type: "tel", inputmode: "numeric", autocomplete: "tel", maxlength: 14, required: true, placeholder: "13800001111" });
  const code = h("input", { id: "login-code", name: "code", type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, required: true, pattern: "[0-9]{6}" });
  const send = h("button", { type: "submit", class: "button secondary", id: "login-send" }, t("login.sendCode"));
  const submit = h("button", { type: "submit", class: "button", id: "login-submit" }, t("login.submit"));
  const phoneMessage = h("div", { class: "form-message", "aria-live": "polite" });
  const codeMessage = h("div", { class: "form-message", "aria-live": "polite" });
  const devHint = LOCAL_HOSTS.includes(location.hostname)
    ? h("p", { class: "hint dev-hint" }, t("login.devHint"), " ", h("a", { href: "/outbox.html", target: "_blank", rel: "noopener", id: "outbox-hint" }, t("footer.outbox")))
    : null;
  const codeForm = h(
    "form",
    { class: "login-code", novalidate: true, hidden: true },
    h("div", { class: "field" }, h("label", { for: "login-code" }, t("login.code")), code),
    codeMessage,
    h("div", { class: "actions" }, submit),
  );
  const phoneForm = h(
    "form",
    { class: "login-phone", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "login-phone" }, t("login.phone")), phone),
    phoneMessage,
    h("div", { class: "actions" }, send),
  );
  const normalized = () => phone.value.replace(/[\s-]/g, "").replace(/^\+?86/, "");
  // When a new code may be asked for, per phone: from the pending sign-in, or from a 429's Retry-After.
  let waitPhone = null;
  let waitUntil = 0;
  let timer = null;
  const tick = () => {
    const left = normalized() === waitPhone ? Math.ceil((waitUntil - Date.now()) / 1000) : 0;
    if (left > 0 && ctx.isCurrent()) {
      send.disabled = true;
      send.textContent = t("login.resend", { n: left });
      return;
    }
    clearInterval(timer);
    timer = null;
    send.disabled = false;
    send.textContent = t("login.sendCode");
  };
  const waitFor = (value, until) => {
    waitPhone = value;
    waitUntil = until;
    clearInterval(timer);
    timer = setInterval(tick, 1000);
    tick();
  };
  // The code box belongs to the phone its code went to; another number hides it until a code goes there.
  let codePhone = null;
  const showCode = (value, text, kind = "success") => {
    codePhone = value;
    codeForm.hidden = false;
    replace(phoneMessage, alertBox(text, kind));
  };
  phone.addEventListener("input", () => {
    const same = normalized() === codePhone;
    codeForm.hidden = !same;
    if (!same) replace(phoneMessage);
    if (!timer && normalized() === waitPhone) waitFor(waitPhone, waitUntil);
    else tick();
  });
  const resume = (pending) => {
    phone.value = pending.phone;
    showCode(pending.phone, t("login.pending", { phone: spacedPhone(pending.phone), until: clockTime(pending.expiresAt) }));
    waitFor(pending.phone, pending.retryAt);
  };
  const pending = pendingSignIn();
  if (pending) resume(pending);
  // Another tab sent a code: show its box here too, unless the resident is typing another number.
  const stop = onPendingChange((sent) => {
    if (!ctx.isCurrent()) stop();
    else if (sent && (!phone.value.trim() || normalized() === sent.phone)) resume(sent);
  });
  phoneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(phoneMessage);
    const value = normalized();
    if (!checkField(phone, phoneMessage, /^1\d{10}$/.test(value), t("field.phone"))) return;
    const restore = busy(send, t("common.submitting"));
    try {
      const answer = await api("POST", "/auth/otp", { body: { phone: value } });
      restore();
      codeSent(value, (answer && answer.expires_in) || 300, RESEND_AFTER);
      waitFor(value, Date.now() + RESEND_AFTER * 1000);
      showCode(value, t("login.codeSent", { phone: spacedPhone(value) }));
      code.focus();
    } catch (error) {
      restore();
      if (error.status === 429 && error.retryAfter) {
        codeRefused(value, error.retryAfter);
        waitFor(value, Date.now() + error.retryAfter * 1000);
        // A code asked for a moment ago (here, in another tab or on another device) may still be valid.
        showCode(value, describeError(error, "login").summary, "error");
        return;
      }
      replace(phoneMessage, alertBox(describeError(error, "login").summary));
    }
  });
  codeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(codeMessage);
    const value = code.value.trim();
    if (!checkField(code, codeMessage, /^\d{6}$/.test(value), t("field.code"))) return;
    const restore = busy(submit, t("common.submitting"));
    try {
      const body = { phone: normalized(), code: value };
      if (bindTicket) body.wechat_ticket = bindTicket;
      const result = await api("POST", "/auth/session", { body });
      clearWechatOutcome();
      clearPending();
      clearInterval(timer);
      setSession(result);
      goInstead(next);
    } catch (error) {
      restore();
      // The server's words: how many tries remain, or that a new code is needed.
      replace(codeMessage, alertBox(describeError(error, "login").summary));
      code.select();
    }
  });
  replace(
    view,
    h("h1", {}, t(bindTicket ? "wechat.bindTitle" : "login.title")),
    h("p", { class: "muted" }, t(bindTicket ? "wechat.bindIntro" : "login.intro")),
    returned && returned.error ? h("div", { class: "panel wechat-failed" }, alertBox(returned.error), wechatButton(next, t("wechat.retry"))) : null,
    choice.offer && !(returned && returned.error) ? h("div", { class: "panel wechat-signin" }, wechatButton(next), h("p", { class: "hint" }, t("wechat.orPhone"))) : null,
    h("div", { class: "panel" }, phoneForm, codeForm, devHint),
  );
}

/** The resident's page: nickname, sign-out and their own posts. */
export async function mePage(ctx) {
  const { view } = ctx;
  const current = session();
  if (!current) {
    replace(view, h("h1", {}, t("me.title")), signInPrompt("/me"));
    return;
  }
  replace(view, loading(t("common.loading")));
  let profile;
  try {
    await loadBoards();
    profile = await api("GET", "/me", { token: current.token });
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error.status === 401) {
      clearSession();
      replace(view, h("h1", {}, t("me.title")), alertBox(describeError(error).summary), signInPrompt("/me"));
      return;
    }
    replace(view, alertBox(describeError(error).summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  const nickname = h("input", { id: "me-nickname", name: "nickname", type: "text", maxlength: 20, value: profile.nickname, required: true });
  const save = h("button", { type: "submit", class: "button secondary" }, t("me.save"));
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const nicknameForm = h(
    "form",
    { class: "nickname-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "me-nickname" }, t("me.nickname")), nickname),
    message,
    save,
  );
  nicknameForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(message);
    const value = nickname.value.trim();
    if (!value || [...value].length > 20) {
      replace(message, alertBox(t("field.nickname")));
      return;
    }
    const restore = busy(save, t("common.submitting"));
    try {
      const user = await api("PATCH", "/me", { body: { nickname: value }, token: current.token });
      updateUser(user);
      replace(message, alertBox(t("me.saved"), "success"));
    } catch (error) {
      replace(message, alertBox(describeError(error).summary));
    } finally {
      restore();
    }
  });
  const signOutButton = h("button", { type: "button", class: "button secondary", id: "sign-out" }, t("login.signOut"));
  signOutButton.addEventListener("click", () => {
    signOut();
    go("#/");
  });
  const list = h("ol", { class: "feed", "aria-label": t("me.posts") });
  const status = h("div", {});
  const more = h("button", { type: "button", class: "button secondary more", hidden: true }, t("common.more"));
  replace(
    view,
    h("h1", {}, t("me.title")),
    h(
      "section",
      { class: "panel" },
      h("p", {}, h("strong", {}, profile.nickname), " · ", t("me.role", { role: t(`role.${profile.role}`) })),
      profile.role === "citizen" ? nicknameForm : null,
      h("div", { class: "actions" }, signOutButton),
    ),
    noticePanel(profile, current.token),
    h("h2", {}, t("me.posts")),
    status,
    list,
    more,
  );
  let cursor = null;
  const load = async () => {
    replace(status, loading(t("common.loading")));
    const query = new URLSearchParams({ limit: "20" });
    if (cursor) query.set("cursor", cursor);
    try {
      const page = await api("GET", `/me/posts?${query}`, { token: current.token });
      if (!ctx.isCurrent()) return;
      replace(status);
      for (const post of page.posts) list.appendChild(postCard(post, boardsById()));
      if (!list.children.length) replace(status, h("p", { class: "muted" }, t("me.noPosts")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (ctx.isCurrent()) replace(status, alertBox(describeError(error).summary));
    }
  };
  more.addEventListener("click", load);
  await load();
}
