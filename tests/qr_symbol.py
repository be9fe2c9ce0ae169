"""Read back the modules an SVG from segno draws, to compare with the symbol segno makes for a text."""

from __future__ import annotations

import re

import segno

VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
PATH = re.compile(r'<path [^>]*d="([^"]+)"')
STEP = re.compile(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?")


def drawn(svg: str, border: int = 4) -> list[list[bool]]:
    """The dark modules of the one path (moves M/m, horizontal runs h), inside the quiet zone."""
    found = VIEWBOX.search(svg)
    path = PATH.search(svg)
    assert found and path, svg[:200]
    size = int(found.group(1))
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for command, first, second in STEP.findall(path.group(1)):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(int(x), int(x + float(first))):
                grid[int(y)][column] = True
            x += float(first)
    return [row[border : size - border] for row in grid[border : size - border]]


def expected(text: str) -> list[list[bool]]:
    """segno's symbol for the text as the build makes it (error correction M, no micro code)."""
    return [[bool(m) for m in row] for row in segno.make(text, error="m", micro=False, boost_error=False).matrix]
