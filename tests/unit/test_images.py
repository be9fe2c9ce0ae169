"""Photo processing on generated images: what reaches the public is an upright, bounded JPEG with no metadata."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from chalicelib.adapters.images import MAX_PIXELS, NotAnImage, Processed, process

ROOT = Path(__file__).resolve().parents[2]
RED, BLUE, GREEN, WHITE = (255, 0, 0), (0, 0, 255), (0, 160, 0), (255, 255, 255)


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def halves(size: tuple[int, int], left: tuple[int, int, int], right: tuple[int, int, int]) -> Image.Image:
    """An image whose left half is one colour and right half another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def near(pixel: object, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


def camera_photo() -> bytes:
    """A JPEG as a phone writes it: GPS position, camera make, a comment, an ICC profile and XMP."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SECRET-CAMERA"
    exif[ExifTags.Base.DateTimeOriginal] = "2026:12:03 08:15:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 39.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (109.0, 50.0, 3.25)
    return encode(
        Image.new("RGB", (640, 480), GREEN),
        "JPEG",
        exif=exif,
        comment=b"SECRET-COMMENT",
        icc_profile=b"SECRET-ICC" * 20,
        xmp=b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
        dpi=(300, 300),
    )


def test_a_phone_photo_loses_its_gps_and_every_other_piece_of_metadata() -> None:
    data = camera_photo()
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input really carries a position
    assert b"SECRET-CAMERA" in data and b"SECRET-COMMENT" in data

    result = process(data)

    for jpeg in (result.full, result.thumb):
        image = opened(jpeg)
        assert image.info == {}
        assert dict(image.getexif()) == {}
        assert image.applist == []
        for secret in (b"SECRET", b"Exif", b"JFIF", b"http://ns.adobe.com"):
            assert secret not in jpeg
        assert near(image.getpixel((10, 10)), GREEN)


def test_exif_orientation_6_is_applied_and_the_sides_swap() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: display turned 90 degrees clockwise
    data = encode(halves((400, 200), RED, BLUE), "JPEG", exif=exif, quality=95)

    result = process(data)

    assert (result.width, result.height) == (200, 400)
    image = opened(result.full)
    assert image.size == (200, 400)
    assert near(image.getpixel((100, 50)), RED)  # the stored left half is now on top
    assert near(image.getpixel((100, 350)), BLUE)
    assert opened(result.thumb).size == (200, 400)  # small already: never enlarged


def test_a_big_sideways_photo_is_turned_upright_as_well_as_shrunk() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    data = encode(halves((5000, 2500), RED, BLUE), "JPEG", exif=exif, quality=90)

    result = process(data)

    assert (result.width, result.height) == (1024, 2048)
    full = opened(result.full)
    assert near(full.getpixel((512, 200)), RED) and near(full.getpixel((512, 1800)), BLUE)
    assert opened(result.thumb).size == (240, 480)


def test_a_big_png_with_alpha_is_shrunk_and_laid_on_white() -> None:
    image = Image.new("RGBA", (6200, 3100), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 3100, 3100))

    full = opened(process(encode(image, "PNG")).full)

    assert full.size == (2048, 1024)
    assert near(full.getpixel((300, 500)), BLUE) and near(full.getpixel((1800, 500)), WHITE, tolerance=8)


def test_a_photo_with_a_broken_exif_block_is_kept_without_it() -> None:
    broken = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\x00\x05\xff\xff\xff\xff"  # five entries promised, none there
    result = process(encode(Image.new("RGB", (100, 50), RED), "JPEG", exif=broken))
    assert (result.width, result.height) == (100, 50)
    assert b"Exif" not in result.full


@pytest.mark.parametrize(
    "data",
    [
        b"hello, this is a text file renamed photo.jpg\n" * 40,
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.4\n" + b"0" * 500,
        b"",
        b"\xff\xd8\xff",  # a JPEG's first bytes and nothing else
    ],
    ids=["text", "svg", "pdf", "empty", "jpeg-magic-only"],
)
def test_what_is_not_an_image_is_refused_whatever_its_name(data: bytes) -> None:
    with pytest.raises(NotAnImage) as refused:
        process(data)
    assert str(refused.value)


def test_an_image_format_phones_do_not_send_is_refused_unread() -> None:
    with pytest.raises(NotAnImage):
        process(encode(Image.new("RGB", (20, 20), RED), "TIFF"))


def test_a_truncated_jpeg_is_refused() -> None:
    data = encode(halves((800, 600), RED, BLUE), "JPEG", quality=95)
    with pytest.raises(NotAnImage, match=r"truncated|broken|OSError"):
        process(data[: len(data) // 2])


def png_bomb(width: int, height: int, rows: int | None = None) -> bytes:
    """A decompression bomb: a PNG of `width` x `height` black pixels, a few hundred KB compressed.

    With `rows`, only that many rows of data follow the header (the header alone is what must be refused).
    """

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + width)  # filter byte, then one greyscale byte a pixel
    body = b"".join(compressor.compress(row) for _ in range(height if rows is None else rows)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (100_000, 100_000)],  # over our bound; over even Pillow's own
)
def test_a_huge_dimension_png_is_refused_quickly_without_decoding(width: int, height: int) -> None:
    data = png_bomb(width, height, rows=None if width * height < 10**9 else 10)
    assert width * height > MAX_PIXELS and len(data) < 2_000_000
    before = Image.core.get_stats()["new_count"]
    started = time.perf_counter()

    with pytest.raises(NotAnImage, match="too many pixels"):
        process(data)

    assert time.perf_counter() - started < 0.5
    assert Image.core.get_stats()["new_count"] == before  # not one image buffer was allocated


def test_a_big_photo_is_scaled_to_2048_and_its_thumbnail_to_480() -> None:
    result = process(encode(halves((4000, 3000), RED, BLUE), "JPEG", quality=90))

    assert isinstance(result, Processed)
    assert (result.width, result.height) == (2048, 1536)
    full, thumb = opened(result.full), opened(result.thumb)
    assert full.size == (2048, 1536) and thumb.size == (480, 360)
    assert near(full.getpixel((100, 700)), RED) and near(full.getpixel((1900, 700)), BLUE)
    assert near(thumb.getpixel((20, 180)), RED) and near(thumb.getpixel((460, 180)), BLUE)
    assert full.mode == thumb.mode == "RGB"


def test_a_tall_photo_is_bounded_on_its_long_side() -> None:
    result = process(encode(Image.new("RGB", (1000, 5000), BLUE), "PNG"))
    assert (result.width, result.height) == (410, 2048)
    assert opened(result.thumb).size == (96, 480)


def test_a_png_with_transparency_is_laid_on_white() -> None:
    image = Image.new("RGBA", (300, 200), (0, 0, 0, 0))  # fully transparent black
    image.paste((255, 0, 0, 255), (0, 0, 150, 200))  # an opaque red left half

    result = process(encode(image, "PNG"))

    full = opened(result.full)
    assert full.mode == "RGB" and full.size == (300, 200)
    assert near(full.getpixel((50, 100)), RED)
    assert near(full.getpixel((250, 100)), WHITE, tolerance=8)


def test_a_webp_is_accepted_and_comes_out_as_jpeg() -> None:
    result = process(encode(halves((640, 360), RED, BLUE), "WEBP", quality=90))
    full = opened(result.full)
    assert full.size == (640, 360) and (result.width, result.height) == (640, 360)
    assert near(full.getpixel((100, 180)), RED) and near(full.getpixel((540, 180)), BLUE)


def test_an_animation_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (120, 80), colour) for colour in (RED, BLUE, GREEN)]
    for fmt in ("GIF", "WEBP"):
        data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)
        full = opened(process(data).full)
        assert full.size == (120, 80)
        assert near(full.getpixel((60, 40)), RED), fmt


def test_a_gif_with_a_transparent_colour_is_laid_on_white() -> None:
    image = Image.new("P", (40, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 20, 40))
    full = opened(process(encode(image, "GIF", transparency=0)).full)
    assert near(full.getpixel((5, 20)), RED) and near(full.getpixel((35, 20)), WHITE, tolerance=8)


def test_importing_the_app_or_this_module_does_not_load_pillow() -> None:
    """Cold start: the API's Lambda imports the package; Pillow loads only when a photo is processed."""
    probe = "import sys, app, chalicelib.adapters.images; print(any(m.startswith('PIL') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stderr
