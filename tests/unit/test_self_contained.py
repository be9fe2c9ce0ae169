"""A clone alone passes: no test, benchmark or tool reads a file outside the repository.

The contract's parts the tests read (docs/API.md, docs/openapi.json, docs/cad-incident.schema.json, the Open311
schemas in tests/functional/open311/) are files of the repository. This reads the source of tests/, bench/, tools/
and local/ (without running it) and finds every path it builds from `__file__` (`ROOT / "docs" / ...`), every
relative path it opens by name, and every literal naming a place outside the checkout (`/work/...`, `../shared`,
`~/...`): each must stay inside the repository and, unless it is something a build or a run writes, exist.
"""

from __future__ import annotations

import ast
import os
import re
from functools import cache
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
SCANNED = ("tests", "bench", "tools", "local")
# What a build or a run writes (see .gitignore): a path there need not exist in a fresh clone.
GENERATED = ("dist", ".data", "web/dist", "node_modules", "test-results", ".chalice/deployments")
OUTSIDE = re.compile(r"^(\.\./|~/|/(work|home|root|mnt|Users)/)\S|/work/")
# The API's workbench routes (docs/API.md, "Workbench and review"): addresses of the app, not of this machine.
API_ROUTE = re.compile(r"^(/api)?/work/(queue|board|review)(?=$|[/?])")
# Literals that name an outside path on purpose: (file, literal) -> why.
ALLOWED = {
    ("tests/unit/test_readme_links.py", "../shared/API.md"): "an outside link the README check must catch",
    ("tests/functional/test_photos_red_team.py", "../photos/x"): "a path-like upload id the API must refuse",
}


# A module can name a path only through one of these (or a name it imports from a module that has `__file__`):
# the rest are not parsed, which keeps this test well under a second.
MAY_NAME_A_PATH = re.compile(r"__file__|/work|\.\./|~/|(Path|open)\(['\"]")


