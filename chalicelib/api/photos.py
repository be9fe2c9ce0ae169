"""Photo uploads (随手拍): the browser asks for a presigned POST, then sends the file straight to storage."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.operation import SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS
from chalicelib.api.render import build
from chalicelib.api.shapes import out

bp = Blueprint(__name__)


@operation(
    bp,
    "POST",
    "/uploads",
    who=SIGNED_IN,
    request="UploadIn",
    response="Upload",
    status=201,
    errors=(*BODY_ERRORS, 401, 403, 429),
)
def start_upload(call: Call) -> out.Upload:
    """Start a photo upload (signed in): a presigned POST of at most the declared size and that type, good for
    15 minutes; the photo is processed once stored, and a post or reply shows it by its `upload_id`."""
    body = call.body
    upload, post = call.svc.photos.start(call.actor, body.content_type, body.size)
    return build(out.Upload, upload_id=upload.id, url=post.url, fields=post.fields, expires_in=post.expires_in)
