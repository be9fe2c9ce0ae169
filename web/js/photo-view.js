// Showing photos: up to three lazy thumbnails on a feed card, every photo of a post or reply on its page, and a
// viewer (a modal <dialog>: Esc or 关闭 closes it, 上一张/下一张 and the arrow keys move, focus comes back).

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { altText, cardPhotos, fitWithin, thumbSize } from "./photos.js";

/** One thumbnail <img>: lazy, its width and height from the photo's aspect so nothing moves when it loads. */
function thumb(photo, index, count, title) {
  const { width, height } = thumbSize(photo);
  return h("img", { src: photo.thumb_url, alt: altText(index, count, title), width, height, loading: "lazy", decoding: "async" });
}

/** The thumbnails of a feed card (at most three, "+N" on the last when there are more), or null. */
export function cardThumbs(post) {
  const { shown, more } = cardPhotos(post.photos);
  if (!shown.length) return null;
  const count = shown.length + more;
  return h(
    "ul",
    { class: "thumbs", "aria-label": t("photo.cardLabel", { n: count }) },
    shown.map((photo, index) =>
      h(
        "li",
        { class: "thumb" },
        thumb(photo, index, count, post.title),
        more && index === shown.length - 1 ? h("span", { class: "thumbs-more", "aria-hidden": "true" }, `+${more}`) : null,
      ),
    ),
    more ? h("li", { class: "visually-hidden" }, t("photo.more", { n: more })) : null,
  );
}

/** "第2张照片无法识别为图片，未能发布。" for each photo sent that the server could not read; null when none. */
export function refusedNote(places) {
  const all = Array.isArray(places) ? places : [];
  if (!all.length) return null;
  return h("p", { class: "muted photos-refused" }, all.map((n) => t("photo.refusedPlace", { n })).join(""));
}

/** Every photo of a post or a reply as buttons opening the viewer, or null when there is none. */
export function photoGallery(photos, title) {
  const all = Array.isArray(photos) ? photos : [];
  if (!all.length) return null;
  return h(
    "ul",
    { class: "gallery", "aria-label": t("photo.galleryLabel", { n: all.length }) },
    all.map((photo, index) => {
      const button = h("button", { type: "button", class: "photo-open" }, thumb(photo, index, all.length, title));
      button.addEventListener("click", () => openViewer(all, index, title, button));
      return h("li", {}, button);
    }),
  );
}

let viewer = null;

/** The one viewer dialog of the page, made on first use. */
function viewerDialog() {
  if (viewer) return viewer;
  const caption = h("p", { id: "viewer-caption", class: "viewer-caption" });
  const image = h("img", { class: "viewer-image", alt: "" });
  const close = h("button", { type: "button", class: "button secondary viewer-close" }, t("photo.close"));
  const previous = h("button", { type: "button", class: "button secondary viewer-previous" }, t("photo.previous"));
  const next = h("button", { type: "button", class: "button secondary viewer-next" }, t("photo.next"));
  const dialog = h(
    "dialog",
    { class: "viewer", "aria-labelledby": "viewer-caption" },
    h("div", { class: "viewer-bar" }, caption, close),
    h("div", { class: "viewer-frame" }, image),
    h("div", { class: "viewer-nav" }, previous, next),
  );
  const state = { photos: [], index: 0, title: "", opener: null };
  const show = (index) => {
    const count = state.photos.length;
    state.index = (index + count) % count;
    const photo = state.photos[state.index];
    const { width, height } = fitWithin(photo.width, photo.height);
    image.width = width;
    image.height = height;
    image.src = photo.url;
    image.alt = altText(state.index, count, state.title);
    caption.textContent = t("photo.caption", { i: state.index + 1, n: count });
    previous.hidden = next.hidden = count < 2;
  };
  close.addEventListener("click", () => dialog.close());
  previous.addEventListener("click", () => show(state.index - 1));
  next.addEventListener("click", () => show(state.index + 1));
  dialog.addEventListener("keydown", (event) => {
    if (state.photos.length < 2) return;
    if (event.key === "ArrowLeft") show(state.index - 1);
    else if (event.key === "ArrowRight") show(state.index + 1);
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close(); // a tap on the backdrop
  });
  dialog.addEventListener("close", () => {
    image.removeAttribute("src");
    if (state.opener && state.opener.isConnected) state.opener.focus();
  });
  document.body.appendChild(dialog);
  // Made once: the words follow the language chosen since.
  const labels = () => {
    replace(close, t("photo.close"));
    replace(previous, t("photo.previous"));
    replace(next, t("photo.next"));
  };
  viewer = { dialog, show, state, close, labels };
  return viewer;
}

/** Open the viewer on photo `index` of `photos`; focus returns to `opener` when it closes. */
export function openViewer(photos, index, title, opener) {
  const found = viewerDialog();
  Object.assign(found.state, { photos, title, opener });
  found.labels();
  found.show(index);
  if (!found.dialog.open) found.dialog.showModal();
  found.close.focus();
}
