// Reach: a large-text mode that survives reloads (localStorage), for every page of the site.

import { onLangChange, t } from "./i18n.js";

const STORAGE_KEY = "p24.largeText";
const CLASS = "large-text";

/** Whether the reader chose large text. */
export function largeText() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "1";
  } catch {
    return false;
  }
}

function apply(on) {
  document.documentElement.classList.toggle(CLASS, on);
}

/** Remember the choice (for this page only in private mode) and show it. */
export function setLargeText(on) {
  try {
    if (on) localStorage.setItem(STORAGE_KEY, "1");
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  apply(on);
}

/** Wire the header's 大字 toggle (a button with aria-pressed); other tabs follow a change. */
export function wireLargeText(button) {
  apply(largeText());
  if (!button) return;
  const label = () => {
    button.textContent = t("reach.largeText");
    button.setAttribute("aria-label", t("reach.largeTextLabel"));
    button.setAttribute("aria-pressed", String(largeText()));
  };
  label();
  onLangChange(label);
  button.addEventListener("click", () => {
    setLargeText(!largeText());
    label();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === STORAGE_KEY) {
      apply(largeText());
      label();
    }
  });
}

apply(largeText());
