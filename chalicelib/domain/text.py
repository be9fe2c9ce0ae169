"""Text a person may send: no control characters but newline and tab, nothing that breaks a JSON or XML output."""

from __future__ import annotations

import re

# C0 controls but tab and newline (a carriage return only as part of CRLF), DEL and the C1 controls,
# UTF-16 surrogates (a lone one cannot be written as UTF-8), and U+FFFE/U+FFFF (not XML characters).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]|\r(?!\n)")


def unprintable(text: str) -> str | None:
    """Return why a text may not be stored (the first offending character, as U+XXXX), or None if it may."""
    found = _UNPRINTABLE.search(text)
    if found is None:
        return None
    return f"contains a control or invalid character (U+{ord(found.group()[0]):04X})"
