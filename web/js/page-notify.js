// 我的 · 消息通知: the channels a person's notices try, in order, and the WeChat binding behind the first.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { channelRows, chosenChannels, moveRow, toggleRow } from "./channels.js";
import { startWeChat } from "./wechat.js";

/**
 * The 消息通知 panel of 我的: each channel the person may have (微信, 邮件 for officers, 短信) with a switch and
 * up/down buttons, saved with PATCH /me {"notify"}; and the WeChat binding, to unbind (after a confirm) or bind.
 */
export function noticePanel(profile, token) {
  let rows = channelRows(profile.notify || ["wechat", "sms"], profile.role);
  let bound = Boolean(profile.wechat);
  const list = h("ol", { class: "channels", "aria-label": t("notify.order") });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const binding = h("div", { class: "wechat-binding" });
  const save = h("button", { type: "submit", class: "button secondary", id: "notify-save" }, t("notify.save"));

  // Change the rows and draw them again, keeping the focus on the control used (or, when a row reached an end
  // and its button went off, on that row's other button).
  const change = (edited, focusId, otherId = focusId) => {
    rows = edited;
    draw();
    const pressed = document.getElementById(focusId);
    const target = pressed && pressed.disabled ? document.getElementById(otherId) : pressed;
    if (target) target.focus();
  };
  const draw = () => {
    replace(
      list,
      rows.map((row, index) => {
        const name = t(`notify.${row.channel}`);
        const id = `notify-${row.channel}`;
        const box = h("input", { type: "checkbox", id, checked: row.on });
        box.addEventListener("change", () => change(toggleRow(rows, index, box.checked), id));
        const up = h("button", { type: "button", class: "button secondary small", id: `${id}-up`, "aria-label": t("notify.up", { name }), disabled: index === 0 }, "↑");
        up.addEventListener("click", () => change(moveRow(rows, index, -1), `${id}-up`, `${id}-down`));
        const down = h("button", { type: "button", class: "button secondary small", id: `${id}-down`, "aria-label": t("notify.down", { name }), disabled: index === rows.length - 1 }, "↓");
        down.addEventListener("click", () => change(moveRow(rows, index, 1), `${id}-down`, `${id}-up`));
        const note = row.channel === "wechat" && !bound ? h("span", { class: "muted small" }, t("notify.wechatUnbound")) : null;
        return h("li", { class: "channel", dataset: { channel: row.channel } }, h("label", { for: id }, box, " ", name), note, h("span", { class: "channel-moves" }, up, down));
      }),
    );
  };

  const form = h("form", { class: "notify-form", novalidate: true }, list, message, h("div", { class: "actions" }, save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(message);
    const notify = chosenChannels(rows);
    if (!notify.length) {
      replace(message, alertBox(t("notify.none")));
      return;
    }
    const restore = busy(save, t("common.submitting"));
    try {
      const updated = await api("PATCH", "/me", { body: { notify }, token });
      rows = channelRows((updated && updated.notify) || notify, profile.role);
      draw();
      replace(message, alertBox(t("notify.saved"), "success"));
    } catch (error) {
      replace(message, alertBox(describeError(error).summary));
    } finally {
      restore();
    }
  });

  const drawBinding = () => {
    if (!bound) {
      const bind = h("button", { type: "button", class: "button wechat", id: "wechat-bind", onClick: () => startWeChat("#/me") }, t("wechat.bind"));
      replace(binding, h("p", {}, t("wechat.notBound")), bind);
      return;
    }
    const unbind = h("button", { type: "button", class: "button danger-outline", id: "wechat-unbind" }, t("wechat.unbind"));
    unbind.addEventListener("click", () => confirmUnbind());
    replace(binding, h("p", {}, h("strong", {}, t("wechat.bound")), " · ", unbind));
  };
  // An in-page question (no window.confirm: WeChat's browser shows the site's address in its dialogs).
  const confirmUnbind = () => {
    const yes = h("button", { type: "button", class: "button danger", id: "wechat-unbind-yes" }, t("wechat.unbindYes"));
    const no = h("button", { type: "button", class: "button secondary", onClick: drawBinding }, t("common.cancel"));
    const said = h("div", { "aria-live": "polite" });
    yes.addEventListener("click", async () => {
      const restore = busy(yes, t("common.submitting"));
      try {
        await api("DELETE", "/me/wechat", { token });
        bound = false;
        drawBinding();
        draw();
        binding.appendChild(alertBox(t("wechat.unbound"), "success"));
      } catch (error) {
        restore();
        replace(said, alertBox(describeError(error).summary));
      }
    });
    replace(binding, h("p", { role: "alert" }, t("wechat.unbindAsk")), h("div", { class: "actions" }, yes, no), said);
    yes.focus();
  };

  draw();
  drawBinding();
  return h(
    "section",
    { class: "panel notify", "aria-labelledby": "notify-heading" },
    h("h2", { id: "notify-heading" }, t("notify.title")),
    h("p", { class: "hint" }, t("notify.explain")),
    binding,
    form,
  );
}
