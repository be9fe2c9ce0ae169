// One post: the post, its public timeline, replies, the follow-up box and the author's rating.

import { api, describeError } from "./api.js";
import { alertBox, busy, checkField, h, loading, replace, uid } from "./dom.js";
import { t } from "./i18n.js";
import { timeElement } from "./format.js";
import { clearSession, session } from "./session.js";
import { boardsById, loadBoards } from "./store.js";
import { postDetail } from "./data.js";
import { checkedReply, countedTextarea, deadlineBadge, isStub, placeLines, postBadges, postBody, replyList, timelineList } from "./views.js";
import { photoGallery, refusedNote } from "./photo-view.js";
import { photoPicker } from "./photo-picker.js";
import { unitName } from "./words.js";

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
  const hint = !official && post.mine ? t("post.followUpHintMine") : undefined;
  const { field, input } = countedTextarea({ id, label: official ? t("post.officialReplyLabel") : t("post.followUpLabel"), max: 2000, rows: 3, name: "body", hint });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button" }, t("post.followUpSubmit"));
  const photos = photoPicker({ id: `${id}-photos`, token: current.token });
  const form = h("form", { class: "followup-form", novalidate: true }, field, photos.field, message, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = checkedReply(input, message);
    if (body === null) return;
    const restore = busy(submit, photos.pending() ? t("photo.waiting") : t("common.submitting"));
    const ids = await photos.ready(); // uploads in flight finish first; a failed one stops the reply
    if (ids === null) {
      restore();
      replace(message, alertBox(t("photo.unfinished")));
      return;
    }
    submit.textContent = t("common.submitting");
    try {
      const sent = ids.length ? { body, photos: ids } : { body };
      await api("POST", `/posts/${encodeURIComponent(post.id)}/replies`, { body: sent, token: current.token });
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

// The author's rating, shown while the API says the post awaits it (`awaiting_feedback`, never a nickname
// comparison). 不满意 opens a reason box first: the API reopens a post only with a reason.
function feedbackPanel(post, onDone) {
  const current = session();
  const comment = h("input", { id: "feedback-comment", type: "text", maxlength: 500, name: "comment" });
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const reason = h("textarea", { id: "feedback-reason", name: "reason", rows: 3, maxlength: 500, required: true, "aria-describedby": "feedback-reason-hint" });
  const reasonMessage = h("div", { class: "form-message", "aria-live": "polite" });
  const confirm = h("button", { type: "submit", class: "button" }, t("post.reasonSubmit"));
  const cancel = h("button", { type: "button", class: "button secondary" }, t("post.reasonCancel"));
  const reasonForm = h(
    "form",
    { class: "feedback-reason", novalidate: true, hidden: true },
    h("div", { class: "field" }, h("label", { for: "feedback-reason" }, t("post.reasonLabel")), h("p", { id: "feedback-reason-hint", class: "hint" }, t("post.reasonHint")), reason),
    reasonMessage,
    h("div", { class: "actions" }, confirm, cancel),
  );
  const send = async (satisfied, button, text, where = message) => {
    const restore = busy(button, t("common.submitting"));
    replace(where);
    const body = { satisfied };
    if (text) body.comment = text;
    try {
      await api("POST", `/posts/${encodeURIComponent(post.id)}/feedback`, { body, token: current.token });
      onDone(t("post.feedbackOk"));
    } catch (error) {
      if (error.status === 401) clearSession();
      replace(where, alertBox(describeError(error, "feedback").summary));
      restore();
    }
  };
  const yes = h("button", { type: "button", class: "button" }, t("post.satisfied"));
  const no = h("button", { type: "button", class: "button secondary" }, t("post.unsatisfied"));
  const choice = h("div", { class: "actions" }, yes, no);
  const commentField = h("div", { class: "field" }, h("label", { for: "feedback-comment" }, `${t("post.feedbackComment")} ${t("common.optional")}`), comment);
  const askReason = (asking) => {
    choice.hidden = commentField.hidden = asking;
    reasonForm.hidden = !asking;
  };
  yes.addEventListener("click", () => send(true, yes, comment.value.trim()));
  no.addEventListener("click", () => {
    if (!reason.value.trim()) reason.value = comment.value.trim();
    replace(message);
    askReason(true);
    reason.focus();
  });
  cancel.addEventListener("click", () => {
    askReason(false);
    replace(reasonMessage);
    no.focus();
  });
  reasonForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (!checkField(reason, reasonMessage, Boolean(text), t("post.reasonRequired"))) return;
    send(false, confirm, text, reasonMessage);
  });
  return h(
    "section",
    { class: "panel feedback", "aria-labelledby": "feedback-heading" },
    h("h2", { id: "feedback-heading" }, t("post.feedback")),
    h("p", {}, t("post.feedbackIntro")),
    commentField,
    message,
    choice,
    reasonForm,
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
    detail = await postDetail(postId, current ? current.token : undefined); // a public copy for the public
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
  // Ownership is the API's word (`mine`), by account: a resident who changed nickname still owns their posts.
  const isAuthor = Boolean(current && post.mine);
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
        isAuthor ? h("span", { class: "badge mine" }, t("post.mine")) : null,
        timeElement(post.created_at, { relative: false }),
        h("span", { class: "unit-name" }, post.assigned_unit ? t("post.assigned", { unit: unitName(post.assigned_unit) }) : t("post.notAssigned")),
      ),
      clock ? h("div", { class: "clock" }, clock) : null,
      // A stub says "仅警方可见" once, in its title: no body, no note, no reply texts, no follow-up box.
      post.visibility === "police_only" && !stub ? h("p", { class: "notice notice-info" }, t("post.policeOnlyNote")) : null,
      stub ? null : postBody(post),
      stub ? null : photoGallery(post.photos, post.title),
      stub ? null : refusedNote(post.photos_refused),
      stub ? null : placeLines(post),
    ),
    h(
      "section",
      { class: "panel", "aria-labelledby": "replies-heading" },
      h("h2", { id: "replies-heading" }, `${t("post.replies")} (${replies.length})`),
      stub ? h("p", { class: "muted" }, t("post.repliesWithheld")) : replyList(replies),
    ),
    h("section", { class: "panel", "aria-labelledby": "timeline-heading" }, h("h2", { id: "timeline-heading" }, t("post.timeline")), timelineList(timeline)),
    isAuthor && post.awaiting_feedback ? feedbackPanel(post, reload) : null,
    stub ? null : h("section", { class: "panel", "aria-labelledby": "followup-heading" }, h("h2", { id: "followup-heading" }, t("post.followUp")), followUpForm(post, reload)),
  );
}
