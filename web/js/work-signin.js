// The workbench's sign-in: phone and code, a TOTP code when the bureau asks for a second factor, or WeChat;
// and the second factor's enrolment (POST /me/totp, /me/totp/confirm) once signed in.

import { api, describeError } from "./api.js";
import { alertBox, busy, checkField, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { setSession } from "./session.js";
import { offersWeChat } from "./ticket.js";
import { wechatConfig } from "./wechat.js";
import { needsSecondFactor } from "./work-logic.js";

const PAGE = "/work.html";

/** Leave for WeChat's sign-in; it comes back to the workbench with a ticket (`#wx=`). */
export function startWeChat() {
  location.assign(`/api/auth/wechat/start?next=${encodeURIComponent(PAGE)}`);
}

/**
 * Trade a WeChat ticket (and, for an enrolled officer, the TOTP code) for a session. Returns {} when signed in,
 * {totpTicket} when the API asks for the officer's TOTP code first, or {error} with a sentence.
 */
export async function exchangeTicket(ticket, totp = null) {
  try {
    const body = totp ? { ticket, totp } : { ticket };
    const answer = await api("POST", "/auth/wechat/session", { body });
    if (answer && answer.token) {
      setSession(answer);
      return {};
    }
    if (answer && answer.totp_required) return { totpTicket: answer.ticket };
    return { error: t("work.wechatUnbound") }; // a WeChat bound to nobody: the officer signs in by phone once
  } catch (error) {
    if (totp && needsSecondFactor(error)) return { totpTicket: ticket, error: t("work.totpWrong") };
    return { error: error.status === 400 || error.status === 401 ? t("wechat.expired") : describeError(error).summary };
  }
}

/** After WeChat, an enrolled officer's TOTP code; a wrong code keeps the ticket for another try. */
export function wechatTotpView(main, ticket, done, problem = null) {
  const totp = field("work-totp", t("work.totp"), { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 });
  const message = h("div", { class: "form-message", "aria-live": "polite" }, problem ? alertBox(problem) : null);
  const submit = h("button", { type: "submit", class: "button", id: "work-signin" }, t("work.signIn"));
  const form = h("form", { novalidate: true }, totp.box, message, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!checkField(totp.input, message, /^\d{6}$/.test(totp.input.value.trim()), t("work.totpHint"))) return;
    const restore = busy(submit, t("common.submitting"));
    const found = await exchangeTicket(ticket, totp.input.value.trim());
    restore();
    if (found.totpTicket) wechatTotpView(main, found.totpTicket, done, found.error || t("work.totpWrong"));
    else if (found.error) signInView(main, done, found.error);
    else done();
  });
  replace(
    main,
    h("h1", {}, t("work.title")),
    h("section", { class: "panel", "aria-labelledby": "signin-heading" }, h("h2", { id: "signin-heading" }, t("work.signInHeading")), h("p", { class: "hint" }, t("work.totpNeeded")), form),
  );
  totp.input.focus();
}

function field(id, label, attrs) {
  const input = h("input", { id, name: id, ...attrs });
  return { input, box: h("div", { class: "field" }, h("label", { for: id }, label), input) };
}

