"""Red team of photo processing (issue 18): disguised files, odd pixel formats and metadata in unusual places."""

from __future__ import annotations

import struct
import time
import zlib

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from chalicelib.adapters.images import MAX_SIDE, NotAnImage, process
from tests.unit.test_images import encode, near, opened

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
SECRETS = (b"SECRET", b"40.65", b"GPS", b"Exif", b"<x:xmpmeta", b"<script", b"<html")


def marked(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """Red, with a blue square in the top-left corner: where that corner lands shows how the image was turned."""
    image = Image.new("RGB", size, RED)
    image.paste(BLUE, (0, 0, size[0] // 4, size[1] // 2))
    return image


def corners(image: Image.Image) -> list[bool]:
    """Which corners are blue: top-left, top-right, bottom-left, bottom-right."""
    w, h = image.width - 2, image.height - 2
    return [near(image.convert("RGB").getpixel(at), BLUE, 80) for at in ((1, 1), (w, 1), (1, h), (w, h))]


# Where the top-left blue corner of the stored pixels must end up once the orientation is applied (EXIF 1-8).
UPRIGHT = {
    2: [False, True, False, False],
    3: [False, False, False, True],
    4: [False, False, True, False],
    5: [True, False, False, False],
    6: [False, True, False, False],
    7: [False, False, False, True],
    8: [False, False, True, False],
}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
@pytest.mark.parametrize("orientation", sorted(UPRIGHT))
def test_every_exif_orientation_is_applied_in_every_accepted_format(fmt: str, orientation: int) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    done = process(encode(marked(), fmt, exif=exif))
    image = opened(done.full)
    assert image.size == ((20, 40) if orientation >= 5 else (40, 20)) == (done.width, done.height)
    assert corners(image) == UPRIGHT[orientation]
    assert not image.getexif() and opened(done.thumb).size == image.size


def test_a_png_carrying_gps_in_exif_text_and_itxt_chunks_comes_out_without_any_of_it() -> None:
    exif = Image.Exif()
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 39.0, 12.5)
    exif[ExifTags.Base.Make] = "SECRET-CAMERA"
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "SECRET 40.657891,109.840123")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>SECRET-XMP</x:xmpmeta>", zip=True)
    done = process(encode(marked(), "PNG", exif=exif, pnginfo=info))
    for secret in SECRETS:
        assert secret not in done.full and secret not in done.thumb, secret
    assert opened(done.full).info.keys() <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "progressive"}


def test_a_16_bit_greyscale_png_keeps_its_tones() -> None:
    image = Image.new("I;16", (64, 32), 0x8000)  # mid-grey
    image.paste(Image.new("I;16", (32, 32), 0x1000), (0, 0))  # darker on the left (an int paste gives 0 here)
    done = opened(process(encode(image, "PNG")).full).convert("L")
    right, left = done.getpixel((50, 10)), done.getpixel((10, 10))
    assert isinstance(right, int) and isinstance(left, int)
    assert abs(right - 128) <= 10 and abs(left - 16) <= 10


def test_a_48_bit_colour_png_keeps_its_colours() -> None:
    raw = b"".join(b"\x00" + struct.pack(">HHH", 0xFFFF, 0, 0) * 8 for _ in range(8))  # 8x8 red, 16 bits a sample
    header = struct.pack(">IIBBBBB", 8, 8, 16, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    assert near(opened(process(png).full).getpixel((4, 4)), RED)


def test_a_cmyk_jpeg_comes_out_in_its_colours() -> None:
    done = opened(process(encode(Image.new("CMYK", (32, 16), (0, 255, 255, 0)), "JPEG")).full)
    assert done.mode == "RGB" and near(done.getpixel((8, 8)), RED)


@pytest.mark.parametrize("size", [(1, 100_000), (100_000, 1), (3, 40_000)])
def test_a_thin_strip_is_bounded_and_keeps_at_least_one_pixel_across(size: tuple[int, int]) -> None:
    done = process(encode(Image.new("L", size, 90), "PNG"))
    assert max(done.width, done.height) == MAX_SIDE and min(done.width, done.height) >= 1
    assert min(opened(done.thumb).size) >= 1


def test_an_animated_webp_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in (RED, BLUE, WHITE)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, lossless=True)
    assert near(opened(process(data).full).getpixel((16, 16)), RED)


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9" height="9"/></svg>',
        b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        b"GIF89a<script>alert(1)</script>",
        b"\xff\xd8\xff\xe0<html><script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n<script>alert(1)</script>",
        b"RIFF\x10\x00\x00\x00WEBPVP8 <script>",
        b"II*\x00\x08\x00\x00\x00",  # TIFF: not a format phones send
    ],
)
def test_a_disguised_or_headed_but_broken_file_is_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        process(data)


def test_a_polyglot_jpeg_with_html_after_its_end_is_kept_as_a_photo_without_the_html() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SECRET"
    data = encode(marked(), "JPEG", exif=exif, comment=b"<script>alert(1)</script>")
    done = process(data + b"<html><script>alert(1)</script></html>")
    for secret in SECRETS:
        assert secret not in done.full and secret not in done.thumb, secret


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "JPEG"])
def test_a_huge_canvas_claimed_by_a_small_file_of_another_format_is_refused_quickly(fmt: str) -> None:
    small = encode(Image.new("RGB" if fmt != "GIF" else "P", (16, 16)), fmt)
    if fmt == "GIF":
        forged = small[:6] + struct.pack("<HH", 60000, 60000) + small[10:]
    elif fmt == "BMP":
        forged = small[:18] + struct.pack("<ii", 60000, 60000) + small[26:]
    else:
        at = small.index(b"\xff\xc0") + 5
        forged = small[:at] + struct.pack(">HH", 60000, 60000) + small[at + 4 :]
    started = time.monotonic()
    with pytest.raises(NotAnImage):
        process(forged)
    assert time.monotonic() - started < 2


def test_a_png_whose_text_chunk_inflates_hugely_is_refused_or_processed_without_it() -> None:
    bomb = zlib.compress(b"A" * 50_000_000, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = encode(Image.new("RGB", (8, 8), RED), "PNG")
    data = png[:33] + chunk(b"zTXt", b"Comment\x00\x00" + bomb) + png[33:]
    started = time.monotonic()
    try:
        done = process(data)
    except NotAnImage:
        pass
    else:
        assert b"AAAA" not in done.full
    assert time.monotonic() - started < 5
