"""The folders are the layers, and data flows one way: this test keeps it so.

Lowest first: core (``errors``, ``suggest``, ``limits`` and any other top-level helper
module) → ``model`` → ``inputs`` and ``rulepack`` (side by side: neither imports the
other) → ``engine`` → ``render`` → ``services`` → ``population`` (it screens through the
services' batch decisions) → faces (``cli`` and ``http`` side by side; faces do not import
each other, except that the one command that starts the HTTP face, ``eligibility serve``,
may import it: ``LAUNCHES``). A module may import its own layer and those below, never
one above or a sibling. Every import counts: inside functions and under ``TYPE_CHECKING``
too, since a later edit turns either into a real dependency.

Outside the layers: ``eligibility/__init__.py`` and ``__main__.py`` (the public face of
the package) and ``eligibility/testing`` (the kit, which may use anything public; nothing
in the layers may import it). Importing the package root counts as importing the
highest layer it re-exports from.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "eligibility"

#: Folder -> (rank, group). Equal rank and different group: siblings, which must not
#: import each other. A folder not listed here fails the test: give it a layer.
LAYERS: dict[str, tuple[int, str]] = {
    "": (0, "core"),
    "model": (1, "model"),
    "inputs": (2, "inputs"),
    "rulepack": (2, "rulepack"),
    "engine": (3, "engine"),
    "render": (4, "render"),
    "services": (5, "services"),
    "population": (6, "population"),
    "cli": (7, "cli"),
    "http": (7, "http"),
}
#: Module -> the sibling face it may import: a command that starts that face, nothing more.
LAUNCHES: dict[str, str] = {"eligibility.cli.serve_cmd": "http"}
#: The package root and the public faces of the population layer (``eligibility.arrow``,
#: ``eligibility.spark``: thin re-exports of ``population``, like the root's of ``engine``).
OUTSIDE = {"eligibility", "eligibility.__main__", "eligibility.arrow", "eligibility.spark"}
KIT = "eligibility.testing"
MAX_LINES = 300
#: Modules still over the limit, each with the change that splits it. An entry that is no
#: longer over the limit fails the test, so it is removed together with the split.
PENDING_SPLIT: dict[str, str] = {}


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str, src: Path) -> bool:
    base = src.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(path: Path, src: Path = SRC) -> list[tuple[int, str]]:
    """Every ``eligibility`` module ``path`` imports, with the line, wherever it appears.

    ``from eligibility.render import table`` is ``eligibility.render.table``;
    ``from eligibility import evaluate`` is the package root, ``eligibility``.
    """
    name = module_name(path, src)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([target] if target else [])])
            for alias in node.names:
                inner = f"{target}.{alias.name}"
                found.append((node.lineno, inner if is_module(inner, src) else target))
    return [(line, target) for line, target in found
            if target == "eligibility" or target.startswith("eligibility.")]


def is_kit(module: str) -> bool:
    return module == KIT or module.startswith(KIT + ".")


def layer_of(module: str, src: Path = SRC) -> tuple[int, str]:
    """``eligibility.render.table`` -> render's layer; a top-level module -> core."""
    if module == "eligibility":
        return root_layer(src)
    parts = module.split(".")
    folder = parts[1] if (src / "eligibility" / parts[1]).is_dir() else ""
    if folder not in LAYERS:
        raise AssertionError(f"{module}: folder '{folder}' has no layer; add it to LAYERS")
    return LAYERS[folder]


def root_layer(src: Path = SRC) -> tuple[int, str]:
    """The package root re-exports the public API: it sits at its highest import."""
    imports = imported_modules(src / "eligibility" / "__init__.py", src)
    return max((layer_of(target, src) for _, target in imports if target != "eligibility"),
               default=LAYERS[""])


def layered_modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py")
                  if module_name(path) not in OUTSIDE and not is_kit(module_name(path)))


