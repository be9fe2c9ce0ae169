// Message text as DOM nodes: the site's own links become <a>, one-time codes become copy buttons.

import { h } from "./dom.js";
import { t } from "./i18n.js";

const URL_PATTERN = /https?:\/\/[^\s"'<>,，。;；、)）】」]+/g;
const CODE_PATTERN = /(?<!\d)(\d{6})(?!\d)/g;

/** Our own links become <a>; anything else stays text. */
function linkOrText(url) {
  const trimmed = url.replace(/[.:!?)\]]+$/, "");
  const rest = url.slice(trimmed.length);
  const own = trimmed.startsWith(`${location.origin}/`);
  return [own ? h("a", { href: trimmed, class: "message-link" }, trimmed) : trimmed, rest];
}

function codeButtons(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(CODE_PATTERN)) {
    nodes.push(text.slice(last, match.index));
    const code = match[1];
    const button = h("button", { type: "button", class: "code", "aria-label": t("outbox.copy", { code }), dataset: { code } }, code);
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(code);
        button.setAttribute("aria-label", t("outbox.copied", { code }));
        button.title = t("outbox.copied", { code });
      } catch {
        // Clipboard refused: the code is on screen to type.
      }
    });
    nodes.push(button);
    last = match.index + match[0].length;
  }
  nodes.push(text.slice(last));
  return nodes;
}

/** Split a message body into text, our own links, and (in code messages) copyable codes. */
export function bodyNodes(body, withCodes) {
  const nodes = [];
  let last = 0;
  for (const match of body.matchAll(URL_PATTERN)) {
    const before = body.slice(last, match.index);
    nodes.push(withCodes ? codeButtons(before) : before);
    nodes.push(linkOrText(match[0]));
    last = match.index + match[0].length;
  }
  const tail = body.slice(last);
  nodes.push(withCodes ? codeButtons(tail) : tail);
  return nodes.flat();
}
