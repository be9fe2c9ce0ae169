// WeChat on the page: the 微信登录 button, the ticket WeChat's sign-in brings back, and the JS-SDK share card.
// Tokens, codes and the app secret never reach the page: it only ever holds a one-use ticket.

import { api, describeError } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { setSession } from "./session.js";
import { inWeChat, offersWeChat, startAddress, startsAtOnce } from "./ticket.js";

const OFF = { enabled: false, app_id: null, simulator: false };
const JWEIXIN = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"; // the one remote script; the CSP names it
const SHARE_APIS = ["updateAppMessageShareData", "updateTimelineShareData"];
let config = null;
let jweixin = null;
// What the last returned ticket left for the sign-in page: {route, bind} (a bind ticket) or {route, error}.
let outcome = null;

/** The bureau's WeChat settings (GET /auth/wechat/config), asked once; without an answer WeChat is off. */
export async function wechatConfig() {
  if (!config) {
    try {
      config = { ...OFF, ...(await api("GET", "/auth/wechat/config")) };
    } catch {
      return OFF; // asked again next time: the server may just have been busy
    }
  }
  return config;
}

/** Whether the sign-in page offers WeChat, and whether it starts it at once (inside WeChat, where configured). */
export async function wechatChoice() {
  const settings = await wechatConfig();
  const agent = navigator.userAgent;
  return { offer: offersWeChat(settings, agent), atOnce: startsAtOnce(settings, agent) };
}

/**
 * Leave for WeChat's sign-in (locally the simulator's picker); it comes back to `route` with a ticket.
 * `instead`: the page that started it on its own leaves the history, so that Back does not start it again.
 */
export function startWeChat(route, { instead = false } = {}) {
  if (instead) location.replace(startAddress(route));
  else location.assign(startAddress(route));
}

/** A WeChat-green button that starts WeChat's sign-in and comes back to `route`. */
export function wechatButton(route, label = t("wechat.signIn")) {
  return h("button", { type: "button", class: "button wechat", onClick: () => startWeChat(route) }, label);
}

/** The sign-in route that carries on to `route` (itself when it is one). */
function signInRoute(route) {
  if (route.startsWith("#/login")) return route;
  return route === "#/" ? "#/login" : `#/login?next=${encodeURIComponent(route.slice(1))}`;
}

/**
 * Exchange a ticket from WeChat's sign-in (POST /auth/wechat/session). Signed in: the session is stored and
 * `route` it is. Not yet bound: the sign-in page asks the phone once. Failed: the sign-in page says why.
 * Returns the route to show next.
 */
export async function exchangeTicket(ticket, route) {
  const next = signInRoute(route);
  try {
    const answer = await api("POST", "/auth/wechat/session", { body: { ticket } });
    if (answer && answer.token) {
      outcome = null;
      setSession(answer);
      return route;
    }
    outcome = { route: next, bind: answer.ticket };
  } catch (error) {
    // An expired or reused ticket is 400 or 401: the resident only has to sign in with WeChat again.
    const expired = error.status === 400 || error.status === 401;
    outcome = { route: next, error: expired ? t("wechat.expired") : describeError(error).summary };
  }
  return next;
}

/** What the last returned ticket left for the sign-in page at `route`: {bind} or {error}, or null. */
export function wechatOutcome(route) {
  return outcome && outcome.route === route ? outcome : null;
}

/** The bind ticket was used (signed in and bound), or the resident left for WeChat again. */
export function clearWechatOutcome() {
  outcome = null;
}

function loadJweixin() {
  if (!jweixin) {
    jweixin = new Promise((resolve, reject) => {
      const fail = () => {
        jweixin = null;
        reject(new Error("jweixin did not load"));
      };
      const script = h("script", { src: JWEIXIN, onLoad: () => (window.wx ? resolve(window.wx) : fail()), onError: fail });
      document.head.appendChild(script);
    });
  }
  return jweixin;
}

/**
 * Inside WeChat, where the bureau configured an app id (GET /wechat/jssdk answers), set the card WeChat shows
 * when the page is shared: the site's name, a line about it, its address and its icon. Elsewhere nothing loads.
 * Returns whether the JS-SDK was configured.
 */
export async function setShareCard() {
  if (!inWeChat(navigator.userAgent)) return false;
  const address = location.href.split("#")[0];
  let signed;
  try {
    signed = await api("GET", `/wechat/jssdk?url=${encodeURIComponent(address)}`);
  } catch {
    return false; // 404: no WeChat configured
  }
  let wx;
  try {
    wx = await loadJweixin();
  } catch {
    return false;
  }
  const site = `${location.origin}/`;
  // The site's icon as a 300 px PNG (web/share-icon.png, drawn from favicon.svg): WeChat's cards show no SVG.
  const card = { title: t("share.cardTitle"), desc: t("share.cardDesc"), link: site, imgUrl: `${location.origin}/share-icon.png` };
  wx.config({
    debug: false,
    appId: signed.app_id,
    timestamp: signed.timestamp,
    nonceStr: signed.nonce_str,
    signature: signed.signature,
    jsApiList: SHARE_APIS,
  });
  wx.ready(() => {
    wx.updateAppMessageShareData(card);
    wx.updateTimelineShareData({ title: card.title, link: card.link, imgUrl: card.imgUrl });
  });
  wx.error(() => {}); // a refused signature leaves WeChat's own default card; nothing to tell the resident
  return true;
}
