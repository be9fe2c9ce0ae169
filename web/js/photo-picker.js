// "添加照片" in a form: the camera or the album, each photo resized in the browser, uploaded straight to storage
// (a presigned POST from /api/uploads) with its own progress bar, retry and remove; the form waits for them.

import { ApiError, api, describeError } from "./api.js";
import { alertBox, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { MAX_PHOTOS, QUALITY, failureKey, fitWithin, readyIds, refusal, uploadRefusal } from "./photos.js";

const PREVIEW_SIDE = 160;

/**
 * The photo's bytes as they will leave the phone: decoded with its EXIF orientation applied, at most 2048 px
 * on the long side, re-encoded as JPEG (which also drops the camera's metadata, GPS included), and a small
 * preview canvas. A file the browser cannot decode (HEIC on some browsers) goes as it is: the server decides.
 */
async function prepare(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return { blob: file, preview: null };
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height);
    const canvas = drawn(bitmap, size);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
    return { blob: blob || file, preview: drawn(bitmap, fitWithin(bitmap.width, bitmap.height, PREVIEW_SIDE)) };
  } finally {
    bitmap.close();
  }
}

/** A canvas of the bitmap at the given size, on white (a transparent PNG would turn black as JPEG). */
function drawn(bitmap, { width, height }) {
  const canvas = h("canvas", { width, height });
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, width, height);
  context.drawImage(bitmap, 0, 0, width, height);
  return canvas;
}

/**
 * POST the presigned form to storage with XMLHttpRequest (fetch reports no upload progress): `fields` first,
 * `file` last, as S3 requires. Resolves on 2xx; rejects with {status} (0: the network failed).
 */
function postToStorage(grant, blob, onProgress, onStart) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields || {})) form.append(name, value);
    form.append("file", blob, "photo");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", grant.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject({ status: xhr.status })));
    xhr.addEventListener("error", () => reject({ status: 0 }));
    xhr.addEventListener("abort", () => reject({ status: 0, aborted: true }));
    onStart(xhr);
    xhr.send(form);
  });
}

/** The sentence for a failed upload: the API's refusal of the grant, or storage's answer. */
function failureText(error) {
  if (error instanceof ApiError) {
    if (error.fields && error.fields.size) return t("photo.tooBig");
    if (error.fields && error.fields.content_type) return t("photo.wrongType");
    if (error.status === 0) return t("photo.network");
    return describeError(error).summary;
  }
  return t(failureKey((error && error.status) || 0));
}

/**
 * The photo field of a form. Returns {field, ready, pending, count}: `ready()` waits for the uploads in
 * flight and gives their upload ids in the order chosen, or null when one failed (the field says which).
 */
