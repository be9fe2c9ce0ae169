// Public reads from the static copies the publisher writes (data/ on this origin, CloudFront's /data/*): the
// first page of a feed (all boards or one) and a public post's page, exactly the API's answers to an anonymous
// reader, a few seconds behind it. The API answers instead when the copy is missing (a new post, a post the
// public may not read whole), for a signed-in reader of a post page (the API shows them their own police-only
// or hidden post whole, their rating panel, `mine`), and for a minute after this browser wrote anything (its own
// post or reply must show at once). Later pages (cursor) and writes always go to the API.

import { api, wroteRecently } from "./api.js";

const DATA_BASE = "/data";

/** A public copy, or null when there is none (404) or it cannot be read: the caller asks the API. */
async function copy(path) {
  try {
    // Asked of the edge every time (a 304 when unchanged): the edge keeps it 15 s, a browser would keep it 45.
    const response = await fetch(DATA_BASE + path, { headers: { Accept: "application/json" }, credentials: "omit", cache: "no-cache" });
    if (!response.ok) return null;
    return await response.json();
  } catch {
    return null;
  }
}

/** The first page of a feed (`board` null: every board), as `GET /posts?limit=20[&board=]` answers it. */
export async function firstFeedPage(board, limit) {
  if (!wroteRecently()) {
    const found = await copy(board ? `/feed/${encodeURIComponent(board)}.json` : "/feed.json");
    if (found) return found;
  }
  const query = new URLSearchParams({ limit: String(limit) });
  if (board) query.set("board", board);
  return api("GET", `/posts?${query}`);
}

/** A post's page, as `GET /posts/{id}` answers the reader (`token`: a signed-in reader, always the API). */
export async function postDetail(postId, token) {
  const id = encodeURIComponent(postId || "");
  if (!token && !wroteRecently()) {
    const found = await copy(`/posts/${id}.json`);
    if (found) return found;
  }
  return api("GET", `/posts/${id}`, { token });
}
