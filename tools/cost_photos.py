"""`make cost`'s photo lines (issue 18): S3 storage and requests, the processing Lambda, CloudFront transfer.

Every figure below that is not a price or the seed's load is a guess, marked `guess`: nothing measured
them yet (no production photos; `make bench` counts DynamoDB calls, not Pillow's time). The sizes are the
processor's targets (chalicelib/adapters/images.py: 2048 px full, 480 px thumbnail), the request counts
follow the S3 key layout (/work/wt/PHOTOS.md, docs/DEPLOY.md):

    browser --POST--> uploads/<id>                                      1 PUT-class request
    processor: HEAD photos/<id>/full.jpg (idempotency), GET upload      2 GET-class
               PUT full.jpg and thumb.jpg (tagged state=unused)         2 PUT-class
               DELETE upload                                            free
    post claims it: PutObjectTagging state=used on both                 2 PUT-class
    public post: COPY both to media/<id>/ (CloudFront reads them)       2 PUT-class (COPY is billed as PUT)
    lifecycle expirations                                               free

Readers get the public copies through CloudFront (`/media/*`); police-only and hidden photos go out as
signed S3 URLs to the few who may see them (priced as S3 GETs and S3's own data transfer, here as
CloudFront's rate: a small line either way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.cost import Line, Load

DAYS = 30.4
PHOTO_SERVICES = ("S3 photos", "Lambda photos")  # and CloudFront's lines whose item names photos
FEED_PAGE_POSTS = 20  # web/js/page-feed.js PAGE_SIZE
THUMBS_PER_CARD = 3  # the feed card shows at most 3 thumbnails (issue 18)


def is_photo_line(line: Line) -> bool:
    """Whether a bill line is one of photo_lines' (CloudFront's photo lines share the service's name)."""
    return line.service in PHOTO_SERVICES or line.item.startswith("photo ")


@dataclass(frozen=True)
class Photos:
    """What a month of photos looks like; `guess` marks what nothing measured."""

    post_share: float = 0.3  # guess: posts with photos
    per_post: float = 2.0  # guess: photos on a post that has some
    public_share: float = 0.8  # guess: photos of public, visible posts (copied to media/ and served by CloudFront)
    upload_kb: float = 800  # guess: the browser's 2048 px JPEG before processing (kept < 1 day)
    full_kb: float = 400  # the processed 2048 px JPEG (the brief's figure)
    thumb_kb: float = 40  # the 480 px thumbnail
    months_kept: float = 15  # storage after 15 months, as the table's line (unused photos expire in 2 days)
    warm_seconds: float = 1.5  # guess: decode, orient, resize and two encodes of a 2048 px photo at 1 GB (arm64)
    memory_gb: float = 1.0  # the processor's 1024 MB (.chalice/config.json)
    cold_share: float = 0.3  # guess: few uploads an hour at 1x, so many land on a cold instance
    init_seconds: float = 1.0  # guess: importing the app and Pillow
    thumbs_seen_share: float = 0.5  # guess: lazy-loaded thumbnails that scroll into view
    fulls_per_photo_post_view: float = 1.5  # guess: full images a reader opens on a post page with photos
    browser_cached_share: float = 0.3  # guess: views answered by the browser's immutable copy (returning readers)
    signed_views_per_private_photo: float = 3.0  # guess: officers' and the author's views of a non-public photo

    def count(self, posts: float) -> float:
        """Photos uploaded in a month of `posts` posts."""
        return posts * self.post_share * self.per_post


def photo_lines(load: Load, prices: dict[str, Any], used: dict[str, float], photos: Photos = Photos()) -> list[Line]:
    """Return the month's photo lines.

    `used` is what the bill's other lines already take of the shared always-free allowances (CloudFront's
    `cdn_gb` and `cdn_requests`, Lambda's `lambda_requests` and `lambda_gb_s`): the photos get what is left.
    """
    from tools.cost import Line, metered

    s3, lam, cf = prices["s3"], prices["lambda"], prices["cloudfront"]
    uploaded = photos.count(load.posts_per_month)
    public = uploaded * photos.public_share
    kept = photos.count(load.posts_per_month * photos.months_kept)
    stored_gb = kept * (photos.full_kb + photos.thumb_kb) * (1 + photos.public_share) / 1e6
    stored_gb += uploaded / DAYS * photos.upload_kb / 1e6  # a day's uploads wait at most a day
    puts = uploaded * (1 + 2 + 2) + public * 2
    gets = uploaded * 2 + (uploaded - public) * photos.signed_views_per_private_photo
    gb_s = uploaded * photos.memory_gb * (photos.warm_seconds + photos.cold_share * photos.init_seconds)

    visits = load.visits
    shown = 1 - photos.browser_cached_share
    feed_pages = 1 + sum(v for k, v in load.gets_per_visit.items() if k.startswith("feed"))  # the landing page's
    thumbs_per_card = photos.post_share * min(photos.per_post, THUMBS_PER_CARD) * photos.public_share
    thumbs = visits * feed_pages * FEED_PAGE_POSTS * thumbs_per_card * photos.thumbs_seen_share * shown
    fulls = (
        visits
        * load.gets_per_visit.get("post detail", 0.0)
        * photos.post_share
        * photos.fulls_per_photo_post_view
        * shown
    )
    cdn_gb = (thumbs * photos.thumb_kb + fulls * photos.full_kb) / 1e6

    def left(allowance: float, key: str) -> float:
        return max(0.0, allowance - used.get(key, 0.0))

    signed_gb = (uploaded - public) * photos.signed_views_per_private_photo * photos.full_kb / 1e6
    return [
        Line(
            "S3 photos",
            f"storage after {photos.months_kept:g} months (full, thumb, public copies)",
            stored_gb,
            "GB",
            stored_gb * s3["storage_per_gb_month"],
        ),
        Line(
            "S3 photos",
            "PUT/COPY/tagging (upload, process, claim, publish)",
            puts,
            "requests",
            puts / 1e3 * s3["per_1k_put"],
        ),
        Line(
            "S3 photos",
            "GETs (processing, signed views of private photos)",
            gets,
            "requests",
            gets / 1e3 * s3["per_1k_get"],
        ),
        metered(
            "Lambda photos",
            "processing requests",
            uploaded,
            "requests",
            lam["per_million_requests"],
            left(lam["free_tier"]["requests"], "lambda_requests"),
            per=1e6,
        ),
        metered(
            "Lambda photos",
            "processing compute (1 GB, guessed seconds)",
            gb_s,
            "GB-s",
            lam["arm64_per_gb_second"],
            left(lam["free_tier"]["gb_seconds"], "lambda_gb_s"),
        ),
        metered(
            "CloudFront",
            "photo requests (feed thumbnails, post-page photos)",
            thumbs + fulls,
            "requests",
            cf["per_10k_https_requests"],
            left(cf["free_tier"]["requests"], "cdn_requests"),
            per=1e4,
        ),
        metered(
            "CloudFront",
            "photo data out (thumbnails, full images)",
            cdn_gb,
            "GB",
            cf["per_gb_out"],
            left(cf["free_tier"]["gb_out"], "cdn_gb"),
        ),
        Line("S3 photos", "signed photo data out (police-only, hidden)", signed_gb, "GB", signed_gb * cf["per_gb_out"]),
    ]
