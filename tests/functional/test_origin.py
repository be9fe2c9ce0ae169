"""Outside the local stack the API answers only what came through CloudFront (its X-Origin-Verify header)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.functional.conftest import CheckedApi, assert_error_shape

SECRET = "cloudfront-origin-secret-0123456789abcdef"


@contextmanager
def on_stage(stage: str) -> Iterator[CheckedApi]:
    """The app with a stage's settings from .chalice/config.json (its STAGE), as chalice.test.Client runs it."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name=stage, project_dir=str(ROOT)) as client:
        yield CheckedApi(client)


@pytest.fixture
def deployed(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[CheckedApi]:
    """The app as it runs in AWS (stage prod), its origin secret in the settings."""
    monkeypatch.setenv("ORIGIN_SECRET", SECRET)
    with on_stage("prod") as api:
        yield api


def get_boards(api: CheckedApi, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, data, _ = api.call("GET", "/boards", headers=headers)
    return status, data


def test_a_request_that_bypassed_cloudfront_is_refused_in_the_error_shape(deployed: CheckedApi) -> None:
    status, data = get_boards(deployed)
    assert status == 403
    assert_error_shape(data, "forbidden")


@pytest.mark.parametrize("sent", ["", "wrong", SECRET[:-1], SECRET + "x", SECRET.upper()])
def test_a_wrong_origin_header_is_refused(deployed: CheckedApi, sent: str) -> None:
    status, data = get_boards(deployed, {"X-Origin-Verify": sent})
    assert status == 403
    assert_error_shape(data, "forbidden")


def test_a_request_through_cloudfront_is_answered(deployed: CheckedApi) -> None:
    status, data = get_boards(deployed, {"X-Origin-Verify": SECRET})
    assert status == 200, data
    assert data


def test_the_secret_is_read_when_the_request_runs_and_both_secrets_count_while_rotating(
    deployed: CheckedApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ORIGIN_SECRET", f"new-secret-0123456789,{SECRET}")
    assert get_boards(deployed, {"X-Origin-Verify": SECRET})[0] == 200
    assert get_boards(deployed, {"X-Origin-Verify": "new-secret-0123456789"})[0] == 200
    monkeypatch.setenv("ORIGIN_SECRET", "new-secret-0123456789")
    assert get_boards(deployed, {"X-Origin-Verify": SECRET})[0] == 403


def test_without_a_configured_secret_nothing_is_let_through(
    deployed: CheckedApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGIN_SECRET", "")
    assert get_boards(deployed, {"X-Origin-Verify": ""})[0] == 403
    assert get_boards(deployed, {"X-Origin-Verify": SECRET})[0] == 403


def test_a_sign_in_that_bypassed_cloudfront_sends_no_code(deployed: CheckedApi) -> None:
    from tests.conftest import sent_sms

    status, data, _ = deployed.call("POST", "/auth/otp", {"phone": "13800000077"})
    assert status == 403
    assert_error_shape(data, "forbidden")
    assert sent_sms("13800000077") == []


def test_an_admin_route_without_an_iam_signature_is_refused_too(deployed: CheckedApi) -> None:
    status, data, _ = deployed.call("GET", "/admin/audit")
    assert status == 403
    assert_error_shape(data, "forbidden")


def test_the_local_stack_has_no_cloudfront_and_needs_no_header(
    aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGIN_SECRET", SECRET)
    for stage in ("local", "test"):
        with on_stage(stage) as api:
            assert get_boards(api)[0] == 200


def test_in_aws_the_secret_comes_from_ssm(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from chalicelib.adapters import ssm

    boto3.client("ssm").put_parameter(
        Name="/p24/origin-secret", Value=f"{SECRET},old-secret-0123456789", Type="SecureString"
    )
    monkeypatch.delenv("ORIGIN_SECRET", raising=False)
    monkeypatch.setenv("ORIGIN_SECRET_PARAMETER", "/p24/origin-secret")
    ssm.forget()
    try:
        with on_stage("prod") as api:
            assert get_boards(api, {"X-Origin-Verify": SECRET})[0] == 200
            assert get_boards(api, {"X-Origin-Verify": "old-secret-0123456789"})[0] == 200
            assert get_boards(api)[0] == 403
    finally:
        ssm.forget()


def test_behind_cloudfront_the_code_budget_is_per_reader_as_cloudfront_names_them(
    deployed: CheckedApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """API Gateway sees CloudFront's edge; CloudFront-Viewer-Address (only CloudFront can set it) names the reader."""
    from chalice.local import LambdaEventConverter

    from tests.conftest import sent_sms

    monkeypatch.setenv("RATE_LIMITS", "otp_per_client_per_hour=2")
    through = {"X-Origin-Verify": SECRET}

    def ask(phone: str, viewer: str, edge: str, **extra: str) -> int:
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", edge)  # API Gateway's sourceIp: an edge
        headers = {**through, "CloudFront-Viewer-Address": viewer, **extra}
        return int(deployed.call("POST", "/auth/otp", {"phone": phone}, headers=headers)[0])

    # One reader behind two edges, with a fresh X-Forwarded-For each time: one budget.
    assert ask("13800000061", "203.0.113.7:50123", "130.176.0.1", **{"X-Forwarded-For": "10.0.0.1"}) == 202
    assert ask("13800000062", "203.0.113.7:50999", "130.176.0.2", **{"X-Forwarded-For": "10.0.0.2"}) == 202
    assert ask("13800000063", "203.0.113.7:51000", "130.176.0.1", **{"X-Forwarded-For": "10.0.0.3"}) == 429
    assert sent_sms("13800000063") == []
    # Another reader behind the same edge keeps a budget of its own; IPv6 viewer addresses carry no brackets.
    assert ask("13800000064", "198.51.100.20:443", "130.176.0.1") == 202
    assert ask("13800000065", "2001:db8:1:2::10:40000", "130.176.0.1") == 202
    assert ask("13800000066", "2001:db8:1:2::99:40001", "130.176.0.1") == 202  # same /64 as the reader above
    assert ask("13800000067", "2001:db8:1:2::5:40002", "130.176.0.1") == 429
