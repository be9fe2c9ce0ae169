// The workbench queue: a tab per view with its count, board and district filters, the unit picker for
// leaders and the command center, each post's clock, "load more" by cursor and a quiet refresh every 30 s.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, loading, replace } from "./dom.js";
import { boardText, t } from "./i18n.js";
import { duration, statusLabel, typeLabel } from "./format.js";
import { districtName, unitName } from "./words.js";
import { VIEWS, appendPage, clock, mergeRefresh, queuePath } from "./work-logic.js";

const REFRESH_MS = 30000;
const FILTERS = "p24.work.filters";

/** The filters last used in this tab (view, unit, board, district). */
export function savedFilters() {
  try {
    return { view: "due", unit: "", board: "", district: "", ...JSON.parse(sessionStorage.getItem(FILTERS) || "{}") };
  } catch {
    return { view: "due", unit: "", board: "", district: "" };
  }
}

function saveFilters(filters) {
  try {
    sessionStorage.setItem(FILTERS, JSON.stringify(filters));
  } catch {
    // Storage refused: the filters last as long as the page.
  }
}

function clockBadge(post, view) {
  const found = clock(post, view);
  if (found.kind === "none") return null;
  const text = found.kind === "left" ? t("work.left", { t: duration(found.ms) }) : t("work.overdue", { t: duration(found.ms) });
  return h("span", { class: `deadline deadline-${found.kind}` }, text);
}

function postRow(post, view, boardsById) {
  const board = boardsById[post.board];
  return h(
    "li",
    { class: "work-item", dataset: { postId: post.id } },
    h("a", { class: "work-link", href: `#/post/${encodeURIComponent(post.id)}` }, post.title),
    h(
      "div",
      { class: "meta" },
      clockBadge(post, view),
      post.escalation_level > 0 ? h("span", { class: "deadline deadline-overdue" }, t(`work.escalated${post.escalation_level > 1 ? "Center" : "Leaders"}`)) : null,
      h("span", {}, statusLabel(post.status)),
      h("span", {}, typeLabel(post.type)),
      board ? h("span", {}, boardText(board).name) : null,
      post.district ? h("span", {}, districtName(post.district)) : null,
      post.assigned_unit ? h("span", {}, unitName(post.assigned_unit)) : null,
    ),
  );
}

function select(id, label, options, value) {
  const box = h("select", { id, name: id }, options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  return { box, field: h("div", { class: "field" }, h("label", { for: id }, label), box) };
}

/**
 * Show the queue in `target`; `ctx` = {token, user, wide, units, boards, districts, isCurrent}. Returns a
 * function that stops its refresh (called when the page leaves the queue).
 */
export function queueView(target, ctx) {
  const filters = savedFilters();
  if (!ctx.wide) filters.unit = "";
  let shown = [];
  let cursor = null;
  let counts = {};
  let timer = null;
  const boardsById = Object.fromEntries(ctx.boards.map((b) => [b.id, b]));
  const tabs = h("nav", { class: "work-tabs", "aria-label": t("work.views") });
  const list = h("ul", { class: "work-list", id: "work-list" });
  const status = h("div", { class: "form-message", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "button secondary", id: "work-more" }, t("common.more"));
  const boardPick = select("work-board", t("work.board"), [["", t("boards.all")], ...ctx.boards.map((b) => [b.id, boardText(b).name])], filters.board);
  const districtPick = select("work-district", t("work.district"), [["", t("work.allDistricts")], ...ctx.districts.map((d) => [d, districtName(d)])], filters.district);
  const unitPick = ctx.wide ? select("work-unit", t("work.unit"), [["", t("work.allUnits")], ...ctx.units.map((u) => [u.id, unitName(u)])], filters.unit) : null;

  function paintTabs() {
    replace(
      tabs,
      VIEWS.map((view) =>
        h(
          "button",
          { type: "button", class: "work-tab", id: `tab-${view}`, "aria-pressed": String(view === filters.view), dataset: { view }, onClick: () => choose({ view }) },
          t(`work.view.${view}`),
          " ",
          h("span", { class: "count" }, String(counts[view] ?? "—")),
        ),
      ),
    );
  }

  function paintList() {
    replace(list, shown.length ? shown.map((post) => postRow(post, filters.view, boardsById)) : h("li", { class: "muted" }, t("work.empty")));
    more.hidden = !cursor;
  }

  async function fetchPage(after) {
    return api("GET", queuePath({ ...filters, cursor: after || "" }), { token: ctx.token });
  }

  async function reload() {
    replace(list, h("li", {}, loading(t("common.loading"))));
    try {
      const page = await fetchPage(null);
      if (!ctx.isCurrent()) return;
      shown = page.posts || [];
      cursor = page.next_cursor || null;
      counts = page.counts || {};
      replace(status);
    } catch (error) {
      if (!ctx.isCurrent()) return;
      shown = [];
      cursor = null;
      ctx.failed(error);
      replace(status, alertBox(describeError(error).summary));
    }
    paintTabs();
    paintList();
  }

  /** The refresh: the first page again, merged with what "load more" showed, the scroll kept. */
  async function refresh() {
    if (document.hidden || !ctx.isCurrent()) return;
    try {
      const page = await fetchPage(null);
      if (!ctx.isCurrent()) return;
      const y = window.scrollY;
      const fresh = page.posts || [];
      // Beyond the first page, "load more" had its own cursor: it stays, unless the view now ends sooner.
      if (!page.next_cursor || shown.length <= fresh.length) cursor = page.next_cursor || null;
      shown = mergeRefresh(shown, fresh, !page.next_cursor);
      counts = page.counts || counts;
      paintTabs();
      paintList();
      window.scrollTo(0, y);
    } catch {
      // A missed refresh is tried again in 30 s; the list stays as it was.
    }
  }

  function choose(change) {
    Object.assign(filters, change);
    saveFilters(filters);
    reload();
  }

  more.addEventListener("click", async () => {
    const restore = busy(more, t("common.loading"));
    try {
      const page = await fetchPage(cursor);
      shown = appendPage(shown, page.posts || []);
      cursor = page.next_cursor || null;
      restore();
      paintList();
    } catch (error) {
      restore();
      replace(status, alertBox(describeError(error).summary));
    }
  });
  boardPick.box.addEventListener("change", () => choose({ board: boardPick.box.value }));
  districtPick.box.addEventListener("change", () => choose({ district: districtPick.box.value }));
  if (unitPick) unitPick.box.addEventListener("change", () => choose({ unit: unitPick.box.value }));

  replace(
    target,
    h("section", { class: "panel work-filters", "aria-label": t("work.filters") }, unitPick ? unitPick.field : null, boardPick.field, districtPick.field),
    tabs,
    status,
    list,
    h("div", { class: "actions" }, more),
  );
  paintTabs();
  reload();
  timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
