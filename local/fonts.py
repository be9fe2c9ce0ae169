"""Whether this machine can show the page's Chinese text: a bare Debian has no Chinese font (see README)."""

from __future__ import annotations

import shutil
import subprocess

INSTALL = "sudo apt-get install -y fonts-noto-cjk"


def has_chinese_fonts() -> bool | None:
    """Ask fontconfig whether a Chinese font is installed; None when fontconfig is not there to ask."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    # A fixed argv: fontconfig's own listing.
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False)
    return found.returncode == 0 and bool(found.stdout.strip())


def fonts_note(found: bool | None = None, *, ask: bool = True) -> str:
    """The banner's line on fonts: found, or what to install so that a browser here shows the page."""
    if ask:
        found = has_chinese_fonts()
    if found:
        return "  Fonts:      Chinese fonts found (fc-list :lang=zh)."
    if found is None:
        return f"  Fonts:      fc-list is missing, Chinese fonts not checked; if the page shows boxes: {INSTALL}"
    return (
        "  Fonts:      NO Chinese font (fc-list :lang=zh is empty): a browser here shows boxes for the page's text.\n"
        f"              Install one: {INSTALL}"
    )
