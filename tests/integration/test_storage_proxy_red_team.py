"""Red team of the local proxy's storage routes (issue 18): the site's origin must not let an unsigned caller read,
list, write or delete the photos bucket, which holds police-only tips' private photos (S3 refuses all of these;
moto, behind the proxy, only refuses the unsigned GET of an object)."""

from __future__ import annotations

import pytest

from tests.integration.test_storage_proxy import BUCKET, Site, _raw, site  # noqa: F401  (site is a fixture)

PRIVATE = "photos/p-red-private/full.jpg"
UNSIGNED = "the proxy forwards unsigned /storage requests to moto, which answers them: {}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/storage/{BUCKET}/{PRIVATE}"),
        ("HEAD", f"/storage/{BUCKET}/{PRIVATE}"),
        ("GET", f"/storage/{BUCKET}?list-type=2"),
        ("DELETE", f"/storage/{BUCKET}/{PRIVATE}"),
    ],
)
def test_an_unsigned_request_through_storage_is_refused(site: Site, method: str, path: str) -> None:  # noqa: F811
    site.s3.put_object(Bucket=BUCKET, Key=PRIVATE, Body=b"POLICE-ONLY-PHOTO", ContentType="image/jpeg")
    status, _, body = _raw(site.port, method, path)
    assert status in (401, 403, 404, 405), (status, body[:200])
    assert b"POLICE-ONLY-PHOTO" not in body and b"p-red-private" not in body
    assert site.s3.get_object(Bucket=BUCKET, Key=PRIVATE)["Body"].read() == b"POLICE-ONLY-PHOTO"


def test_an_unsigned_put_cannot_publish_a_page_under_media(site: Site) -> None:  # noqa: F811
    page = b"<script>alert(document.cookie)</script>"
    headers = {"Content-Type": "text/html", "Content-Length": str(len(page))}
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    try:
        connection.request("PUT", f"/storage/{BUCKET}/media/u-red-page/full.jpg", body=page, headers=headers)
        connection.getresponse().read()
    finally:
        connection.close()
    status, answer, body = _raw(site.port, "GET", "/media/u-red-page/full.jpg")
    assert status == 404 or (answer.get("content-type") == "image/jpeg" and b"<script" not in body)
