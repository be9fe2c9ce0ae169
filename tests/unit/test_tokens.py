"""Session tokens: one clear refusal for every fault, and key rotation."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.people import Actor
from chalicelib.services.tokens import AUDIENCE, SessionClaims, TokenService

T0 = datetime(2026, 3, 13, 8, 5, tzinfo=UTC)
HOUR = timedelta(hours=1)
OLD = ("k1", "old-signing-secret-0123456789abcdef")
NEW = ("k2", "new-signing-secret-0123456789abcdef")
OFFICER = Actor(role="officer", user_id="o-kunqu", nickname="王警官", officer_id="o-kunqu")
NAMED = SessionClaims(user_id="o-kunqu", officer_id="o-kunqu", stamp="s1")  # whom OFFICER's token names
SERVICE = TokenService((OLD,))


def issue(actor: Actor = OFFICER, service: TokenService = SERVICE, now: datetime = T0) -> str:
    return service.issue(actor, now, HOUR, stamp="s1")


def refusal(token: str, service: TokenService = SERVICE, now: datetime = T0) -> str:
    """Return the message a refused token gets."""
    with pytest.raises(Unauthenticated) as raised:
        service.session(token, now)
    return raised.value.message


def claims(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "o-kunqu",
        "aud": AUDIENCE,
        "typ": "session",
        "iat": int(T0.timestamp()),
        "exp": int((T0 + HOUR).timestamp()),
        "off": "o-kunqu",
        "ses": "s1",
    }
    return {**base, **changes}


def test_a_token_names_whom_it_was_issued_for() -> None:
    link = Actor(role="leader", user_id="o-chief", nickname="卜连海", officer_id="o-chief", link_post_id="p1")
    citizen = Actor(role="citizen", user_id="u1", nickname="网友A1B2C3", account_created=1773389100)

    assert SERVICE.session(issue(), T0) == NAMED
    assert SERVICE.session(issue(link), T0) == SessionClaims("o-chief", "o-chief", "p1", stamp="s1")
    assert SERVICE.session(SERVICE.issue(citizen, T0, HOUR), T0) == SessionClaims(
        "u1", account_created=1773389100, nickname="网友A1B2C3"
    )


def test_a_token_carries_identity_only_never_a_role() -> None:
    leader = Actor(role="leader", user_id="o-chief", nickname="卜连海", officer_id="o-chief")

    payload = jwt.decode(issue(leader), options={"verify_signature": False})

    assert set(payload) == {"sub", "off", "ses", "aud", "typ", "iat", "exp"}
    # A token minted in the old shape, with a role in it, names the officer and nothing more.
    old_shape = jwt.encode(claims(role="admin", nick="王警官"), OLD[1], algorithm="HS256", headers={"kid": OLD[0]})
    assert SERVICE.session(old_shape, T0) == NAMED


def test_a_token_is_judged_at_the_time_the_caller_gives_not_the_wall_clock() -> None:
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    token = issue(now=long_ago)

    assert SERVICE.session(token, long_ago + HOUR - timedelta(seconds=1)) == NAMED
    refusal(token, now=long_ago + HOUR)


def test_every_bad_token_gets_the_same_refusal() -> None:
    good = issue()
    head, _, signature = good.split(".")
    forged_body = base64.urlsafe_b64encode(json.dumps(claims(role="admin")).encode()).decode().rstrip("=")
    bad = {
        "expired": good,  # judged an hour later below
        "forged": f"{head}.{forged_body}.{signature}",
        "alg none": jwt.encode(claims(), "", algorithm="none", headers={"kid": OLD[0]}),
        "wrong key": jwt.encode(claims(), NEW[1], algorithm="HS256", headers={"kid": OLD[0]}),
        "unknown kid": jwt.encode(claims(), OLD[1], algorithm="HS256", headers={"kid": "k9"}),
        "no kid": jwt.encode(claims(), OLD[1], algorithm="HS256"),
        "wrong audience": jwt.encode(claims(aud="someone-else"), OLD[1], algorithm="HS256", headers={"kid": OLD[0]}),
        "no expiry": jwt.encode(
            {k: v for k, v in claims().items() if k != "exp"}, OLD[1], algorithm="HS256", headers={"kid": OLD[0]}
        ),
        "not a session": jwt.encode(claims(typ="link"), OLD[1], algorithm="HS256", headers={"kid": OLD[0]}),
        "officer not a string": jwt.encode(claims(off=7), OLD[1], algorithm="HS256", headers={"kid": OLD[0]}),
        "garbage": "not-a-token",
        "empty": "",
    }

    messages = {name: refusal(token, now=T0 + HOUR if name == "expired" else T0) for name, token in bad.items()}

    assert len(set(messages.values())) == 1, messages
    assert SERVICE.session(jwt.encode(claims(), OLD[1], algorithm="HS256", headers={"kid": OLD[0]}), T0) == NAMED


def test_a_token_of_the_old_key_still_verifies_while_keys_rotate() -> None:
    old_token = issue()
    rotated = TokenService((NEW, OLD))

    new_token = issue(service=rotated)

    assert rotated.session(old_token, T0) == NAMED
    assert jwt.get_unverified_header(new_token)["kid"] == NEW[0]
    assert rotated.session(new_token, T0) == NAMED
    refusal(new_token)  # a service that never had the new key refuses it


def test_a_retired_key_no_longer_verifies() -> None:
    refusal(issue(), TokenService((NEW,)))


def test_a_service_without_keys_refuses_to_start() -> None:
    with pytest.raises(RuntimeError):
        TokenService(())
