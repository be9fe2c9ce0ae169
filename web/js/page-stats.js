// Public figures (阳光执法) with inline SVG charts, and the unit directory with published contacts.

import { api, describeError } from "./api.js";
import { alertBox, h, loading, replace } from "./dom.js";
import { t } from "./i18n.js";
import { percent } from "./format.js";
import { barChart } from "./charts.js";
import { districtName, officerTitle, unitName } from "./words.js";

function tile(label, value, note = null) {
  return h("div", { class: "tile" }, h("dt", {}, label), h("dd", {}, h("span", { class: "tile-value" }, value), note ? h("span", { class: "tile-note" }, note) : null));
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
  replace(view, loading(t("common.loading")));
  let stats;
  let units;
  try {
    [stats, units] = await Promise.all([api("GET", "/stats"), api("GET", "/units")]);
  } catch (error) {
    if (ctx.isCurrent()) replace(view, alertBox(describeError(error).summary));
    return;
  }
  if (!ctx.isCurrent()) return;
  const o = stats.overall || {};
  const perUnit = [...(stats.units || [])];
  const busiest = perUnit.filter((u) => u.posts > 0 || u.dispatches > 0).sort((a, b) => b.posts - a.posts);
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
      tile(t("stats.posts"), String(o.posts ?? 0)),
      tile(t("stats.official_replies"), String(o.official_replies ?? 0), `${t("stats.replies")} ${o.replies ?? 0}`),
      tile(t("stats.dispatches"), String(o.dispatches ?? 0)),
      tile(t("stats.resolved"), String(o.resolved ?? 0)),
      tile(t("stats.median"), minutes(o.median_first_response_minutes)),
      tile(t("stats.inTime"), percent(o.answered_within_deadline)),
      tile(t("stats.satisfaction"), percent(o.satisfaction), t("stats.ratings", { n: o.ratings ?? 0 })),
      tile(t("stats.escalations"), String(o.escalations ?? 0)),
    ),
    h("section", { class: "panel charts", "aria-label": t("stats.byUnit") }, charts),
    h("section", { "aria-labelledby": "directory-heading" }, h("h2", { id: "directory-heading" }, t("stats.directory")), directory(sortedUnits)),
  );
}
