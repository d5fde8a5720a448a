"""The layering of the README's "Architecture" section, enforced: the pipeline flows one way and only the CLI prints or exits."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hmsconf"
ROOT = PACKAGE.parents[1]


def test_import_contracts_hold():
    script = Path(sys.executable).parent / "lint-imports"
    command = [str(script)] if script.exists() else ["lint-imports"]
    # No argument: every import-linter release reads ./pyproject.toml by itself, whereas the way
    # to name a config changed (2.15, the newest for Python 3.10, takes only `--config`; later
    # releases take a positional path and deprecate `--config`).
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    kept = " ".join(done.stdout.split())  # import-linter wraps long names
    for name in _contract_names():
        assert f"{name} KEPT" in kept, (name, done.stdout)


def _importlinter_section() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return text[text.index("[tool.importlinter]"):text.index("[tool.mypy]")]


def _contract_names() -> list[str]:
    return re.findall(r'^name = "([^"]+)"', _importlinter_section(), re.M)


def test_every_top_level_place_is_a_layer_of_the_pipeline():
    """A new module or package at the top is placed in the pipeline's layers, so the contract covers it."""
    section = _importlinter_section()
    pipeline = section[section.index('name = "The pipeline flows one way"'):]
    layers = pipeline[pipeline.index("[") + 1:pipeline.index("]")]
    placed = set(re.findall(r"hmsconf\.(\w+)", layers))
    present = {p.stem for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists())}
    assert present - {"__init__", "__main__"} == placed
    assert len(_contract_names()) >= 4


def _offenders(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if name == "print" or (owner == "sys" and name == "exit") or name == "echo":
                found.append(f"line {node.lineno}: {ast.unparse(func)}()")
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name) and target.id == "SystemExit":
                found.append(f"line {node.lineno}: raise SystemExit")
    return found


def test_only_the_cli_prints_or_exits():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "cli" or path.name == "__main__.py":
            continue
        found = _offenders(ast.parse(path.read_text(), str(path)))
        if found:
            offenders[str(relative)] = found
    assert not offenders, offenders


def test_every_module_says_why_it_exists():
    missing = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
               if not ast.get_docstring(ast.parse(p.read_text(), str(p)))]
    assert not missing, missing
