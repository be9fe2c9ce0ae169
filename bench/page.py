"""The feed page's weight in a browser: requests and bytes of a cold and a warm visit (part of `make bench`).

    python -m bench.page [--no-write]

Starts the local stack (`make dev`, seeded demo data), opens `/` in Debian's Chromium at 375 px and lists,
from the DevTools protocol, every request the visit made: what it was, whether the browser's cache
answered it, and the bytes that crossed the wire (headers and compressed body). A cold visit starts with
an empty cache; a warm one opens the page again in the same browser. Writes docs/page-weight.json and
the section "The page" of docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.stack import ROOT

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 375, "height": 812}
JSON_FILE = ROOT / "docs" / "page-weight.json"
MARKDOWN = ROOT / "docs" / "PERFORMANCE.md"
HEADING = "## The page"


@dataclass
class Request:
    """One request of a visit, as DevTools saw it."""

    path: str
    kind: str  # Document, Script, Stylesheet, Fetch, ...
    status: int = 0
    cached: bool = False  # answered by the browser's cache, nothing sent
    bytes: int = 0  # on the wire: headers and (compressed) body
    encoding: str = ""


@dataclass
class Visit:
    """Every request of one visit to the feed."""

    requests: list[Request] = field(default_factory=list)

    @property
    def network(self) -> list[Request]:
        """The requests that went over the network (not answered by the cache)."""
        return [r for r in self.requests if not r.cached]

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.network),
            "bytes": sum(r.bytes for r in self.network),
            "from_cache": len(self.requests) - len(self.network),
            "items": [asdict(r) for r in self.requests],
        }


def visit(context: Any, url: str) -> Visit:
    """Open url in a new tab of context, wait for the feed, and return what the visit requested."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    found: dict[str, Request] = {}

    def sent(event: dict[str, Any]) -> None:
        parts = urlsplit(event["request"]["url"])
        if parts.scheme in ("http", "https"):
            found[event["requestId"]] = Request(
                parts.path + (f"?{parts.query}" if parts.query else ""), event.get("type", "")
            )

    def received(event: dict[str, Any]) -> None:
        item = found.get(event["requestId"])
        if item is not None:
            response = event["response"]
            item.status = item.status if item.status == 304 else int(response["status"])
            item.kind = event.get("type", item.kind)
            item.cached = bool(
                response.get("fromDiskCache") or response.get("fromMemoryCache") or response.get("fromPrefetchCache")
            )
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            item.encoding = headers.get("content-encoding", "")

    def finished(event: dict[str, Any]) -> None:
        item = found.get(event["requestId"])
        if item is not None:
            item.bytes = int(event.get("encodedDataLength", 0))

    def extra(event: dict[str, Any]) -> None:
        item = found.get(event["requestId"])
        if item is not None and event.get("statusCode"):
            item.status = int(event["statusCode"])  # what the server said (a 304 shows as 200 elsewhere)

    def from_cache(event: dict[str, Any]) -> None:
        item = found.get(event["requestId"])
        if item is not None:
            item.cached = True

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.requestServedFromCache", from_cache)
    cdp.on("Network.responseReceivedExtraInfo", extra)
    page.goto(url)
    page.locator("ol.feed > li.post-card").first.wait_for(timeout=30_000)
    page.wait_for_load_state("networkidle")
    cdp.detach()
    page.close()
    result = Visit(list(found.values()))
    for item in result.requests:
        if item.cached:
            item.bytes = 0
    return result


def cold_and_warm(browser: Any, base: str) -> tuple[Visit, Visit]:
    """A first visit with an empty cache, then a second one in the same browser profile."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", base_url=base)
    try:
        return visit(context, base + "/"), visit(context, base + "/")
    finally:
        context.close()


def kind_counts(visit_: Visit) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in visit_.network:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts


def section(report: dict[str, Any]) -> str:
    """The markdown section "The page" from a report of docs/page-weight.json."""
    lines = [
        HEADING,
        "",
        f"Measured by `python -m bench.page` (part of `make bench`) on {report['date']}: Chromium at "
        f"{report['viewport']['width']} px opens `/` on the local stack (seeded demo data, the local proxy "
        "serving web/dist as CloudFront serves it: gzip, fingerprinted assets `immutable` for a year, pages "
        "`no-cache`). Bytes are on the wire (headers and compressed bodies), per DevTools.",
        "",
        "| visit | requests over the network | bytes | answered by the browser's cache |",
        "|---|---:|---:|---:|",
    ]
    for name in ("cold", "warm"):
        item = report[name]
        lines.append(f"| {name} | {item['requests']} | {item['bytes']:,} | {item['from_cache']} |")
    lines += ["", "| visit | request | kind | status | encoding | bytes |", "|---|---|---|---:|---|---:|"]
    for name in ("cold", "warm"):
        for item in report[name]["items"]:
            path = re.sub(r"\.[A-Z0-9]{8}\.", ".<hash>.", item["path"])
            where = "cache" if item["cached"] else f"{item['bytes']:,}"
            lines.append(
                f"| {name} | `{path}` | {item['kind']} | {item['status']} | {item['encoding'] or '-'} | {where} |"
            )
    lines += [
        "",
        "A cold visit is the page, one script, one stylesheet and the data (the API calls the feed needs). "
        "A warm visit asks again only for the page (a 304 when it has not changed) and the data: the script "
        "and the stylesheet come from the browser's cache without a request, until a deploy changes their names.",
        "",
    ]
    return "\n".join(lines)


def splice(markdown: str, text: str) -> str:
    """Put the section into PERFORMANCE.md, replacing an earlier one."""
    start = markdown.find(HEADING + "\n")
    if start < 0:
        return markdown.rstrip("\n") + "\n\n" + text
    end = markdown.find("\n## ", start + len(HEADING))
    return markdown[:start] + text + (markdown[end + 1 :] if end >= 0 else "")


def measure(base: str) -> dict[str, Any]:
    """Measure a cold and a warm visit to the feed at base."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            cold, warm = cold_and_warm(browser, base)
        finally:
            browser.close()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "viewport": VIEWPORT,
        "cold": cold.summary(),
        "warm": warm.summary(),
    }


def write(report: dict[str, Any]) -> None:
    JSON_FILE.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    MARKDOWN.write_text(splice(MARKDOWN.read_text(encoding="utf-8"), section(report)), encoding="utf-8")


def run(write_docs: bool = True) -> dict[str, Any]:
    """Start a local stack, measure, and (unless told not to) write the docs."""
    from bench.live import LocalStack

    with tempfile.TemporaryDirectory() as folder, LocalStack(Path(folder)) as stack:
        report = measure(stack.base)
    if write_docs:
        write(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page", description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; write neither docs file")
    args = parser.parse_args(argv)
    report = run(write_docs=not args.no_write)
    for name in ("cold", "warm"):
        print(
            f"{name}: {report[name]['requests']} requests, {report[name]['bytes']:,} bytes, "
            f"{report[name]['from_cache']} from the browser's cache"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
