"""Photos (issue 18): what starting an upload, processing it and a post with three photos cost in AWS calls.

The browser's POST to storage is stood in for by a PutObject outside the recording (it is the browser's, not the
app's); the S3 event is handed to the real handler as Lambda would.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from bench.counting import CallRecorder, Calls
from bench.stack import Http

PHOTO_OPERATIONS = ("start upload", "process upload", "create post with 3 photos")
PHOTO_ROUTES = {
    "start upload": "POST /uploads",
    "process upload": "S3 event → process_upload",
    "create post with 3 photos": "POST /posts (3 photos)",
}
BUCKET = "police24-photos"
_RESIDENTS = itertools.count()


def camera_jpeg(width: int = 3000, height: int = 4000) -> bytes:
    """A phone-sized JPEG with a gradient (compresses like a photo, not like a flat colour)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def run_photos(http: Http, recorder: CallRecorder, post: dict[str, Any]) -> tuple[dict[str, Calls], str]:
    """Measure the three photo operations once, as a resident of their own (posting limits); return their calls
    and the id of the post made."""
    import boto3

    token = http.sign_in(f"1371234{next(_RESIDENTS):04d}")
    s3 = boto3.client("s3", region_name="us-east-1")
    if BUCKET not in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    photo = camera_jpeg()
    found: dict[str, Calls] = {}
    ids = []
    for number in range(3):
        with recorder.recording(http) as started:
            ticket = http.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(photo)}, token, 201)
        key = ticket["fields"]["key"]
        s3.put_object(Bucket=BUCKET, Key=key, Body=photo, ContentType="image/jpeg")
        event = http.client.events.generate_s3_event(bucket=BUCKET, key=key)
        with recorder.recording(http) as processed:
            http.client.lambda_.invoke("process_upload", event)
        if number == 0:
            found["start upload"], found["process upload"] = started, processed
        ids.append(ticket["upload_id"])
    body = {**post, "title": "附三张照片的举报", "photos": ids}
    with recorder.recording(http) as found["create post with 3 photos"]:
        created = http.call("POST", "/posts", body, token, 201)
    return found, str(created["id"])