def violations(path: Path, src: Path = SRC) -> list[str]:
    """One message per import that points up or sideways, naming module, line and import."""
    module = module_name(path, src)
    rank, group = layer_of(module, src)
    wrong = []
    for line, target in imported_modules(path, src):
        if is_kit(target):
            wrong.append(f"{module} (line {line}) imports {target}: the testing kit is "
                         "for tests, never for the layers")
            continue
        other_rank, other_group = layer_of(target, src)
        if other_rank == rank and LAUNCHES.get(module) == other_group:
            continue
        if other_rank > rank or (other_rank == rank and other_group != group):
            wrong.append(f"{module} (line {line}) imports {target}: layer '{group}' may "
                         f"not import layer '{other_group}'")
    return wrong


@pytest.mark.parametrize("path", layered_modules(), ids=module_name)
def test_imports_point_down(path: Path) -> None:
    found = violations(path)
    assert not found, "\n".join(found)


def test_every_folder_has_a_layer() -> None:
    folders = {child.name for child in PACKAGE.iterdir()
               if child.is_dir() and (child / "__init__.py").exists()}
    assert folders - {"testing"} <= set(LAYERS), sorted(folders - set(LAYERS))


def test_modules_stay_small() -> None:
    long = {module_name(path): count for path in sorted(PACKAGE.rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) >= MAX_LINES}
    over = {name: count for name, count in long.items() if name not in PENDING_SPLIT}
    assert over == {}, f"modules of {MAX_LINES} lines or more (split them by job): {over}"
    done = sorted(set(PENDING_SPLIT) - set(long))
    assert not done, f"{done} now under {MAX_LINES} lines: remove from PENDING_SPLIT"


# -- the checker itself ---------------------------------------------------------------


def _check(tmp_path: Path, folder: str, source: str) -> list[str]:
    """``violations`` of one module written into an empty tree of the same shape."""
    package = tmp_path / "eligibility"
    for name in LAYERS:
        (package / name).mkdir(parents=True, exist_ok=True)
        (package / name / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from eligibility.engine.evaluation import evaluate\n")
    (package / "testing").mkdir(exist_ok=True)
    (package / "testing" / "__init__.py").write_text("")
    path = package / folder / "probe.py"
    path.write_text(source)
    return violations(path, tmp_path)


def test_an_upward_import_inside_a_function_is_named(tmp_path: Path) -> None:
    source = "def f():\n    from eligibility.services.batch import assess_all\n"
    assert _check(tmp_path, "render", source) == [
        "eligibility.render.probe (line 2) imports eligibility.services.batch: "
        "layer 'render' may not import layer 'services'"]


def test_siblings_and_the_kit_are_refused(tmp_path: Path) -> None:
    source = ("from ..inputs import reader\nimport eligibility.testing\n"
              "from eligibility.model.profile import Profile\nfrom . import probe\n")
    assert _check(tmp_path, "rulepack", source) == [
        "eligibility.rulepack.probe (line 1) imports eligibility.inputs: layer 'rulepack' "
        "may not import layer 'inputs'",
        "eligibility.rulepack.probe (line 2) imports eligibility.testing: the testing kit "
        "is for tests, never for the layers"]


def test_only_the_serve_command_may_start_the_http_face(tmp_path: Path) -> None:
    source = "from eligibility.http import create_app\n"
    assert _check(tmp_path, "cli", source) == [
        "eligibility.cli.probe (line 1) imports eligibility.http: layer 'cli' may not "
        "import layer 'http'"]
    assert _check(tmp_path, "http", "from eligibility.cli import main\n") == [
        "eligibility.http.probe (line 1) imports eligibility.cli: layer 'http' may not "
        "import layer 'cli'"]
    assert LAUNCHES == {"eligibility.cli.serve_cmd": "http"}


def test_the_root_counts_as_the_layer_it_re_exports(tmp_path: Path) -> None:
    assert root_layer() >= LAYERS["engine"]
    assert _check(tmp_path, "model", "from eligibility import evaluate\n") == [
        "eligibility.model.probe (line 1) imports eligibility: layer 'model' may not "
        "import layer 'engine'"]
    assert _check(tmp_path, "cli", "from eligibility import evaluate\n") == []
