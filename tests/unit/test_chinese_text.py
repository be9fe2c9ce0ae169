"""Chinese for users is written with full-width punctuation (，。：；！？（）), on the page and from the server.

The guard reads the page's Chinese table (web/js/i18n.js) and every Chinese string literal of the server
(chalicelib, and the demo directory and notices of local/demo.py) and refuses ASCII , . : ; ! ? ( ) next to a
Chinese character or a {placeholder} in Chinese text. "验证码已发送到 {phone},5 分钟内有效" reads as one number.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAN = "\u3400-\u9fff\uf900-\ufaff"
WIDE = f"{HAN}\u3000-\u303f\uff00-\uffef“”‘’…"
# ASCII punctuation touching Chinese on either side, or joining a {placeholder} to what follows in Chinese text.
_BAD = re.compile(
    rf"[{WIDE}][,.:;!?)]|[,:;!?(][{WIDE}]|(?<=[{WIDE}])\(|\)(?=[{WIDE}])|\}}[,:;!?(]|[,;!?]\{{|\([^()]*[{HAN}][^()]*\)"
)
# Regular expressions and character classes, not texts anyone reads.
_NOT_TEXT = {"chalicelib/domain/masking.py", "chalicelib/domain/emergency.py"}
_ENGLISH = {'"Police24 (24小时警局)"'}  # the OpenAPI title: English text naming the Chinese name


def problems(text: str) -> list[str]:
    """Return each ASCII punctuation mark in Chinese text that should be full-width, with its surroundings."""
    if not re.search(f"[{HAN}]", text):
        return []
    return [text[max(0, m.start() - 6) : m.end() + 6] for m in _BAD.finditer(text)]


def zh_table() -> dict[str, str]:
    """Return the Chinese table of the page: key to text."""
    source = (ROOT / "web/js/i18n.js").read_text(encoding="utf-8")
    block = source.split("const ZH = {", 1)[1].split("\n};", 1)[0]
    return dict(re.findall(r'^\s*"([^"]+)":\s*"((?:[^"\\]|\\.)*)",?\s*$', block, re.M))


def server_strings() -> list[tuple[str, int, str]]:
    """Return (file, line, literal) of every Chinese string the server (and the demo seed) may show a user."""
    found = []
    files = [*sorted((ROOT / "chalicelib").rglob("*.py")), ROOT / "local/demo.py", ROOT / "local/cad_simulator.py"]
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if name in _NOT_TEXT:
            continue
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.STRING:
                continue
            prefix = re.match(r"[A-Za-z]*", token.string).group(0).lower()
            if "r" in prefix or token.string[len(prefix) :].startswith(('"""', "'''")):
                continue  # a regular expression, or a docstring (code documentation, in English)
            if re.search(f"[{HAN}]", token.string) and token.string not in _ENGLISH:
                found.append((name, token.start[0], token.string))
    return found


def test_the_guard_catches_ascii_punctuation_in_chinese() -> None:
    assert problems("验证码已发送到 {phone},5 分钟内有效。")
    assert problems("发帖人:{name}") and problems("您对处置结果满意吗?") and problems("（选填）") == []
    assert problems("(选填)") and problems("当前民警：{name}({role})") and problems("感谢您的评价!")
    assert problems("请勿公开他人的手机号,公开显示时会自动打码") and problems("已办结.")
    assert problems("验证码已发送到 {phone}，5 分钟内有效。") == []
    assert problems("Emergency: call 110, now!") == []  # English keeps ASCII
    assert problems("处理：http://127.0.0.1:8000/reply.html") == []  # addresses keep theirs


def test_the_pages_chinese_uses_full_width_punctuation() -> None:
    table = zh_table()
    assert len(table) > 200 and table["login.codeSent"].startswith("验证码已发送")
    bad = {key: problems(text) for key, text in table.items() if problems(text)}
    assert bad == {}


def test_the_servers_chinese_uses_full_width_punctuation() -> None:
    strings = server_strings()
    assert any("请稍后" in text for _, _, text in strings)  # the scan sees the server's messages
    bad = [(name, line, problems(text)) for name, line, text in strings if problems(text)]
    assert bad == []


@pytest.mark.parametrize("page", ["index.html", "reply.html", "outbox.html"])
def test_the_html_pages_chinese_uses_full_width_punctuation(page: str) -> None:
    text = re.sub(r"<[^>]*>", " ", (ROOT / "web" / page).read_text(encoding="utf-8"))
    described = re.findall(r'content="([^"]*)"', (ROOT / "web" / page).read_text(encoding="utf-8"))
    assert [p for chunk in [text, *described] for p in problems(chunk)] == []
