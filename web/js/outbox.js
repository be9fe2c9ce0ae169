// The local outbox: every SMS, email, WeChat notice and 110 hand-off the local stack "sent", refreshed every few seconds.

import { api, describeError } from "./api.js";
import { alertBox, h, loading, replace, wireSkipLink } from "./dom.js";
import { applyStatic, onLangChange, t, wireToggle } from "./i18n.js";
import { wireLargeText } from "./reach.js";
import { absoluteTime } from "./format.js";
import { bodyNodes } from "./linkify.js";

const REFRESH_MS = 3000;

const list = document.getElementById("messages");
const status = document.getElementById("outbox-status");
const form = document.getElementById("outbox-filter");
const toInput = document.getElementById("outbox-to");
const auto = document.getElementById("outbox-auto");
const updated = document.getElementById("outbox-updated");
let lastSeen = "";
let timer = null;
let stopped = false;

function messageItem(message) {
  let body = String(message.body || "");
  let pre = false;
  if (message.channel === "cad") {
    try {
      body = JSON.stringify(JSON.parse(body), null, 2);
      pre = true;
    } catch {
      pre = false;
    }
  }
  const withCodes = body.includes("验证码");
  const channel = ["sms", "email", "wechat", "cad"].includes(message.channel) ? t(`outbox.channel.${message.channel}`) : message.channel;
  return h(
    "li",
    { class: `message message-${message.channel}`, dataset: { to: message.to || "" } },
    h(
      "div",
      { class: "message-head" },
      h("span", { class: "badge" }, channel),
      h("span", { class: "message-to" }, message.to || ""),
      h("time", { dateTime: message.at || "" }, absoluteTime(message.at)),
    ),
    message.subject ? h("p", { class: "message-subject" }, h("strong", {}, message.subject)) : null,
    h(pre ? "pre" : "p", { class: "message-body" }, bodyNodes(body, withCodes)),
    message.url ? h("p", { class: "message-body message-url" }, t("outbox.link"), bodyNodes(message.url, false)) : null,
  );
}

async function refresh(force = false) {
  const query = new URLSearchParams({ limit: "50" });
  const to = toInput.value.trim();
  if (to) query.set("to", to);
  try {
    const data = await api("GET", `/dev/outbox?${query}`);
    const seen = JSON.stringify(data.messages);
    updated.textContent = t("outbox.updated", { at: new Date().toLocaleTimeString("zh-CN", { hour12: false }) });
    replace(status);
    if (seen === lastSeen && !force) return;
    lastSeen = seen;
    replace(list, data.messages.map(messageItem));
    if (!data.messages.length) replace(status, h("p", { class: "muted" }, t("outbox.empty")));
  } catch (error) {
    if (error.status === 404) {
      stopped = true;
      auto.checked = false;
      replace(status, alertBox(t("outbox.unavailable"), "info"));
      return;
    }
    replace(status, alertBox(describeError(error).summary));
  }
}

function schedule() {
  clearTimeout(timer);
  if (!auto.checked || stopped) return;
  timer = setTimeout(async () => {
    await refresh();
    schedule();
  }, REFRESH_MS);
}

function start() {
  applyStatic();
  wireSkipLink();
  wireToggle(document.getElementById("lang-toggle"));
  wireLargeText(document.getElementById("large-text"));
  onLangChange(() => refresh(true));
  const preset = new URLSearchParams(location.search).get("to");
  if (preset) toInput.value = preset;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await refresh(true);
    schedule();
  });
  auto.addEventListener("change", schedule);
  replace(status, loading(t("common.loading")));
  refresh(true).then(schedule);
}

start();
