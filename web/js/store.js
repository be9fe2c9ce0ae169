// Data the citizen pages share and fetch once: boards and districts.

import { api } from "./api.js";

let boards = null;
let districts = null;

/** The twelve boards, cached. */
export async function loadBoards() {
  if (!boards) boards = (await api("GET", "/boards")).boards;
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
