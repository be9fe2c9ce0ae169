"""The photo and location rules of the citizen page (web/js/photos.js), run in Node: sizes, refusals, the order
of the upload ids, the feed card's thumbnails, alt text, coordinates, and the timeline's words for a refused photo."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.test_web_static import needs_node, run_module

WEB = Path(__file__).resolve().parents[2] / "web"


@needs_node
def test_a_photo_is_resized_to_2048_px_on_its_long_side_and_its_thumbnail_keeps_its_aspect() -> None:
    script = (
        "[m.fitWithin(4000, 3000), m.fitWithin(3000, 4000), m.fitWithin(1000, 500), m.fitWithin(9000, 10),"
        " m.thumbSize({width: 2048, height: 1536}), m.thumbSize({width: 300, height: 600}),"
        " m.thumbSize({width: 200, height: 300})]"
    )
    assert run_module("photos.js", script) == [
        {"width": 2048, "height": 1536},
        {"width": 1536, "height": 2048},
        {"width": 1000, "height": 500},  # never enlarged
        {"width": 2048, "height": 2},
        {"width": 480, "height": 360},
        {"width": 240, "height": 480},
        {"width": 200, "height": 300},
    ]


@needs_node
def test_the_tenth_photo_a_file_that_is_no_image_and_an_over_10_mb_upload_are_refused_with_their_reason() -> None:
    script = (
        "[m.refusal({type: 'image/jpeg'}, 8), m.refusal({type: 'image/jpeg'}, 9),"
        " m.refusal({type: 'application/pdf'}, 0), m.refusal({type: ''}, 0), m.refusal({type: 'image/heic'}, 0),"
        " m.uploadRefusal({type: 'image/jpeg', size: 10 * 1024 * 1024}),"
        " m.uploadRefusal({type: 'image/jpeg', size: 10 * 1024 * 1024 + 1}),"
        " m.uploadRefusal({type: 'image/heic', size: 100}), m.uploadRefusal({type: '', size: 100}),"
        " [0, 400, 403, 413, 500].map(m.failureKey)]"
    )
    assert run_module("photos.js", script) == [
        None,
        "photo.tooMany",
        "photo.notImage",
        None,  # no declared type: tried, the server decides
        None,  # the browser may decode it (and then sends a JPEG)
        None,
        "photo.tooBig",
        "photo.wrongType",
        None,
        ["photo.network", "photo.refused", "photo.refused", "photo.refused", "photo.failed"],
    ]


@needs_node
def test_the_post_sends_the_upload_ids_in_the_order_chosen_and_only_once_every_upload_is_done() -> None:
    script = (
        "[m.readyIds([{state: 'done', uploadId: 'b'}, {state: 'done', uploadId: 'a'}]), m.readyIds([]),"
        " m.readyIds([{state: 'done', uploadId: 'a'}, {state: 'uploading', uploadId: null}]),"
        " m.readyIds([{state: 'failed', uploadId: null}])]"
    )
    assert run_module("photos.js", script) == [["b", "a"], [], None, None]


@needs_node
def test_a_feed_card_shows_three_thumbnails_and_counts_the_rest_and_every_image_has_alt_text() -> None:
    script = (
        "[[0, 1, 3, 9].map((n) => { const c = m.cardPhotos(Array.from({length: n}, (_, i) => ({id: i})));"
        " return [c.shown.map((p) => p.id), c.more]; }), m.cardPhotos(undefined).more,"
        " m.altText(0, 3, '路口积水'), m.altText(2, 3, ''),"
        " (globalThis.localStorage = {getItem: () => 'en'}, m.altText(1, 2, 'Flooded crossing'))]"
    )
    assert run_module("photos.js", script) == [
        [[[], 0], [[0], 0], [[0, 1, 2], 0], [[0, 1, 2], 6]],
        0,
        "照片 1/3：路口积水",
        "照片 3/3",
        "Photo 2 of 2: Flooded crossing",
    ]


@needs_node
def test_a_position_is_sent_to_6_decimals_shown_to_3_and_a_refused_permission_is_explained_as_such() -> None:
    script = (
        "[m.sentLocation({latitude: 40.65712345, longitude: 109.84021987}),"
        " m.shownCoordinates({lat: 40.6575, long: 109.8}), m.shownCoordinates(null),"
        " m.shownCoordinates({lat: 'x', long: 1}),"
        " [{code: 1}, {code: 2}, {code: 3}, null].map(m.locationErrorKey)]"
    )
    assert run_module("photos.js", script) == [
        {"lat": 40.657123, "long": 109.84022},
        "40.657, 109.800",
        "",
        "",
        ["place.denied", "place.unavailable", "place.timeout", "place.unsupported"],
    ]


@needs_node
def test_a_refused_photo_in_the_timeline_is_named_by_its_place_in_english_too() -> None:
    received = {"kind": "received", "text": "已收悉，正在分派处置单位。第2张照片无法识别为图片，未能发布"}
    alone = {"kind": "photo_refused", "text": "第3张照片无法识别为图片，未能发布"}
    english = "(globalThis.localStorage = {getItem: () => 'en'}, 0)"
    script = (
        f"[m.eventText({json.dumps(received)}), {english}, m.eventText({json.dumps(received)}),"
        f" m.eventText({json.dumps(alone)}), m.eventText({{kind: 'photo_refused', text: ''}})]"
    )
    assert run_module("words.js", script) == [
        received["text"],
        0,
        "Received; a unit is being assigned. Photo 2 could not be read as an image and was not published",
        "Photo 3 could not be read as an image and was not published",
        "A photo could not be read as an image and was not published",
    ]


def test_the_photo_input_offers_the_camera_and_the_album_and_uploads_with_progress() -> None:
    source = (WEB / "js" / "photo-picker.js").read_text("utf-8")
    assert 'accept: "image/*", multiple: true' in source and "capture" not in source  # both offered on a phone
    assert 'imageOrientation: "from-image"' in source
    assert "XMLHttpRequest" in source and "upload.addEventListener" in source
