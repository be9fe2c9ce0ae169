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
