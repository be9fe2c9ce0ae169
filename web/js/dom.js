// Build DOM nodes from data: text always goes in as text nodes, never as markup.

/**
 * h("a", {href: "#/", class: "link", onClick: fn}, "text", child) -> HTMLAnchorElement.
 * Attributes starting with "on" become listeners; `class` and `text` are shortcuts; a value of
 * false/null/undefined leaves the attribute out; children may be strings, nodes, arrays or null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = String(value);
    } else if (key === "dataset") {
      Object.assign(el.dataset, value);
    } else if (key === "value" || key === "checked" || key === "disabled" || key === "selected") {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Append strings (as text), nodes and nested arrays to a parent. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace everything inside a node. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** A <p role="status"> that says something is loading. */
export function loading(text) {
  return h("p", { class: "loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

/** A <div role="alert"> with an error sentence. */
export function alertBox(text, kind = "error") {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/**
 * Check one form field: unless `valid`, mark it aria-invalid, show `text` in `message` and focus it; else
 * clear the mark. Returns `valid`.
 */
export function checkField(field, message, valid, text) {
  if (!valid) {
    field.setAttribute("aria-invalid", "true");
    replace(message, alertBox(text));
    field.focus();
    return false;
  }
  field.removeAttribute("aria-invalid");
  return true;
}

let idCounter = 0;
/** A unique id for label/for pairs. */
export function uid(prefix = "f") {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Set a button busy (disabled, with a label) and return a function that restores it. */
export function busy(button, label) {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  if (label) button.textContent = label;
  return () => {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = before;
  };
}

/** Make the skip link move focus to <main> without touching the address (the pages route on it). */
export function wireSkipLink() {
  const link = document.querySelector(".skip");
  const target = document.getElementById("main");
  if (!link || !target) return;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    target.focus();
  });
}
