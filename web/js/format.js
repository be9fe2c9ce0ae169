// Words for times, statuses, deadlines and urgency, in the current language.

import { lang, t } from "./i18n.js";

/** Parse an ISO 8601 time; null when missing or invalid. */
export function parseTime(value) {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** "2026-11-28 23:30" in Beijing time, whatever the device's zone. */
export function absoluteTime(value) {
  const date = parseTime(value);
  if (!date) return "";
  const shifted = new Date(date.getTime() + 8 * 3600 * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ${pad(
    shifted.getUTCHours(),
  )}:${pad(shifted.getUTCMinutes())}`;
}

/** "3 分钟前" for recent times, the absolute time after a day. */
export function relativeTime(value, now = Date.now()) {
  const date = parseTime(value);
  if (!date) return "";
  const minutes = Math.floor((now - date.getTime()) / 60000);
  if (minutes < 1) return t("time.justNow");
  if (minutes < 60) return t("time.minutesAgo", { n: minutes });
  if (minutes < 24 * 60) return t("time.hoursAgo", { n: Math.floor(minutes / 60) });
  return absoluteTime(value);
}

/** A duration in words: "12 分钟", "2 小时 5 分钟", "3 天". */
export function duration(ms) {
  const minutes = Math.max(0, Math.ceil(ms / 60000));
  if (minutes < 60) return t("time.minutes", { n: minutes });
  if (minutes < 24 * 60) return t("time.hoursMinutes", { h: Math.floor(minutes / 60), m: minutes % 60 });
  return t("time.days", { n: Math.floor(minutes / (24 * 60)) });
}

/** A <time> element showing a relative time with the absolute one as its title. */
export function timeElement(value, { relative = true } = {}) {
  const el = document.createElement("time");
  el.dateTime = value || "";
  el.textContent = relative ? relativeTime(value) : absoluteTime(value);
  el.title = absoluteTime(value);
  return el;
}

export const STATUS_ORDER = ["received", "dispatched", "acknowledged", "in_progress", "resolved"];
const RANK = { received: 0, dispatched: 1, reopened: 1.5, acknowledged: 2, in_progress: 3, resolved: 4 };

/** The statuses an officer may move a post to next (never backwards; resolved only reopens). */
export function nextStatuses(status) {
  if (status === "resolved") return ["reopened"];
  if (!(status in RANK)) return [];
  return ["acknowledged", "in_progress", "resolved"].filter((s) => RANK[s] > RANK[status]);
}

/** Whether the timeline holds an official reply since the clock started: creation, or the last reopening. */
export function answered(timeline) {
  const events = [...(timeline || [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const start = events.map((event) => event.kind).lastIndexOf("reopened");
  return events.slice(start + 1).some((event) => event.kind === "replied");
}

/**
 * The first-response clock of a post: {kind: "left"|"overdue"|"answered"|"none", text}.
 * Without a timeline (the feed) a post with any reply is not called overdue: the feed cannot tell
 * whether that reply was official.
 */
export function deadline(post, timeline = null, now = Date.now()) {
  const due = parseTime(post.first_response_due);
  if (timeline && answered(timeline)) return { kind: "answered", text: t("deadline.answered") };
  if (!due || !["received", "dispatched", "reopened"].includes(post.status)) return { kind: "none", text: "" };
  if (!timeline && post.reply_count > 0) return { kind: "none", text: "" };
  const left = due.getTime() - now;
  if (left > 0) return { kind: "left", text: t("deadline.left", { t: duration(left) }) };
  return { kind: "overdue", text: t("deadline.overdue", { t: duration(-left) }) };
}

/** A percentage like "92%" or "—". */
export function percent(value) {
  if (value === null || value === undefined) return "—";
  return `${Math.round(value * 1000) / 10}%`;
}

/** The label of a status. */
export function statusLabel(status) {
  return t(`status.${status}`);
}

/** The label of a post type. */
export function typeLabel(type) {
  return t(`type.${type}`);
}

/** Format an 11-digit phone as 138 0000 1111 for reading. */
export function spacedPhone(phone) {
  const digits = String(phone).replace(/\D/g, "");
  return digits.length === 11 ? `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}` : phone;
}

export { lang };
