"""Bundle and fingerprint the page: web/ (sources) -> web/dist/ (what the proxy and CloudFront serve).

    python -m tools.build_web [--force] [--site-url https://example.org/]

Each page of web/*.html names one module script and one stylesheet. esbuild (npm, pinned in
package-lock.json; `npm ci` runs when node_modules lacks it) bundles every module a script imports, and
the stylesheet, into web/dist/assets/<name>.<content hash>.js|css; the pages are copied with their
references rewritten, the icon inlined, so a first visit is the HTML, one script, one stylesheet and the
data. A page's line `<!-- include partials/<name>.html key="value" ... -->` is replaced by that file of
web/partials/ with its `{{key}}` slots filled (the head and header the pages share); the partials
themselves are not copied. Everything else in web/ (the icon file, images) is copied as it is. Files under
/assets/ never change under one name: they are cached for a year (`immutable`); pages are `no-cache`.

web/dist/manifest.json names each page's assets and a digest of the inputs: a build whose inputs have not
changed is skipped (local/devstack.py and the tests call `ensure()`, so a stale bundle is never served).

The share page shows one QR code, of the site's own address, rendered here by segno as web/dist/site-qr.svg.
The address is the deployment's (CloudFront's or a custom domain), known once the stack exists, so it is an
input of the build: `--site-url` or SITE_URL; tools/deploy.py builds with the stack's SiteUrl. Without one
the build has no QR. A local stack, one per port, serves its own copy (`write_site_qr`, local/devstack.py).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
DIST = WEB / "dist"
ASSETS = "assets"
MANIFEST = "manifest.json"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
SCRIPT = re.compile(r'<script type="module" src="/(js/[\w.-]+\.js)"></script>')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="/(css/[\w.-]+\.css)">')
ICON = re.compile(r'<link rel="icon" href="/([\w.-]+\.svg)" type="image/svg\+xml">')
INCLUDE = re.compile(r'^<!-- include (partials/[\w.-]+\.html)((?: [\w-]+="[^"]*")*) -->\n', re.M)
PARAMETER = re.compile(r'([\w-]+)="([^"]*)"')
SLOT = re.compile(r"\{\{([\w-]+)\}\}")
# A year, the longest a cache keeps anything; the name changes when the content does.
IMMUTABLE = "public, max-age=31536000, immutable"
# Pages (and unfingerprinted files) are asked for again each time: a 304 when nothing changed.
REVALIDATE = "no-cache"
SITE_QR = "site-qr.svg"


class BuildError(RuntimeError):
    """The page could not be built."""


def cache_control(key: str) -> str:
    """Return the Cache-Control a file of web/dist is served with (the proxy and S3 alike)."""
    return IMMUTABLE if key.startswith(ASSETS + "/") else REVALIDATE


def site_address(url: str) -> str:
    """The address the QR code encodes: the site's root, with its slash."""
    return url.rstrip("/") + "/"


def site_qr(url: str) -> str:
    """Return the SVG of the site's QR code (error correction M, no micro code), drawn as one path.

    It has no size of its own (the page's stylesheet sizes it) and names the address in its title.
    """
    import segno

    address = site_address(url)
    out = io.BytesIO()
    segno.make(address, error="m", micro=False, boost_error=False).save(
        out, kind="svg", border=4, xmldecl=False, omitsize=True, title=address, svgclass="qr-code", lineclass=None
    )
    return out.getvalue().decode("utf-8") + "\n"


