"""Settings never show their secrets: a log line or a traceback that prints them must not leak a key."""

from __future__ import annotations

from chalicelib.config import Settings


def test_the_settings_text_holds_none_of_the_secrets() -> None:
    settings = Settings(
        admin_key="secret-admin",
        token_keys=(("k1", "secret-signing"),),
        cad_secret="secret-cad",
        sms_credentials="id:secret-sms",
        wechat_secret="secret-wechat",
        origin_secrets=("secret-origin",),
        wechat_app_id="wx-public-app-id",
    )

    shown = f"{settings!r} {settings!s}"

    assert "secret" not in shown
    assert "wx-public-app-id" in shown  # what is not secret still shows, for debugging
