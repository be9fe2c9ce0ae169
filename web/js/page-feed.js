// The feed (pins first, then newest first, with paging) and the list of boards.

import { api, describeError, loadInto } from "./api.js";
import { alertBox, busy, h, loading, replace } from "./dom.js";
import { boardText, t } from "./i18n.js";
import { relativeTime } from "./format.js";
import { boardsById, loadBoards, takeFlash } from "./store.js";
import { deadlineBadge, isStub, postBadges } from "./views.js";
import { cardThumbs } from "./photo-view.js";
import { firstFeedPage } from "./data.js";
import { unitName } from "./words.js";

const PAGE_SIZE = 20;

/** A post as a card in a list. */
export function postCard(post, boards, { fresh = false, pinned = false } = {}) {
  // The feed sends an excerpt (`truncated` when the body goes on); a post just created comes whole.
  const chars = [...(post.body || "")];
  const excerpt = post.truncated || chars.length > 120 ? `${chars.slice(0, 120).join("")}…` : post.body;
  const clock = deadlineBadge(post);
  return h(
    "li",
    { class: `post-card${pinned ? " pinned" : ""}${fresh ? " fresh" : ""}`, dataset: { postId: post.id } },
    postBadges({ ...post, pinned }, boards),
    h("h2", { class: "post-title" }, h("a", { href: `#/post/${encodeURIComponent(post.id)}` }, post.title)),
    isStub(post) ? null : h("p", { class: "excerpt" }, excerpt),
    cardThumbs(post),
    h(
      "div",
      { class: "meta" },
      h("span", { class: "author" }, post.author ? post.author.nickname : ""),
      h("span", {}, relativeTime(post.created_at)),
      h("span", {}, t("feed.replies", { n: post.reply_count || 0 })),
      post.assigned_unit ? h("span", { class: "unit-name" }, unitName(post.assigned_unit)) : null,
    ),
    clock ? h("div", { class: "clock" }, clock) : null,
  );
}

/** A pin of the whole site on a board page: one line linking to it, so residents' posts show on the first screen. */
function pinLine(post) {
  return h(
    "li",
    { class: "pin-line pinned", dataset: { postId: post.id } },
    h("span", { class: "badge pin" }, t("feed.pinned")),
    h("a", { href: `#/post/${encodeURIComponent(post.id)}`, title: post.title }, post.title),
  );
}

/** Scroll the row of chips sideways so the current board's chip shows, centred where it can be. */
function revealCurrentChip(nav) {
  const current = nav.querySelector('.chip[aria-current="page"]');
  if (!current || nav.scrollWidth <= nav.clientWidth) return;
  const row = nav.getBoundingClientRect();
  const chip = current.getBoundingClientRect();
  nav.scrollLeft += chip.left - row.left - (row.width - chip.width) / 2;
}

function boardChips(boards, current) {
  const chip = (href, label, active) =>
    h("li", {}, h("a", { class: "chip", href, "aria-current": active ? "page" : false }, label));
  return h(
    "nav",
    { class: "chips-wrap", "aria-label": t("boards.chipsLabel") },
    h(
      "ul",
      { class: "chips" },
      chip("#/", t("boards.all"), !current),
      boards.map((board) => chip(`#/board/${board.id}`, boardText(board).name, board.id === current)),
    ),
  );
}

/** The feed of one board, or of all boards when boardId is null. */
export async function feedPage(ctx, boardId) {
  const { view } = ctx;
  const boards = await loadInto(ctx, view, loadBoards);
  if (!boards) return;
  const byId = boardsById();
  const board = boardId ? byId[boardId] : null;
  const flash = takeFlash();
  const list = h("ol", { class: "feed", "aria-label": t("feed.title") });
  const status = h("div", { class: "feed-status" });
  const more = h("button", { type: "button", class: "button secondary more", hidden: true }, t("common.more"));
  const composeHref = board ? `#/compose?board=${encodeURIComponent(board.id)}` : "#/compose";
  const chips = boardChips(boards, board ? board.id : null);
  replace(
    view,
    chips,
    h(
      "section",
      { class: "board-intro", "aria-labelledby": "feed-heading" },
      h("h1", { id: "feed-heading" }, board ? boardText(board).name : t("feed.title")),
      h("p", { class: "muted" }, board ? boardText(board).description : t("boards.allDesc")),
      h("div", { class: "actions" }, h("a", { class: "button", href: composeHref }, t("feed.compose")), h("a", { class: "link", href: "#/boards" }, t("boards.intro"))),
    ),
    flash ? alertBox(flash.text, "success") : null,
    status,
    list,
    more,
  );
  revealCurrentChip(chips);
  let cursor = null;
  const load = async (first) => {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (board) query.set("board", board.id);
    if (cursor) query.set("cursor", cursor);
    const restore = first ? null : busy(more, t("common.loading"));
    if (first) replace(status, loading(t("common.loading")));
    try {
      // The first page from its public copy (data.js); the next ones, by cursor, from the API.
      const page = first ? await firstFeedPage(board ? board.id : null, PAGE_SIZE) : await api("GET", `/posts?${query}`);
      if (!ctx.isCurrent()) return;
      replace(status);
      const pins = first ? page.pinned || [] : [];
      const posts = [...pins, ...(page.posts || [])];
      for (const post of posts) {
        const pinned = pins.includes(post);
        if (pinned && board && post.board !== board.id) {
          list.appendChild(pinLine(post)); // pinned for every board: one line here, the board's own posts first
          continue;
        }
        list.appendChild(postCard(post, byId, { fresh: Boolean(flash && flash.postId === post.id), pinned }));
      }
      if (first && !posts.length) replace(status, h("p", { class: "muted empty" }, t("feed.empty")));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (error) {
      if (!ctx.isCurrent()) return;
      const retry = h("button", { type: "button", class: "button secondary", onClick: () => load(first) }, t("common.retry"));
      replace(status, alertBox(describeError(error).summary), retry);
    } finally {
      if (restore) restore();
    }
  };
  more.addEventListener("click", () => load(false));
  await load(true);
}

/** The twelve boards with their descriptions. */
export async function boardsPage(ctx) {
  const { view } = ctx;
  const boards = await loadInto(ctx, view, loadBoards);
  if (!boards) return;
  replace(
    view,
    h("h1", {}, t("boards.introTitle")),
    h(
      "ul",
      { class: "board-grid" },
      boards.map((board) => {
        const text = boardText(board);
        return h(
          "li",
          { class: "board-card" },
          h("h2", {}, h("a", { href: `#/board/${board.id}` }, text.name)),
          h("p", {}, text.description),
        );
      }),
    ),
  );
}
