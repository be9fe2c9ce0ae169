"""Sign-in by phone and one-time code, on fakes and a fixed clock."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.nicknames import CITIZEN_ACCOUNT
from chalicelib.domain.people import Actor
from chalicelib.services.identity import Identity
from chalicelib.services.tokens import TokenService
from tests.fakes import FixedClock, InMemoryOtpRepository, InMemoryUserRepository, RecordingSmsSender
from tests.unit.world import CITIZEN, KUNQU_OFFICER, TOKEN_KEYS, build_identity

PHONE = "13800001111"


@dataclass
class World:
    identity: Identity
    users: InMemoryUserRepository
    otps: InMemoryOtpRepository
    sms: RecordingSmsSender
    tokens: TokenService
    clock: FixedClock

    def code(self, phone: str = PHONE) -> str:
        """Ask for a code and read it from the SMS."""
        self.identity.request_code(phone)
        found = re.search(r"验证码是(\d{6})", self.sms.texts_to(phone)[-1])
        assert found, self.sms.sent
        return found.group(1)

    def actor(self, token: str) -> Actor:
        return self.tokens.actor(token, self.clock.now())


@pytest.fixture
def world() -> World:
    users, otps, sms, tokens, clock = (
        InMemoryUserRepository(), InMemoryOtpRepository(), RecordingSmsSender(), TokenService(TOKEN_KEYS), FixedClock()
    )
    identity = build_identity(users=users, otps=otps, sms=sms, tokens=tokens, clock=clock)
    return World(identity, users, otps, sms, tokens, clock)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_a_code_is_six_digits_sent_by_sms_that_names_itself_and_never_a_reply(world: World) -> None:
    expires_in = world.identity.request_code(PHONE)

    assert expires_in == 300
    [(phone, text)] = world.sms.sent
    assert phone == PHONE
    assert "验证码" in text and "回复" not in text
    assert len(re.findall(r"(?<!\d)\d{6}(?!\d)", text)) == 1


def test_only_a_hash_of_the_code_is_stored(world: World) -> None:
    code = world.code()

    record = world.otps.get(PHONE)
    assert record is not None
    assert code not in record.code_hash and len(record.code_hash) == 64
    assert (record.expires_at - world.clock.now()).total_seconds() == 300


@pytest.mark.parametrize("raw", ["+86 138-0000-1111", "8613800001111", "138 0000 1111"])
def test_a_phone_may_be_written_with_country_code_spaces_or_dashes(world: World, raw: str) -> None:
    world.identity.request_code(raw)

    assert [phone for phone, _ in world.sms.sent] == [PHONE]


@pytest.mark.parametrize("raw", ["12800001111", "1380000111", "138000011112", "", None, 13800001111])
def test_a_bad_phone_is_refused_and_nothing_is_sent(world: World, raw: object) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.identity.request_code(raw)

    assert "phone" in raised.value.fields
    assert world.sms.sent == [] and world.otps.records == {}


def test_the_right_code_signs_a_new_citizen_in_with_a_generated_nickname(world: World) -> None:
    session = world.identity.sign_in(PHONE, world.code())

    user = session.user
    assert (user.role, user.phone) == ("citizen", PHONE)
    assert re.fullmatch(r"网友[0-9A-F]{6}", user.nickname)
    assert world.users.by_phone(PHONE) == user
    actor = world.actor(session.token)
    assert (actor.role, actor.user_id, actor.nickname, actor.officer_id) == ("citizen", user.id, user.nickname, None)


def test_a_returning_citizen_gets_the_same_account(world: World) -> None:
    first = world.identity.sign_in(PHONE, world.code()).user
    world.clock.advance(minutes=2)

    again = world.identity.sign_in(PHONE, world.code()).user

    assert again == first
    assert len(world.users.users) == 1


def test_a_code_works_once(world: World) -> None:
    code = world.code()
    world.identity.sign_in(PHONE, code)

    with pytest.raises(Unauthenticated):
        world.identity.sign_in(PHONE, code)


def test_a_code_still_works_just_before_it_expires(world: World) -> None:
    code = world.code()
    world.clock.advance(seconds=299)

    assert world.identity.sign_in(PHONE, code).user.phone == PHONE


def test_a_code_expires_after_300_seconds(world: World) -> None:
    code = world.code()
    world.clock.advance(seconds=300)

    with pytest.raises(Unauthenticated):
        world.identity.sign_in(PHONE, code)


def test_four_wrong_tries_still_leave_the_right_code_usable(world: World) -> None:
    code = world.code()
    for _ in range(4):
        with pytest.raises(Unauthenticated):
            world.identity.sign_in(PHONE, wrong(code))

    assert world.identity.sign_in(PHONE, code).user.phone == PHONE


def test_five_wrong_tries_kill_the_code(world: World) -> None:
    code = world.code()
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            world.identity.sign_in(PHONE, wrong(code))

    with pytest.raises(Unauthenticated):
        world.identity.sign_in(PHONE, code)
    assert world.otps.get(PHONE) is None
    assert world.users.users == {}


def test_a_code_for_another_phone_does_not_sign_in(world: World) -> None:
    code = world.code("13800002222")

    with pytest.raises(Unauthenticated):
        world.identity.sign_in(PHONE, code)


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", "", None, 123456])
def test_a_code_that_is_not_six_digits_is_a_validation_error(world: World, code: object) -> None:
    world.code()

    with pytest.raises(ValidationFailed) as raised:
        world.identity.sign_in(PHONE, code)

    assert "code" in raised.value.fields
    record = world.otps.get(PHONE)
    assert record is not None and record.tries == 0


@pytest.mark.parametrize(
    ("phone", "officer_id", "role", "name"),
    [
        ("13900000003", "o-kunqu", "officer", "王警官"),
        ("13900000001", "o-chief", "leader", "卜连海"),
        ("13900000005", "o-admin", "admin", "张管理"),
    ],
)
def test_an_officer_phone_signs_in_with_the_directory_role(
    world: World, phone: str, officer_id: str, role: str, name: str
) -> None:
    session = world.identity.sign_in(phone, world.code(phone))

    assert (session.user.id, session.user.role, session.user.nickname) == (officer_id, role, name)
    actor = world.actor(session.token)
    assert (actor.role, actor.officer_id, actor.is_police) == (role, officer_id, True)
    assert world.users.users == {}  # officers are not citizen accounts


def test_a_citizen_may_rename_but_an_officer_shows_the_real_name(world: World) -> None:
    user = world.identity.sign_in(PHONE, world.code()).user
    citizen = Actor(role="citizen", user_id=user.id, nickname=user.nickname)

    assert world.identity.rename(citizen, "老王").nickname == "老王"
    assert world.identity.profile(citizen).nickname == "老王"
    with pytest.raises(Forbidden):
        world.identity.rename(KUNQU_OFFICER, "小王")
    assert world.identity.profile(KUNQU_OFFICER).nickname == "王警官"


def test_the_profile_of_an_unknown_account_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.identity.profile(CITIZEN)


@pytest.mark.parametrize("nickname", ["11010519491231002X", "138\u200b1234\u200b5678", "包头市公安局 值班民警",
                                      "公\u200b安", "１１０"])
def test_a_nickname_with_six_digits_or_a_police_claim_is_refused_and_nothing_stored(world: World,
                                                                                    nickname: str) -> None:
    user = world.identity.sign_in(PHONE, world.code()).user
    citizen = Actor(role="citizen", user_id=user.id, nickname=user.nickname)

    with pytest.raises(ValidationFailed) as refused:
        world.identity.rename(citizen, nickname)
    assert set(refused.value.fields) == {"nickname"} and "昵称" in refused.value.message
    assert world.identity.profile(citizen).nickname == user.nickname


def test_a_generated_nickname_never_breaks_the_rules(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter(["123456", "a110bc", "6090ec"])  # six digits, then 110, then a fine one
    monkeypatch.setattr("chalicelib.services.identity.secrets.token_hex",
                        lambda size: next(drawn) if size == 3 else "0" * 2 * size)
    user = world.identity.account(PHONE)
    assert user.nickname == "网友6090EC"
    assert user.id.startswith(CITIZEN_ACCOUNT)  # how the public rendering tells a citizen from an officer
