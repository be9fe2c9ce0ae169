"""docs/DEPLOY.md's SMS templates are the code's (domain/messages.SMS_TEMPLATES), word for word.

A bureau registers what the document says with its SMS provider; the app sends what the code says. If they
drift apart, the provider refuses every text of the template that changed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.domain.messages import SMS_TEMPLATES, WECHAT_FIELDS, SmsTemplate

DEPLOY = Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"
SITE = "<your ICP-filed site address>"
HEAD = "【24小时警局】"


def section(title: str) -> str:
    text = DEPLOY.read_text("utf-8")
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def rows() -> dict[str, list[str]]:
    """The template table: key -> its cells."""
    found = {}
    for line in section("SMS templates (短信模板)").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 5:
            found[cells[0].strip("`")] = cells
    return found


def tencent_content(template: SmsTemplate) -> str:
    """What to register with Tencent: no head (Tencent adds the signature), variables numbered in order."""
    body = template.text.removeprefix(HEAD).replace("{site}", SITE)
    for number, name in enumerate(template.params, 1):
        body = body.replace("{" + name + "}", "{" + str(number) + "}")
    return body


def test_the_table_lists_every_template_and_no_other() -> None:
    assert set(rows()) == set(SMS_TEMPLATES)


@pytest.mark.parametrize("key", sorted(SMS_TEMPLATES))
def test_each_template_is_documented_word_for_word_with_its_parameters_in_order(key: str) -> None:
    template = SMS_TEMPLATES[key]
    _, kind, params, shown, content = rows()[key]
    assert kind == ("验证码" if key == "otp" else "通知")
    assert re.findall(r"`(\w+)`", params) == list(template.params)
    assert shown == f"`{template.text.replace('{site}', SITE)}`"
    assert content == f"`{tencent_content(template)}`"
    assert template.text.startswith(HEAD)  # the head the Tencent content leaves to the signature


def test_the_wechat_section_names_the_fields_the_app_sends_and_every_setting() -> None:
    text = section("WeChat (微信公众号)")
    for name, label in WECHAT_FIELDS:
        assert f"`{name}` ({label}" in text
    for setting in ("WechatAppId", "WECHAT_SECRET_PARAMETER", "WechatTemplates", "WechatMessages", "网页授权域名"):
        assert setting in text
    assert "JS接口安全域名" in text
