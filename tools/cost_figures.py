"""`make cost`'s messaging figures: the SMS line at several WeChat shares, the goal, and docs/COST.json."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from tools.cost import GOALS, SMS_GOAL_USD, Bill, Line, Load, totals
from tools.cost_inputs import GUESSED_OPS
from tools.cost_limits import PEAK, Limit, limits
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
            bare = totals(line for line in lines if not is_photo_line(line))
            entry[f"{scale:g}x"] = {
                "infra_list_usd": round(infra, 2),
                "infra_after_free_tier_usd": round(free, 2),
                "infra_without_photos_list_usd": round(bare[0], 2),
                "infra_without_photos_after_free_tier_usd": round(bare[2], 2),
                "lines": [line_json(line) for line in lines],
                "limits": [limit_json(limit) for limit in limits(bill, load)],
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


def line_json(line: Line) -> dict[str, Any]:
    """One bill line for docs/COST.json."""
    return {
        "service": line.service,
        "item": line.item,
        "quantity": round(line.quantity, 2),
        "unit": line.unit,
        "usd": round(line.usd, 4),
        "after_free_tier_usd": round(line.usd - line.free_usd, 4),
        "sms": line.sms,
    }


def limit_json(limit: Limit) -> dict[str, Any]:
    """One quota at the load's busiest minute, for docs/COST.json."""
    return {
        "name": limit.name,
        "rate": round(limit.rate, 2),
        "limit": limit.limit,
        "unit": limit.unit,
        "used": round(limit.used, 4),
        "source": limit.source,
    }


def goals_json(bill: Bill, named: dict[str, Load]) -> list[dict[str, Any]]:
    """Issue 19's infrastructure goals at 1x: met or not, with and without the photos' (guessed) lines."""
    out = []
    for name, kinds in GOALS.items():
        lines = bill.lines(named[name])
        infra, _, free = totals(lines)
        bare = totals(line for line in lines if not is_photo_line(line))
        for kind, limit in kinds.items():
            value, without = (free, bare[2]) if kind == "after_free_tier" else (infra, bare[0])
            out.append(
                {
                    "load": name,
                    "measure": "infra_after_free_tier_usd" if kind == "after_free_tier" else "infra_list_usd",
                    "at_most_usd": limit,
                    "usd": round(value, 2),
                    "met": value <= limit,
                    "without_photos_usd": round(without, 2),
                    "met_without_photos": without <= limit,
                }
            )
    return out


def cost_json(bill: Bill, named: dict[str, Load], scales: tuple[float, ...]) -> dict[str, Any]:
    """Return the whole of docs/COST.json: the figures, their inputs and the SMS goal."""
    average = bill.month(named["average"]).usd(bill.provider)
    base = named["average"]
    return {
        "generated_by": "make cost (tools/cost.py) from docs/bench.json and docs/page-weight.json",
        "prices_checked": bill.p["checked"],
        "prices_source": "docs/prices-us-east-1-2026.json",
        "price_sources": {k: v["source"] for k, v in bill.p.items() if isinstance(v, dict) and "source" in v},
        "inputs": {
            "bench_date": bill.bench.date,
            "bench_table_posts": bill.bench.table_posts,
            "guessed_operations": {name: op.source for name, op in GUESSED_OPS.items()},
            "assumptions": {k: v for k, v in asdict(base).items() if not isinstance(v, dict)},
            "gets_per_visit_beyond_the_landing_page": base.gets_per_visit,
            "peak_over_average_rate": PEAK,
        },
        "goals_issue_19": goals_json(bill, named),
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
