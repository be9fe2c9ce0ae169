// Data the citizen pages share and fetch once: boards (bundled) and districts.

import { api } from "./api.js";
import { BOARDS } from "./boards.js";

const boards = BOARDS;
let districts = null;

/** The twelve boards (in the bundle: a visit asks only for its data). */
export async function loadBoards() {
  return boards;
}

/** Boards by id (after loadBoards). */
export function boardsById() {
  return Object.fromEntries((boards || []).map((board) => [board.id, board]));
}

/** The districts a post may name, cached. */
export async function loadDistricts() {
  if (!districts) districts = (await api("GET", "/districts")).districts;
  return districts;
}

let emergencyRule = null;

/**
 * The server's emergency rule {test(text), notice, warning}, cached; null when it cannot be had (the server
 * still marks an urgent post and answers it with the notice).
 */
export async function loadEmergencyRule() {
  if (!emergencyRule) {
    try {
      const rule = await api("GET", "/emergency-rule");
      const pattern = new RegExp(rule.pattern, "u");
      emergencyRule = { test: (text) => pattern.test(text), notice: rule.notice, warning: rule.warning };
    } catch {
      return null;
    }
  }
  return emergencyRule;
}

/** One-shot message shown on the next page (e.g. after posting). */
let flash = null;
export function setFlash(value) {
  flash = value;
}
export function takeFlash() {
  const value = flash;
  flash = null;
  return value;
}
