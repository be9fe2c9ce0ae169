// The compose form: board, type, district, title, body, police-only; limits, errors, the emergency banner (by
// the server's own rule and wording), and a draft that survives a reload until it is posted.

import { api, describeError, idempotencyKey, loadInto } from "./api.js";
import { alertBox, busy, h, replace } from "./dom.js";
import { boardText, lang, t } from "./i18n.js";
import { typeLabel } from "./format.js";
import { clearDraft, clearSession, loadDraft, saveDraft, session } from "./session.js";
import { loadBoards, loadDistricts, loadEmergencyRule, setFlash } from "./store.js";
import { countedTextarea } from "./views.js";
import { photoPicker } from "./photo-picker.js";
import { placeField } from "./place.js";
import { districtName } from "./words.js";
import { go } from "./app.js";

/** A prompt to sign in first, coming back to `next` afterwards. */
export function signInPrompt(next) {
  return h(
    "div",
    { class: "panel" },
    h("p", {}, t("login.needed")),
    h("a", { class: "button", href: `#/login?next=${encodeURIComponent(next)}` }, t("login.goSignIn")),
  );
}

function fieldError(input, id) {
  const el = h("p", { id, class: "field-error", hidden: true });
  const described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
  return {
    el,
    show(text) {
      el.textContent = text;
      el.hidden = false;
      input.setAttribute("aria-invalid", "true");
    },
    clear() {
      el.textContent = "";
      el.hidden = true;
      input.removeAttribute("aria-invalid");
    },
  };
}

