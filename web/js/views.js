// Pieces of a post shared by the citizen page and the officer reply page.

import { checkField, h, replace } from "./dom.js";
import { boardText, t } from "./i18n.js";
import { absoluteTime, deadline, statusLabel, timeElement, typeLabel } from "./format.js";
import { districtName, eventText, officerTitle, replyText, unitName } from "./words.js";
import { photoGallery, refusedNote } from "./photo-view.js";
import { shownCoordinates } from "./photos.js";

/** A small status badge. */
export function statusBadge(status) {
  return h("span", { class: `badge status status-${status}` }, statusLabel(status));
}

/** Whether the caller got the public stub of a police-only post: its title and body are the same notice. */
export function isStub(post) {
  return post.visibility === "police_only" && !post.mine && post.title === post.body;
}

/** The row of badges above a post: pinned, type, board, district, visibility, status. */
export function postBadges(post, boardsById = {}) {
  const board = boardsById[post.board];
  return h(
    "div",
    { class: "badges" },
    post.pinned ? h("span", { class: "badge pin" }, t("feed.pinned")) : null,
    h("span", { class: `badge type type-${post.type}` }, typeLabel(post.type)),
    h("span", { class: "badge board" }, board ? boardText(board).name : post.board),
    post.district ? h("span", { class: "badge district" }, districtName(post.district)) : null,
    post.visibility === "police_only" ? h("span", { class: "badge police-only" }, t("post.police_only")) : null,
    post.status ? statusBadge(post.status) : null, // a police notice has no status: it tracks no work
    post.awaiting_feedback ? h("span", { class: "badge awaiting-feedback" }, t("post.awaitingFeedback")) : null,
  );
}

/** The first-response clock as an element, or null when there is nothing to say. */
export function deadlineBadge(post, timeline = null) {
  const clock = deadline(post, timeline);
  if (clock.kind === "none") return null;
  return h("span", { class: `deadline deadline-${clock.kind}`, title: t("deadline.due", { at: absoluteTime(post.first_response_due) }) }, clock.text);
}

/** The public timeline, oldest first. */
export function timelineList(timeline) {
  const items = [...(timeline || [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return h(
    "ol",
    { class: "timeline" },
    items.map((event, index) =>
      h(
        "li",
        { class: `event event-${event.kind}`, dataset: { kind: event.kind } },
        h("span", { class: "event-dot", "aria-hidden": "true" }),
        h("span", { class: "event-text" }, eventText(event, items.slice(0, index))),
        " ",
        timeElement(event.at, { relative: false }),
      ),
    ),
  );
}

/** One reply: official ones name the officer, title and unit. */
export function replyItem(reply) {
  const author = reply.author || {};
  const head = reply.official
    ? h(
        "div",
        { class: "reply-head" },
        h("span", { class: "badge official" }, t("post.official")),
        h("strong", { class: "officer-name" }, author.name || ""),
        author.title ? h("span", { class: "officer-title" }, officerTitle(author.title)) : null,
        author.unit ? h("span", { class: "badge unit" }, unitName(author.unit)) : null,
      )
    : h("div", { class: "reply-head" }, h("strong", { class: "nickname" }, author.nickname || ""));
  const shown = replyText(reply);
  return h(
    "li",
    { class: reply.official ? "reply official" : "reply", dataset: { replyId: reply.id } },
    head,
    h("p", { class: "reply-body", lang: shown.translated ? "en" : null }, shown.text),
    shown.translated ? h("p", { class: "muted translated" }, t("words.translated")) : null,
    photoGallery(reply.photos, t("photo.replyTitle", { name: author.nickname || author.name || "" })),
    refusedNote(reply.photos_refused),
    h("div", { class: "meta" }, timeElement(reply.created_at)),
  );
}

/** The replies, oldest first. */
export function replyList(replies) {
  const items = [...(replies || [])].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  if (!items.length) return h("p", { class: "muted" }, t("post.noReplies"));
  return h("ol", { class: "replies" }, items.map(replyItem));
}

/** The body of a post as text paragraphs (line breaks kept by CSS). */
export function postBody(post) {
  return h("p", { class: "post-body" }, post.body);
}

/** Where the post is about: its rounded position and the address typed, as lines; null when neither. */
export function placeLines(post) {
  const coordinates = shownCoordinates(post.location);
  if (!coordinates && !post.address) return null;
  return h(
    "dl",
    { class: "place-lines" },
    coordinates ? [h("dt", {}, t("place.shownCoordinates")), h("dd", { class: "place-coordinates" }, coordinates)] : null,
    post.address ? [h("dt", {}, t("place.shownAddress")), h("dd", { class: "place-address" }, post.address)] : null,
  );
}

/** A text area with a live "n/max" counter; returns {field, input, counter}. */
export function countedTextarea({ id, label, max, rows = 5, hint, name, required = true }) {
  const input = h("textarea", { id, name, rows, maxlength: max, required, "aria-describedby": `${id}-count${hint ? ` ${id}-hint` : ""}` });
  const counter = h("span", { id: `${id}-count`, class: "counter", "aria-live": "polite" }, t("common.chars", { n: 0, max }));
  input.addEventListener("input", () => {
    counter.textContent = t("common.chars", { n: [...input.value].length, max });
  });
  const field = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    input,
    counter,
  );
  return { field, input, counter };
}

/** The reply in `input`, trimmed; null (with the reason shown in `message`) when it is empty or too long. */
export function checkedReply(input, message) {
  replace(message);
  const body = input.value.trim();
  return checkField(input, message, body && [...body].length <= 2000, t("field.replyBody")) ? body : null;
}
