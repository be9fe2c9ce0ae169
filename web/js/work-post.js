// One post on the workbench: reply with a template, move its status, re-route it, hand it to 110, and read its
// timeline and follow-ups. Built from the same views as the reply page (views.js, format.js, words.js).

import { api, describeError } from "./api.js";
import { alertBox, busy, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { absoluteTime, deadline, nextStatuses, statusLabel } from "./format.js";
import { checkedReply, countedTextarea, placeLines, postBadges, postBody, replyList, statusBadge, timelineList } from "./views.js";
import { unitName } from "./words.js";
import { photoGallery, refusedNote } from "./photo-view.js";

function section(id, title, ...children) {
  return h("section", { class: "panel", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

function replySection(ctx, post, reload) {
  const { field, input } = countedTextarea({ id: "reply-body", label: t("reply.body"), max: 2000, rows: 5, name: "body" });
  const own = ctx.user.unit && ctx.user.unit.name ? ctx.user.unit.name : post.assigned_unit ? post.assigned_unit.name : "本单位";
  let templateId = null;
  const buttons = ctx.templates.map((template) => {
    const text = template.text.replaceAll("{unit}", own);
    const button = h("button", { type: "button", class: "template", "aria-pressed": "false", dataset: { template: template.id } }, text);
    button.addEventListener("click", () => {
      input.value = text;
      input.dispatchEvent(new Event("input"));
      templateId = template.id;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      input.focus();
    });
    return button;
  });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button", id: "reply-submit" }, t("reply.submit"));
  const form = h("form", { class: "reply-form", novalidate: true }, field, message, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = checkedReply(input, message);
    if (body === null) return;
    const restore = busy(submit, t("common.submitting"));
    const payload = templateId ? { body, template: templateId } : { body };
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/replies`, { body: payload, token: ctx.token });
      await reload(t("reply.ok"));
    } catch (error) {
      restore();
      ctx.failed(error);
      replace(message, alertBox(describeError(error, "reply").summary));
    }
  });
  return section(
    "reply-heading",
    t("reply.heading"),
    h("h3", {}, t("reply.templates")),
    h("p", { class: "hint" }, t("reply.templatesHint")),
    h("ul", { class: "templates" }, buttons.map((button) => h("li", {}, button))),
    form,
  );
}

function statusSection(ctx, post, reload) {
  const note = h("input", { id: "status-note", type: "text", maxlength: 500, name: "note" });
  const message = h("div", { class: "form-message", "aria-live": "polite", id: "status-message" });
  const next = nextStatuses(post.status);
  const buttons = next.map((status) => {
    const button = h("button", { type: "button", class: status === "resolved" ? "button" : "button secondary", dataset: { status } }, t("reply.moveTo", { status: statusLabel(status) }));
    button.addEventListener("click", async () => {
      replace(message);
      const restore = busy(button, t("common.submitting"));
      const body = { status, version: post.version };
      if (note.value.trim()) body.note = note.value.trim();
      try {
        await api("POST", `/posts/${encodeURIComponent(post.id)}/status`, { body, token: ctx.token });
        await reload(t("reply.statusOk", { status: statusLabel(status) }));
      } catch (error) {
        restore();
        ctx.failed(error);
        // A stale version: someone else moved it; show the post as it is now, with the reason.
        if (error.status === 409) await reload(null, describeError(error).summary);
        else replace(message, alertBox(describeError(error).summary));
      }
    });
    return button;
  });
  return section(
    "status-heading",
    t("reply.status"),
    h("p", {}, t("reply.current"), statusBadge(post.status)),
    next.length
      ? [h("div", { class: "field" }, h("label", { for: "status-note" }, `${t("reply.note")} ${t("common.optional")}`), note), h("div", { class: "status-buttons" }, buttons)]
      : h("p", { class: "muted" }, t("reply.noNext")),
    message,
  );
}

function routeSection(ctx, post, reload) {
  if (!ctx.wide || post.status === "resolved") return null;
  const choices = ctx.units.filter((unit) => !post.assigned_unit || unit.id !== post.assigned_unit.id);
  const select = h("select", { id: "route-unit", name: "unit_id" }, choices.map((unit) => h("option", { value: unit.id }, unitName(unit))));
  const note = h("input", { id: "route-note", type: "text", maxlength: 500, name: "note" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button secondary" }, t("reply.routeSubmit"));
  const form = h(
    "form",
    { class: "route-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: "route-unit" }, t("reply.unit")), select),
    h("div", { class: "field" }, h("label", { for: "route-note" }, `${t("reply.note")} ${t("common.optional")}`), note),
    message,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const unit = choices.find((u) => u.id === select.value);
    const body = note.value.trim() ? { unit_id: select.value, note: note.value.trim() } : { unit_id: select.value };
    const restore = busy(submit, t("common.submitting"));
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/route`, { body, token: ctx.token });
      await reload(t("reply.routeOk", { unit: unit ? unitName(unit) : select.value }));
    } catch (error) {
      restore();
      ctx.failed(error);
      replace(message, alertBox(describeError(error).summary));
    }
  });
  return section("route-heading", t("reply.route"), form);
}

function incidentSection(ctx, post, reload) {
  if (!ctx.wide) return null;
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const button = h("button", { type: "button", class: "button secondary", id: "incident-submit" }, t("work.incidentSubmit"));
  button.addEventListener("click", async () => {
    const restore = busy(button, t("common.submitting"));
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/incident`, { token: ctx.token });
      await reload(t("work.incidentOk"));
    } catch (error) {
      restore();
      ctx.failed(error);
      replace(message, alertBox(error.status === 409 ? t("work.incidentDone") : describeError(error).summary));
    }
  });
  return section("incident-heading", t("work.incident"), h("p", { class: "hint" }, t("work.incidentIntro")), button, message);
}

/** Show the post `id` in `target`, with a way back to the queue. */
export async function postView(target, ctx, id, notice = null, problem = null) {
  const reload = (next, trouble) => postView(target, ctx, id, next, trouble);
  let detail;
  try {
    detail = await api("GET", `/posts/${encodeURIComponent(id)}`, { token: ctx.token });
  } catch (error) {
    if (!ctx.isCurrent()) return;
    ctx.failed(error);
    replace(target, h("p", {}, h("a", { href: "#/" }, t("work.back"))), alertBox(describeError(error, "post").summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  const { post, replies, timeline } = detail;
  const clock = deadline(post, timeline);
  const followUps = replies.filter((reply) => !reply.official);
  replace(
    target,
    h("p", {}, h("a", { href: "#/", id: "work-back" }, t("work.back"))),
    notice ? alertBox(notice, "success") : null,
    problem ? alertBox(problem) : null,
    h(
      "article",
      { class: "post-detail", dataset: { postId: post.id } },
      postBadges(post, ctx.boardsById),
      h("h2", { class: "post-title" }, post.title),
      h(
        "div",
        { class: "meta" },
        h("span", {}, t("post.by", { name: post.author ? post.author.nickname : "" })),
        h("span", {}, absoluteTime(post.created_at)),
        h("span", {}, post.assigned_unit ? t("post.assigned", { unit: unitName(post.assigned_unit) }) : t("post.notAssigned")),
      ),
      h(
        "p",
        { class: "deadline-box" },
        post.first_response_due ? h("span", {}, t("deadline.due", { at: absoluteTime(post.first_response_due) }), " ") : null,
        clock.kind !== "none" ? h("span", { class: `deadline deadline-${clock.kind}` }, clock.text) : null,
      ),
      postBody(post),
      photoGallery(post.photos, post.title),
      refusedNote(post.photos_refused),
      placeLines(post),
    ),
    replySection(ctx, post, reload),
    statusSection(ctx, post, reload),
    routeSection(ctx, post, reload),
    incidentSection(ctx, post, reload),
    section("timeline-heading", t("post.timeline"), timelineList(timeline)),
    section("replies-heading", t("work.repliesCount", { n: replies.length, f: followUps.length }), replyList(replies)),
  );
}
