"""Photos and location in Chromium against the local stack: a resident attaches a photo (a PNG made here) to a new
post, watches it upload, posts with the current position, and once the S3 handler has processed it sees the
processed JPEG as the feed card's thumbnail and the full image in the post page's viewer."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import sign_in_page
from tests.e2e.stack import Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

# Wider than 2048 px: the browser resizes it before upload, the server makes a 480 px thumbnail of that.
ORIGINAL = (2600, 1700)
BROWSER_SIDE, THUMB_SIDE = 2048, 480
LATITUDE, LONGITUDE = 40.65712, 109.84021  # 包头 昆都仑区, inside the bureau's area

# Every value the progress bars take, as the resident would see them move.
WATCH_PROGRESS = """
window.__progress = [];
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.localName === "progress") window.__progress.push(Number(change.target.getAttribute("value")));
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["value"] });
"""


def photo_png(size: tuple[int, int] = ORIGINAL) -> bytes:
    """A noisy colour PNG (noise keeps it large enough for the upload to take a moment)."""
    red = Image.linear_gradient("L").resize(size)
    green = Image.effect_noise(size, 60)
    blue = Image.linear_gradient("L").rotate(90).resize(size)
    out = io.BytesIO()
    Image.merge("RGB", (red, green, blue)).save(out, format="PNG")
    return out.getvalue()


def jpeg_size(data: bytes) -> tuple[int, int]:
    """The size of a JPEG the server wrote; fails unless it is a JPEG without EXIF."""
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG", image.format
    assert not image.getexif(), "the processed photo keeps no metadata"
    return image.size


def loaded(image: Locator) -> tuple[int, int]:
    """Wait until the <img> has loaded; return its natural size."""
    image.scroll_into_view_if_needed()
    image.page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    return int(width), int(height)


def card_with_thumbnail(page: Page, post_id: str, timeout: float = 60) -> Locator:
    """The post's feed card once it shows a thumbnail: processing runs after the post, so reload until then."""
    card = page.locator(f'li.post-card[data-post-id="{post_id}"]')
    deadline = time.monotonic() + timeout
    while True:
        expect(card).to_be_visible(timeout=15_000)
        if card.locator(".thumbs img").count():
            return card
        assert time.monotonic() < deadline, "the photo never showed on the feed card"
        time.sleep(1)
        page.reload()