/** The sign-in form in `main`; `done()` runs once a session is stored. */
export async function signInView(main, done, notice = null) {
  const phone = field("work-phone", t("work.phone"), { type: "tel", inputmode: "numeric", autocomplete: "tel", maxlength: 14 });
  const code = field("work-code", t("work.code"), { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 });
  const totp = field("work-totp", t("work.totp"), { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 });
  totp.box.hidden = true;
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const send = h("button", { type: "button", class: "button secondary", id: "work-send" }, t("work.sendCode"));
  const submit = h("button", { type: "submit", class: "button", id: "work-signin" }, t("work.signIn"));
  const form = h("form", { class: "signin-form", novalidate: true }, phone.box, h("div", { class: "actions" }, send), code.box, totp.box, message, h("div", { class: "actions" }, submit));
  send.addEventListener("click", async () => {
    replace(message);
    if (!checkField(phone.input, message, /^\+?\d{11,13}$/.test(phone.input.value.trim()), t("field.phone"))) return;
    const restore = busy(send, t("common.submitting"));
    try {
      await api("POST", "/auth/otp", { body: { phone: phone.input.value.trim() } });
      replace(message, alertBox(t("work.codeSent"), "success"));
      code.input.focus();
    } catch (error) {
      replace(message, alertBox(describeError(error, "login").summary));
    } finally {
      restore();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(message);
    if (!checkField(code.input, message, /^\d{6}$/.test(code.input.value.trim()), t("field.code"))) return;
    const body = { phone: phone.input.value.trim(), code: code.input.value.trim() };
    if (!totp.box.hidden) {
      if (!checkField(totp.input, message, /^\d{6}$/.test(totp.input.value.trim()), t("work.totpHint"))) return;
      body.totp = totp.input.value.trim();
    }
    const restore = busy(submit, t("common.submitting"));
    try {
      setSession(await api("POST", "/auth/session", { body }));
      done();
    } catch (error) {
      restore();
      if (needsSecondFactor(error)) {
        const first = totp.box.hidden;
        totp.box.hidden = false;
        replace(message, alertBox(first ? t("work.totpNeeded") : error.serverMessage || t("work.totpWrong")));
        totp.input.focus();
        return;
      }
      replace(message, alertBox(describeError(error, "login").summary));
    }
  });
  const settings = await wechatConfig();
  // Offered as on the citizen page: inside WeChat, or with the local simulator.
  const wechat = offersWeChat(settings, navigator.userAgent) ? h("button", { type: "button", class: "button wechat", id: "work-wechat", onClick: startWeChat }, t("wechat.signIn")) : null;
  replace(
    main,
    h("h1", {}, t("work.title")),
    notice ? alertBox(notice) : null,
    h("section", { class: "panel", "aria-labelledby": "signin-heading" }, h("h2", { id: "signin-heading" }, t("work.signInHeading")), h("p", { class: "hint" }, t("work.signInIntro")), form, wechat ? h("div", { class: "actions" }, wechat) : null),
  );
}

/**
 * The second factor's enrolment: ask for the otpauth address, show it, confirm one code. The confirmation
 * answers a fresh full session, which is stored and handed to `enrolled`. Folded, unless `open` (a session
 * that may only enrol).
 */
export function totpPanel(token, enrolled, open = false) {
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const start = h("button", { type: "button", class: "button secondary", id: "totp-start" }, t("work.totpStart"));
  const body = h("div", {}, h("p", { class: "hint" }, t("work.totpIntro")), start, message);
  start.addEventListener("click", async () => {
    replace(message);
    const restore = busy(start, t("common.submitting"));
    let answer;
    try {
      answer = await api("POST", "/me/totp", { token });
    } catch (error) {
      restore();
      replace(message, alertBox(describeError(error).summary));
      return;
    }
    start.remove();
    const uri = h("code", { class: "otpauth", id: "totp-uri" }, answer.otpauth_uri);
    const copy = h("button", { type: "button", class: "button secondary" }, t("work.copy"));
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(answer.otpauth_uri);
        replace(message, alertBox(t("work.copied"), "success"));
      } catch {
        replace(message, alertBox(t("work.copyFailed")));
      }
    });
    const code = field("totp-code", t("work.totp"), { type: "text", inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6 });
    const confirm = h("button", { type: "submit", class: "button" }, t("work.totpConfirm"));
    const form = h("form", { novalidate: true }, code.box, h("div", { class: "actions" }, confirm));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!checkField(code.input, message, /^\d{6}$/.test(code.input.value.trim()), t("work.totpHint"))) return;
      const undo = busy(confirm, t("common.submitting"));
      try {
        const fresh = await api("POST", "/me/totp/confirm", { body: { code: code.input.value.trim() }, token });
        if (fresh && fresh.token) setSession(fresh);
        replace(body, alertBox(t("work.totpDone"), "success"));
        if (fresh && fresh.token) enrolled();
      } catch (error) {
        undo();
        replace(message, alertBox(error.status === 400 || error.status === 401 ? t("work.totpWrong") : describeError(error).summary));
      }
    });
    body.insertBefore(h("div", {}, h("p", {}, t("work.totpUri")), uri, h("div", { class: "actions" }, copy), form), message);
  });
  return h("details", { class: "panel", open }, h("summary", {}, t("work.totpHeading")), body);
}