/** The compose page (signed-in residents; officers may also post notices). */
export async function composePage(ctx) {
  const { view, params } = ctx;
  const current = session();
  if (!current) {
    replace(view, h("h1", {}, t("compose.title")), signInPrompt("/compose"));
    return;
  }
  const loaded = await loadInto(ctx, view, () => Promise.all([loadBoards(), loadDistricts(), loadEmergencyRule()]));
  if (!loaded) return;
  const [boards, districts, rule] = loaded;

  const police = current.user.role !== "citizen";
  const draft = loadDraft() || {};
  const startBoard = boards.some((b) => b.id === draft.board) ? draft.board : params.get("board");
  const boardSelect = h(
    "select",
    { id: "compose-board", name: "board", required: true },
    boards.map((board) => h("option", { value: board.id, selected: board.id === startBoard }, boardText(board).name)),
  );
  const typeSelect = h("select", { id: "compose-type", name: "type", required: true });
  const districtSelect = h(
    "select",
    { id: "compose-district", name: "district" },
    h("option", { value: "" }, t("compose.noDistrict")),
    districts.map((name) => h("option", { value: name, selected: name === draft.district }, districtName(name))),
  );
  const fillTypes = (before = typeSelect.value) => {
    const board = boards.find((b) => b.id === boardSelect.value) || boards[0];
    const types = board.post_types.filter((type) => police || type !== "publicity");
    replace(typeSelect, types.map((type) => h("option", { value: type, selected: type === before }, typeLabel(type))));
  };
  boardSelect.addEventListener("change", () => fillTypes());
  fillTypes(draft.type);

  const titleInput = h("input", { id: "compose-title", name: "title", type: "text", maxlength: 100, required: true, "aria-describedby": "compose-title-count", autocomplete: "off" });
  const titleCount = h("span", { id: "compose-title-count", class: "counter", "aria-live": "polite" }, t("common.chars", { n: 0, max: 100 }));
  titleInput.addEventListener("input", () => {
    titleCount.textContent = t("common.chars", { n: [...titleInput.value].length, max: 100 });
  });
  const body = countedTextarea({ id: "compose-body", label: t("compose.body"), max: 5000, rows: 7, hint: t("compose.bodyHint"), name: "body" });
  const photos = photoPicker({ id: "compose-photos", token: current.token });
  const place = placeField({ id: "compose-place", address: typeof draft.address === "string" ? draft.address : "" });
  const policeOnly = h("input", { id: "compose-police-only", type: "checkbox", name: "police_only", checked: draft.visibility === "police_only" });

  const errors = {
    board: fieldError(boardSelect, "compose-board-error"),
    type: fieldError(typeSelect, "compose-type-error"),
    district: fieldError(districtSelect, "compose-district-error"),
    title: fieldError(titleInput, "compose-title-error"),
    body: fieldError(body.input, "compose-body-error"),
    address: fieldError(place.address, "compose-address-error"),
  };

  let confirmed = false;
  const confirmButton = h("button", { type: "button", class: "button danger-outline", id: "emergency-confirm" }, t("compose.confirm"));
  const banner = h(
    "div",
    { class: "emergency", id: "emergency-banner", role: "alert", hidden: true },
    h("p", { class: "emergency-title" }, rule ? warningTitle(rule) : ""),
    h("p", {}, rule ? warningText(rule) : ""),
    h("div", { class: "actions" }, h("a", { class: "button danger", href: "tel:110" }, t("compose.call110")), confirmButton),
  );
  const looksUrgent = (...texts) => Boolean(rule) && texts.some((text) => rule.test(text));
  const updateBanner = () => {
    const urgent = looksUrgent(titleInput.value, body.input.value);
    banner.hidden = !urgent;
    if (!urgent) confirmed = false;
  };
  titleInput.addEventListener("input", updateBanner);
  body.input.addEventListener("input", updateBanner);

  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "button", id: "compose-submit" }, t("compose.submit"));
  const form = h(
    "form",
    { class: "compose-form", novalidate: true, "aria-labelledby": "compose-heading" },
    h("div", { class: "field" }, h("label", { for: "compose-board" }, t("compose.board")), boardSelect, errors.board.el),
    h(
      "div",
      { class: "field-row" },
      h("div", { class: "field" }, h("label", { for: "compose-type" }, t("compose.type")), typeSelect, errors.type.el),
      h("div", { class: "field" }, h("label", { for: "compose-district" }, `${t("compose.district")} ${t("common.optional")}`), districtSelect, errors.district.el),
    ),
    h("div", { class: "field" }, h("label", { for: "compose-title" }, t("compose.titleField")), titleInput, titleCount, errors.title.el),
    body.field,
    errors.body.el,
    photos.field,
    place.field,
    errors.address.el,
    h("div", { class: "field check" }, policeOnly, h("label", { for: "compose-police-only" }, t("compose.policeOnly"))),
    banner,
    message,
    h("div", { class: "actions" }, submit),
  );
  let key = idempotencyKey();

  const send = async () => {
    for (const error of Object.values(errors)) error.clear();
    replace(message);
    const title = titleInput.value.trim();
    const text = body.input.value.trim();
    let bad = false;
    if (!title || [...title].length > 100) {
      errors.title.show(t("field.title"));
      bad = true;
    }
    if (!text || [...text].length > 5000) {
      errors.body.show(t("field.body"));
      bad = true;
    }
    if (bad) {
      replace(message, alertBox(t("error.invalid")));
      form.querySelector("[aria-invalid='true']").focus();
      return;
    }
    if (looksUrgent(title, text) && !confirmed) {
      banner.hidden = false;
      replace(message, alertBox(t("compose.confirmNeeded")));
      confirmButton.focus();
      return;
    }
    const payload = { board: boardSelect.value, type: typeSelect.value, title, body: text, ...place.value() };
    if (districtSelect.value) payload.district = districtSelect.value;
    if (policeOnly.checked) payload.visibility = "police_only";
    const restore = busy(submit, photos.pending() ? t("photo.waiting") : t("common.submitting"));
    const ids = await photos.ready(); // the uploads still in flight finish first; a failed one stops the post
    if (ids === null) {
      restore();
      replace(message, alertBox(t("photo.unfinished")));
      return;
    }
    if (ids.length) payload.photos = ids;
    submit.textContent = t("common.submitting");
    try {
      const post = await api("POST", "/posts", { body: payload, token: current.token, headers: { "Idempotency-Key": key } });
      key = idempotencyKey();
      clearDraft();
      setFlash({ text: t("feed.postedOk"), postId: post.id });
      go("#/");
    } catch (error) {
      restore();
      if (error.status === 401) {
        clearSession();
        replace(message, alertBox(describeError(error).summary), signInPrompt("/compose"));
        return;
      }
      if (error.status === 409) key = idempotencyKey();
      const described = describeError(error);
      for (const [name, sentence] of Object.entries(described.fields)) if (errors[name]) errors[name].show(sentence);
      if (error.status === 409 && error.postId) clearDraft(); // the same text is published already
      const earlier = error.status === 409 && error.postId
        ? h("a", { class: "link", id: "compose-earlier", href: `#/post/${encodeURIComponent(error.postId)}` }, t("compose.seeEarlier"))
        : null;
      replace(message, alertBox(described.summary), earlier);
    }
  };
  confirmButton.addEventListener("click", () => {
    confirmed = true;
    send();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });

  // The draft: every field, kept on each change, until it is posted (or the resident signs out).
  titleInput.value = typeof draft.title === "string" ? draft.title : "";
  body.input.value = typeof draft.body === "string" ? draft.body : "";
  const keep = () => saveDraft({
    board: boardSelect.value,
    type: typeSelect.value,
    title: titleInput.value,
    body: body.input.value,
    district: districtSelect.value,
    visibility: policeOnly.checked ? "police_only" : "public",
    address: place.address.value,
  });
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  replace(view, h("h1", { id: "compose-heading" }, t("compose.title")), form);
  for (const input of [titleInput, body.input]) if (input.value) input.dispatchEvent(new Event("input"));
}

/** The warning's headline: the server's words, with an English line in English mode. */
function warningTitle(rule) {
  return lang() === "en" ? `${rule.notice} · ${t("compose.emergency")}` : rule.notice;
}

/** The warning's sentence: the server's words in Chinese, the page's translation in English. */
function warningText(rule) {
  return lang() === "en" ? t("compose.emergencyText") : rule.warning;
}
