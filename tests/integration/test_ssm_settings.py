"""In AWS the token keys, the 110 secret and the site's address come from SSM, read lazily and cached."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from chalicelib.adapters import ssm
from chalicelib.config import Settings
from tests.conftest import Api

PARAMETERS = {
    "TOKEN_KEYS_PARAMETER": "/p24/token-keys",
    "CAD_SECRET_PARAMETER": "/p24/cad-secret",
    "SITE_URL_PARAMETER": "/p24/site-url",
}


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    ssm.forget()
    yield
    ssm.forget()


@pytest.fixture
def stored(aws: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Put the secrets in (moto's) SSM and name them in the environment instead of giving them."""
    client = boto3.client("ssm")
    keys = "k2:from-ssm-0123456789abcdef0123456789abcdef"
    client.put_parameter(Name="/p24/token-keys", Value=keys, Type="SecureString")
    client.put_parameter(Name="/p24/cad-secret", Value="cad-from-ssm", Type="SecureString")
    client.put_parameter(Name="/p24/site-url", Value="https://d111.cloudfront.net/", Type="String")
    for name in ("TOKEN_KEYS", "CAD_SECRET", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in PARAMETERS.items():
        monkeypatch.setenv(name, value)
    return client


def test_settings_read_the_secrets_and_site_address_from_ssm(stored: Any) -> None:
    settings = Settings.from_env()
    assert settings.token_keys == (("k2", "from-ssm-0123456789abcdef0123456789abcdef"),)
    assert settings.cad_secret == "cad-from-ssm"
    assert settings.site_url == "https://d111.cloudfront.net"


def test_values_in_the_environment_win_over_ssm(stored: Any) -> None:
    env = {**PARAMETERS, "TOKEN_KEYS": "k1:local", "CAD_SECRET": "local-cad", "SITE_URL": "http://127.0.0.1:8000"}
    settings = Settings.from_env(env)
    assert settings.token_keys == (("k1", "local"),) and settings.cad_secret == "local-cad"


def test_a_parameter_is_read_once_then_again_after_the_cache_period(stored: Any) -> None:
    now = [1000.0]
    assert ssm.parameter("/p24/cad-secret", "us-east-1", clock=lambda: now[0]) == "cad-from-ssm"
    stored.put_parameter(Name="/p24/cad-secret", Value="rotated", Type="SecureString", Overwrite=True)
    now[0] += ssm.CACHE_SECONDS - 1
    assert ssm.parameter("/p24/cad-secret", "us-east-1", clock=lambda: now[0]) == "cad-from-ssm"
    now[0] += 2
    assert ssm.parameter("/p24/cad-secret", "us-east-1", clock=lambda: now[0]) == "rotated"


def test_a_failed_refresh_keeps_the_last_good_value(stored: Any) -> None:
    now = [0.0]
    assert ssm.parameter("/p24/cad-secret", "us-east-1", clock=lambda: now[0]) == "cad-from-ssm"
    stored.delete_parameter(Name="/p24/cad-secret")
    now[0] += ssm.CACHE_SECONDS + 1
    assert ssm.parameter("/p24/cad-secret", "us-east-1", clock=lambda: now[0]) == "cad-from-ssm"


def test_a_missing_parameter_fails_loudly_on_first_read(aws: dict[str, str]) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        ssm.parameter("/p24/nothing-here", "us-east-1")


def test_the_app_signs_people_in_with_keys_from_ssm(stored: Any, api: Api) -> None:
    token = api.sign_in("13800000077")
    assert token.count(".") == 2
    status, me, _ = api.call("GET", "/me", token=token)
    assert status == 200, me


def test_the_media_distributions_id_comes_from_the_parameter_the_stack_writes(stored: Any) -> None:
    """The API cannot be told the distribution by reference (the distribution points at the API): SSM carries it."""
    stored.put_parameter(Name="/p24/distribution-id", Value="E2ABCDEF123456", Type="String")
    env = {**PARAMETERS, "MEDIA_DISTRIBUTION_ID_PARAMETER": "/p24/distribution-id"}
    assert Settings.from_env(env).media_distribution == "E2ABCDEF123456"
    assert Settings.from_env({**env, "MEDIA_DISTRIBUTION_ID": "E2LOCAL"}).media_distribution == "E2LOCAL"
    assert Settings.from_env(PARAMETERS).media_distribution == ""  # none named: no invalidation (one machine)
