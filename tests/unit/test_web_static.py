"""The static site obeys its own rules: a strict CSP in every page, nothing inline, nothing remote."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
PAGES = sorted(WEB.glob("*.html"))
SCRIPTS = sorted(p for p in WEB.rglob("*.js") if WEB / "dist" not in p.parents)  # the sources, not the build
CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"
# Spelled in pieces so that this file does not trip the same check on the repository.
MARKUP_SINKS = ["inner" + "HTML", "outer" + "HTML", "insertAdjacent" + "HTML", "document." + "write"]


class Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: Path) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page.read_text("utf-8"))
    return parser.tags


def test_the_site_has_the_three_pages() -> None:
    assert {p.name for p in PAGES} >= {"index.html", "reply.html", "outbox.html"}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_declares_the_strict_csp_first(page: Path) -> None:
    tags = tags_of(page)
    is_csp = [t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy" for t, a in tags]
    assert [a.get("content") for (_, a), csp in zip(tags, is_csp, strict=True) if csp] == [CSP]
    first_loader = next(i for i, (t, _) in enumerate(tags) if t in ("script", "link"))
    assert is_csp.index(True) < first_loader


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_have_no_inline_code_or_styles_and_nothing_remote(page: Path) -> None:
    for tag, attrs in tags_of(page):
        assert tag != "style", page.name
        assert "style" not in attrs, (page.name, tag)
        assert not any(name.startswith("on") for name in attrs), (page.name, tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/"), (page.name, attrs)
            assert attrs.get("type") == "module"
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"^(https?:)?//", value), (page.name, tag, value)
            assert not value.lower().startswith("javascript:"), (page.name, tag, value)


@pytest.mark.parametrize("source", [*PAGES, *SCRIPTS], ids=lambda p: str(p.relative_to(WEB)))
def test_no_markup_sinks_or_eval(source: Path) -> None:
    text = source.read_text("utf-8")
    for sink in MARKUP_SINKS:
        assert sink.lower() not in text.lower(), (source.name, sink)
    assert "eval(" not in text and "new Function" not in text
    assert 'setAttribute("style"' not in text and ".cssText" not in text


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(WEB)))
def test_scripts_import_only_local_modules(script: Path) -> None:
    source = script.read_text("utf-8")
    for target in re.findall(r"""^\s*(?:import|export)\b[^;]*?from\s+["']([^"']+)["']""", source, re.M):
        assert target.startswith("./"), (script.name, target)
        assert (script.parent / target).resolve().is_file(), (script.name, target)
