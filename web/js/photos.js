// The rules of photos and places on the page, without the DOM: how many, what size, which words. The
// composer (photo-picker.js, place.js) and the viewers (photo-view.js) use them; Node tests them alone.

import { t } from "./i18n.js";

/** At most this many photos on a post or a reply (API.md, Photos). */
export const MAX_PHOTOS = 9;
/** The largest upload storage accepts (the presigned POST's limit). */
export const MAX_BYTES = 10 * 1024 * 1024;
/** The long side a photo is resized to in the browser before it leaves the phone. */
export const MAX_SIDE = 2048;
/** The long side of the thumbnails the server makes. */
export const THUMB_SIDE = 480;
/** JPEG quality of the browser's resize: small enough for a phone's upload, no visible loss. */
export const QUALITY = 0.85;
/** The types storage accepts; anything the browser re-encodes becomes JPEG. */
export const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];
/** Feed cards show at most this many thumbnails, then "+N". */
export const CARD_THUMBS = 3;
/** An address a resident types: at most 100 characters (API.md). */
export const MAX_ADDRESS = 100;

/** Width and height scaled to fit `max` on the long side (never enlarged), whole pixels, at least 1. */
export function fitWithin(width, height, max = MAX_SIDE) {
  const w = Math.max(1, Math.round(Number(width) || 1));
  const h = Math.max(1, Math.round(Number(height) || 1));
  const scale = Math.min(1, max / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** The width/height attributes of a photo's thumbnail, from the photo's own aspect (no layout shift). */
export function thumbSize(photo) {
  return fitWithin(photo.width, photo.height, THUMB_SIDE);
}

/**
 * Why a chosen file cannot be added, as the i18n key of the sentence, or null when it may be tried.
 * A file of no declared type is tried (some phones send none); the server decides what it is.
 */
export function refusal(file, alreadyChosen) {
  if (alreadyChosen >= MAX_PHOTOS) return "photo.tooMany";
  if (file.type && !file.type.startsWith("image/")) return "photo.notImage";
  return null;
}

/** Why a file about to be uploaded (after the browser's resize) cannot be, as an i18n key, or null. */
export function uploadRefusal(blob) {
  if (blob.size > MAX_BYTES) return "photo.tooBig";
  if (blob.type && !ACCEPTED_TYPES.includes(blob.type)) return "photo.wrongType";
  return null;
}

/** The sentence for an upload that failed: its HTTP status (0: the network), in the resident's words. */
export function failureKey(status) {
  if (status === 0) return "photo.network";
  if (status === 413 || status === 400 || status === 403) return "photo.refused";
  return "photo.failed";
}

/**
 * The photos to show on a feed card and how many more there are: at most CARD_THUMBS shown, `more` the rest.
 */
export function cardPhotos(photos) {
  const all = Array.isArray(photos) ? photos : [];
  return { shown: all.slice(0, CARD_THUMBS), more: Math.max(0, all.length - CARD_THUMBS) };
}

/** The alt text of photo `index` (0-based) of `count`: "照片 1/3：<title>". */
export function altText(index, count, title) {
  return title ? t("photo.alt", { i: index + 1, n: count, title }) : t("photo.altPlain", { i: index + 1, n: count });
}

/** Coordinates as the page shows them: rounded to 3 decimals (about 100 m), as the public sees them. */
export function shownCoordinates(location) {
  if (!location || !Number.isFinite(Number(location.lat)) || !Number.isFinite(Number(location.long))) return "";
  return `${Number(location.lat).toFixed(3)}, ${Number(location.long).toFixed(3)}`;
}

/** What the post sends of a chosen position: WGS-84 degrees to 6 decimals (about 0.1 m: all a phone knows). */
export function sentLocation(coords) {
  const round = (value) => Math.round(value * 1e6) / 1e6;
  return { lat: round(coords.latitude), long: round(coords.longitude) };
}

/** The i18n key explaining a geolocation error (1: the resident or the browser said no). */
export function locationErrorKey(error) {
  if (!error) return "place.unsupported";
  if (error.code === 1) return "place.denied";
  if (error.code === 3) return "place.timeout";
  return "place.unavailable";
}

/**
 * The upload ids of the photos in the order the resident chose them, or null while any is unfinished
 * (`state` other than "done"); items: [{state, uploadId}].
 */
export function readyIds(items) {
  if (items.some((item) => item.state !== "done")) return null;
  return items.map((item) => item.uploadId);
}
