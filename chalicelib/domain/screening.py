"""Screen new text against the bureau's list of sensitive words (held for review, not published)."""

from __future__ import annotations


def contains_sensitive(words: tuple[str, ...], *texts: str) -> bool:
    """Tell whether any configured sensitive word appears in the texts."""
    return any(word and word in text for word in words for text in texts)
