"""The project's own rules about its layout, checked on the source tree with `ast`
(in the spirit of datasette's documentation tests): the tree cannot drift from
docs/ARCHITECTURE.md without a test failing.

Data flows one way: PDF -> indexer/ (every write) -> archive on disk -> archive/ (read side)
-> webapp/ and cli/. The rules are about the shipped packages; tests/ and benchmarks/ are
harnesses that may reach into anything.

A rule that is not yet true on main is marked `xfail(strict=True)`: the moment the code makes
it true, the test reports XPASS as a failure, and the mark is to be removed.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "indexer", "webapp", "cli")
READ_SIDE = ("archive", "webapp")
SQL_WRITE_WORDS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "VACUUM")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, "archive.search.keyword"
    target: str  # the imported module, "whoosh.analysis" (for `from x import y`: x, and x.y if a module)
    line: int
    top_level: bool  # at module level (not inside a function)
    type_only: bool = False  # under `if TYPE_CHECKING:` (never executed: no edge of an import cycle)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@lru_cache(maxsize=None)
def source_files() -> tuple[Path, ...]:
    return tuple(sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py")))


@lru_cache(maxsize=None)
def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@lru_cache(maxsize=None)
def known_modules() -> frozenset[str]:
    return frozenset(module_name(p) for p in source_files())


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    is_package = path.name == "__init__.py"
    top = {id(node) for node in tree(path).body}
    type_only: set[int] = set()
    for node in tree(path).body:  # imports under a module-level `if`/`try` still run at import
        if isinstance(node, (ast.If, ast.Try)):
            top |= {id(child) for child in ast.walk(node)}
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            type_only |= {id(child) for child in ast.walk(node)}
    found = []
    for node in ast.walk(tree(path)):
        where = dict(line=node.lineno, top_level=id(node) in top, type_only=id(node) in type_only) \
            if isinstance(node, (ast.Import, ast.ImportFrom)) else {}
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, **where) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            found.append(Import(module, target, **where))
            for alias in node.names:  # `from archive.text import danish` imports a module
                if f"{target}.{alias.name}" in known_modules():
                    found.append(Import(module, f"{target}.{alias.name}", **where))
    return found


def all_imports() -> list[Import]:
    return [imp for path in source_files() for imp in imports_of(path)]


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _where(imports: list[Import]) -> list[str]:
    return [f"{imp.module}:{imp.line} imports {imp.target}" for imp in imports]


# ---------------------------------------------------------------------------- the checker itself


def test_the_checker_sees_the_tree():
    """The rules below mean something only if the walk finds the modules and their imports."""
    names = known_modules()
    assert {"archive.search.keyword", "indexer.pipeline", "webapp.views", "cli.main"} <= names
    targets = {(imp.module, imp.target) for imp in all_imports()}
    assert ("webapp.views", "archive.answers.answer") in targets
    assert ("archive.keyword.fulltext", "whoosh") in {(m, t.split(".")[0]) for m, t in targets}
    assert ("archive.keyword.fulltext", "whoosh.matching.wrappers") in targets  # an internal
    relative = ast.parse("from . import services as s\nfrom .errors import json_error\n")
    assert _resolve("webapp.views", False, relative.body[0]) == "webapp"
    assert _resolve("webapp.views", False, relative.body[1]) == "webapp.errors"
    assert any(imp.type_only for imp in all_imports() if imp.module == "indexer.store")  # numpy for annotations


# ---------------------------------------------------------------------------- imports


KEYWORD_WRITER = "indexer.keyword_index"  # the indexer's one module that writes the keyword index
WHOOSH_INTERNALS_MODULE = "archive.keyword.fulltext"  # the evaluator reads Whoosh's postings itself
WHOOSH_PUBLIC_API = ("whoosh.index", "whoosh.fields", "whoosh.query", "whoosh.analysis")


def test_whoosh_is_imported_only_by_the_keyword_engine_and_the_keyword_writer():
    offenders = [imp for imp in all_imports() if _under(imp.target, "whoosh")
                 and not (_under(imp.module, "archive.keyword") or imp.module == KEYWORD_WRITER)]
    assert not offenders, _where(offenders)


def test_whoosh_internals_are_used_in_one_module():
    """Beyond Whoosh's public API (index, fields, query, analysis), only the evaluator reaches in."""
    offenders = [imp for imp in all_imports() if _under(imp.target, "whoosh") and imp.target != "whoosh"
                 and not any(_under(imp.target, api) for api in WHOOSH_PUBLIC_API)
                 and imp.module != WHOOSH_INTERNALS_MODULE]
    assert not offenders, _where(offenders)


def test_webapp_never_imports_the_indexer():
    offenders = [imp for imp in all_imports() if _under(imp.module, "webapp") and _under(imp.target, "indexer")]
    assert not offenders, _where(offenders)


def test_the_read_side_never_imports_the_indexer():
    offenders = [imp for imp in all_imports() if _under(imp.module, "archive") and _under(imp.target, "indexer")]
    assert not offenders, _where(offenders)


def test_nothing_imports_webapp_but_the_cli():
    offenders = [imp for imp in all_imports() if _under(imp.target, "webapp")
                 and not (_under(imp.module, "webapp") or _under(imp.module, "cli"))]
    assert not offenders, _where(offenders)


