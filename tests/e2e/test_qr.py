"""web/js/qr.js, run in Chromium, against the segno package's symbols for the same input."""

from __future__ import annotations

from typing import Any

import pytest
import segno
from playwright.sync_api import Page
from segno import consts, encoder

pytestmark = pytest.mark.slow

LEVELS = "LMQH"
FILLER = "https://police24.example/p?" + "abcdefghijklmnopqrstuvwxyz0123456789-_" * 8
RUN_JS = """async (cases) => {
  const qr = await import("/js/qr.js");
  return cases.map(([text, level, version, mask]) => {
    const symbol = qr.encode(text, { level, version: version || undefined, mask: mask ?? undefined });
    return { version: symbol.version, mask: symbol.mask, rows: symbol.modules.map((r) => r.map(Number).join("")) };
  });
}"""


def full_capacity_text(version: int, level: str, chinese: bool = False) -> str:
    """Text that fills a symbol exactly, where segno's padding and the standard's agree."""
    bits = consts.SYMBOL_CAPACITY[version][consts.ERROR_MAPPING[level]]
    count_bits = 8 if version < 10 else 16
    size = (bits - 4 - count_bits - 4) // 8
    if not chinese:
        return FILLER[:size]
    text = ""
    for char in "包头24小时警局" * 30:
        if len((text + char).encode()) > size:
            break
        text += char
    return text + "x" * (size - len(text.encode()))


def rows(code: Any) -> list[str]:
    """The symbol's rows as strings of 0 and 1 (cheap to carry out of the browser)."""
    return ["".join("1" if module else "0" for module in row) for row in code.matrix]


def run(page: Page, cases: list[list[Any]]) -> list[dict[str, Any]]:
    page.goto("/reply.html")
    return page.evaluate(RUN_JS, cases)


def test_every_version_level_and_mask_matches_segno_module_for_module(page: Page) -> None:
    cases = [
        [full_capacity_text(version, level, chinese), level, version, mask]
        for version in range(1, 11)
        for level in LEVELS
        for chinese in (False, True)
        for mask in (None, *range(8))
        if chinese is False or mask is None
    ]
    results = run(page, cases)
    for (text, level, version, mask), got in zip(cases, results, strict=True):
        data = text.encode() if not text.isascii() else text
        want = segno.make(data, error=level, version=version, mask=mask, mode="byte", boost_error=False, micro=False)
        label = f"version {version}-{level}, mask {mask}, {len(text.encode())} bytes"
        assert (got["version"], got["mask"]) == (want.version, want.mask), label
        assert got["rows"] == rows(want), label


def test_the_smallest_version_is_chosen_and_function_patterns_match_segno(page: Page) -> None:
    texts = ["http://127.0.0.1:8000/", "https://police24.example.cn/", "https://例子.公安/24小时警局"]
    cases = [[text, level, None, None] for text in texts for level in LEVELS]
    for (text, level, _, _), got in zip(cases, run(page, cases), strict=True):
        # segno pads an already byte-aligned stream with one more zero byte than ISO/IEC 18004 asks for,
        # so below full capacity only the function patterns and the format/version information can agree.
        want = segno.make(text.encode(), error=level, mask=got["mask"], mode="byte", boost_error=False, micro=False)
        assert got["version"] == want.version, (text, level)
        width = len(want.matrix)
        functions = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(functions, width, width)
        encoder.add_alignment_patterns(functions, width, width)
        expected = rows(want)
        for r in range(width):
            for c in range(width):
                if functions[r][c] != 0x2:
                    assert got["rows"][r][c] == expected[r][c], (text, level, r, c)


def test_the_mask_penalty_equals_segnos_evaluation(page: Page) -> None:
    symbols = [
        segno.make(FILLER[:n], error=level, mask=mask, boost_error=False, micro=False)
        for n in (10, 60, 150)
        for level in "LH"
        for mask in (0, 3, 6)
    ]
    matrices = [rows(symbol) for symbol in symbols]
    page.goto("/reply.html")
    scores = page.evaluate(
        """async (matrices) => {
          const qr = await import("/js/qr.js");
          return matrices.map((m) => qr.penalty(m.map((row) => [...row].map((bit) => bit === "1"))));
        }""",
        matrices,
    )
    sizes = [len(symbol.matrix) for symbol in symbols]
    assert scores == [encoder.evaluate_mask(s.matrix, n, n) for s, n in zip(symbols, sizes, strict=True)]


def test_text_too_long_for_version_10_is_refused(page: Page) -> None:
    page.goto("/reply.html")
    message = page.evaluate(
        """async () => {
          const qr = await import("/js/qr.js");
          try { qr.encode("x".repeat(300), { level: "M" }); return "encoded"; } catch (e) { return e.name; }
        }"""
    )
    assert message == "RangeError"