@cache
def sources() -> list[Path]:
    """The modules of tests/, bench/, tools/ and local/ that may name a path."""
    every = sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py") if "node_modules" not in p.parts)
    texts = {p: p.read_text(encoding="utf-8") for p in every}
    direct = [p for p in every if MAY_NAME_A_PATH.search(texts[p])]
    names = {name for p in direct if "__file__" in texts[p] for name in anchors_of(p)}
    imported = re.compile(rf"import[^\n]*\b({'|'.join(map(re.escape, sorted(names)))})\b") if names else None
    return [p for p in every if p in direct or (imported is not None and imported.search(texts[p]))]


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@cache
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def module_file(name: str) -> Path | None:
    """The repository file of a dotted module name, if it is one."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


class Paths:
    """Evaluates the path expressions of one module: `Path(__file__)...`, and names bound to them."""

    def __init__(self, path: Path, module: ast.Module) -> None:
        self.path = path
        self.anchors: dict[str, Path] = {}
        for node in module.body:
            if isinstance(node, ast.ImportFrom) and node.module and (found := module_file(node.module)):
                for alias in node.names:
                    if (target := anchors_of(found).get(alias.name)) is not None:
                        self.anchors[alias.asname or alias.name] = target
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = self.evaluate(node.value)
                if value is not None:
                    self.anchors[node.targets[0].id] = value[0]

    def evaluate(self, node: ast.expr) -> tuple[Path, bool] | None:
        """Return (the path, whether all of it is literal), for an expression anchored at this file; else None."""
        if isinstance(node, ast.Name):
            return (self.anchors[node.id], True) if node.id in self.anchors else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Path" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Name) and first.id == "__file__":
                return self.path, True
            if isinstance(first, ast.BinOp | ast.Name):  # Path(ROOT / "docs" / ...)
                return self.evaluate(first)
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "resolve":
            return self.evaluate(node.func.value)
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            inner = self.evaluate(node.value)
            return (inner[0].parent, inner[1]) if inner else None
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) and node.value.attr == "parents":
            inner = self.evaluate(node.value.value)
            if inner is None or not isinstance(node.slice, ast.Constant) or not isinstance(node.slice.value, int):
                return None
            return inner[0].parents[node.slice.value], inner[1]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = self.evaluate(node.left)
            if left is None:
                return None
            if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
                return left[0] / node.right.value, left[1]
            return left[0], False  # a computed part: the literal prefix is what can be checked
        return None


@cache
def anchors_of(path: Path) -> dict[str, Path]:
    return Paths(path, tree(path)).anchors


def built_paths(path: Path, module: ast.Module) -> list[tuple[int, Path, bool]]:
    """Every (line, path, all literal) a module builds from `__file__` or opens by a relative literal name."""
    paths = Paths(path, module)
    found: list[tuple[int, Path, bool]] = []
    nodes: list[ast.AST] = [module]
    while nodes:  # outermost expressions first: `ROOT / "docs" / "x"` is one path, not three
        node = nodes.pop()
        value = paths.evaluate(node) if isinstance(node, ast.BinOp | ast.Call | ast.Attribute | ast.Subscript) else None
        if value is not None:
            found.append((node.lineno, normal(value[0]), value[1]))  # type: ignore[attr-defined]
            continue
        nodes.extend(ast.iter_child_nodes(node))
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("Path", "open")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and "/" in node.args[0].value
            and not node.args[0].value.startswith("/")
        ):
            found.append((node.lineno, normal(ROOT / node.args[0].value), True))  # run from the root
    return found


def normal(path: Path) -> Path:
    """The path with `..` taken out, symbolic links kept (node_modules and .venv may be links to a shared copy)."""
    return Path(os.path.normpath(path))


def generated(path: Path) -> bool:
    return any(path == ROOT / g or ROOT / g in path.parents for g in GENERATED)


def outside_literals(path: Path, module: ast.Module) -> list[tuple[int, str]]:
    """String literals (and f-string parts) that name a place outside the checkout."""
    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and OUTSIDE.search(node.value.strip()):
            allowed = (
                bool(API_ROUTE.match(node.value.strip()))
                or (relative(path), node.value) in ALLOWED
                or (path == HERE and node.value in dict(ALLOWED.keys()).values())
            )
            if re.fullmatch(r"[^\s()\[\]<>]+", node.value.strip()) and not allowed:
                found.append((node.lineno, node.value))
    return found


def test_the_scan_sees_the_contract_files_the_tests_read() -> None:
    built = {p for source in sources() for _, p, _ in built_paths(source, tree(source))}
    for contract in ("docs/cad-incident.schema.json", "docs/openapi.json", "tests/functional/open311"):
        assert ROOT / contract in built, contract


def problems(source: Path, module: ast.Module) -> list[str]:
    """What in one module points outside the repository, or at a file a clone does not have."""
    found = [f"line {line}: a literal names {text!r}" for line, text in outside_literals(source, module)]
    for line, path, literal in built_paths(source, module):
        if path != ROOT and ROOT not in path.parents:
            found.append(f"line {line}: {path} is outside the repository")
        elif not path.exists() and not generated(path):
            kind = "" if literal else " (the literal part of a computed path)"
            found.append(f"line {line}: {relative(path)}{kind} is not in the repository")
    return found


@pytest.mark.parametrize("source", sources(), ids=relative)
def test_no_path_leaves_the_repository_and_every_input_exists(source: Path) -> None:
    assert problems(source, tree(source)) == []


@pytest.mark.parametrize(
    "code,problem",
    [
        ("SPEC = open('/work/shared/API.md').read()", "literal"),
        ("from pathlib import Path\nA = Path(__file__).resolve().parents[3] / 'shared' / 'API.md'", "outside"),
        ("from pathlib import Path\nROOT = Path(__file__).parents[2]\nX = ROOT / 'docs' / 'NOPE.md'", "not in"),
        ("DOC = '../shared/DESIGN.md'", "literal"),
    ],
)
def test_the_scan_catches_a_path_outside_or_missing(code: str, problem: str) -> None:
    found = problems(HERE, ast.parse(code))  # read as if it were this file

    assert len(found) == 1 and problem in found[0], found