def test_webapp_calls_typed_interfaces_directly():
    """No importlib look-ups, getattr probing or catch-all `except Exception` in the web app."""
    offenders = []
    for path in source_files():
        if not _under(module_name(path), "webapp"):
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
                    "importlib" in (getattr(node, "module", None) or "") or a.name == "importlib" for a in node.names):
                offenders.append(f"{path.name}:{node.lineno} importlib")
            if isinstance(node, ast.ExceptHandler) and (
                    node.type is None or (isinstance(node.type, ast.Name) and node.type.id in ("Exception", "BaseException"))):
                offenders.append(f"{path.name}:{node.lineno} catch-all except")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
                offenders.append(f"{path.name}:{node.lineno} {node.func.id}")
    assert not offenders, offenders


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def _graph(*, top_level_only: bool) -> dict[str, set[str]]:
    modules = known_modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for imp in all_imports():
        if (top_level_only and not imp.top_level) or imp.type_only:
            continue
        if imp.target in modules and imp.target != imp.module:
            # a package's __init__ is no dependency of its own modules' meaning
            if not _under(imp.module, imp.target):
                edges[imp.module].add(imp.target)
    return edges


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_at_module_level():
    assert _cycles(_graph(top_level_only=True)) == []


def test_no_import_cycles_at_all():
    """Function-level imports count too: they hide a cycle, they do not remove it."""
    assert _cycles(_graph(top_level_only=False)) == []


# ---------------------------------------------------------------------------- the read side never writes


def _read_side_files() -> list[Path]:
    return [p for p in source_files() if any(_under(module_name(p), pkg) for pkg in READ_SIDE)]


def _string_constants(node: ast.AST) -> list[ast.Constant]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def sql_writes(module: ast.Module, where: str) -> list[str]:
    """SQL statements that change data or schema, passed to execute/executemany/executescript."""
    found = []
    for node in ast.walk(module):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("execute", "executemany", "executescript") and node.args):
            continue
        for constant in _string_constants(node.args[0]):
            first = constant.value.lstrip().split(None, 1)[:1]
            if first and first[0].upper() in SQL_WRITE_WORDS:
                found.append(f"{where}:{constant.lineno} {first[0].upper()}")
    return found


def writable_connections(module: ast.Module, where: str) -> list[str]:
    """sqlite3.connect calls whose database is not opened with mode=ro."""
    found = []
    for node in ast.walk(module):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "sqlite3"):
            text = ast.unparse(node.args[0]) if node.args else ""
            if "mode=ro" not in text:
                found.append(f"{where}:{node.lineno} sqlite3.connect({text})")
    return found


def test_the_write_checkers_see_writes():
    sample = ast.parse('conn.execute("INSERT INTO t VALUES (?)", (1,))\n'
                       'conn.execute("""\n  DELETE FROM t""")\n'
                       'conn.execute("SELECT 1")\n'
                       'sqlite3.connect(path)\n'
                       'sqlite3.connect(f"file:{path}?mode=ro", uri=True)\n')
    assert [w.split()[-1] for w in sql_writes(sample, "s")] == ["INSERT", "DELETE"]
    assert writable_connections(sample, "s") == ["s:5 sqlite3.connect(path)"]


def test_the_read_side_executes_no_sql_writes():
    offenders = [w for path in _read_side_files() for w in sql_writes(tree(path), str(path.relative_to(ROOT)))]
    assert not offenders, offenders


def test_the_read_side_opens_sqlite_read_only():
    """The writer's connection, the schema and its migrations are the indexer's (indexer/schema.py)."""
    offenders = [c for path in _read_side_files() for c in writable_connections(tree(path), str(path.relative_to(ROOT)))]
    assert not offenders, offenders


def test_the_read_side_opens_no_keyword_index_writer():
    """The indexer decides when and writes (indexer/keyword_index.py); archive/keyword/ only reads."""
    offenders = []
    for path in _read_side_files():
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                    "writer", "create_in", "add_document", "delete_by_term"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.func.attr}")
    assert not offenders, offenders


# ---------------------------------------------------------------------------- the documentation


def documented_modules(text: str) -> set[str]:
    """Paths named in the first column of docs/ARCHITECTURE.md's module table; a cell like
    "indexer/parse.py, layout.py" names its later files in the first one's folder."""
    named = set()
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or not cells or "/" not in cells[0]:
            continue
        first, *rest = [name.strip().replace("\\_", "_") for name in cells[0].split(",")]
        folder = first.rsplit("/", 1)[0]
        named.add(first)
        named.update(f"{folder}/{name}" for name in rest)
    return named


def test_the_documentation_checker_reads_grouped_cells():
    table = "| module | role |\n|---|---|\n| indexer/parse.py, layout.py | parser |\n| webapp/\\_\\_init\\_\\_.py | app |\n"
    assert documented_modules(table) == {"indexer/parse.py", "indexer/layout.py", "webapp/__init__.py"}


def test_every_module_has_its_line_in_the_architecture_document():
    named = documented_modules((ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    modules = {str(p.relative_to(ROOT)) for p in source_files()
               if p.name != "__init__.py" or p.parent.name == "webapp"}
    assert not modules - named, sorted(modules - named)
    assert not named - modules, sorted(named - modules)  # no line for a module that is gone