export function photoPicker({ id, token }) {
  const items = [];
  const waiting = [];
  const input = h("input", { id, type: "file", accept: "image/*", multiple: true, hidden: true, "aria-label": t("photo.add") });
  const add = h("button", { type: "button", class: "button secondary photo-add", "aria-describedby": `${id}-hint` }, t("photo.add"));
  const hint = h("p", { id: `${id}-hint`, class: "hint" }, t("photo.hint", { max: MAX_PHOTOS }));
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const list = h("ul", { class: "photo-list", "aria-label": t("photo.listLabel") });

  const settle = () => {
    if (items.some((item) => item.state === "preparing" || item.state === "uploading")) return;
    while (waiting.length) waiting.shift()();
  };
  const renumber = () => {
    items.forEach((item, index) => item.label(index + 1));
    add.disabled = items.length >= MAX_PHOTOS;
  };

  const upload = async (item) => {
    item.show("uploading", 0);
    try {
      const grant = await api("POST", "/uploads", { body: { content_type: item.blob.type || "image/jpeg", size: item.blob.size }, token });
      if (item.removed) return;
      await postToStorage(grant, item.blob, (part) => item.show("uploading", part), (xhr) => (item.xhr = xhr));
      item.uploadId = grant.upload_id;
      item.show("done", 1);
    } catch (error) {
      if (!item.removed) item.show("failed", 0, failureText(error));
    } finally {
      item.xhr = null;
      settle();
    }
  };

  const remove = (item) => {
    item.removed = true;
    if (item.xhr) item.xhr.abort();
    items.splice(items.indexOf(item), 1);
    item.el.remove();
    renumber();
    settle();
    add.focus();
  };

  const choose = async (files) => {
    const notes = [];
    for (const file of files) {
      const why = refusal(file, items.length);
      if (why) {
        notes.push(t(why, { name: file.name, max: MAX_PHOTOS }));
        if (why === "photo.tooMany") break;
        continue;
      }
      const item = photoItem(file, { onRetry: () => upload(item), onRemove: () => remove(item) });
      items.push(item);
      list.appendChild(item.el);
      renumber();
      prepare(file).then(({ blob, preview }) => {
        if (item.removed) return;
        item.preview(preview);
        const tooBig = uploadRefusal(blob);
        item.blob = blob;
        if (tooBig) {
          item.show("failed", 0, t(tooBig, { name: file.name }), false);
          settle();
        } else upload(item);
      });
    }
    replace(message, notes.length ? alertBox(notes.join("")) : null);
  };

  add.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const files = [...input.files];
    input.value = ""; // the same photo may be chosen again after a removal
    choose(files);
  });

  return {
    field: h("div", { class: "field photos" }, h("span", { class: "label" }, `${t("photo.label")} ${t("common.optional")}`), hint, input, add, message, list),
    count: () => items.length,
    pending: () => items.some((item) => item.state === "preparing" || item.state === "uploading"),
    /** Wait for the uploads in flight; their ids in order, or null when one failed (its item says why). */
    async ready() {
      await new Promise((resolve) => {
        waiting.push(resolve);
        settle();
      });
      return readyIds(items);
    },
  };
}

/** One chosen photo in the list: its preview, progress bar, state, retry and remove buttons. */
function photoItem(file, { onRetry, onRemove }) {
  const figure = h("span", { class: "photo-thumb", "aria-hidden": "true" });
  const progress = h("progress", { max: 100, value: 0 });
  const state = h("span", { class: "photo-state" });
  const retry = h("button", { type: "button", class: "button secondary small photo-retry", hidden: true }, t("photo.retry"));
  const removeButton = h("button", { type: "button", class: "button secondary small photo-remove" }, t("photo.remove"));
  const name = h("span", { class: "photo-name" });
  const el = h("li", { class: "photo-item", dataset: { state: "preparing" } }, figure, h("div", { class: "photo-status" }, name, progress, state, h("div", { class: "photo-actions" }, retry, removeButton)));
  retry.addEventListener("click", () => {
    retry.hidden = true;
    onRetry();
  });
  removeButton.addEventListener("click", onRemove);
  const item = {
    el,
    file,
    blob: file,
    state: "preparing",
    uploadId: null,
    xhr: null,
    removed: false,
    label(n) {
      name.textContent = t("photo.numbered", { i: n });
      progress.setAttribute("aria-label", t("photo.progressLabel", { i: n }));
      retry.setAttribute("aria-label", t("photo.retryLabel", { i: n }));
      removeButton.setAttribute("aria-label", t("photo.removeLabel", { i: n }));
    },
    preview(canvas) {
      replace(figure, canvas || h("span", { class: "photo-blank" }, t("photo.noPreview")));
    },
    /** Show a state: preparing, uploading (part 0..1), done, or failed (with the reason; retry unless refused). */
    show(next, part, reason = "", retryable = true) {
      item.state = next;
      el.dataset.state = next;
      progress.value = Math.round(part * 100);
      retry.hidden = next !== "failed" || !retryable;
      // The bar moves with every chunk; the words (a live region) change only with the state.
      const words = next === "failed" ? reason : t(`photo.state.${next}`);
      if (state.textContent !== words) state.textContent = words;
      state.setAttribute("role", next === "failed" ? "alert" : "status");
    },
  };
  item.show("preparing", 0);
  return item;
}