def test_a_resident_posts_a_photo_with_their_position_and_sees_the_processed_thumbnail_and_the_full_image(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    original = photo_png()
    chosen = tmp_path / "河边.png"
    chosen.write_bytes(original)
    resident: dict[str, Any] = stack.sign_in(stack.new_phone())
    sign_in_page(page, resident)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": LATITUDE, "longitude": LONGITUDE})
    page.add_init_script(WATCH_PROGRESS)
    page.goto("/#/compose")

    title = unique("河边有人倾倒建筑垃圾")
    page.get_by_label("板块").select_option("environment")
    page.get_by_label("类型").select_option("report")
    page.get_by_label("所在地区").select_option("青山区")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill("青山区河边每天傍晚有车辆倾倒建筑垃圾，附上现场照片。")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="添加照片").click()
    assert chooser.value.is_multiple()
    chooser.value.set_files(chosen)

    item = page.locator("li.photo-item")
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-state", "done", timeout=30_000)
    expect(item.get_by_role("progressbar", name="照片 1 上传进度")).to_have_attribute("value", "100")
    expect(item.locator(".photo-state")).to_have_text("已上传")
    expect(item.get_by_role("button", name="移除照片 1")).to_be_visible()
    seen = page.evaluate("window.__progress")
    assert seen[-1] == 100 and 100 in seen and seen == sorted(seen), seen  # the bar only moves forward

    page.get_by_role("button", name="使用当前位置").click()
    expect(page.locator(".place-chosen")).to_contain_text("纬度 40.65712，经度 109.84021")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text("发布成功")).to_be_visible(timeout=15_000)
    post_id = page.locator("ol.feed > li.post-card.fresh").first.get_attribute("data-post-id")
    assert post_id

    # The feed card: one lazy thumbnail, sized from the photo's aspect, the processed JPEG (not the bytes sent).
    card = card_with_thumbnail(page, post_id)
    thumbnail = card.locator(".thumbs img")
    expect(thumbnail).to_have_count(1)
    expect(thumbnail).to_have_attribute("alt", f"照片 1/1：{title}")
    expect(thumbnail).to_have_attribute("loading", "lazy")
    expected_height = round(ORIGINAL[1] * THUMB_SIDE / ORIGINAL[0])
    assert thumbnail.get_attribute("width") == str(THUMB_SIDE)
    assert abs(int(thumbnail.get_attribute("height") or 0) - expected_height) <= 1
    assert loaded(thumbnail)[0] == THUMB_SIDE
    served = page.request.get(thumbnail.get_attribute("src") or "")
    assert served.ok, served.status
    assert served.body() != original
    width, height = jpeg_size(served.body())
    assert width == THUMB_SIDE and abs(height - expected_height) <= 1

    # The post page: its photo, its rounded position, and the viewer with the full image.
    page.goto(f"/#/post/{post_id}")
    expect(page.locator(".post-detail .place-coordinates")).to_have_text("40.657, 109.840")
    opener = page.locator(".post-detail .gallery button.photo-open")
    expect(opener).to_have_count(1)
    expect(opener.locator("img")).to_have_attribute("alt", f"照片 1/1：{title}")
    opener.click()
    viewer = page.get_by_role("dialog", name="照片 1/1")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("button", name="关闭")).to_be_focused()
    full = viewer.locator("img.viewer-image")
    expect(full).to_have_attribute("alt", f"照片 1/1：{title}")
    assert loaded(full)[0] == BROWSER_SIDE
    served = page.request.get(full.get_attribute("src") or "")
    assert served.ok, served.status
    assert jpeg_size(served.body())[0] == BROWSER_SIDE
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(opener).to_be_focused()


DUTY_OFFICER = "13900000023"  # 张磊, 青山区纺织道派出所: environment reports in 青山区 reach him


def uploaded_through_the_site(stack: Stack, token: str, data: bytes) -> str:
    """Upload a photo as the page does (POST /api/uploads, then the presigned POST through /storage)."""
    import requests

    status, ticket = stack.call("POST", "/uploads", {"content_type": "image/png", "size": len(data)}, token)
    assert status == 201, ticket
    files = {"file": ("tip.png", data, "image/png")}
    sent = requests.post(stack.base + ticket["url"], data=ticket["fields"], files=files, timeout=30)
    assert sent.status_code in (201, 204), sent.text
    return str(ticket["upload_id"])


def test_the_officer_sees_a_police_only_tips_photo_on_the_reply_page_through_a_signed_link(
    page: Page, stack: Stack
) -> None:
    resident = stack.sign_in(stack.new_phone())
    photo = uploaded_through_the_site(stack, resident["token"], photo_png((800, 600)))
    tip = stack.post(
        resident["token"],
        board="environment",
        type="report",
        district="青山区",
        title=unique("夜里有人往河里排污"),
        body="只想让警方知道，照片是现场拍的。",
        visibility="police_only",
        photos=[photo],
    )
    signed = tip["photos"][0]["thumb_url"]
    assert signed.startswith("/storage/") and "Signature=" in signed  # never a public /media address
    assert stack.call("GET", f"/posts/{tip['id']}")[1]["post"].get("photos") in (None, [])
    page.goto(stack.officer_link(DUTY_OFFICER, tip["id"]))
    image = page.locator(".gallery button.photo-open img")
    expect(image).to_have_count(1, timeout=15_000)
    assert loaded(image) == (480, 360)  # the signed thumbnail loads under the page's CSP
