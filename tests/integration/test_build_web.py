"""`make web`: esbuild bundles every module a page's script imports, fingerprints it, and rewrites the pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.qr_symbol import drawn, expected
from tools import build_web


def copy_of_web(tmp_path: Path) -> Path:
    web = tmp_path / "web"
    shutil.copytree(build_web.WEB, web, ignore=shutil.ignore_patterns("dist"))
    return web


def test_a_module_app_js_imports_is_in_the_one_bundle_and_a_change_renames_it(tmp_path: Path) -> None:
    web = copy_of_web(tmp_path)
    dist = tmp_path / "dist"
    # What another helper's merge does: a new module, imported by app.js.
    (web / "js" / "added.js").write_text('export const marker = "新模块已打包";\n', encoding="utf-8")
    app = web / "js" / "app.js"
    app.write_text(
        'import { marker } from "./added.js";\nconsole.debug(marker);\n' + app.read_text("utf-8"), encoding="utf-8"
    )
    first = build_web.build(web, dist)
    script, style = first["pages"]["index.html"]
    assert re.fullmatch(r"assets/app\.[A-Z0-9]{8}\.js", script) and re.fullmatch(
        r"assets/site\.[A-Z0-9]{8}\.css", style
    )
    assert "新模块已打包" in (dist / script).read_text("utf-8")
    assert "import " not in (dist / script).read_text("utf-8")  # nothing left to fetch at run time
    page = (dist / "index.html").read_text("utf-8")
    assert f'src="/{script}"' in page and f'href="/{style}"' in page and "/js/" not in page
    assert 'rel="icon" href="data:image/svg+xml;base64,' in page  # no request for the icon
    assert "default-src 'self'" in page  # the strict CSP is kept

    assert build_web.ensure(web, dist) is False  # nothing changed: no build
    (web / "js" / "added.js").write_text('export const marker = "改过了";\n', encoding="utf-8")
    assert build_web.ensure(web, dist) is True
    renamed = build_web.manifest(dist)
    assert renamed is not None and renamed["pages"]["index.html"][0] != script
    assert not (dist / script).exists()


def test_every_page_gets_its_own_script_and_the_shared_stylesheet(tmp_path: Path) -> None:
    found = build_web.build(copy_of_web(tmp_path), tmp_path / "dist")
    pages = found["pages"]
    assert set(pages) == {"index.html", "reply.html", "outbox.html", "work.html"}
    assert len({p[1] for p in pages.values()}) == 1  # one stylesheet, cached once for all pages
    scripts = [p[0].split(".")[0] for p in pages.values()]
    assert scripts == ["assets/app", "assets/outbox", "assets/reply", "assets/work"]


def test_the_pages_get_the_shared_head_and_header_from_web_partials(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build_web.build(copy_of_web(tmp_path), dist)
    assert not (dist / "partials").exists()  # the partials are built into the pages, not served
    tagline = '<span class="brand-tagline" data-i18n="{}">{}</span>'
    for name, title, key, text in [
        ("index.html", "24小时警局", "site.tagline", "包头市公安局 · 网上警民互动平台"),
        ("reply.html", "民警处理页 · 24小时警局", "reply.title", "民警处理页"),
        ("outbox.html", "本地发件箱 · 24小时警局", "outbox.title", "本地发件箱"),
        ("work.html", "警务工作台 · 24小时警局", "work.title", "警务工作台"),
    ]:
        page = (dist / name).read_text("utf-8")
        assert page.startswith('<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'), name
        assert "<!-- include" not in page and "{{" not in page, name
        assert page.count(f"<title>{title}</title>") == 1 and page.count(tagline.format(key, text)) == 1, name
        assert page.count("Content-Security-Policy") == 1, name
        first_loader = min(page.index("<script"), page.index("<link"))
        assert page.index("Content-Security-Policy") < first_loader < page.index("</head>\n<body>"), name
        assert page.count('<a class="skip" href="#main"') == 1 and page.count('id="lang-toggle"') == 1, name
    metas = {
        name: re.findall(r'<meta name="(referrer|robots)" content="([\w-]+)">', (dist / name).read_text("utf-8"))
        for name in ("index.html", "reply.html", "outbox.html", "work.html")
    }
    assert metas == {
        "index.html": [("referrer", "same-origin")],
        "reply.html": [("referrer", "no-referrer"), ("robots", "noindex")],
        "outbox.html": [("referrer", "no-referrer"), ("robots", "noindex")],
        "work.html": [("referrer", "no-referrer"), ("robots", "noindex")],
    }


def test_an_include_fills_its_slots_nests_and_refuses_what_it_cannot_fill(tmp_path: Path) -> None:
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "outer.html").write_text('<p>{{a}}</p>\n<!-- include partials/inner.html b="{{a}}!" -->\n')
    (tmp_path / "partials" / "inner.html").write_text("<i>{{b}}</i>\n")
    page = '<body>\n<!-- include partials/outer.html a="甲" -->\n</body>\n'
    assert build_web.expand(page, tmp_path) == "<body>\n<p>甲</p>\n<i>甲!</i>\n</body>\n"
    with pytest.raises(build_web.BuildError, match="needs a="):
        build_web.expand("<!-- include partials/outer.html -->\n", tmp_path)
    with pytest.raises(build_web.BuildError, match="no partial"):
        build_web.expand("<!-- include partials/missing.html -->\n", tmp_path)
    (tmp_path / "partials" / "loop.html").write_text("<!-- include partials/loop.html -->\n")
    with pytest.raises(build_web.BuildError, match="too deeply"):
        build_web.expand("<!-- include partials/loop.html -->\n", tmp_path)


@pytest.mark.parametrize(
    "url", ["https://d111111abcdef8.cloudfront.net", "https://24.police.example/", "http://127.0.0.1:8123"]
)
def test_the_site_qr_code_is_segnos_symbol_of_the_address(url: str) -> None:
    svg = build_web.site_qr(url)
    address = url.rstrip("/") + "/"
    assert drawn(svg) == expected(address)
    assert f"<title>{address}</title>" in svg and svg.count("<path") == 1
    assert 'width="' not in svg.split(">", 1)[0]  # the page's stylesheet sizes it


def test_the_build_draws_the_qr_code_of_the_address_it_is_given(tmp_path: Path) -> None:
    web, dist = copy_of_web(tmp_path), tmp_path / "dist"
    build_web.build(web, dist)
    assert not (dist / build_web.SITE_QR).exists()  # no address, no QR code
    assert not (dist / "js").exists() and not any(dist.rglob("qr*.js"))
    assert build_web.ensure(web, dist, site_url="https://24.police.example") is True  # a new address: a build
    assert drawn((dist / build_web.SITE_QR).read_text("utf-8")) == expected("https://24.police.example/")
    assert build_web.ensure(web, dist, site_url="https://24.police.example/") is False
    assert build_web.cache_control(build_web.SITE_QR) == build_web.REVALIDATE  # one name, so revalidated
