"""The one-time code budgets on fakes: per phone, per client address, platform-wide; refusals cost nothing."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import TooManyRequests, ValidationFailed
from chalicelib.services.identity import Identity
from chalicelib.services.limits import Limits, LimitSettings, client_bucket
from tests.fakes import FixedClock, InMemoryCounters, RecordingSmsSender
from tests.unit.world import build_identity

ATTACKER, NEIGHBOUR = "203.0.113.7", "198.51.100.20"


class RecordingAlarms:
    """Remembers every alarming event."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def alarm(self, event: str) -> None:
        self.events.append(event)


def phones(count: int, start: int = 0) -> list[str]:
    return [f"1350000{start + n:04d}" for n in range(count)]


def sign_in_desk(
    settings: str = "", local: bool = False
) -> tuple[Identity, RecordingSmsSender, RecordingAlarms, FixedClock]:
    sms, alarms, clock = RecordingSmsSender(), RecordingAlarms(), FixedClock()
    limits = Limits(InMemoryCounters(), LimitSettings.parse(settings, local=local), alarms)
    return build_identity(sms=sms, clock=clock, limits=limits), sms, alarms, clock


def answers(identity: Identity, numbers: list[str], client: str | None) -> list[int]:
    """Ask for a code for each phone; return 202 or 429 with each Retry-After checked."""
    got = []
    for phone in numbers:
        try:
            identity.request_code(phone, client)
            got.append(202)
        except TooManyRequests as refused:
            assert refused.retry_after >= 1
            got.append(429)
    return got


def test_thirty_phones_from_one_client_get_ten_codes_in_the_cloud_and_no_more_sms() -> None:
    identity, sms, _, _ = sign_in_desk()

    got = answers(identity, phones(30), ATTACKER)

    assert got == [202] * 10 + [429] * 20
    assert len(sms.sent) == 10


def test_another_client_address_has_its_own_budget() -> None:
    identity, sms, _, _ = sign_in_desk()
    answers(identity, phones(30), ATTACKER)

    assert answers(identity, phones(3, start=100), NEIGHBOUR) == [202] * 3
    assert len(sms.sent) == 13


def test_the_client_budget_comes_back_the_next_hour_with_retry_after_pointing_there() -> None:
    identity, _, _, clock = sign_in_desk("otp_per_client_per_hour=2")
    clock.set(clock.now().replace(minute=59, second=0))
    answers(identity, phones(2), ATTACKER)

    with pytest.raises(TooManyRequests) as refused:
        identity.request_code("13500009999", ATTACKER)

    assert refused.value.retry_after == 60
    clock.advance(seconds=60)
    assert answers(identity, ["13500009999"], ATTACKER) == [202]


def test_one_ipv6_subscriber_cannot_dodge_the_budget_by_changing_the_interface_id() -> None:
    identity, _, _, _ = sign_in_desk("otp_per_client_per_hour=2")
    addresses = [f"2001:db8:1:2::{n:x}" for n in range(1, 4)]

    got = [answers(identity, [phone], address)[0] for phone, address in zip(phones(3), addresses, strict=True)]

    assert got == [202, 202, 429]
    assert client_bucket("2001:db8:1:2::1") == client_bucket("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_bucket("::ffff:203.0.113.7") == ATTACKER
    assert client_bucket("not an address") == client_bucket("[::1") == "unparseable"  # one shared budget
    assert client_bucket(None) is None


def test_on_the_local_stack_every_caller_is_loopback_so_the_client_budget_applies_only_when_set() -> None:
    identity, sms, _, _ = sign_in_desk("", local=True)
    assert answers(identity, phones(30), "127.0.0.1") == [202] * 30

    identity, sms, _, _ = sign_in_desk("otp_per_client_per_hour=3", local=True)
    assert answers(identity, phones(5), "127.0.0.1") == [202] * 3 + [429] * 2
    assert len(sms.sent) == 3


def test_past_the_platform_budget_no_code_leaves_for_anyone_and_an_alarm_fires() -> None:
    identity, sms, alarms, _ = sign_in_desk("otp_platform_per_hour=4")

    got = answers(identity, phones(3), ATTACKER) + answers(identity, phones(3, start=50), NEIGHBOUR)

    assert got == [202, 202, 202, 202, 429, 429]
    assert len(sms.sent) == 4
    assert alarms.events == ["otp_platform_budget"] * 2


def test_a_refused_request_counts_towards_no_budget() -> None:
    identity, sms, _, clock = sign_in_desk("otp_per_client_per_hour=2,otp_platform_per_hour=3")
    clock.set(clock.now().replace(minute=0, second=0))
    answers(identity, ["13500000001"], ATTACKER)
    # refused by the phone's own limit (one a minute): neither the client nor the platform is charged
    assert answers(identity, ["13500000001"] * 5, ATTACKER) == [429] * 5
    # refused by the client budget: the platform is not charged
    assert answers(identity, phones(4, start=10), ATTACKER) == [202, 429, 429, 429]
    assert answers(identity, ["13500000099"], NEIGHBOUR) == [202]  # platform: 3 of 3
    clock.advance(minutes=1)
    assert answers(identity, ["13500000001"], NEIGHBOUR) == [429]  # the platform budget refuses
    clock.advance(hours=1)
    assert answers(identity, ["13500000001"], NEIGHBOUR) == [202]
    assert len(sms.sent) == 4


def test_a_bad_phone_is_400_before_any_budget_and_costs_nothing() -> None:
    identity, sms, _, _ = sign_in_desk("otp_per_client_per_hour=1")
    for _ in range(3):
        with pytest.raises(ValidationFailed):
            identity.request_code("12345", ATTACKER)

    assert answers(identity, ["13500000001"], ATTACKER) == [202]
    assert len(sms.sent) == 1


def test_no_client_address_means_no_client_budget_but_the_others_hold() -> None:
    identity, _, _, clock = sign_in_desk("otp_per_client_per_hour=1,otp_platform_per_hour=2")
    assert answers(identity, phones(3), None) == [202, 202, 429]
    clock.advance(hours=1)
    assert answers(identity, phones(1, start=9), None) == [202]


def test_the_cloud_defaults_are_ten_per_client_and_two_thousand_platform_wide() -> None:
    cloud, local = LimitSettings.parse(""), LimitSettings.parse("", local=True)

    assert (cloud.otp_per_client_per_hour, cloud.otp_platform_per_hour) == (10, 2000)
    assert (local.otp_per_client_per_hour, local.otp_platform_per_hour) == (0, 2000)
    assert LimitSettings.parse("otp_per_client_per_hour=7", local=True).otp_per_client_per_hour == 7
    assert LimitSettings.parse("off", local=True).otp_platform_per_hour == 0
