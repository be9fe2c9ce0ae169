// The officer's workbench (警务工作台): sign in, the queue, one post, and for the command center the board of
// every unit and the review queue. Routes live in the hash: #/ (queue), #/post/<id>, #/board, #/review.

import { h, replace, wireSkipLink } from "./dom.js";
import { applyStatic, onLangChange, t, wireToggle } from "./i18n.js";
import { api } from "./api.js";
import { wireLargeText } from "./reach.js";
import { clearSession, session } from "./session.js";
import { takeTicket } from "./ticket.js";
import { boardView, reviewCount, reviewView } from "./work-command.js";
import { isPolice, seesEveryUnit } from "./work-logic.js";
import { postView } from "./work-post.js";
import { queueView } from "./work-queue.js";
import { exchangeTicket, signInView, totpPanel, wechatTotpView } from "./work-signin.js";

const main = document.getElementById("main");
let generation = 0;
let stopQueue = null;
let flash = null; // a success to say once, on the next view (the second factor enrolled)
let shared = null; // the directory data every view uses: {units, boards, districts, templates}

async function directory() {
  if (!shared) {
    const [units, boards, districts, templates] = await Promise.all([api("GET", "/units"), api("GET", "/boards"), api("GET", "/districts"), api("GET", "/templates")]);
    shared = { units: units.units, boards: boards.boards, districts: districts.districts, templates: templates.templates };
  }
  return shared;
}

/** The second factor was enrolled: the fresh session is stored; the workbench opens again and says so. */
function enrolled() {
  flash = t("work.totpDone");
  route();
}

function signOut() {
  clearSession();
  route();
}

function navigation(count) {
  const here = location.hash.startsWith("#/board") ? "board" : location.hash.startsWith("#/review") ? "review" : "queue";
  const link = (name, href, text) => h("a", { href, "aria-current": here === name ? "page" : false }, text);
  return h(
    "nav",
    { class: "work-nav", "aria-label": t("work.nav") },
    link("queue", "#/", t("work.queue")),
    link("board", "#/board", t("work.board.title")),
    link("review", "#/review", count === null ? t("work.review.title") : t("work.review.titleCount", { n: count })),
  );
}

/** A session that may only enrol (the bureau requires a second factor): the enrolment, open, and nothing else. */
function enrolFirst(current) {
  generation += 1;
  if (stopQueue) stopQueue();
  stopQueue = null;
  replace(
    main,
    h("h1", {}, t("work.title")),
    h("p", { class: "notice notice-error", role: "alert" }, t("work.enrolFirst")),
    totpPanel(current.token, enrolled, true),
    h("button", { type: "button", class: "button secondary", id: "work-signout", onClick: signOut }, t("work.signOut")),
  );
}

/** Show the view the hash names, for the signed-in officer; else the sign-in. */
async function route() {
  generation += 1;
  const mine = generation;
  if (stopQueue) stopQueue();
  stopQueue = null;
  const { ticket } = takeTicket(location.hash);
  if (ticket) {
    history.replaceState(null, "", location.pathname);
    const found = await exchangeTicket(ticket);
    if (found.totpTicket) return wechatTotpView(main, found.totpTicket, route);
    if (found.error) return signInView(main, route, found.error);
  }
  const current = session();
  if (!current) return signInView(main, route);
  if (!isPolice(current.user)) return signInView(main, route, t("work.notPolice"));
  let data;
  try {
    data = await directory();
  } catch {
    replace(main, h("h1", {}, t("work.title")), h("p", { role: "alert", class: "notice notice-error" }, t("error.network")));
    return;
  }
  if (mine !== generation) return;
  const ctx = {
    token: current.token,
    user: current.user,
    ...data,
    boardsById: Object.fromEntries(data.boards.map((b) => [b.id, b])),
    wide: seesEveryUnit(current.user, data.units),
    isCurrent: () => mine === generation,
    failed: (error) => {
      if (error && error.status === 401) {
        clearSession();
        signInView(main, route, t("error.unauthenticated"));
      } else if (error && error.status === 403 && error.fields && error.fields.totp) {
        enrolFirst(current);
      }
    },
  };
  const body = h("div", { class: "work-body" });
  const said = flash;
  flash = null;
  const count = ctx.wide ? await reviewCount(ctx) : null;
  if (mine !== generation) return;
  replace(
    main,
    h("h1", {}, t("work.title")),
    h(
      "div",
      { class: "officer-bar" },
      h("p", {}, h("strong", {}, t("reply.officer", { name: current.user.nickname, role: t(`role.${current.user.role}`) }))),
      h("p", { class: "small" }, t("reply.realName")),
      h("button", { type: "button", class: "button secondary", id: "work-signout", onClick: signOut }, t("work.signOut")),
    ),
    said ? h("div", { class: "notice notice-success", role: "status", id: "work-flash" }, said) : null,
    ctx.wide ? navigation(count) : null,
    body,
    totpPanel(ctx.token, enrolled),
  );
  const hash = location.hash;
  if (hash.startsWith("#/post/")) return postView(body, ctx, decodeURIComponent(hash.slice(7)));
  if (hash.startsWith("#/board") && ctx.wide) return boardView(body, ctx);
  if (hash.startsWith("#/review") && ctx.wide) return reviewView(body, ctx);
  stopQueue = queueView(body, ctx);
  return null;
}

applyStatic();
wireSkipLink();
wireToggle(document.getElementById("lang-toggle"));
wireLargeText(document.getElementById("large-text"));
onLangChange(() => route());
// A new view: focus moves to <main>, so that a screen reader starts reading there (as after the skip link).
window.addEventListener("hashchange", async () => {
  await route();
  main.focus();
});
route();
