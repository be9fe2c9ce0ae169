// Public figures (阳光执法) with inline SVG charts, and the unit directory with published contacts.

import { API_BASE, api, loadInto } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { percent } from "./format.js";
import { barChart, dayChart } from "./charts.js";
import { districtName, officerTitle, unitName } from "./words.js";

/** A figure with the one line that says how it is computed. */
function tile(label, value, how, note = null) {
  return h(
    "div",
    { class: "tile" },
    h("dt", {}, label),
    h("dd", {}, h("span", { class: "tile-value" }, value), note ? h("span", { class: "tile-note" }, note) : null, h("span", { class: "tile-how" }, how)),
  );
}

const DAY_SERIES = [
  { key: "posts", title: "stats.daily.posts", text: (v) => String(v) },
  { key: "official_replies", title: "stats.daily.replies", text: (v) => String(v) },
  { key: "median_first_response_minutes", title: "stats.daily.median", text: (v) => minutes(v), className: "chart-median", zeroMark: true },
  { key: "answered_within_deadline", title: "stats.daily.inTime", text: percent, max: 1, className: "chart-rate", zeroMark: true },
  { key: "satisfaction", title: "stats.daily.satisfaction", text: percent, max: 1, className: "chart-resolved", zeroMark: true },
];

/** The last 30 days as small charts, for the platform or one unit, and the CSV download. */
function dailySection(ctx, units) {
  const scope = h(
    "select",
    { id: "daily-scope", name: "unit" },
    h("option", { value: "" }, t("stats.daily.overall")),
    units.map((u) => h("option", { value: u.unit.id }, u.unit.name)),
  );
  const charts = h("div", { class: "day-charts" });
  const labels = {
    date: t("stats.daily.date"),
    none: t("stats.daily.none"),
    table: t("stats.daily.table"),
    summary: (values) => t("stats.daily.summary", values),
  };
  async function load() {
    const query = scope.value ? `?unit=${encodeURIComponent(scope.value)}` : "";
    const daily = await loadInto(ctx, charts, () => api("GET", `/stats/daily${query}`));
    if (!daily) return;
    replace(
      charts,
      DAY_SERIES.map((series) =>
        dayChart({
          title: t(series.title),
          className: series.className || "",
          max: series.max ?? null,
          labels,
          scaleText: series.text,
          zeroMark: Boolean(series.zeroMark),
          days: daily.days.map((day) => ({ date: day.date, value: day[series.key], text: day[series.key] === null ? "" : series.text(day[series.key]) })),
        }),
      ),
    );
  }
  scope.addEventListener("change", load);
  load();
  return h(
    "section",
    { class: "panel daily", "aria-labelledby": "daily-heading" },
    h("h2", { id: "daily-heading" }, t("stats.daily.title")),
    h("p", { class: "muted small" }, t("stats.daily.intro")),
    h("div", { class: "field daily-scope" }, h("label", { for: "daily-scope" }, t("stats.daily.scope")), scope),
    charts,
    h("p", {}, h("a", { class: "button secondary csv-link", href: `${API_BASE}/stats/daily.csv`, download: "police24-daily.csv" }, t("stats.daily.csv"))),
  );
}

function minutes(value) {
  return value === null || value === undefined ? "—" : t("stats.minutes", { n: value });
}

function directory(units) {
  return h(
    "ul",
    { class: "directory" },
    units.map((unit) => {
      const contacts = (unit.officers || []).filter((o) => o.public_contact);
      return h(
        "li",
        { class: "unit-card" },
        h("h3", {}, unitName(unit)),
        h("p", { class: "muted" }, [t(`unit.${unit.kind}`), unit.district ? districtName(unit.district) : null].filter(Boolean).join(" · ")),
        unit.public_contact ? h("p", { class: "contact" }, unit.public_contact) : null,
        contacts.length
          ? h(
              "ul",
              { class: "officer-contacts" },
              contacts.map((o) => h("li", {}, h("strong", {}, o.name), ` ${officerTitle(o.title || "")}${t("words.colon")}`, o.public_contact)),
            )
          : null,
        !unit.public_contact && !contacts.length ? h("p", { class: "muted small" }, t("stats.noContact")) : null,
      );
    }),
  );
}

/** The figures page. */
export async function statsPage(ctx) {
  const { view } = ctx;
  const loaded = await loadInto(ctx, view, () => Promise.all([api("GET", "/stats"), api("GET", "/units")]));
  if (!loaded) return;
  const [stats, units] = loaded;
  const o = stats.overall || {};
  const perUnit = [...(stats.units || [])];
  const busiest = perUnit.filter((u) => u.posts > 0 || u.assigned > 0).sort((a, b) => b.posts - a.posts);
  const timed = perUnit.filter((u) => u.answered_within_deadline !== null && u.answered_within_deadline !== undefined);
  const charts = busiest.length
    ? [
        barChart({ title: t("stats.byUnit"), rows: busiest.map((u) => ({ label: u.unit.name, value: u.posts })) }),
        barChart({ title: t("stats.byUnitResolved"), rows: busiest.map((u) => ({ label: u.unit.name, value: u.resolved })), max: Math.max(1, ...busiest.map((u) => u.posts)), className: "chart-resolved" }),
        timed.length
          ? barChart({ title: t("stats.byUnitInTime"), rows: timed.map((u) => ({ label: u.unit.name, value: u.answered_within_deadline, text: percent(u.answered_within_deadline) })), max: 1, className: "chart-rate" })
          : null,
      ]
    : [h("p", { class: "muted" }, t("stats.chartEmpty"))];
  const sortedUnits = [...(units.units || [])].sort((a, b) => (a.kind === "command_center" ? -1 : b.kind === "command_center" ? 1 : 0));
  replace(
    view,
    h("h1", {}, t("stats.title")),
    h("p", { class: "muted" }, t("stats.intro")),
    h(
      "dl",
      { class: "tiles" },
      tile(t("stats.posts"), String(o.posts ?? 0), t("stats.how.posts")),
      tile(t("stats.official_replies"), String(o.official_replies ?? 0), t("stats.how.official_replies"), `${t("stats.replies")} ${o.replies ?? 0}`),
      tile(t("stats.assigned"), String(o.assigned ?? 0), t("stats.how.assigned")),
      tile(t("stats.policeDispatches"), String(o.police_dispatches ?? 0), t("stats.how.police_dispatches"), t("stats.incidents", { n: o.incidents ?? 0 })),
      tile(t("stats.resolved"), String(o.resolved ?? 0), t("stats.how.resolved")),
      tile(t("stats.median"), minutes(o.median_first_response_minutes), t("stats.how.median_first_response_minutes")),
      tile(t("stats.inTime"), percent(o.answered_within_deadline), t("stats.how.answered_within_deadline"), t("stats.inTimeOf", { a: o.answered_in_time ?? 0, b: o.deadlines ?? 0 })),
      tile(t("stats.satisfaction"), percent(o.satisfaction), t("stats.how.satisfaction"), t("stats.ratings", { n: o.ratings ?? 0 })),
      tile(t("stats.escalations"), String(o.escalations ?? 0), t("stats.how.escalations")),
    ),
    dailySection(ctx, perUnit),
    h("section", { class: "panel charts", "aria-label": t("stats.byUnit") }, charts),
    h("section", { "aria-labelledby": "directory-heading" }, h("h2", { id: "directory-heading" }, t("stats.directory")), directory(sortedUnits)),
  );
}
