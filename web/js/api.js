// The HTTP contract of API.md, spoken from the page: same origin, base /api.

import { alertBox, loading, replace } from "./dom.js";
import { t } from "./i18n.js";

export const API_BASE = "/api";
const WROTE_AT = "p24.wroteAt"; // when this browser last changed something (sessionStorage: survives a reload)
const FRESH_FOR_MS = 60_000; // longer than a public copy lags (the stream, then the edge's 15 s + 30 s stale)

/** Tell whether this browser wrote within the last minute: its reads then go to the API (data.js). */
export function wroteRecently() {
  try {
    return Date.now() - Number(sessionStorage.getItem(WROTE_AT) || 0) < FRESH_FOR_MS;
  } catch {
    return false;
  }
}

function noteWrite() {
  try {
    sessionStorage.setItem(WROTE_AT, String(Date.now()));
  } catch {
    // no storage (private mode): the copies may show the change a few seconds late
  }
}

/** An error answer of the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, fields = {}, retryAfter = 0, postId = null) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.serverMessage = message || "";
    this.fields = fields || {};
    this.retryAfter = retryAfter;
    this.postId = postId; // a duplicate post's 409 names the earlier post
  }
}

/**
 * Call the API and return the parsed JSON body; throw ApiError on any failure.
 * Options: body (sent as JSON), token (Bearer), headers, signal.
 */
export async function api(method, path, { body, token, headers = {}, signal } = {}) {
  const init = { method, headers: { Accept: "application/json", ...headers }, signal, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(API_BASE + path, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, "network", "network error");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  // Anything but reading or signing in may change what the public reads (even a refusal may have changed something).
  if (method !== "GET" && method !== "HEAD" && !path.startsWith("/auth/")) noteWrite();
  if (!response.ok) {
    const error = (data && data.error) || {};
    const retryAfter = Number(response.headers.get("Retry-After")) || 0;
    const postId = typeof error.post_id === "string" ? error.post_id : null;
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.fields, retryAfter, postId);
  }
  return data;
}

// Field names of API errors -> the sentence that explains them; `context` picks a variant.
const FIELD_KEYS = {
  phone: "field.phone",
  code: "field.code",
  title: "field.title",
  body: "field.body",
  board: "field.board",
  type: "field.type",
  district: "field.district",
  nickname: "field.nickname",
  unit_id: "field.unit_id",
  status: "field.status",
  comment: "field.comment",
  note: "field.note",
  notify: "field.notify",
  photos: "field.photos",
  location: "field.location",
  address: "field.address",
};

/** The sentence for one field error (without the field's raw message). */
export function fieldSentence(field, context = "") {
  if (field === "body" && context === "reply") return t("field.replyBody");
  return FIELD_KEYS[field] ? t(FIELD_KEYS[field]) : null;
}

/**
 * Turn any error into sentences a resident understands; never show a bare code.
 * Returns {summary, fields: {name: sentence}}.
 */
export function describeError(error, context = "") {
  if (!(error instanceof ApiError)) return { summary: t("error.unknown"), fields: {} };
  const fields = {};
  for (const name of Object.keys(error.fields || {})) {
    const sentence = fieldSentence(name, context);
    if (sentence) fields[name] = sentence;
  }
  let summary;
  switch (error.status) {
    case 0:
      summary = t("error.network");
      break;
    case 400:
      summary = Object.values(fields)[0] || t("error.invalid");
      break;
    case 401:
      // A wrong code: the server says how many tries remain, or that a new code is needed.
      if (context === "login") summary = error.serverMessage || t("field.codeWrong");
      else summary = context === "link" ? t("reply.expired") : t("error.unauthenticated");
      break;
    case 403:
      summary = context === "link" ? t("reply.foreign") : t("error.forbidden");
      break;
    case 404:
      summary = context === "post" ? t("post.notFound") : t("error.notFound");
      break;
    case 409:
      // Only a stale version means someone else changed the thing; any other conflict (a duplicate post, a
      // reused Idempotency-Key, a status that cannot follow) is said in the server's own words.
      if (context === "feedback") summary = t("post.rated");
      else summary = error.code === "stale_version" || !error.serverMessage ? t("error.conflict") : error.serverMessage;
      break;
    case 413:
      summary = t("error.tooLarge");
      break;
    case 429:
      summary = t("error.tooMany", { n: error.retryAfter || 60 });
      break;
    default:
      summary = error.status >= 500 ? t("error.server") : t("error.unknown");
  }
  return { summary, fields };
}

/** A fresh key for the Idempotency-Key header. */
export function idempotencyKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Show "loading" in `target` and await `loader()`: its value, or null when it failed (its summary then
 * shows in `target`) or the page was left meanwhile.
 */
export async function loadInto(ctx, target, loader) {
  replace(target, loading(t("common.loading")));
  try {
    const value = await loader();
    return ctx.isCurrent() ? value : null;
  } catch (error) {
    if (ctx.isCurrent()) replace(target, alertBox(describeError(error).summary));
    return null;
  }
}
