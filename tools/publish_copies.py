"""Write the public copies of every existing post at once: `python -m tools.publish_copies`.

The table's stream writes a post's page at its next change, and the minute's refresh writes the feeds on a new
stack; a post stored before the copies existed, and not changed since, is read from the API until then (the page
falls back when a copy is missing). This one-off job walks the feed of every board, newest first, a page at a
time (Queries on the feed index, never a Scan), and hands each page's posts to the same publisher, which reads
each post again and writes its page (or deletes it, for a post the public may not read whole). Running it twice
writes nothing the second time (an unchanged copy is not written again). It runs with the app's settings, so
that the feeds' cursors are signed with the stack's keys:

    TABLE_NAME=<table> PHOTOS_BUCKET=<bucket> TOKEN_KEYS_PARAMETER=/<prefix>/token-keys \\
        MEDIA_DISTRIBUTION_ID_PARAMETER=/<prefix>/distribution-id python -m tools.publish_copies     # AWS
    AWS_ENDPOINT_URL=http://127.0.0.1:NNNNN TABLE_NAME=police24 TOKEN_KEYS=<the stack's> python -m tools.publish_copies
"""

from __future__ import annotations

import argparse
import sys

PAGE = 50


def publish_all(limit: int | None = None) -> tuple[int, int]:
    """Publish the copies of every post of the feed (at most `limit`); return (posts seen, copies current)."""
    from chalicelib.bootstrap import services
    from chalicelib.services.publish import PostChange

    svc = services()
    seen = written = 0
    cursor: str | None = None
    while limit is None or seen < limit:
        page = svc.feeds.feed(None, cursor, PAGE)
        posts = page.posts if limit is None else page.posts[: limit - seen]
        if posts:
            written += len(svc.publisher.publish([PostChange(p.id) for p in posts]).written)
        seen += len(posts)
        cursor = page.next_cursor
        if cursor is None or not posts:
            break
    return seen, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.publish_copies", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the newest N posts")
    args = parser.parse_args(argv)
    seen, written = publish_all(args.limit)
    print(f"publish_copies: {seen} post(s) seen, {written} copies current (unchanged ones are not written again)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
