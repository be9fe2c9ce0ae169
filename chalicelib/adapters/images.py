"""Turn an uploaded file into a clean JPEG and its thumbnail (Pillow), or refuse it.

Whatever the file's name or declared type says, only its bytes count: they must decode as an image of one of
the formats below. The size is checked from the header before any pixel is decoded (a decompression bomb is a
small file that claims a huge canvas). The output carries no EXIF, GPS, ICC profile, comment, XMP or JFIF
segment: residents' phones write where and when a photo was taken, and nothing of that may reach the public.

Pillow is imported inside the functions: the API's Lambda imports this package too and must not pay for it.
"""

from __future__ import annotations

import io
import struct
import warnings
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_SIDE = 2048
THUMB_SIDE = 480
MAX_PIXELS = 40_000_000
QUALITY = 85
# Formats a phone or a browser's canvas produces; anything else (TIFF, PSD, EPS...) is refused unread.
# (A camera's multi-picture JPEG opens as JPEG and reports itself as MPO.)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP")
WHITE = (255, 255, 255)


class NotAnImage(ValueError):
    """The bytes are not an image we accept; str(error) is an English reason, for logs."""


class Processed(NamedTuple):
    """The processed photo (JPEG), its thumbnail (JPEG) and the photo's size in pixels."""

    full: bytes
    thumb: bytes
    width: int
    height: int


def process(data: bytes) -> Processed:
    """Decode, orient upright, shrink to MAX_SIDE (and THUMB_SIDE), flatten to RGB, re-encode without metadata."""
    from PIL import Image

    if not data:
        raise NotAnImage("empty file")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # refused below, at a lower bound
            warnings.simplefilter("ignore", UserWarning)  # "Corrupt EXIF data": the photo is kept, its EXIF dropped
            with Image.open(io.BytesIO(data), formats=FORMATS) as opened:
                return _clean(opened)
    except NotAnImage:
        raise
    except Image.DecompressionBombError as error:
        raise NotAnImage(f"too many pixels: {error}") from error
    except MemoryError:
        raise
    except Exception as error:  # Pillow reports a bad file with many exception types (OSError, SyntaxError...)
        raise NotAnImage(f"{type(error).__name__}: {error}") from error


def _clean(opened: Image) -> Processed:
    """Work on the opened file's first frame, shrunk before the colour work and the turn upright.

    A JPEG is decoded at 1/2, 1/4 or 1/8 by libjpeg when that still leaves MAX_SIDE (draft). Measured peaks for
    a 40 MP file: JPEG ~115 MB, PNG with alpha ~340 MB, WebP ~630 MB (libwebp's own canvas): the processing
    Lambda wants 1024 MB. The browser sends at most 2048 px, so only a hand-made request comes near that.
    """
    from PIL import ImageOps
    from PIL.Image import Resampling

    _check_size(opened.width, opened.height)
    if opened.format in ("JPEG", "MPO"):
        opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
    opened.load()  # the first frame of an animation: Image.open stands on it
    icc = opened.info.get("icc_profile")
    image = _plain_mode(opened)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Resampling.LANCZOS)  # never enlarges; box-reduces first (reducing_gap)
    try:
        image = ImageOps.exif_transpose(image)  # on the small image: the EXIF travels with it (info["exif"])
    except (SyntaxError, ValueError, OSError, KeyError, TypeError, struct.error):
        pass  # a broken EXIF block: the pixels are still a photo, shown as stored
    full = _to_rgb(image, icc)
    thumb = full.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Resampling.LANCZOS)
    return Processed(_jpeg(full), _jpeg(thumb), full.width, full.height)


def _plain_mode(image: Image) -> Image:
    """RGB, RGBA, L or LA, which resize well (palettes, CMYK, 16-bit are converted); the same image when it is."""
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if image.mode in (("RGBA", "LA") if alpha else ("RGB", "L")):
        return image
    if image.mode.startswith("I;16") or (image.mode == "I" and max(image.getextrema()) > 255):  # type: ignore[operator]
        # 16-bit greyscale: scaled to 8 bits (Pillow's own conversion clips, turning most tones white)
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
        return image.convert("RGBA") if alpha else image
    return image.convert("RGBA" if alpha else "RGB")


def _check_size(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise NotAnImage(f"empty canvas {width}x{height}")
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"too many pixels: {width}x{height} is over {MAX_PIXELS}")


def _to_rgb(image: Image, icc: bytes | None) -> Image:
    """Give RGB: colours moved to sRGB when the file says what its profile is, transparency laid on white."""
    from PIL import Image as PilImage

    if icc and image.mode in ("RGB", "RGBA"):
        image = _to_srgb(image, icc)
    if image.mode not in ("RGBA", "LA"):
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    background = PilImage.new("RGB", rgba.size, WHITE)
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _to_srgb(image: Image, icc: bytes) -> Image:
    """Convert from the embedded profile to sRGB (a Display P3 photo keeps its colours); a bad profile is ignored."""
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image
    return converted if converted is not None else image


def _jpeg(image: Image) -> bytes:
    """Encode as a baseline JPEG and drop every APPn and COM segment libjpeg wrote (JFIF included)."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return strip_segments(out.getvalue())


def strip_segments(jpeg: bytes) -> bytes:
    """Remove the APP0-APP15 and COM segments that come before the scan; the image data is kept byte for byte."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG stream")
    kept = [jpeg[:2]]
    at = 2
    while at + 4 <= len(jpeg) and jpeg[at] == 0xFF:
        marker = jpeg[at + 1]
        if marker == 0xDA:  # start of scan: the rest is entropy-coded data
            break
        length = int.from_bytes(jpeg[at + 2 : at + 4], "big")
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            kept.append(jpeg[at : at + 2 + length])
        at += 2 + length
    kept.append(jpeg[at:])
    return b"".join(kept)
