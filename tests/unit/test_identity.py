"""Sign-in by phone and one-time code, on fakes and a fixed clock."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

import pytest

from chalicelib.api.auth import current_actor, signed_in
from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.nicknames import CITIZEN_ACCOUNT
from chalicelib.domain.people import Actor
from chalicelib.services.identity import Identity, Session
from chalicelib.services.links import issue_link
from chalicelib.services.tokens import TokenService
from tests.fakes import (
    FixedClock,
    InMemoryDirectoryRepository,
    InMemoryLinkStore,
    InMemoryOtpRepository,
    InMemoryUserRepository,
    Lockstep,
    RecordingSmsSender,
)
from tests.unit.world import ADMIN, CITIZEN, KUNQU_OFFICER, TOKEN_KEYS, build_admin, build_identity, seeded_directory

PHONE = "13800001111"


@dataclass
class World:
    identity: Identity
    users: InMemoryUserRepository
    otps: InMemoryOtpRepository
    sms: RecordingSmsSender
    tokens: TokenService
    clock: FixedClock
    directory: InMemoryDirectoryRepository
    links: InMemoryLinkStore

    def code(self, phone: str = PHONE) -> str:
        """Ask for a code and read it from the SMS."""
        self.identity.request_code(phone)
        found = re.search(r"验证码是(\d{6})", self.sms.texts_to(phone)[-1])
        assert found, self.sms.sent
        return found.group(1)

    def actor(self, token: str) -> Actor:
        return self.identity.actor(token)


@pytest.fixture
def world() -> World:
    users, otps, sms, tokens, clock = (
        InMemoryUserRepository(),
        InMemoryOtpRepository(),
        RecordingSmsSender(),
        TokenService(TOKEN_KEYS),
        FixedClock(),
    )
    directory, links = seeded_directory(), InMemoryLinkStore()
    identity = build_identity(users=users, otps=otps, sms=sms, clock=clock, directory=directory, links=links)
    return World(identity, users, otps, sms, tokens, clock, directory, links)


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
    assert re.fullmatch(r"热心市民[1-9][0-9]{3}", user.nickname)  # a person's name, not an account code
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


# -- the try counter under concurrent guesses (issue 12, item 7) ------------------------------------


def test_a_wrong_code_says_how_many_tries_remain(world: World) -> None:
    code = world.code()
    messages = []
    for _ in range(6):
        with pytest.raises(Unauthenticated) as raised:
            world.identity.sign_in(PHONE, wrong(code))
        messages.append(raised.value.message)

    assert messages[:4] == [f"验证码错误，还可尝试{n}次" for n in (4, 3, 2, 1)]
    assert messages[4] == "验证码错误，请重新获取验证码"
    assert "验证码错误" not in messages[5]


def guess_at_once(world: World, guesses: list[str]) -> list[object]:
    """Send every guess for PHONE at once, each in its own thread, in the worst interleaving (tests.fakes.Lockstep)."""
    lockstep = Lockstep(world.otps, len(guesses))
    world.identity.otps = lockstep
    results: list[object] = [None] * len(guesses)

    def guess(index: int) -> None:
        lockstep.caller(index)
        try:
            results[index] = world.identity.sign_in(PHONE, guesses[index])
        except Unauthenticated as refused:
            results[index] = refused.message

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(guesses))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_thirty_wrong_guesses_at_once_get_at_most_five_compared(world: World) -> None:
    code = world.code()

    results = guess_at_once(world, [wrong(code)] * 30)

    answered_wrong = [r for r in results if isinstance(r, str) and r.startswith("验证码错误，")]
    assert len(answered_wrong) == 5, results
    assert all(isinstance(r, str) for r in results)  # every guess got an answer, none a session
    with pytest.raises(Unauthenticated):
        world.identity.sign_in(PHONE, code)


def test_forty_guesses_at_once_with_the_right_one_past_the_fifth_do_not_sign_in(world: World) -> None:
    code = world.code()
    guesses = [wrong(code)] * 40
    guesses[20] = code

    results = guess_at_once(world, guesses)

    assert not [r for r in results if isinstance(r, Session)], results
    assert world.users.users == {}


def test_the_right_code_sent_twice_at_once_gives_one_session(world: World) -> None:
    code = world.code()

    results = guess_at_once(world, [code, code])

    assert len([r for r in results if isinstance(r, Session)]) == 1, results
    assert len(world.users.users) == 1


# -- officers' sessions follow the directory (issue 12, item 3) -------------------------------------


def officer_session(world: World, phone: str = "13900000001") -> str:
    return world.identity.sign_in(phone, world.code(phone)).token


def test_an_officer_token_takes_role_unit_and_name_from_the_directory_at_every_call(world: World) -> None:
    token = officer_session(world)  # 卜连海, leader
    admin = build_admin(directory=world.directory)
    chief = world.directory.officer("o-chief")
    assert chief is not None and world.actor(token).role == "leader"

    admin.put_officer(
        chief.model_copy(update={"role": "officer", "unit_id": "qingfu", "on_duty": False, "name": "卜某"}), by=ADMIN
    )

    actor = world.actor(token)
    assert (actor.role, actor.officer_id, actor.nickname, actor.is_police) == ("officer", "o-chief", "卜某", True)
    assert world.identity.profile(actor).role == "officer"


def test_a_new_phone_ends_the_sessions_and_links_of_the_old_one(world: World) -> None:
    token = officer_session(world)
    link = issue_link(world.links, "o-chief", "p1", world.clock.now(), world.directory.officer("o-chief").sessions)
    link_token = world.identity.exchange_link(link)[0].token
    chief = world.directory.officer("o-chief")
    assert chief is not None

    build_admin(directory=world.directory).put_officer(chief.model_copy(update={"phone": "13900000011"}), by=ADMIN)

    for ended in (token, link_token):
        with pytest.raises(Unauthenticated):
            world.actor(ended)
    with pytest.raises(Unauthenticated):
        world.identity.exchange_link(link)
    assert world.actor(officer_session(world, "13900000011")).role == "leader"  # the new phone signs in


def test_removing_an_officer_ends_every_session_and_link_even_if_put_back(world: World) -> None:
    admin = build_admin(directory=world.directory)
    chief = world.directory.officer("o-chief")
    admin.put_officer(chief, by=ADMIN)  # as the admin API stores officers: with a session stamp
    token = officer_session(world)
    link = issue_link(world.links, "o-chief", "p1", world.clock.now(), world.directory.officer("o-chief").sessions)
    link_token = world.identity.exchange_link(link)[0].token
    assert world.actor(link_token).link_post_id == "p1"

    admin.remove_officer("o-chief", by=ADMIN)
    refused = [token, link_token]
    for ended in refused:
        with pytest.raises(Unauthenticated):
            world.actor(ended)
    admin.put_officer(chief, by=ADMIN)  # the same record again: the old sessions stay ended

    for ended in refused:
        with pytest.raises(Unauthenticated):
            world.actor(ended)
    with pytest.raises(Unauthenticated):
        world.identity.exchange_link(link)


class CountingDirectory:
    """The seeded directory, counting reads of officers by id."""

    def __init__(self, inner: InMemoryDirectoryRepository) -> None:
        self.inner, self.reads = inner, []
        self.reads: list[tuple[str, bool]]

    def officer(self, officer_id: str, consistent: bool = False) -> object:
        self.reads.append((officer_id, consistent))
        return self.inner.officer(officer_id, consistent)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_resolving_a_session_reads_the_officer_once_consistently_and_a_citizen_not_at_all(world: World) -> None:
    token = officer_session(world)
    citizen = world.identity.sign_in(PHONE, world.code()).token
    counting = CountingDirectory(world.directory)
    world.identity.directory = counting  # type: ignore[assignment]

    world.actor(token)
    world.actor(citizen)

    assert counting.reads == [("o-chief", True)]


def test_a_request_resolves_its_caller_once_however_often_it_asks(world: World) -> None:
    token = officer_session(world)
    counting = CountingDirectory(world.directory)
    world.identity.directory = counting  # type: ignore[assignment]
    request = SimpleNamespace(headers={"authorization": f"Bearer {token}"})
    services = cast(Any, SimpleNamespace(identity=world.identity))

    first = current_actor(cast(Any, request), services)
    again = signed_in(cast(Any, request), services)

    assert first == again and first.role == "leader"
    assert counting.reads == [("o-chief", True)]
    assert current_actor(cast(Any, SimpleNamespace(headers=request.headers)), services) == first  # a new request
    assert len(counting.reads) == 2


def test_a_phone_index_that_lags_a_phone_change_does_not_sign_the_old_phone_in_as_the_officer(world: World) -> None:
    chief = world.directory.officer("o-chief")
    assert chief is not None
    stale = CountingDirectory(world.directory)
    stale.officer_by_phone = lambda phone: chief if phone == chief.phone else None  # type: ignore[method-assign]
    world.identity.directory = stale  # type: ignore[assignment]
    build_admin(directory=world.directory).put_officer(chief.model_copy(update={"phone": "13900000011"}), by=ADMIN)

    session = world.identity.sign_in(chief.phone, world.code(chief.phone))

    assert session.user.role == "citizen"
    assert world.actor(session.token).role == "citizen"


@pytest.mark.parametrize(
    "nickname", ["11010519491231002X", "138\u200b1234\u200b5678", "包头市公安局 值班民警", "公\u200b安", "１１０"]
)
def test_a_nickname_with_six_digits_or_a_police_claim_is_refused_and_nothing_stored(
    world: World, nickname: str
) -> None:
    user = world.identity.sign_in(PHONE, world.code()).user
    citizen = Actor(role="citizen", user_id=user.id, nickname=user.nickname)

    with pytest.raises(ValidationFailed) as refused:
        world.identity.rename(citizen, nickname)
    assert set(refused.value.fields) == {"nickname"} and "昵称" in refused.value.message
    assert world.identity.profile(citizen).nickname == user.nickname


def test_a_generated_nickname_never_breaks_the_rules(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = iter([104, 2721])  # 热心市民1104 holds 110, then a fine one
    monkeypatch.setattr("chalicelib.services.identity.secrets.randbelow", lambda _: next(drawn))
    user = world.identity.account(PHONE)
    assert user.nickname == "热心市民3721"
    assert user.id.startswith(CITIZEN_ACCOUNT)  # how the public rendering tells a citizen from an officer
