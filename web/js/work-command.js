// The command center's views: every unit side by side (GET /work/board) and the review queue
// (GET /work/review, POST /work/review/{id}). The board is read defensively: it shows what the API returns.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, loading, replace } from "./dom.js";
import { t } from "./i18n.js";
import { absoluteTime, duration } from "./format.js";
import { unitName } from "./words.js";
import { figure } from "./work-logic.js";

const COLUMNS = ["open", "overdue", "escalated", "median_first_response_minutes"];

// The median may come in minutes or seconds, under either name; whichever the API sends is shown.
function cell(row, key) {
  if (key !== "median_first_response_minutes") return figure(row[key]);
  if (typeof row.median_first_response_minutes_today === "number") return duration(row.median_first_response_minutes_today * 60000);
  if (typeof row.median_first_response_minutes === "number") return duration(row.median_first_response_minutes * 60000);
  if (typeof row.median_first_response_seconds === "number") return duration(row.median_first_response_seconds * 1000);
  return figure(row.median_first_response);
}

function postLinks(posts) {
  if (!Array.isArray(posts) || !posts.length) return h("p", { class: "muted" }, t("work.empty"));
  return h("ul", { class: "work-list" }, posts.map((post) => h("li", { class: "work-item" }, h("a", { class: "work-link", href: `#/post/${encodeURIComponent(post.id)}` }, post.title || post.id))));
}

/** The board: escalated posts first, then a table of the units. */
export async function boardView(target, ctx) {
  replace(target, loading(t("common.loading")));
  let board;
  try {
    board = await api("GET", "/work/board", { token: ctx.token });
  } catch (error) {
    if (ctx.isCurrent()) replace(target, alertBox(describeError(error).summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  const units = Array.isArray(board && board.units) ? board.units : [];
  const table = h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "work-board" },
      h("caption", {}, t("work.boardCaption")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("work.unit")), COLUMNS.map((key) => h("th", { scope: "col" }, t(`work.col.${key}`))))),
      h(
        "tbody",
        {},
        units.map((row) => h("tr", {}, h("th", { scope: "row" }, row.unit ? unitName(row.unit) : row.name || "—"), COLUMNS.map((key) => h("td", {}, cell(row, key))))),
      ),
    ),
  );
  const review = typeof (board && board.review) === "number" ? board.review : null;
  replace(
    target,
    review === null ? null : h("p", {}, h("a", { href: "#/review", id: "board-review" }, t("work.review.titleCount", { n: review }))),
    h("section", { class: "panel", "aria-labelledby": "escalated-heading" }, h("h2", { id: "escalated-heading" }, t("work.escalatedHeading")), postLinks(board && board.escalated)),
    h("section", { class: "panel", "aria-labelledby": "units-heading" }, h("h2", { id: "units-heading" }, t("work.unitsHeading")), units.length ? table : h("p", { class: "muted" }, t("work.empty"))),
  );
}

function reviewItem(ctx, post, done) {
  const note = h("input", { id: `review-note-${post.id}`, type: "text", maxlength: 500, name: "note" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const decide = (decision) => {
    const button = h("button", { type: "button", class: decision === "publish" ? "button" : "button secondary", dataset: { decision } }, t(`work.review.${decision}`));
    button.addEventListener("click", async () => {
      const restore = busy(button, t("common.submitting"));
      const body = note.value.trim() ? { decision, note: note.value.trim() } : { decision };
      try {
        await api("POST", `/work/review/${encodeURIComponent(post.id)}`, { body, token: ctx.token });
        done(t(`work.review.${decision}Ok`));
      } catch (error) {
        restore();
        replace(message, alertBox(describeError(error).summary));
      }
    });
    return button;
  };
  return h(
    "li",
    { class: "work-item", dataset: { postId: post.id } },
    h("a", { class: "work-link", href: `#/post/${encodeURIComponent(post.id)}` }, post.title || post.id),
    h("div", { class: "meta" }, h("span", {}, absoluteTime(post.created_at))),
    h("div", { class: "field" }, h("label", { for: `review-note-${post.id}` }, `${t("reply.note")} ${t("common.optional")}`), note),
    h("div", { class: "status-buttons" }, decide("publish"), decide("hide")),
    message,
  );
}

/** The review queue, oldest first, with "load more". */
export async function reviewView(target, ctx, notice = null) {
  replace(target, loading(t("common.loading")));
  let shown = [];
  let cursor = null;
  const list = h("ul", { class: "work-list", id: "review-list" });
  const more = h("button", { type: "button", class: "button secondary" }, t("common.more"));
  const done = (text) => reviewView(target, ctx, text);
  const paint = () => {
    replace(list, shown.length ? shown.map((post) => reviewItem(ctx, post, done)) : h("li", { class: "muted" }, t("work.reviewEmpty")));
    more.hidden = !cursor;
  };
  const page = async () => {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
    const answer = await api("GET", `/work/review${query}`, { token: ctx.token });
    shown = [...shown, ...(answer.posts || [])];
    cursor = answer.next_cursor || null;
  };
  try {
    await page();
  } catch (error) {
    if (ctx.isCurrent()) replace(target, alertBox(describeError(error).summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  more.addEventListener("click", async () => {
    const restore = busy(more, t("common.loading"));
    try {
      await page();
    } catch (error) {
      replace(list, alertBox(describeError(error).summary));
    }
    restore();
    paint();
  });
  paint();
  replace(target, notice ? alertBox(notice, "success") : null, h("section", { class: "panel", "aria-labelledby": "review-heading" }, h("h2", { id: "review-heading" }, t("work.reviewHeading")), list, h("div", { class: "actions" }, more)));
}

/** The number of posts waiting for review, or null when the API does not answer (not on main yet, or no right). */
export async function reviewCount(ctx) {
  try {
    const answer = await api("GET", "/work/review?limit=1", { token: ctx.token });
    if (typeof answer.count === "number") return String(answer.count);
    return answer.next_cursor ? `${(answer.posts || []).length}+` : String((answer.posts || []).length);
  } catch {
    return null;
  }
}
