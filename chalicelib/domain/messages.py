"""Every message the platform sends, in one place: the SMS templates a provider must approve beforehand, and the
WeChat notice each kind of message becomes.

Domestic SMS providers (Tencent Cloud, Alibaba Cloud) send only pre-approved templates with parameters, and a
template may carry only a fixed link on the bureau's ICP-filed domain, never a per-post link: `{site}` below is
that fixed address, written into the template when it is registered (docs/DEPLOY.md), not a parameter.
WeChat notices (订阅通知, free for 政务民生 accounts) carry the per-post link as their `url`.

Official texts carry only what the police control (board, district, post number, status, time), never a
resident's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CHANNELS = ("wechat", "email", "sms")  # cheapest first: the default order of every person's notices


@dataclass(frozen=True)
class SmsTemplate:
    """One pre-approved SMS: its wording and the parameters it takes, in the order providers take them."""

    key: str
    text: str
    params: tuple[str, ...]

    def render(self, params: dict[str, str], site: str) -> str:
        """Return the text a phone receives (what a provider sends for this template and these parameters)."""
        missing = [name for name in self.params if name not in params]
        if missing:
            raise ValueError(f"SMS template {self.key!r} needs {', '.join(missing)}")
        return self.text.format(site=site, **{name: params[name] for name in self.params})


_HEAD = "【24小时警局】"
SMS_TEMPLATES: dict[str, SmsTemplate] = {
    template.key: template
    for template in (
        SmsTemplate(
            "otp", _HEAD + "您的验证码是{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。", ("code", "minutes")
        ),
        SmsTemplate("reply", _HEAD + "您发布的帖子（编号{number}）有了民警回复，请到“我的”查看：{site}", ("number",)),
        SmsTemplate(
            "resolved", _HEAD + "您发布的帖子（编号{number}）已办结，请到“我的”评价办理结果：{site}", ("number",)
        ),
        SmsTemplate(
            "officer_new",
            _HEAD + "新警情待处理，编号{number}，首次回复时限{due}。请登录警务工作台处理：{site}/work.html",
            ("number", "due"),
        ),
        SmsTemplate(
            "officer_escalated",
            _HEAD + "督办：编号{number}超时未回复，请登录警务工作台处理：{site}/work.html",
            ("number",),
        ),
        SmsTemplate(
            "officer_follow_up",
            _HEAD + "编号{number}的发帖人有补充，请登录警务工作台查看：{site}/work.html",
            ("number",),
        ),
    )
}

# A WeChat notice has the same four fields whatever its kind, so that one template from WeChat's public library
# (e.g. 工单状态通知: 事项, 编号, 状态, 时间) serves every kind; a bureau may still register one per kind.
WECHAT_FIELDS = (("thing1", "事项"), ("character_string2", "编号"), ("phrase3", "状态"), ("time4", "时间"))
_LIMITS = {"thing": 20, "character_string": 32, "phrase": 5, "time": 20}


def fit(name: str, value: str) -> str:
    """Cut a value to what WeChat accepts for a field of that kind (thing ≤ 20 characters, phrase ≤ 5, ...)."""
    kind = re.sub(r"\d+$", "", name)
    return value[: _LIMITS.get(kind, 20)]


@dataclass(frozen=True)
class Notice:
    """One message to one person, before a channel is chosen.

    `kind` names the SMS template (None: this kind is never worth an SMS, e.g. a status change); `url` is the
    per-post link WeChat and e-mail carry; an SMS carries only its template's fixed link.
    """

    kind: str
    subject: str  # 事项: board and kind, district (police-controlled words only)
    number: str  # 编号: the post's short number
    state: str  # 状态: at most 5 Chinese characters (已回复, 已办结, 请评价, 待处理, 督办, ...)
    at: str  # 时间: e.g. 2026-12-03 14:05
    url: str = ""
    email_subject: str = ""
    email_text: str = ""
    sms: str | None = None  # the SMS template key, or None
    sms_params: dict[str, str] = field(default_factory=dict)

    def wechat_fields(self) -> dict[str, str]:
        """Return the WeChat template fields (name -> value), each cut to WeChat's limit."""
        values = (self.subject, self.number, self.state, self.at)
        return {name: fit(name, value) for (name, _), value in zip(WECHAT_FIELDS, values, strict=True)}

    def wechat_text(self) -> str:
        """Return the notice as a person reads it in WeChat (the outbox shows this)."""
        fields = self.wechat_fields()
        return "\n".join(f"{label}：{fields[name]}" for name, label in WECHAT_FIELDS)
