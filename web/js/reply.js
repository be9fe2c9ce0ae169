// The officer reply page: exchange the link token, show the post, reply, move it along, re-route.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, loading, replace, wireSkipLink } from "./dom.js";
import { applyStatic, onLangChange, t, wireToggle } from "./i18n.js";
import { wireLargeText } from "./reach.js";
import { absoluteTime, deadline, nextStatuses, statusLabel } from "./format.js";
import { checkedReply, countedTextarea, placeLines, postBadges, postBody, replyList, statusBadge, timelineList } from "./views.js";
import { unitName as unitLabel } from "./words.js";
import { photoGallery, refusedNote } from "./photo-view.js";

const KEY = "p24.reply";
const main = document.getElementById("main");
let state = null;
let clockTimer = null;

function stored() {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) || "null");
    return value && value.token && value.post_id ? value : null;
  } catch {
    return null;
  }
}

function store(value) {
  try {
    if (value) sessionStorage.setItem(KEY, JSON.stringify(value));
    else sessionStorage.removeItem(KEY);
  } catch {
    // Storage refused: the session lives in memory for this page.
  }
}

function fail(text) {
  clearInterval(clockTimer);
  replace(main, h("h1", {}, t("reply.title")), alertBox(text));
}

/** Exchange the token in the address (if any) for a session; opening the link changes nothing. */
async function begin() {
  const token = new URLSearchParams(location.hash.replace(/^#/, "")).get("t");
  if (token) {
    replace(main, h("h1", {}, t("reply.title")), loading(t("reply.exchanging")));
    try {
      const result = await api("POST", "/auth/link", { body: { token } });
      store({ token: result.token, user: result.user, post_id: result.post_id });
    } catch (error) {
      store(null);
      fail(error.status === 400 ? t("reply.expired") : describeError(error, "link").summary);
      return;
    }
    history.replaceState(null, "", location.pathname + location.search);
  }
  const session = stored();
  if (!session) {
    fail(t("reply.noLink"));
    return;
  }
  state = { session, templateId: null, notice: null };
  await load();
}

function mayRoute(user) {
  return user.role === "leader" || user.role === "admin";
}

async function load(notice = null) {
  const { session } = state;
  replace(main, h("h1", {}, t("reply.title")), loading(t("common.loading")));
  try {
    const [detail, templates, units, boards] = await Promise.all([
      api("GET", `/posts/${encodeURIComponent(session.post_id)}`, { token: session.token }),
      api("GET", "/templates"),
      api("GET", "/units"),
      api("GET", "/boards"),
    ]);
    const boardsById = Object.fromEntries(boards.boards.map((board) => [board.id, board]));
    Object.assign(state, { detail, templates: templates.templates, units: units.units, boardsById });
  } catch (error) {
    if (error.status === 401) store(null);
    fail(describeError(error, "link").summary);
    return;
  }
  render(notice);
}

function unitName() {
  const { detail, session } = state;
  // The officer's own unit, from the session (the API's account), never by matching names.
  if (session.user.unit && session.user.unit.name) return session.user.unit.name;
  return detail.post.assigned_unit ? detail.post.assigned_unit.name : "本单位";
}

function deadlineBox(post, timeline) {
  const box = h("p", { class: "deadline-box", "aria-live": "polite" });
  const paint = () => {
    const clock = deadline(post, timeline);
    const parts = [];
    if (post.first_response_due) parts.push(h("span", {}, t("deadline.due", { at: absoluteTime(post.first_response_due) }), " "));
    if (clock.kind !== "none") parts.push(h("span", { class: `deadline deadline-${clock.kind}` }, clock.text));
    replace(box, parts);
  };
  paint();
  clearInterval(clockTimer);
  clockTimer = setInterval(paint, 30000);
  return box;
}

function replySection() {
  const { session, templates, detail } = state;
  const { field, input, counter } = countedTextarea({ id: "reply-body", label: t("reply.body"), max: 2000, rows: 5, name: "body" });
  const templateButtons = templates.map((template) => {
    const text = template.text.replaceAll("{unit}", unitName());
    const button = h("button", { type: "button", class: "template", "aria-pressed": "false", dataset: { template: template.id } }, text);
    button.addEventListener("click", () => {
      input.value = text;
      input.dispatchEvent(new Event("input"));
      state.templateId = template.id;
      for (const other of templateButtons) other.setAttribute("aria-pressed", String(other === button));
      input.focus();
    });
    return button;
  });
  input.addEventListener("input", () => {
    if (!input.value.trim()) {
      state.templateId = null;
      for (const other of templateButtons) other.setAttribute("aria-pressed", "false");
    }
  });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button", id: "reply-submit" }, t("reply.submit"));
  const form = h("form", { class: "reply-form", novalidate: true }, field, message, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = checkedReply(input, message);
    if (body === null) return;
    const restore = busy(submit, t("common.submitting"));
    const payload = { body };
    if (state.templateId) payload.template = state.templateId;
    try {
      await api("POST", `/posts/${encodeURIComponent(detail.post.id)}/replies`, { body: payload, token: session.token });
      state.templateId = null;
      await load(t("reply.ok"));
    } catch (error) {
      restore();
      if (error.status === 401) store(null);
      replace(message, alertBox(describeError(error, "reply").summary));
    }
  });
  counter.id = "reply-body-count";
  return h(
    "section",
    { class: "panel", "aria-labelledby": "reply-heading" },
    h("h2", { id: "reply-heading" }, t("reply.heading")),
    h("h3", {}, t("reply.templates")),
    h("p", { class: "hint" }, t("reply.templatesHint")),
    h("ul", { class: "templates" }, templateButtons.map((button) => h("li", {}, button))),
    form,
  );
}

function statusSection() {
  const { session, detail } = state;
  const post = detail.post;
  const next = nextStatuses(post.status);
  const note = h("input", { id: "status-note", type: "text", maxlength: 500, name: "note" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const buttons = next.map((status) => {
    const button = h("button", { type: "button", class: status === "resolved" ? "button" : "button secondary", dataset: { status } }, t("reply.moveTo", { status: statusLabel(status) }));
    button.addEventListener("click", async () => {
      replace(message);
      const restore = busy(button, t("common.submitting"));
      const body = { status, version: post.version };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api("POST", `/posts/${encodeURIComponent(post.id)}/status`, { body, token: session.token });
        await load(t("reply.statusOk", { status: statusLabel(status) }));
      } catch (error) {
        restore();
        if (error.status === 409) {
          await load();
          replace(document.getElementById("status-message") || message, alertBox(describeError(error).summary));
          return;
        }
        if (error.status === 401) store(null);
        replace(message, alertBox(describeError(error, error.status === 401 ? "link" : "").summary));
      }
    });
    return button;
  });
  message.id = "status-message";
  return h(
    "section",
    { class: "panel", "aria-labelledby": "status-heading" },
    h("h2", { id: "status-heading" }, t("reply.status")),
    h("p", {}, t("reply.current"), statusBadge(post.status)),
    next.length
      ? [h("div", { class: "field" }, h("label", { for: "status-note" }, `${t("reply.note")} ${t("common.optional")}`), note), h("div", { class: "status-buttons" }, buttons)]
      : h("p", { class: "muted" }, t("reply.noNext")),
    message,
  );
}

function routeSection() {
  const { session, detail, units } = state;
  const post = detail.post;
  if (post.status === "resolved") return null;
  const choices = units.filter((unit) => !post.assigned_unit || unit.id !== post.assigned_unit.id);
  const select = h("select", { id: "route-unit", name: "unit_id" }, choices.map((unit) => h("option", { value: unit.id }, unitLabel(unit))));
  const note = h("input", { id: "route-note", type: "text", maxlength: 500, name: "note" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button secondary" }, t("reply.routeSubmit"));
  const form = h(
    "form",
    { class: "route-form", novalidate: true },
    h("p", { class: "hint" }, t("reply.routeIntro")),
    h("div", { class: "field" }, h("label", { for: "route-unit" }, t("reply.unit")), select),
    h("div", { class: "field" }, h("label", { for: "route-note" }, `${t("reply.note")} ${t("common.optional")}`), note),
    message,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(message);
    const unit = choices.find((u) => u.id === select.value);
    const body = { unit_id: select.value };
    if (note.value.trim()) body.note = note.value.trim();
    const restore = busy(submit, t("common.submitting"));
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/route`, { body, token: session.token });
      await load(t("reply.routeOk", { unit: unit ? unitLabel(unit) : select.value }));
    } catch (error) {
      restore();
      if (error.status === 401) store(null);
      replace(message, alertBox(describeError(error).summary));
    }
  });
  if (mayRoute(session.user)) {
    return h("section", { class: "panel", "aria-labelledby": "route-heading" }, h("h2", { id: "route-heading" }, t("reply.route")), form);
  }
  // An officer's role does not say whether they sit in the command center: offer it folded; the API decides.
  return h("details", { class: "panel route" }, h("summary", {}, t("reply.routeOfficer")), form);
}

function render(notice) {
  const { session, detail } = state;
  const { post, replies, timeline } = detail;
  replace(
    main,
    h("h1", {}, t("reply.title")),
    h(
      "div",
      { class: "officer-bar" },
      h("p", {}, h("strong", {}, t("reply.officer", { name: session.user.nickname, role: t(`role.${session.user.role}`) }))),
      h("p", { class: "small" }, t("reply.realName")),
      h("p", { class: "small" }, h("a", { href: "/work.html", id: "to-workbench" }, t("reply.toWorkbench"))),
    ),
    notice ? alertBox(notice, "success") : null,
    h(
      "article",
      { class: "post-detail", dataset: { postId: post.id } },
      postBadges(post, state.boardsById),
      h("h2", { class: "post-title" }, post.title),
      h(
        "div",
        { class: "meta" },
        h("span", {}, t("post.by", { name: post.author ? post.author.nickname : "" })),
        h("span", {}, absoluteTime(post.created_at)),
        h("span", {}, post.assigned_unit ? t("post.assigned", { unit: unitLabel(post.assigned_unit) }) : t("post.notAssigned")),
      ),
      deadlineBox(post, timeline),
      postBody(post),
      photoGallery(post.photos, post.title),
      refusedNote(post.photos_refused),
      placeLines(post),
      h("p", { class: "small" }, h("a", { href: `/#/post/${encodeURIComponent(post.id)}`, target: "_blank", rel: "noopener" }, t("reply.openCitizen"))),
    ),
    replySection(),
    statusSection(),
    routeSection(),
    h("section", { class: "panel", "aria-labelledby": "timeline-heading" }, h("h2", { id: "timeline-heading" }, t("post.timeline")), timelineList(timeline)),
    h("section", { class: "panel", "aria-labelledby": "replies-heading" }, h("h2", { id: "replies-heading" }, `${t("post.replies")} (${replies.length})`), replyList(replies)),
  );
}

applyStatic();
wireSkipLink();
wireToggle(document.getElementById("lang-toggle"));
wireLargeText(document.getElementById("large-text"));
onLangChange(() => {
  if (state && state.detail) render(null);
});
window.addEventListener("hashchange", () => {
  if (new URLSearchParams(location.hash.replace(/^#/, "")).get("t")) begin();
});
begin();
