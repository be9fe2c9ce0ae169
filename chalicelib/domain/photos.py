"""Photos and a location on a post (随手拍): what a post keeps of them, and what the public may see."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.values import Value

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 9
UPLOAD_SECONDS = 15 * 60  # how long a presigned POST stays good
UPLOAD_KEPT_SECONDS = 24 * 3600  # an upload not used in a post by then is forgotten (and S3 expires it)
PUBLIC_DECIMALS = 3  # the public sees a location rounded to 0.001°: about 110 m north-south, 85 m east-west here
MAX_ADDRESS = 100

UploadState = Literal["pending", "ready", "refused"]


class Photo(Value):
    """A processed photo a post or reply shows: its id (the upload's), and the size of the full image."""

    id: str
    width: int
    height: int


class Location(Value):
    """Where a post is about (WGS-84, as the browser's geolocation and Open311 give it)."""

    lat: float
    long: float

    def rounded(self) -> Location:
        """Return the location as the public sees it: about 100 m, never the exact spot."""
        return Location(lat=round(self.lat, PUBLIC_DECIMALS), long=round(self.long, PUBLIC_DECIMALS))

    @staticmethod
    def within(lat: float, long: float, area: tuple[float, float, float, float]) -> Location:
        """Return the location if it lies in the bureau's area (south, west, north, east); else a 400."""
        south, west, north, east = area
        if not (south <= lat <= north and west <= long <= east):
            raise ValidationFailed("位置不在本辖区范围内", {"location": "outside the bureau's area"})
        return Location(lat=lat, long=long)


class Upload(Value):
    """A photo a signed-in person is uploading: who, what they declared, and how processing went."""

    id: str
    owner_id: str
    content_type: str
    size: int
    created_at: datetime
    state: UploadState = "pending"
    width: int = 0
    height: int = 0
    used_by: str | None = None  # the post (or `<post>/<reply>`) that shows it; an upload is used once

    def photo(self) -> Photo:
        """Return the photo a post shows of a processed upload."""
        return Photo(id=self.id, width=self.width, height=self.height)


def check_upload(content_type: str, size: int) -> None:
    """Refuse an upload the browser should not even send: another type, empty or over 10 MB."""
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed("只能上传 JPEG、PNG 或 WebP 图片", {"content_type": f"one of {', '.join(PHOTO_TYPES)}"})
    if not 0 < size <= MAX_UPLOAD_BYTES:
        raise ValidationFailed("照片不能超过 10 MB", {"size": f"1 to {MAX_UPLOAD_BYTES} bytes"})


def refused_text(position: int) -> str:
    """Say on the timeline which photo was refused (by its place, 1-based): never what it contained."""
    return f"第{position}张照片无法识别为图片，未能发布"
