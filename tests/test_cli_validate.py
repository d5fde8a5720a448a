"""`hmsconf validate` as a user runs it: exit codes, formats, bad input, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def hmsconf(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).parent / "hmsconf"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hmsconf"]
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=full_env, timeout=60)


def test_examples_validate_clean():
    done = hmsconf("validate", str(ROOT / "examples"), "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("No problems found.")


BAD_FILES = {
    "syntax.yaml": "kind: Template\nname: [\n",
    "dupe.yaml": "kind: Template\nname: a\nname: b\n",
    "tabs.yaml": "kind: Template\nroles:\n\tguest: {}\n",
    "list.yaml": "- kind: Template\n",
    "scalar.yaml": "hello\n",
    "bomb.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(9)),
    "deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
    "nokind.yaml": "name: x\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_yaml_is_an_error_with_position_and_no_traceback(tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD_FILES[name])
    done = hmsconf("validate", str(path), "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["valid"] is False
    assert all(d["line"] >= 1 and d["column"] >= 1 and d["file"].endswith(name) for d in report["diagnostics"])


def test_non_utf8_and_empty_files(tmp_path):
    (tmp_path / "latin.yaml").write_bytes(b"kind: Room\nname: caf\xe9\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "empty.yaml").write_text("")
    (tmp_path / "templates" / "comments.yaml").write_text("# nothing yet\n---\n# still nothing\n")
    done = hmsconf("validate", str(tmp_path), "--format", "json")
    found = sorted((d["rule"], d["file"].rsplit("/", 1)[-1]) for d in json.loads(done.stdout)["diagnostics"])
    assert found == [("EMPTY-FILE", "comments.yaml"), ("EMPTY-FILE", "empty.yaml"), ("YAML-ENCODING", "latin.yaml")]
    assert done.returncode == 1


def test_warnings_pass_unless_strict(tmp_path):
    (tmp_path / "t.yaml").write_text("kind: Template\nname: t\nroles:\n  a:\n    subscribeParams: {subscribeToRoles: [nobody]}\n")
    assert hmsconf("validate", str(tmp_path)).returncode == 0
    assert hmsconf("validate", str(tmp_path), "--strict").returncode == 1


def test_error_points_at_file_line_column_in_compiler_style(tmp_path):
    (tmp_path / "t.yaml").write_text("kind: Template\nname: t\nroles:\n  guest:\n    priority: 9\n")
    done = hmsconf("validate", str(tmp_path / "t.yaml"))
    assert done.returncode == 1
    first = done.stdout.splitlines()[0]
    assert first.startswith(f"{tmp_path / 't.yaml'}:5:5: error[") or first.startswith("t.yaml:5:5: error[") or ":5:5: error[" in first
    assert "priority" in first


def test_unknown_key_suggests_the_right_one(tmp_path):
    (tmp_path / "t.yaml").write_text("kind: Template\nname: t\nroles:\n  guest:\n    subscribeParams:\n      subscribeToRole: [guest]\n    maxpeercount: 3\n")
    out = hmsconf("validate", str(tmp_path)).stdout
    assert "did you mean `subscribeToRoles`" in out and "did you mean `maxPeerCount`" in out


def test_usage_error_exits_64_not_2():
    done = hmsconf("validate", "--format", "nope")
    assert done.returncode == 64 and "Traceback" not in done.stderr


def test_missing_path_is_an_error(tmp_path):
    done = hmsconf("validate", str(tmp_path / "nope"))
    assert done.returncode == 1 and "no such file" in done.stdout + done.stderr


def test_validate_writes_nothing(tmp_path):
    (tmp_path / "t.yaml").write_text("kind: Template\nname: t\n")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    hmsconf("validate", str(tmp_path))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_github_format_annotates(tmp_path):
    (tmp_path / "t.yaml").write_text("kind: Template\nname: t\nroles:\n  guest:\n    priority: 9\n")
    out = hmsconf("validate", str(tmp_path), "--format", "github").stdout
    assert out.startswith("::error file=") and ",line=5,col=5," in out


SECRET_TEMPLATE = """\
kind: Template
name: t
settings:
  recording:
    upload:
      type: s3
      location: bucket
      prefix: rec/
      credentials:
        key: AKIAIOSFODNN7EXAMPLE
        secretKey: {secret}
"""


def test_literal_secrets_are_warned_at_their_line_and_env_ones_are_not(tmp_path):
    (tmp_path / "t.yaml").write_text(SECRET_TEMPLATE.format(secret="wJalrXUtnFEMI-literal"))
    report = json.loads(hmsconf("validate", str(tmp_path), "--format", "json").stdout)
    literal = [(d["line"], d["rule"]) for d in report["diagnostics"]]
    assert literal == [(10, "SECRET-LITERAL"), (11, "SECRET-LITERAL")]
    assert "wJalrXUtnFEMI-literal" not in json.dumps(report)
    env_file = SECRET_TEMPLATE.format(secret="${env:S3_SECRET}").replace("AKIAIOSFODNN7EXAMPLE", "${env:S3_KEY}")
    (tmp_path / "t.yaml").write_text(env_file)
    done = hmsconf("validate", str(tmp_path), env={"S3_SECRET": "canary-env-secret", "S3_KEY": "k"})
    assert done.returncode == 0 and "SECRET-LITERAL" not in done.stdout and "canary" not in done.stdout


def test_a_wrongly_typed_secret_is_not_echoed(tmp_path):
    (tmp_path / "t.yaml").write_text(SECRET_TEMPLATE.format(secret="123456789").replace("AKIAIOSFODNN7EXAMPLE", "${env:K}"))
    done = hmsconf("validate", str(tmp_path), env={"K": "k"})
    assert done.returncode == 1 and "123456789" not in done.stdout and "(sensitive)" in done.stdout
