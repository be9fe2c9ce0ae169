// Simple horizontal bar charts drawn as inline SVG.

import { h } from "./dom.js";

const SVG_NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, text = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  if (text !== null) el.textContent = text;
  return el;
}

function shorten(label, max = 11) {
  const chars = [...label];
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : label;
}

/**
 * A figure with one bar per row: rows are {label, value, text?}; `max` fixes the scale
 * (default: the largest value). The chart scales to its container's width.
 */
export function barChart({ title, rows, max = null, className = "" }) {
  const width = 340;
  const labelWidth = 140;
  const valueWidth = 52;
  const barArea = width - labelWidth - valueWidth;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 4;
  const top = max ?? Math.max(1, ...rows.map((row) => row.value || 0));
  const summary = rows.map((row) => `${row.label}: ${row.text ?? row.value}`).join("; ");
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart ${className}`.trim(),
    role: "img",
    "aria-label": `${title}. ${summary}`,
    preserveAspectRatio: "xMinYMin meet",
  });
  rows.forEach((row, index) => {
    const y = index * rowHeight + 2;
    const value = Math.max(0, row.value || 0);
    const barWidth = top > 0 ? Math.round((value / top) * barArea) : 0;
    const group = svg("g", { class: "chart-row" });
    group.appendChild(svg("title", {}, `${row.label}: ${row.text ?? row.value}`));
    group.appendChild(svg("text", { x: labelWidth - 6, y: y + 16, "text-anchor": "end", class: "chart-label" }, shorten(row.label)));
    group.appendChild(svg("rect", { x: labelWidth, y: y + 4, width: barArea, height: 16, rx: 3, class: "chart-track" }));
    if (barWidth > 0) {
      group.appendChild(svg("rect", { x: labelWidth, y: y + 4, width: barWidth, height: 16, rx: 3, class: "chart-bar" }));
    }
    group.appendChild(svg("text", { x: labelWidth + barArea + 6, y: y + 16, class: "chart-value" }, String(row.text ?? row.value)));
    chart.appendChild(group);
  });
  return h("figure", { class: "chart-figure" }, h("figcaption", {}, title), chart);
}

/**
 * A small column chart of one value per day: days are {date: "YYYY-MM-DD", value: number|null, text}.
 * A day without data (null) draws no column; with `zeroMark`, a day whose value is 0 draws a thin mark, so that
 * 0 (e.g. 0 minutes, 0 %) and "no data" look different. The top of the scale is written top left. The SVG carries a one-sentence summary as its accessible name,
 * and a collapsible table below gives every day's value as text.
 */
export function dayChart({ title, days, max = null, className = "", labels, scaleText = String, zeroMark = false }) {
  const width = 340;
  const height = 96;
  const left = 4;
  const bottom = 16;
  const plot = height - bottom - 14; // room for the scale at the top
  const step = (width - left * 2) / Math.max(1, days.length);
  const values = days.map((day) => day.value).filter((value) => value !== null && value !== undefined);
  const top = max ?? Math.max(1, ...values);
  const known = days.filter((day) => day.value !== null && day.value !== undefined);
  const last = known.length ? known[known.length - 1] : null;
  const summary = labels.summary({
    title,
    from: days.length ? days[0].date : "",
    to: days.length ? days[days.length - 1].date : "",
    count: known.length,
    last: last ? `${last.date} ${last.text}` : labels.none,
  });
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart day-chart ${className}`.trim(),
    role: "img",
    "aria-label": summary,
    preserveAspectRatio: "xMinYMin meet",
  });
  chart.appendChild(svg("line", { x1: left, x2: width - left, y1: height - bottom, y2: height - bottom, class: "chart-axis" }));
  chart.appendChild(svg("text", { x: left, y: 10, class: "chart-label chart-scale" }, scaleText(top)));
  days.forEach((day, index) => {
    if (day.value === null || day.value === undefined) return;
    const barHeight = top > 0 ? Math.max(day.value > 0 || zeroMark ? 2 : 0, Math.round((day.value / top) * plot)) : 0;
    const x = left + index * step + 1;
    const bar = svg("rect", { x: x.toFixed(1), y: height - bottom - barHeight, width: Math.max(1, step - 2).toFixed(1), height: barHeight, class: "chart-bar" });
    bar.appendChild(svg("title", {}, `${day.date}: ${day.text}`));
    chart.appendChild(bar);
  });
  if (days.length) {
    chart.appendChild(svg("text", { x: left, y: height - 3, class: "chart-label" }, days[0].date.slice(5)));
    chart.appendChild(svg("text", { x: width - left, y: height - 3, "text-anchor": "end", class: "chart-label" }, days[days.length - 1].date.slice(5)));
  }
  const table = h(
    "table",
    { class: "day-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, labels.date), h("th", { scope: "col" }, title))),
    h("tbody", {}, days.map((day) => h("tr", {}, h("th", { scope: "row" }, day.date), h("td", {}, day.value === null || day.value === undefined ? labels.none : day.text)))),
  );
  return h(
    "figure",
    { class: "chart-figure day-figure" },
    h("figcaption", {}, title),
    chart,
    h("details", { class: "day-details" }, h("summary", {}, labels.table), table),
  );
}
