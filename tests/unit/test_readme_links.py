"""Nothing the README links lives outside the repository, and every file it links exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
# [text](target) and ![alt](target); a target ends at whitespace or the closing parenthesis.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
CODE = re.compile(r"`([^`\n]+)`")


def local_targets(text: str) -> list[str]:
    """The README's links that point into the file system (not the web, not an anchor of this page)."""
    targets = [m.group(1).split("#")[0] for m in LINK.finditer(text)]
    return [t for t in targets if t and not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]


def test_every_file_the_readme_links_exists_inside_the_repository() -> None:
    targets = local_targets(README.read_text("utf-8"))
    assert "docs/API.md" in targets  # the contract is in the repository
    for target in targets:
        path = (ROOT / target).resolve()
        assert ROOT in path.parents or path == ROOT, f"{target} is outside the repository"
        assert path.exists(), f"{target} does not exist"


def test_the_readme_names_no_path_outside_the_repository() -> None:
    text = README.read_text("utf-8")
    outside = [m.group(1) for m in CODE.finditer(text) if re.search(r"(^|[\s(])\.\./|/work/|~/", m.group(1))]
    outside += [t for t in local_targets(text) if t.startswith("../") or t.startswith("/")]
    assert outside == []


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "[the API](docs/API.md#posts) ![shot](docs/screenshots/feed.png)",
            ["docs/API.md", "docs/screenshots/feed.png"],
        ),
        ("[web](https://example.org) [here](#tests) [up](../shared/API.md)", ["../shared/API.md"]),
    ],
)
def test_links_are_found(text: str, expected: list[str]) -> None:
    assert local_targets(text) == expected
