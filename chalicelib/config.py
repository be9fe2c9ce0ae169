"""Settings read from the environment when a request runs, never at import."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

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


def _pairs(value: str) -> tuple[tuple[str, str], ...]:
    """Parse `key=value,key=value` (template ids by key)."""
    pairs = []
    for part in _split(value):
        key, _, found = part.partition("=")
        if key.strip() and found.strip():
            pairs.append((key.strip(), found.strip()))
    return tuple(pairs)


def _stored(env: Mapping[str, str], name: str, region: str) -> str:
    """Return the SSM parameter named by env[name] (read lazily, cached), or "" when none is named."""
    path = env.get(name, "")
    if not path:
        return ""
    from chalicelib.adapters.ssm import parameter

    return parameter(path, region)


def _area(value: str) -> tuple[float, float, float, float]:
    """Parse AREA `south,west,north,east` (degrees); unset: Baotou's, with a margin."""
    parts = [float(part) for part in _split(value)] if value else []
    if len(parts) != 4:
        return (40.2, 109.2, 42.8, 111.5)
    return (parts[0], parts[1], parts[2], parts[3])


def _officer_mfa(env: Mapping[str, str]) -> str:
    """Return OFFICER_MFA: `required` unless set, except on the local stack and in tests (`optional`)."""
    local = env.get("STAGE", "local") in ("local", "test")
    value = (env.get("OFFICER_MFA") or "").strip().lower()
    if value in ("required", "optional"):
        return value
    return "optional" if local else "required"


@dataclass(frozen=True)
class Settings:
    """Everything the app needs to know about where it runs."""

    stage: str = "local"
    region: str = "us-east-1"
    table_name: str = "police24"
    dispatch_queue_url: str = ""
    officer_topic_arn: str = ""
    site_url: str = "http://127.0.0.1:8000"
    admin_key: str = field(default="", repr=False)
    token_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    districts: tuple[str, ...] = BAOTOU_DISTRICTS
    cad_queue_url: str = ""
    cad_secret: str = field(default="", repr=False)
    incident_boards: tuple[str, ...] = ("report",)
    rate_limits: str = ""
    sensitive_words: tuple[str, ...] = ()
    sms_provider: str = "sns"
    sms_templates: tuple[tuple[str, str], ...] = ()  # our template key -> the provider's approved template id
    sms_sign_name: str = ""  # the approved signature (签名), e.g. 包头公安 (Tencent, Alibaba)
    sms_app_id: str = ""  # Tencent's SmsSdkAppId
    sms_endpoint: str = ""  # the provider's endpoint host; empty: its public default (a simulator locally)
    sms_credentials: str = field(default="", repr=False)  # `id:secret` of the provider's API key (SSM in the cloud)
    wechat_app_id: str = ""  # the official account's AppID; empty: no WeChat sign-in or notices
    wechat_secret: str = field(default="", repr=False)
    wechat_oauth_base: str = "https://open.weixin.qq.com"
    wechat_api_base: str = "https://api.weixin.qq.com"
    wechat_scope: str = "snsapi_base"
    wechat_messages: str = "subscribe"  # subscribe (订阅通知, bizsend) or template (模板消息)
    wechat_templates: tuple[tuple[str, str], ...] = ()  # notice kind (or *) -> WeChat template id
    # X-Origin-Verify values CloudFront may send (`new,old` while rotating); outside local/test every request needs one.
    origin_secrets: tuple[str, ...] = field(default=(), repr=False)
    officer_mfa: str = "optional"  # required: officers' full sessions need a TOTP code too (services.mfa)
    # Photos (services.photos): the bucket, where the public reads `media/<id>/...` (CloudFront in the cloud, the
    # local proxy on one machine; "" means the site's own origin) and where the browser reaches storage for the
    # presigned POST and signed GETs ("" means S3's own endpoint; `/storage` on one machine, through the proxy).
    photos_bucket: str = "police24-photos"
    media_url: str = ""
    storage_url: str = ""
    media_distribution: str = ""  # the CloudFront distribution serving media/ (told to forget a hidden post's photos)
    # The bureau's area (south, west, north, east; WGS-84): a post's location must lie inside it.
    area: tuple[float, float, float, float] = (40.2, 109.2, 42.8, 111.5)

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
            sms_templates=_pairs(env.get("SMS_TEMPLATES", "")),
            sms_sign_name=env.get("SMS_SIGN_NAME", ""),
            sms_app_id=env.get("SMS_APP_ID", ""),
            sms_endpoint=env.get("SMS_ENDPOINT", ""),
            sms_credentials=env.get("SMS_CREDENTIALS") or _stored(env, "SMS_CREDENTIALS_PARAMETER", region),
            wechat_app_id=env.get("WECHAT_APP_ID", ""),
            wechat_secret=env.get("WECHAT_SECRET") or _stored(env, "WECHAT_SECRET_PARAMETER", region),
            wechat_oauth_base=(env.get("WECHAT_OAUTH_BASE") or "https://open.weixin.qq.com").rstrip("/"),
            wechat_api_base=(env.get("WECHAT_API_BASE") or "https://api.weixin.qq.com").rstrip("/"),
            wechat_scope=env.get("WECHAT_SCOPE") or "snsapi_base",
            wechat_messages=env.get("WECHAT_MESSAGES") or "subscribe",
            wechat_templates=_pairs(env.get("WECHAT_TEMPLATES", "")),
            origin_secrets=_split(env.get("ORIGIN_SECRET") or _stored(env, "ORIGIN_SECRET_PARAMETER", region)),
            officer_mfa=_officer_mfa(env),
            photos_bucket=env.get("PHOTOS_BUCKET") or "police24-photos",
            media_url=env.get("MEDIA_URL", "").rstrip("/"),
            storage_url=env.get("STORAGE_URL", "").rstrip("/"),
            # In AWS the id is an SSM parameter the stack writes (an environment reference would close a cycle).
            media_distribution=env.get("MEDIA_DISTRIBUTION_ID")
            or _stored(env, "MEDIA_DISTRIBUTION_ID_PARAMETER", region),
            area=_area(env.get("AREA", "")),
        )

    @property
    def wechat_enabled(self) -> bool:
        """Tell whether the bureau configured a WeChat official account."""
        return bool(self.wechat_app_id and self.wechat_secret)

    def wechat_template(self, kind: str) -> str:
        """Return the WeChat template id for a kind of notice (or the bureau's one for every kind), or ""."""
        found = dict(self.wechat_templates)
        return found.get(kind) or found.get("*", "")

    @property
    def is_local(self) -> bool:
        """Tell whether this is the one-machine stack (or its tests), where dev routes exist."""
        return self.stage in ("local", "test")
