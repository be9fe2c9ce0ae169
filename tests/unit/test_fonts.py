"""`make dev` says whether this machine can show the page's Chinese text, and what to install if not."""

from __future__ import annotations

import pytest

from local import fonts


def test_without_a_chinese_font_the_banner_says_what_to_install() -> None:
    note = fonts.fonts_note(False, ask=False)
    assert "NO Chinese font" in note and "apt-get install -y fonts-noto-cjk" in note


def test_with_one_it_says_so_and_without_fontconfig_it_cannot_tell() -> None:
    assert "Chinese fonts found" in fonts.fonts_note(True, ask=False)
    assert "not checked" in fonts.fonts_note(None, ask=False)


def test_the_check_asks_fontconfig_for_the_chinese_language(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[str]] = []

    class Done:
        returncode, stdout = 0, ""

    def run(argv: list[str], **options: object) -> Done:
        asked.append(argv)
        return Done()

    monkeypatch.setattr("local.fonts.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("local.fonts.subprocess.run", run)
    assert fonts.has_chinese_fonts() is False
    assert asked == [["/usr/bin/fc-list", ":lang=zh", "family"]]
