"""What a citizen may call themselves, and how a nickname shows in public.

A nickname may not hold 6 or more digits (an ID card, a phone or a QQ number), nor claim a police office.
Both rules read the nickname as a person does: NFKD, digits of any script, invisible characters, accents,
spaces and punctuation ignored, so `公 安`, `公\\u200b安`, `１１０` and `pólice` are caught like `公安`, `110`
and `police`. A bidi override (U+202E shows `安公` as `公安`) is refused outright.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from chalicelib.domain.masking import CHINESE_DIGITS, INVISIBLE, digit_count, drop_overrides, mask_text

CITIZEN_ACCOUNT = "u_"  # how citizen accounts' ids begin (services.identity); officers' are directory ids
MAX_DIGITS = 5
POLICE_WORDS = (  # compared with the nickname's letters and digits alone, case folded
    "警",
    "公安",
    "官方",
    "局长",
    "局長",
    "所长",
    "所長",
    "指挥中心",
    "指揮中心",
    "派出所",
    "政委",
    "110",
)
LATIN_POLICE_WORDS = ("police",)  # compared by their look: p0l1ce, рolicе (Cyrillic) and ρolιce (Greek) too
_LOOKALIKES = str.maketrans(
    {  # letters and digits that pass for a Latin letter, to that letter
        **dict.fromkeys("0οоօ", "o"),
        **dict.fromkeys("1iıιіӏl", "l"),
        **dict.fromkeys("3еεє", "e"),
        **dict.fromkeys("сϲςσ", "c"),
        **dict.fromkeys("рρ", "p"),
        **dict.fromkeys("аα", "a"),
        "5": "s",
        "ѕ": "s",
        # small capitals, which NFKC keeps: ᴘᴏʟɪᴄᴇ
        "ᴘ": "p",
        "ᴏ": "o",
        "ʟ": "l",
        "ɪ": "l",
        "ᴄ": "c",
        "ᴇ": "e",
        "ᴀ": "a",
        "ꜱ": "s",
    }
)
TOO_MANY_DIGITS = "昵称不能包含6位或更多数字（以免暴露证件号、手机号）"
CLAIMS_OFFICE = "昵称不能使用“警”“公安”“官方”“局长”“所长”“指挥中心”“110”等冒充警方身份的字样"
BLANK = "昵称不能只由空白或不可见字符组成"
TURNED = "昵称不能包含改变文字显示方向的控制字符"
_BLANK = re.compile(f"[{INVISIBLE}\\s]*")
PERSONAL = "热心市民"  # how a default name begins: read as a person's (热心市民3721), not as an account code
PERSONAL_DIGITS = 4


def _letters_and_digits(nickname: str) -> str:
    """Return what a reader takes a nickname to say: NFKD (accents apart, then dropped), case folded, digits
    (❶ ➀ too) in ASCII, nothing in between."""
    folded = unicodedata.normalize("NFKD", nickname).casefold()
    out = []
    for char in folded:
        value = CHINESE_DIGITS.get(char) or unicodedata.digit(char, None)
        if value is not None:
            out.append(str(value))
        elif unicodedata.category(char)[0] in "LN":
            out.append(char)
    return "".join(out)


def claims_office(nickname: str) -> bool:
    """Tell whether a nickname claims a police office (警, 公安, 官方, 局长, 所长, 指挥中心, 110 …)."""
    said = _letters_and_digits(nickname)
    looks = said.translate(_LOOKALIKES)
    return any(word in said for word in POLICE_WORDS) or any(
        word.translate(_LOOKALIKES) in looks for word in LATIN_POLICE_WORDS
    )


def nickname_problem(nickname: str) -> str | None:
    """Return why a citizen may not choose this nickname (a message in Chinese), or None if they may."""
    if _BLANK.fullmatch(nickname):
        return BLANK
    if drop_overrides(nickname) != nickname:
        return TURNED
    if digit_count(nickname) > MAX_DIGITS:
        return TOO_MANY_DIGITS
    if claims_office(nickname):
        return CLAIMS_OFFICE
    return None


def public_nickname(nickname: str, account: str) -> str:
    """Return the nickname of an account as the public sees it: masked, and neutral if it breaks the rules.

    A citizen's nickname stored before the rules (or never checked) that, once masked, would still be
    refused (it claims a police office, shows 6 or more digits, or shows nothing) gives way to a personal name
    like the default ones, `热心市民` and four digits drawn from a hash of the account: the same on every post
    and reply, and telling nothing. Officers post under their real names from the directory (王警官), which
    the rules do not touch.
    """
    masked = mask_text(nickname)
    if not account.startswith(CITIZEN_ACCOUNT) or nickname_problem(masked) is None:
        return masked
    for salt in range(100):
        digest = hashlib.sha256(f"{salt}:{account}".encode()).digest()
        name = personal_name(int.from_bytes(digest[:8], "big"))
        if nickname_problem(name) is None:
            return name
    return PERSONAL  # not reached: a hundred draws all holding 110


def personal_name(number: int) -> str:
    """Return the personal name a number draws: `热心市民` and four digits, 1000 to 9999 (热心市民3721)."""
    span = 10**PERSONAL_DIGITS - 10 ** (PERSONAL_DIGITS - 1)
    return f"{PERSONAL}{10 ** (PERSONAL_DIGITS - 1) + number % span}"
