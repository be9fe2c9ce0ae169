"""The one emergency rule: real emergencies in progress, not every sentence with 正在; JavaScript reads it alike."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from chalicelib.domain.emergency import PATTERN, reads_as_emergency

EMERGENCIES = [
    "救命!有人闯进我家",
    "楼下有人正在砍人",
    "小区门口正在打架,快来人",
    "有人正在打人",
    "他正在打孩子",
    "两个人正在撬邻居家的门",
    "有人持刀抢劫路人",
    "仓库着火了",
    "前夫正在家暴我",
    "楼顶有人要跳楼",
    "朋友说要自杀",
    "有人正在砸车",
    "有人正在追我",
    "正在行凶",
]
ORDINARY = [
    "我正在办理出国手续",
    "正在办理户口迁移,需要什么材料",
    "我正在打电话给派出所,一直占线",
    "正在打听身份证补办流程",
    "我正在打算换新身份证",
    "正在抢票回家过年",
    "孩子正在跳舞",
    "我正在烧水做饭",
    "正在追剧的时候停电了",
    "正在排队办理居住证",
    "正在等待审核结果",
    "",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_an_emergency_in_progress_reads_as_one(text: str) -> None:
    assert reads_as_emergency(text)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_errands_with_zheng_zai_do_not(text: str) -> None:
    assert not reads_as_emergency(text)


def test_the_title_or_the_body_is_enough() -> None:
    assert reads_as_emergency("求助", "有人正在砍人")
    assert not reads_as_emergency("求助", "我正在办理出国手续")


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_reads_the_served_pattern_exactly_as_python_does() -> None:
    samples = EMERGENCIES + ORDINARY
    script = (
        "const [p, s] = JSON.parse(process.argv[1]); const r = new RegExp(p, 'u');"
        "console.log(JSON.stringify(s.map((t) => r.test(t))));"
    )
    out = subprocess.run(
        ["node", "-e", script, json.dumps([PATTERN, samples])], capture_output=True, text=True, check=True, timeout=30
    )
    assert json.loads(out.stdout) == [reads_as_emergency(t) for t in samples]
