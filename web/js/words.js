// Words the page owns in English: units, districts, officers' titles, template replies and the timeline.
// In Chinese the page shows the server's words as they are; in English it builds its own from the data
// (a unit's `name_en`, a timeline entry's `kind` and unit, a reply's `template`).

import { lang, t } from "./i18n.js";

// Baotou's nine districts (the server's default list), in their standard romanised names.
const DISTRICTS_EN = {
  昆都仑区: "Kundulun District",
  青山区: "Qingshan District",
  东河区: "Donghe District",
  九原区: "Jiuyuan District",
  石拐区: "Shiguai District",
  白云鄂博矿区: "Bayan Obo Mining District",
  土默特右旗: "Tumed Right Banner",
  固阳县: "Guyang County",
  达尔罕茂明安联合旗: "Darhan Muminggan United Banner",
};

// Officers' titles as the directory writes them most often; another title shows as written.
const TITLES_EN = {
  局长: "Bureau chief",
  副局长: "Deputy bureau chief",
  政委: "Political commissar",
  所长: "Station chief",
  副所长: "Deputy station chief",
  指挥中心大队长: "Command center chief",
  平台管理员: "Platform administrator",
  值班民警: "Duty officer",
  社区民警: "Community officer",
  户籍民警: "Registration officer",
  户政民警: "Household registration officer",
  出入境民警: "Exit and entry officer",
  交警: "Traffic officer",
  禁毒民警: "Anti-drug officer",
  反恐民警: "Counter-terrorism officer",
  法制民警: "Legal affairs officer",
  环境犯罪侦查民警: "Environmental crime investigator",
};

// The default reply templates (chalicelib/domain/templates.py) in English; {unit} is the officer's unit.
const TEMPLATES_EN = {
  received: "Hello, this report has been received and {unit} is dealing with it. Thank you for following Police24.",
  dispatched: "Hello, officers of {unit} are on their way to check on the spot. Please keep your phone on.",
  resolved: "Hello, this matter has been dealt with. Thank you for your support and cooperation. If anything is unclear, you are welcome to leave a message.",
  consult: "Hello, here is the answer to your question:",
  call110: "Hello, in an emergency please call 110 at once.",
  thanks: "Thank you for your understanding and support of police work!",
};

const english = () => lang() === "en";

/** A unit's name in the current language: its `name_en` in English where the directory gives one. */
export function unitName(unit) {
  if (!unit) return "";
  return english() && unit.name_en ? unit.name_en : unit.name || "";
}

/** A district's name in the current language. */
export function districtName(district) {
  return english() ? DISTRICTS_EN[district] || district : district;
}

/** An officer's title in the current language, where the page knows it. */
export function officerTitle(title) {
  return english() ? TITLES_EN[title] || title : title;
}

/** The text of a reply as the reader sees it: a default template in English, else the words as written. */
export function replyText(reply) {
  const english_ = english() && reply.official && TEMPLATES_EN[reply.template];
  if (!english_) return { text: reply.body, translated: false };
  const unit = reply.author && reply.author.unit ? unitName(reply.author.unit) : t("words.yourUnit");
  return { text: english_.replaceAll("{unit}", unit), translated: true };
}

/** What a timeline entry says: the server's words in Chinese; in English, built from its kind and unit. */
export function eventText(event, earlier = []) {
  if (!english()) return event.text;
  // The server adds "第N张照片无法识别为图片，未能发布" to the entry of the post's receipt: said in English too.
  const refused = [...(event.text || "").matchAll(/第(\d+)张照片/g)].map((found) => t("words.event.photoRefusedNumbered", { n: found[1] }));
  const said = englishEventText(event, earlier);
  return refused.length && event.kind !== "photo_refused" ? [said, ...refused].join(". ") : said;
}

function englishEventText(event, earlier) {
  const unit = unitName(event.unit);
  const kind = event.kind;
  if (kind === "dispatched" || kind === "transferred") {
    const again = kind === "transferred" || earlier.some((e) => e.kind === "dispatched");
    return unit ? t(again ? "words.event.rerouted" : "words.event.dispatched", { unit }) : t("words.event.dispatchedSomewhere");
  }
  if (kind === "replied") return unit ? t("words.event.repliedBy", { unit }) : t("words.event.replied");
  if (["acknowledged", "in_progress", "resolved"].includes(kind)) return t("words.event.status", { status: t(`status.${kind}`) });
  if (kind === "photo_refused") {
    const number = /第(\d+)张/.exec(event.text || ""); // the server's words name the photo by its place
    return number ? t("words.event.photoRefusedNumbered", { n: number[1] }) : t("words.event.photo_refused");
  }
  const key = `words.event.${kind}`;
  return t(key) === key ? t("words.event.other") : t(key);
}
