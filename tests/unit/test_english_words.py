"""English mode has the words for what the server may send: its districts, its template ids, its timeline kinds."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.domain.incidents import CAD_EVENTS
from chalicelib.domain.templates import REPLY_TEMPLATES

WEB = Path(__file__).resolve().parents[2] / "web/js"


def table(source: str, name: str) -> dict[str, str]:
    """Return a `const NAME = {…}` table of a script: key to text."""
    block = source.split(f"const {name} = {{", 1)[1].split("\n};", 1)[0]
    return dict(re.findall(r'^\s*"?([^":\n]+?)"?:\s*"((?:[^"\\]|\\.)*)",?\s*$', block, re.M))


def test_every_default_district_has_its_english_name() -> None:
    districts = table((WEB / "words.js").read_text("utf-8"), "DISTRICTS_EN")
    assert set(Settings.from_env({}).districts) <= set(districts)
    assert districts["达尔罕茂明安联合旗"] == "Darhan Muminggan United Banner"


def test_every_default_template_has_its_english_text() -> None:
    templates = table((WEB / "words.js").read_text("utf-8"), "TEMPLATES_EN")
    assert set(templates) == {key for key, _ in REPLY_TEMPLATES}
    for key, text in REPLY_TEMPLATES:
        assert ("{unit}" in text) == ("{unit}" in templates[key]), key


def test_every_timeline_kind_has_english_words_and_the_tables_match() -> None:
    source = (WEB / "i18n.js").read_text("utf-8")
    zh, en = table(source, "ZH"), table(source, "EN")
    server_worded = {"compose.emergency", "compose.emergencyText"}  # in Chinese, the server's own words
    assert set(zh) == set(en) - server_worded
    kinds = {"received", "reopened", "escalated", "rated", *(f"cad_{event}" for event in CAD_EVENTS)}
    assert {f"words.event.{kind}" for kind in kinds} <= set(en)
    assert not any(re.search("[\u3400-\u9fff]", en[f"words.event.{kind}"]) for kind in kinds)
