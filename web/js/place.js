// Where a new post is about: "使用当前位置" (the browser's geolocation, asked only on that tap) or a typed
// address, both optional. The public sees the position rounded to about 100 m (the server rounds it).

import { alertBox, busy, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { MAX_ADDRESS, locationErrorKey, sentLocation } from "./photos.js";

/** Ask the browser for the current position once; resolves {coords} or rejects with its error (or null). */
function currentPosition() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(null);
      return;
    }
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
  });
}

/**
 * The location fieldset of the compose form. Returns {field, address, value}: `value()` is what the post
 * sends, {location?: {lat, long}, address?: text}.
 */
export function placeField({ id, address = "" }) {
  let chosen = null;
  const use = h("button", { type: "button", class: "button secondary place-use", id: `${id}-use` }, t("place.use"));
  const coordinates = h("span", { class: "place-coordinates" });
  const clear = h("button", { type: "button", class: "button secondary small place-remove" }, t("place.remove"));
  const shown = h("p", { class: "place-chosen", hidden: true }, coordinates, " ", clear);
  const message = h("div", { class: "form-message", "aria-live": "polite" });
  const input = h("input", { id: `${id}-address`, name: "address", type: "text", maxlength: MAX_ADDRESS, autocomplete: "street-address", "aria-describedby": `${id}-address-count`, value: address });
  const counter = h("span", { id: `${id}-address-count`, class: "counter", "aria-live": "polite" });
  const count = () => {
    counter.textContent = t("common.chars", { n: [...input.value].length, max: MAX_ADDRESS });
  };
  input.addEventListener("input", count);
  count();

  const show = (position) => {
    chosen = position ? sentLocation(position.coords) : null;
    shown.hidden = !chosen;
    use.hidden = Boolean(chosen);
    coordinates.textContent = chosen ? t("place.chosen", { lat: chosen.lat.toFixed(5), long: chosen.long.toFixed(5) }) : "";
  };
  use.addEventListener("click", async () => {
    replace(message);
    const restore = busy(use, t("place.locating"));
    try {
      show(await currentPosition());
      restore();
      clear.focus();
    } catch (error) {
      restore();
      replace(message, alertBox(t(locationErrorKey(error))));
    }
  });
  clear.addEventListener("click", () => {
    show(null);
    use.focus();
  });

  const field = h(
    "fieldset",
    { class: "field place" },
    h("legend", {}, `${t("place.legend")} ${t("common.optional")}`),
    h("p", { class: "hint" }, t("place.hint")),
    h("div", { class: "actions" }, use),
    shown,
    message,
    h("label", { for: input.id }, t("place.address")),
    input,
    counter,
  );
  return {
    field,
    address: input,
    value() {
      const out = {};
      if (chosen) out.location = chosen;
      const text = input.value.trim();
      if (text) out.address = text;
      return out;
    },
  };
}
