"""Messages per channel for `make cost`: who is told what, by WeChat, e-mail or SMS, in a month.

The flows are the app's (services/notices.py, services/identity.py): a notice goes by WeChat to whoever is bound,
else by e-mail (officers with an address), else by SMS; a status change is never worth an SMS. Residents sign in
through WeChat once bound, and prove their phone by SMS once ever, when they bind; those not on WeChat get a code
at each sign-in. WeChat notices (订阅通知) cost nothing for 政务民生 official accounts: that is issue 16's statement,
not a figure from a price list. Each SMS is one of domain/messages.SMS_TEMPLATES, rendered with sample parameters
and a sample site address of typical length, billed per part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.cost import Load

SAMPLE_SITE = "https://jw24.baotou.gov.cn"  # an ICP-filed address of typical length, fixed in the templates
SAMPLE_PARAMS = {"code": "123456", "minutes": "5", "number": "3F9A2C", "due": "03-13 16:05"}
WECHAT_COST_SOURCE = "issue 16's statement: 订阅通知 are free for 政务民生 official accounts (no price list checked)"


@dataclass(frozen=True)
class Flow:
    """One kind of message in a month: how many, to whom, and the SMS template it becomes (None: WeChat only)."""

    what: str
    count: float
    officer: bool
    template: str | None


@dataclass(frozen=True)
class Sent:
    """How a flow's messages went out."""

    flow: Flow
    wechat: float
    email: float
    sms: float


def flows(load: Load) -> list[Flow]:
    """Return the month's messages before a channel is chosen (sign-in codes are SMS or nothing)."""
    posts = load.posts_per_month
    sign_ins = posts * load.sign_ins_per_post
    officers = load.officers_per_notice
    return [
        Flow("sign-in codes (not on WeChat)", sign_ins * (1 - load.resident_wechat_share), False, "otp"),
        Flow(
            "binding codes (once ever, new residents)",
            sign_ins * load.first_sign_in_share * load.resident_wechat_share,
            False,
            "otp",
        ),
        # An author's SMS: one per post and round, whatever follows (services/notices.AuthorNotices); WeChat: each.
        Flow("'police answered you'", posts * min(1.0, load.official_replies_per_post), False, "reply"),
        Flow("'resolved: please rate' by WeChat", posts * load.resolved_share, False, None),
        Flow("'resolved' SMS, posts closed unanswered", posts * load.resolved_unanswered_share, False, "resolved"),
        Flow("status changes", posts * load.status_notices_per_post, False, None),
        Flow("officer notices of a new post", posts * officers, True, "officer_new"),
        Flow("escalations (督办) to leaders", posts * load.escalated_share * officers, True, "officer_escalated"),
        Flow("authors' follow-ups", posts * load.author_follow_ups_per_post, True, "officer_follow_up"),
    ]


def route(flow: Flow, load: Load) -> Sent:
    """Split a flow by channel: WeChat for the bound share, then e-mail (officers), then SMS if it has a template."""
    if flow.template == "otp":  # a code proves the phone: only an SMS will do
        return Sent(flow, 0.0, 0.0, flow.count)
    bound = load.officer_wechat_share if flow.officer else load.resident_wechat_share
    wechat = flow.count * bound
    rest = flow.count - wechat
    email = rest * load.officer_email_share if flow.officer else 0.0
    sms = rest - email if flow.template else 0.0
    return Sent(flow, wechat, email, sms)


def sms_parts(text: str, prices: dict[str, Any]) -> int:
    """Count the UCS-2 parts a Chinese text is billed as."""
    sms = prices["sms"]
    if len(text) <= int(sms["ucs2_single_part_chars"]):
        return 1
    return math.ceil(len(text) / int(sms["ucs2_multi_part_chars"]))


def sample_texts() -> dict[str, str]:
    """Every SMS template as a phone receives it, with sample parameters."""
    from chalicelib.domain.messages import SMS_TEMPLATES

    return {key: template.render(SAMPLE_PARAMS, SAMPLE_SITE) for key, template in SMS_TEMPLATES.items()}


@dataclass(frozen=True)
class Month:
    """A month of messages by channel, and what the SMS cost."""

    sent: list[Sent]
    sms_parts: float
    prices: dict[str, float]  # provider -> USD per part

    @property
    def wechat(self) -> float:
        return sum(s.wechat for s in self.sent)

    @property
    def email(self) -> float:
        return sum(s.email for s in self.sent)

    @property
    def sms(self) -> float:
        return sum(s.sms for s in self.sent)

    def usd(self, provider: str) -> float:
        return self.sms_parts * self.prices[provider]


def month(load: Load, prices: dict[str, Any], texts: dict[str, str]) -> Month:
    """Route every flow of a load and price its SMS parts (per provider: sns, tencent)."""
    sent = [route(flow, load) for flow in flows(load)]
    parts = sum(s.sms * sms_parts(texts[s.flow.template], prices) for s in sent if s.flow.template)
    return Month(sent, parts, sms_prices(prices))


def sms_prices(prices: dict[str, Any]) -> dict[str, float]:
    """Return USD per part by provider: SNS to +86 (an estimate) and Tencent Cloud SMS (its package price)."""
    return {
        "sns": float(prices["sms"]["china_per_part"]),
        "tencent": float(prices["sms"]["domestic_provider_per_part"]),
    }