def write_site_qr(url: str, folder: Path) -> Path:
    """Write the site's QR code as folder/site-qr.svg."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SITE_QR
    path.write_text(site_qr(url), encoding="utf-8")
    return path


def _inputs(web: Path) -> list[Path]:
    skip = web / "dist"
    return sorted(
        p
        for p in web.rglob("*")
        if p.is_file() and skip not in p.parents and not any(part.startswith(".") for part in p.relative_to(web).parts)
    )


def digest(web: Path = WEB, site_url: str | None = None) -> str:
    """Hash every source file of web/, the pinned esbuild and the site's address: what a build depends on."""
    sha = hashlib.sha256()
    if site_url:
        sha.update(b"site\0" + site_address(site_url).encode() + b"\0")
    named = [(p.relative_to(web).as_posix(), p) for p in _inputs(web)]
    named += [("package-lock.json", ROOT / "package-lock.json"), ("tools/build_web.py", Path(__file__))]
    for name, path in named:
        if path.exists():
            sha.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def _npm_ci() -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is missing: install Node.js 20 (apt-get install -y nodejs npm)")
    # A fixed argv: npm's own clean install of the pinned lock file.
    result = subprocess.run(  # noqa: S603
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0 or not ESBUILD.exists():
        raise BuildError(f"npm ci failed:\n{result.stdout}\n{result.stderr}")


def _esbuild(entries: list[str], web: Path, out: Path) -> dict[str, str]:
    """Bundle the entries (paths under web/); return {entry: its output path under out}."""
    if not ESBUILD.exists():
        _npm_ci()
    metafile = out / "meta.json"
    command = [
        str(ESBUILD),
        *entries,
        "--bundle",
        "--format=esm",
        "--minify",
        "--charset=utf8",
        "--entry-names=[name].[hash]",
        f"--outdir={out / ASSETS}",
        f"--metafile={metafile}",
        "--log-level=warning",
    ]
    # A fixed argv: the pinned esbuild on our own paths.
    result = subprocess.run(command, cwd=web, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BuildError(f"esbuild failed:\n{result.stderr}")
    meta: dict[str, Any] = json.loads(metafile.read_text("utf-8"))
    metafile.unlink()
    outputs: dict[str, str] = {}
    for output, info in meta["outputs"].items():
        if info.get("entryPoint"):
            outputs[info["entryPoint"]] = f"{ASSETS}/{Path(output).name}"
    return outputs


def expand(html: str, web: Path = WEB, depth: int = 0) -> str:
    """Replace each include line by its partial, with the partial's `{{key}}` slots filled from the line."""
    if depth > 4:
        raise BuildError("partials include each other too deeply")

    def include(found: re.Match[str]) -> str:
        path = web / found.group(1)
        if not path.is_file():
            raise BuildError(f"no partial {found.group(1)}")
        values = dict(PARAMETER.findall(found.group(2)))

        def fill(slot: re.Match[str]) -> str:
            if slot.group(1) not in values:
                raise BuildError(f"{found.group(1)} needs {slot.group(1)}=")
            return values[slot.group(1)]

        return expand(SLOT.sub(fill, path.read_text("utf-8")), web, depth + 1)

    return INCLUDE.sub(include, html)


def _data_uri(path: Path) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _swap(new: Path, dist: Path) -> None:
    """Put a finished build in place of the old one; if another process's build got there first, keep it."""
    old = dist.parent / f".dist-old-{os.getpid()}"
    try:
        dist.rename(old)
    except FileNotFoundError:
        pass
    try:
        new.rename(dist)
    except OSError:
        shutil.rmtree(new, ignore_errors=True)  # the same inputs built by another process
    shutil.rmtree(old, ignore_errors=True)


def build(web: Path = WEB, dist: Path = DIST, site_url: str | None = None) -> dict[str, Any]:
    """Build web/dist from web/ (and the site's QR code, given its address) and return its manifest."""
    pages = sorted(web.glob("*.html"))
    entries: dict[str, list[str]] = {}
    for page in pages:
        html = expand(page.read_text("utf-8"), web)
        found = SCRIPT.findall(html) + STYLESHEET.findall(html)
        if len(found) != 2 or not found[0].endswith(".js"):
            raise BuildError(f"{page.name} must name one module script and one stylesheet")
        entries[page.name] = found  # [script, stylesheet]
    dist.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dist.parent, prefix=".dist-") as folder:
        out = Path(folder)
        out.chmod(0o755)
        made = _esbuild(sorted({entry for found in entries.values() for entry in found}), web, out)
        for path in _inputs(web):
            key = path.relative_to(web).as_posix()
            if path.suffix in (".js", ".css", ".html") or key.startswith(ASSETS + "/"):
                continue
            (out / key).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out / key)
        if site_url:
            write_site_qr(site_url, out)
        manifest: dict[str, Any] = {"digest": digest(web, site_url), "pages": {}}
        for page in pages:
            html = expand(page.read_text("utf-8"), web)
            html = SCRIPT.sub(lambda m: f'<script type="module" src="/{made[m.group(1)]}"></script>', html)
            html = STYLESHEET.sub(lambda m: f'<link rel="stylesheet" href="/{made[m.group(1)]}">', html)
            html = ICON.sub(
                lambda m: f'<link rel="icon" href="{_data_uri(web / m.group(1))}" type="image/svg+xml">', html
            )
            (out / page.name).write_text(html, encoding="utf-8")
            manifest["pages"][page.name] = [made[entry] for entry in entries[page.name]]
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _swap(out, dist)
        out.mkdir()  # for TemporaryDirectory's clean-up
    return manifest


def manifest(dist: Path = DIST) -> dict[str, Any] | None:
    """Return web/dist's manifest, or None when there is no build."""
    path = dist / MANIFEST
    if not path.exists():
        return None
    found: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return found


def ensure(web: Path = WEB, dist: Path = DIST, site_url: str | None = None) -> bool:
    """Build web/dist unless it is up to date; return whether it built."""
    current = manifest(dist)
    if current is not None and current.get("digest") == digest(web, site_url):
        return False
    build(web, dist, site_url)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="build even when web/ has not changed")
    parser.add_argument(
        "--site-url", default=os.environ.get("SITE_URL"), help="the site's address, for its QR code (SITE_URL)"
    )
    args = parser.parse_args(argv)
    try:
        if args.force:
            build(site_url=args.site_url)
            built = True
        else:
            built = ensure(site_url=args.site_url)
    except BuildError as error:
        print(f"build_web: {error}", file=sys.stderr)
        return 1
    found = manifest() or {}
    for page, assets in found.get("pages", {}).items():
        print(f"web/dist/{page}: {', '.join(assets)}" + ("" if built else " (up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
