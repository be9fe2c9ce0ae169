// Sign-in by phone and SMS code, and the resident's own page.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, loading, replace } from "./dom.js";
import { t } from "./i18n.js";
import { spacedPhone } from "./format.js";
import { clearSession, session, setSession, updateUser } from "./session.js";
import { boardsById, loadBoards } from "./store.js";
import { postCard } from "./page-feed.js";
import { signInPrompt } from "./page-compose.js";
import { go } from "./app.js";

const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

function safeNext(value) {
  return value && /^\/[A-Za-z0-9/_?=&%.-]*$/.test(value) ? `#${value}` : "#/";
}

/** The sign-in page: phone -> code -> session. */
export async function loginPage(ctx) {
  const { view, params } = ctx;
  const next = safeNext(params.get("next"));
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
  let timer = null;
  const countdown = (seconds) => {
    clearInterval(timer);
    let left = seconds;
    send.disabled = true;
    send.textContent = t("login.resend", { n: left });
    timer = setInterval(() => {
      left -= 1;
      if (left <= 0 || !ctx.isCurrent()) {
        clearInterval(timer);
        send.disabled = false;
        send.textContent = t("login.sendCode");
      } else {
        send.textContent = t("login.resend", { n: left });
      }
    }, 1000);
  };
  const normalized = () => phone.value.replace(/[\s-]/g, "").replace(/^\+?86/, "");
  phoneForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(phoneMessage);
    const value = normalized();
    if (!/^1\d{10}$/.test(value)) {
      phone.setAttribute("aria-invalid", "true");
      replace(phoneMessage, alertBox(t("field.phone")));
      phone.focus();
      return;
    }
    phone.removeAttribute("aria-invalid");
    const restore = busy(send, t("common.submitting"));
    try {
      await api("POST", "/auth/otp", { body: { phone: value } });
      restore();
      countdown(60);
      replace(phoneMessage, alertBox(t("login.codeSent", { phone: spacedPhone(value) }), "success"));
      codeForm.hidden = false;
      code.focus();
    } catch (error) {
      restore();
      if (error.status === 429 && error.retryAfter) countdown(error.retryAfter);
      replace(phoneMessage, alertBox(describeError(error, "login").summary));
    }
  });
  codeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(codeMessage);
    const value = code.value.trim();
    if (!/^\d{6}$/.test(value)) {
      code.setAttribute("aria-invalid", "true");
      replace(codeMessage, alertBox(t("field.code")));
      code.focus();
      return;
    }
    code.removeAttribute("aria-invalid");
    const restore = busy(submit, t("common.submitting"));
    try {
      const result = await api("POST", "/auth/session", { body: { phone: normalized(), code: value } });
      setSession(result);
      clearInterval(timer);
      go(next);
    } catch (error) {
      restore();
      replace(codeMessage, alertBox(describeError(error, "login").summary));
    }
  });
  replace(
    view,
    h("h1", {}, t("login.title")),
    h("p", { class: "muted" }, t("login.intro")),
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
  const signOut = h("button", { type: "button", class: "button secondary" }, t("login.signOut"));
  signOut.addEventListener("click", () => {
    clearSession();
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
      h("div", { class: "actions" }, signOut),
    ),
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
