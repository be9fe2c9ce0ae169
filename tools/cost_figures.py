"""`make cost`'s messaging figures: the SMS line at several WeChat shares, the goal, and docs/COST.json."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from tools.cost import SMS_GOAL_USD, Bill, Load, totals
from tools.cost_messages import WECHAT_COST_SOURCE
from tools.cost_photos import Photos, is_photo_line


def at_shares(load: Load, share: float | None) -> Load:
    """The load with residents and officers bound to WeChat at one share (None: the load's own shares)."""
    if share is None:
        return load
    return replace(load, resident_wechat_share=share, officer_wechat_share=share)


SHARES = {"0": 0.0, "default": None, "100": 1.0}  # the WeChat shares the SMS line is printed at


def figures(bill: Bill, named: dict[str, Load], scales: tuple[float, ...]) -> dict[str, Any]:
    """Return docs/COST.json's figures: per load and scale, messages by channel, SMS and infrastructure dollars."""
    out: dict[str, Any] = {}
    for name, base in named.items():
        entry: dict[str, Any] = {"visits_per_day": base.visits_per_day, "posts_per_month": round(base.posts_per_month)}
        for scale in scales:
            load = base.times(scale)
            messages = bill.month(load)
            lines = bill.lines(load)
            infra, _, free = totals(lines)
            photos = [line for line in lines if is_photo_line(line)]
            entry[f"{scale:g}x"] = {
                "sms_usd": round(messages.usd(bill.provider), 2),
                "sms_usd_sns": round(messages.usd("sns"), 2),
                "sms_usd_tencent": round(messages.usd("tencent"), 2),
                "sms_usd_by_wechat_share": {
                    key: round(bill.month(at_shares(load, share)).usd(bill.provider), 2)
                    for key, share in SHARES.items()
                },
                "wechat_messages": round(messages.wechat),
                "sms_messages": round(messages.sms),
                "sms_parts": round(messages.sms_parts),
                "email_messages": round(messages.email),
                "infrastructure_usd": round(infra, 2),
                "infrastructure_after_free_tier_usd": round(free, 2),
                "photos_usd": round(sum(line.usd for line in photos), 2),
                "photos_after_free_tier_usd": round(sum(line.usd - line.free_usd for line in photos), 2),
                "photo_lines_usd": {f"{line.service}: {line.item}": round(line.usd, 2) for line in photos},
            }
        out[name] = entry
    return out


def cost_json(bill: Bill, named: dict[str, Load], scales: tuple[float, ...]) -> dict[str, Any]:
    """Return the whole of docs/COST.json: the figures, their inputs and the SMS goal."""
    average = bill.month(named["average"]).usd(bill.provider)
    base = named["average"]
    return {
        "generated_by": "make cost (tools/cost.py); infrastructure figures depend on the built page (make web)",
        "prices_checked": bill.p["checked"],
        "sms_provider": bill.provider,
        "sms_usd_per_part": {k: round(v, 4) for k, v in bill.month(base).prices.items()},
        "wechat_usd": 0.0,
        "wechat_usd_source": WECHAT_COST_SOURCE,
        "wechat_shares": {"residents": base.resident_wechat_share, "officers": base.officer_wechat_share},
        "goal": {
            "sms_usd_under": SMS_GOAL_USD,
            "load": "average",
            "sms_usd": round(average, 2),
            "met": average < SMS_GOAL_USD,
            "met_from_resident_wechat_share": share_for_goal(bill, base),
        },
        "photo_assumptions": {
            "source": "tools/cost_photos.py Photos: sizes are the processor's targets, the rest guesses (marked there)",
            **asdict(Photos()),
        },
        "loads": figures(bill, named, scales),
    }


def shares_section(bill: Bill, load: Load) -> list[str]:
    """The SMS line at no one, the default share and everyone bound to WeChat, and the goal."""
    out = [
        f"== SMS by the share bound to WeChat (average load, {load.posts_per_month:,.0f} posts/month) ==",
    ]
    for share in SHARES.values():
        messages = bill.month(at_shares(load, share))
        what = (
            f"residents {load.resident_wechat_share:.0%}, officers {load.officer_wechat_share:.0%} (default)"
            if share is None
            else f"residents and officers {share:.0%}"
        )
        out.append(
            f"  {what:<48} {messages.sms:>9,.0f} SMS  {messages.sms_parts:>9,.0f} parts  "
            f"${messages.usd(bill.provider):>9,.2f} ({bill.provider})  ${messages.usd('sns'):>9,.2f} (SNS +86)"
        )
    usd = bill.month(load).usd(bill.provider)
    needed = share_for_goal(bill, load)
    out += [
        f"  goal: SMS under ${SMS_GOAL_USD:.0f}/month at the average load and the default share: "
        f"{'met' if usd < SMS_GOAL_USD else 'not met'} (${usd:,.2f} through {bill.provider}); "
        + (
            f"met from {needed:.0%} of residents on WeChat (officers as set)"
            if needed is not None
            else "not met even with every resident on WeChat"
        ),
        "",
    ]
    return out


def share_for_goal(bill: Bill, load: Load) -> float | None:
    """Return the least share of residents bound to WeChat (to the percent) that meets the SMS goal, or None."""
    for percent in range(101):
        if bill.month(replace(load, resident_wechat_share=percent / 100)).usd(bill.provider) < SMS_GOAL_USD:
            return percent / 100
    return None
