// The share page: a QR code of the site's own address, drawn at build time (tools/build_web.py, segno); inside
// WeChat, where the bureau configured it, also the card WeChat shows when the page is shared.

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { setShareCard } from "./wechat.js";

/** The share page. */
export function sharePage(ctx) {
  const { view } = ctx;
  const url = `${location.origin}/`;
  const code = h("img", { src: "/site-qr.svg", alt: t("share.qrLabel", { url }), width: 220, height: 220 });
  const message = h("p", { class: "form-message", "aria-live": "polite" });
  const copy = h("button", { type: "button", class: "button secondary" }, t("share.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
      message.textContent = t("share.copied");
    } catch {
      message.textContent = url;
    }
  });
  replace(
    view,
    h("h1", {}, t("share.title")),
    h("p", { class: "muted" }, t("share.intro")),
    h("div", { class: "panel share" }, h("div", { class: "qr", id: "site-qr" }, code), h("p", { class: "share-url" }, url), copy, message),
  );
  setShareCard(); // not awaited: the page is shown at once, the card is set when WeChat is ready
}
