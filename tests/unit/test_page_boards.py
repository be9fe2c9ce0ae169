"""The page bundles the twelve boards (web/js/boards.js) instead of asking `GET /boards` on every visit: the copy
must say what the API says."""

from __future__ import annotations

import json

from chalicelib.domain.boards import BOARDS
from tests.conftest import ROOT

PREFIX = "export const BOARDS = "


def test_the_pages_boards_are_the_apis_boards() -> None:
    text = (ROOT / "web" / "js" / "boards.js").read_text(encoding="utf-8")
    bundled = json.loads(text[text.index(PREFIX) + len(PREFIX) :].rstrip().rstrip(";"))
    answered = [
        {"id": b.id, "name": b.name, "description": b.description, "post_types": list(b.post_types)} for b in BOARDS
    ]
    assert bundled == answered
