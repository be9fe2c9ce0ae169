"""Settings read from the environment when a request runs, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

BAOTOU_DISTRICTS = (
    "昆都仑区",
    "青山区",
    "东河区",
    "九原区",
    "石拐区",
    "白云鄂博矿区",
    "土默特右旗",
    "固阳县",
    "达尔罕茂明安联合旗",
)


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _signing_keys(value: str) -> tuple[tuple[str, str], ...]:
    """Parse `kid:secret,kid:secret`; the first key signs, all of them verify."""
    keys = []
    for part in _split(value):
        kid, _, secret = part.partition(":")
        if kid and secret:
            keys.append((kid, secret))
    return tuple(keys)


def _stored(env: Mapping[str, str], name: str, region: str) -> str:
    """Return the SSM parameter named by env[name] (read lazily, cached), or "" when none is named."""
    path = env.get(name, "")
    if not path:
        return ""
    from chalicelib.adapters.ssm import parameter

    return parameter(path, region)


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    stage: str = "local"
    region: str = "us-east-1"
    table_name: str = "police24"
    dispatch_queue_url: str = ""
    officer_topic_arn: str = ""
    site_url: str = "http://127.0.0.1:8000"
    admin_key: str = ""
    token_keys: tuple[tuple[str, str], ...] = ()
    districts: tuple[str, ...] = BAOTOU_DISTRICTS
    cad_queue_url: str = ""
    cad_secret: str = ""
    incident_boards: tuple[str, ...] = ("report",)
    rate_limits: str = ""
    sensitive_words: tuple[str, ...] = ()
    sms_provider: str = "sns"
    # X-Origin-Verify values CloudFront may send (`new,old` while rotating); outside local/test every request needs one.
    origin_secrets: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from an environment (by default the process's)."""
        env = os.environ if environ is None else environ
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
        # In AWS the secrets and the site's address live in SSM (TOKEN_KEYS_PARAMETER, ...); locally in the env.
        return cls(
            stage=env.get("STAGE", "local"),
            region=region,
            table_name=env.get("TABLE_NAME", "police24"),
            dispatch_queue_url=env.get("DISPATCH_QUEUE_URL", ""),
            officer_topic_arn=env.get("OFFICER_TOPIC_ARN", ""),
            site_url=(
                env.get("SITE_URL") or _stored(env, "SITE_URL_PARAMETER", region) or "http://127.0.0.1:8000"
            ).rstrip("/"),
            admin_key=env.get("ADMIN_KEY", ""),
            token_keys=_signing_keys(env.get("TOKEN_KEYS") or _stored(env, "TOKEN_KEYS_PARAMETER", region)),
            districts=_split(env.get("DISTRICTS", "")) or BAOTOU_DISTRICTS,
            cad_queue_url=env.get("CAD_QUEUE_URL", ""),
            cad_secret=env.get("CAD_SECRET") or _stored(env, "CAD_SECRET_PARAMETER", region),
            incident_boards=_split(env.get("INCIDENT_BOARDS", "report")),
            rate_limits=env.get("RATE_LIMITS", ""),
            sensitive_words=_split(env.get("SENSITIVE_WORDS", "")),
            sms_provider=env.get("SMS_PROVIDER") or "sns",
            origin_secrets=_split(env.get("ORIGIN_SECRET") or _stored(env, "ORIGIN_SECRET_PARAMETER", region)),
        )

    @property
    def is_local(self) -> bool:
        """Tell whether this is the one-machine stack (or its tests), where dev routes exist."""
        return self.stage in ("local", "test")
