"""Reply templates officers can start from; `{unit}` is the officer's unit."""

from __future__ import annotations

REPLY_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("received", "你好，该警情已收悉，{unit}正在处置，感谢您对24小时警局的关注。"),
    ("dispatched", "你好，已安排{unit}民警前往现场核实处置，请保持电话畅通。"),
    ("resolved", "你好，该警情已处置完毕，感谢您的支持与配合。如有疑问，欢迎继续留言。"),
    ("consult", "你好，您咨询的问题答复如下："),
    ("call110", "你好，如遇紧急情况，请立即拨打110报警。"),
    ("thanks", "感谢您对公安工作的理解与支持！"),
)

_DEFAULTS = dict(REPLY_TEMPLATES)


def template_of(template: str | None, body: str, unit_name: str) -> str | None:
    """Return the template a reply reads as: the id when the body is that default template, word for word.

    Only then can a reader's page show the template in another language; an edited template, a bureau's own
    wording or a citizen's reply is the writer's own text (None).
    """
    text = _DEFAULTS.get(template or "")
    return template if text is not None and body == text.replace("{unit}", unit_name) else None
