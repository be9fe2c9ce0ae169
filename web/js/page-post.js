// One post: the post, its public timeline, replies, the follow-up box and the author's rating.

import { api, describeError } from "./api.js";
import { alertBox, busy, h, loading, replace, uid } from "./dom.js";
import { t } from "./i18n.js";
import { timeElement } from "./format.js";
import { clearSession, session } from "./session.js";
import { boardsById, loadBoards } from "./store.js";
import { countedTextarea, deadlineBadge, isStub, postBadges, postBody, replyList, timelineList } from "./views.js";
import { unitName } from "./words.js";

function ratedSinceResolved(timeline) {
  let rated = false;
  for (const event of [...timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    if (event.kind === "resolved") rated = false;
    if (event.kind === "rated") rated = true;
  }
  return rated;
}

function followUpForm(post, onDone) {
  const current = session();
  if (!current) {
    return h(
      "p",
      { class: "signin-prompt" },
      t("post.signInToReply"),
      " ",
      h("a", { class: "button secondary", href: `#/login?next=${encodeURIComponent(`/post/${post.id}`)}` }, t("login.goSignIn")),
    );
  }
  const official = current.user.role !== "citizen";
  const id = uid("followup");
  const { field, input } = countedTextarea({ id, label: official ? t("post.officialReplyLabel") : t("post.followUpLabel"), max: 2000, rows: 3, name: "body" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button" }, t("post.followUpSubmit"));
  const form = h("form", { class: "followup-form", novalidate: true }, field, message, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    replace(message);
    const body = input.value.trim();
    if (!body || [...body].length > 2000) {
      replace(message, alertBox(t("field.replyBody")));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    input.removeAttribute("aria-invalid");
    const restore = busy(submit, t("common.submitting"));
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/replies`, { body: { body }, token: current.token });
      input.value = "";
      onDone(t("post.followUpOk"));
    } catch (error) {
      if (error.status === 401) clearSession();
      replace(message, alertBox(describeError(error, "reply").summary));
    } finally {
      restore();
    }
  });
  return form;
}

function feedbackPanel(post, onDone) {
  const current = session();
  const comment = h("input", { id: "feedback-comment", type: "text", maxlength: 500, name: "comment" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const send = async (satisfied, button) => {
    const restore = busy(button, t("common.submitting"));
    replace(message);
    const body = { satisfied };
    if (comment.value.trim()) body.comment = comment.value.trim();
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/feedback`, { body, token: current.token });
      onDone(t("post.feedbackOk"));
    } catch (error) {
      if (error.status === 401) clearSession();
      replace(message, alertBox(describeError(error, "feedback").summary));
      restore();
    }
  };
  const yes = h("button", { type: "button", class: "button" }, t("post.satisfied"));
  const no = h("button", { type: "button", class: "button secondary" }, t("post.unsatisfied"));
  yes.addEventListener("click", () => send(true, yes));
  no.addEventListener("click", () => send(false, no));
  return h(
    "section",
    { class: "panel feedback", "aria-labelledby": "feedback-heading" },
    h("h2", { id: "feedback-heading" }, t("post.feedback")),
    h("p", {}, t("post.feedbackIntro")),
    h("div", { class: "field" }, h("label", { for: "feedback-comment" }, `${t("post.feedbackComment")} ${t("common.optional")}`), comment),
    message,
    h("div", { class: "actions" }, yes, no),
  );
}

/** The page of one post. */
export async function postPage(ctx, postId, notice = null) {
  const { view } = ctx;
  replace(view, loading(t("common.loading")));
  const current = session();
  let detail;
  try {
    await loadBoards();
    detail = await api("GET", `/posts/${encodeURIComponent(postId || "")}`, { token: current ? current.token : undefined });
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error.status === 401 && current) {
      clearSession();
      return postPage(ctx, postId);
    }
    replace(view, h("p", {}, h("a", { class: "link", href: "#/" }, `← ${t("common.back")}`)), alertBox(describeError(error, "post").summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  const { post, replies, timeline } = detail;
  const reload = (text) => postPage(ctx, postId, text);
  const clock = deadlineBadge(post, timeline);
  const stub = isStub(post);
  const isAuthor = current && current.user.role === "citizen" && post.author && post.author.nickname === current.user.nickname;
  replace(
    view,
    h("p", { class: "back" }, h("a", { class: "link", href: "#/" }, `← ${t("common.back")}`)),
    notice ? alertBox(notice, "success") : null,
    h(
      "article",
      { class: "post-detail", dataset: { postId: post.id } },
      postBadges(post, boardsById()),
      h("h1", { class: "post-title" }, post.title),
      h(
        "div",
        { class: "meta" },
        h("span", { class: "author" }, t("post.by", { name: post.author ? post.author.nickname : "" })),
        timeElement(post.created_at, { relative: false }),
        h("span", { class: "unit-name" }, post.assigned_unit ? t("post.assigned", { unit: unitName(post.assigned_unit) }) : t("post.notAssigned")),
      ),
      clock ? h("div", { class: "clock" }, clock) : null,
      // A stub says "仅警方可见" once, in its title: no body, no note, no reply texts, no follow-up box.
      post.visibility === "police_only" && !stub ? h("p", { class: "notice notice-info" }, t("post.policeOnlyNote")) : null,
      stub ? null : postBody(post),
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "replies-heading" },
      h("h2", { id: "replies-heading" }, `${t("post.replies")} (${replies.length})`),
      stub ? h("p", { class: "muted" }, t("post.repliesWithheld")) : replyList(replies),
    ),
    h("section", { class: "panel", "aria-labelledby": "timeline-heading" }, h("h2", { id: "timeline-heading" }, t("post.timeline")), timelineList(timeline)),
    isAuthor && post.status === "resolved" && !ratedSinceResolved(timeline) ? feedbackPanel(post, reload) : null,
    stub ? null : h("section", { class: "panel", "aria-labelledby": "followup-heading" }, h("h2", { id: "followup-heading" }, t("post.followUp")), followUpForm(post, reload)),
  );
}
