"""One error tree: every error a user acts on is drawn in errors.py, with its exit code."""

from __future__ import annotations

import ast
import inspect
import pathlib

import pytest

from hmsconf import errors

SRC = pathlib.Path(errors.__file__).parent


def _tree_classes() -> list[type]:
    return [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.HmsconfError)]


def test_no_module_but_errors_py_defines_an_hmsconf_error():
    """A new error goes into errors.py (and its drawing); the emulator's HTTP answers are their own tree."""
    names = {c.__name__ for c in _tree_classes()}
    found = []
    for path in SRC.rglob("*.py"):
        if path.name == "errors.py" or "emulator" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(isinstance(b, ast.Name) and b.id in names for b in node.bases):
                found.append(f"{path.relative_to(SRC)}: {node.name}")
    assert found == []


def test_every_class_is_drawn_in_the_docstring_with_its_exit_code():
    doc = errors.__doc__ or ""
    for cls in _tree_classes():
        assert cls.__name__ in doc, cls
        assert cls.__doc__, f"{cls.__name__} says when it is raised"
        assert cls.exit_code in (errors.EXIT_ERROR, errors.EXIT_USAGE)
    assert errors.UsageError.exit_code == 64 and errors.HmsconfError.exit_code == 1


@pytest.mark.parametrize(("status", "said"), [
    (401, "refused the credentials (401 Unauthorized)"),
    (429, "kept rate-limiting requests (429)"),
    (503, "failed with 503 (Service Unavailable)"),
    (404, "not found (404 Not Found)"),
    (422, "rejected GET /templates with 422: Unprocessable Entity"),
])
def test_api_error_says_what_to_do_per_status(status, said):
    assert said in str(errors.ApiError(status, "GET", "/templates"))


def test_the_cli_prints_the_diagnostics_an_error_carries(tmp_path):
    from tests.cli import run

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.yaml").write_text("kind: Template\nname: t\nroles: {host: {maxPeerCont: 3}}\n")
    ran = run(["plan", str(tmp_path)], cwd=tmp_path)
    assert ran.returncode == 1
    assert "templates/t.yaml:3:" in ran.stderr and ran.stderr.rstrip().endswith("fix them first")


def test_errors_module_is_cheap_to_import():
    """cli/common imports it on every run: no third-party import at module level."""
    imported = {n.names[0].name.split(".")[0] for n in ast.walk(ast.parse(inspect.getsource(errors)))
                if isinstance(n, (ast.Import, ast.ImportFrom)) and n.col_offset == 0 and isinstance(n, ast.Import)}
    froms = {n.module.split(".")[0] for n in ast.parse(inspect.getsource(errors)).body
             if isinstance(n, ast.ImportFrom) and n.module}
    assert (imported | froms) <= {"__future__", "http", "typing"}
