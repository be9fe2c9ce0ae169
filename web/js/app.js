// The citizen page: a small hash router over the feed, posts, compose, sign-in, figures and sharing.

import { alertBox, h, loading, replace, wireSkipLink } from "./dom.js";
import { applyStatic, onLangChange, t, wireToggle } from "./i18n.js";
import { wireLargeText } from "./reach.js";
import { onSessionChange, session } from "./session.js";
import { feedPage, boardsPage } from "./page-feed.js";
import { postPage } from "./page-post.js";
import { composePage } from "./page-compose.js";
import { loginPage, mePage } from "./page-account.js";
import { statsPage } from "./page-stats.js";
import { sharePage } from "./page-share.js";
import { takeTicket } from "./ticket.js";
import { exchangeTicket } from "./wechat.js";

const main = document.getElementById("main");
let renderCount = 0;
let firstRender = true;

/** Split "#/post/abc?x=1" into ["post", "abc"] and URLSearchParams. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, "");
  const [path, query = ""] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

/** Go to a route of this page. */
export function go(route) {
  if (location.hash === route) render();
  else location.hash = route;
}

/** Go to a route in place of the current one (Back does not return to a page that sends you on). */
export function goInstead(route) {
  if (location.hash === route) render();
  else location.replace(route);
}

const ROUTES = {
  "": (ctx) => feedPage(ctx, null),
  board: (ctx) => feedPage(ctx, ctx.parts[1] || null),
  boards: (ctx) => boardsPage(ctx),
  post: (ctx) => postPage(ctx, ctx.parts[1]),
  compose: (ctx) => composePage(ctx),
  login: (ctx) => loginPage(ctx),
  me: (ctx) => mePage(ctx),
  stats: (ctx) => statsPage(ctx),
  share: (ctx) => sharePage(ctx),
};

function markNav(name) {
  const current = { "": "home", board: "home", boards: "home", post: "home", compose: "compose", login: "me", me: "me", stats: "stats", share: "share" }[name];
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link.dataset.nav === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function renderAccount() {
  const link = document.getElementById("account");
  const current = session();
  link.textContent = current ? current.user.nickname : t("nav.login");
  link.href = current ? "#/me" : "#/login";
}

/**
 * Back from WeChat's sign-in with `wx=<ticket>` in the address: take it out at once (used once, never in the
 * history or a reload), exchange it, and go on signed in, or to the sign-in page to bind a phone or say why not.
 */
async function returnFromWeChat(ticket, route) {
  history.replaceState(history.state, "", route);
  replace(main, loading(t("wechat.signingIn")));
  goInstead(await exchangeTicket(ticket, route));
}

/** Render the route in the address bar; stale renders (the user moved on) paint nothing. */
export async function render() {
  const returned = takeTicket(location.hash);
  if (returned.ticket) {
    await returnFromWeChat(returned.ticket, returned.route);
    return;
  }
  const id = ++renderCount;
  const { parts, params } = parseHash();
  const name = parts[0] && parts[0] in ROUTES ? parts[0] : "";
  markNav(name);
  renderAccount();
  const view = h("div", { class: "view" });
  replace(main, view);
  const ctx = {
    parts,
    params,
    view,
    isCurrent: () => id === renderCount,
    focusHeading() {
      if (firstRender || id !== renderCount) return;
      const heading = view.querySelector("h1, h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    },
  };
  const wasFirst = firstRender;
  try {
    await ROUTES[name](ctx);
  } catch (error) {
    if (ctx.isCurrent()) replace(view, alertBox(t("error.unknown")));
    console.error(error);
  }
  if (ctx.isCurrent()) {
    if (!wasFirst) window.scrollTo(0, 0);
    ctx.focusHeading();
    firstRender = false;
  }
}

function start() {
  applyStatic();
  wireSkipLink();
  wireToggle(document.getElementById("lang-toggle"));
  wireLargeText(document.getElementById("large-text"));
  onLangChange(render);
  // Signed in or out in another tab: show this one as that tab left it (a new nickname needs no re-render).
  let token = session() ? session().token : null;
  onSessionChange((external) => {
    const now = session() ? session().token : null;
    if (external && now !== token) render();
    else renderAccount();
    token = now;
  });
  window.addEventListener("hashchange", render);
  const outbox = document.getElementById("outbox-link");
  if (outbox && !["127.0.0.1", "localhost", "[::1]"].includes(location.hostname)) outbox.hidden = true;
  render();
}

start();
