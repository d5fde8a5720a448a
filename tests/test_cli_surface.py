"""What a shell user meets around the commands: --version, shell completion, NO_COLOR."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.cli import on_a_terminal
from tests.helpers import write_project
from tests.test_cli_validate import hmsconf

BIN = Path(sys.executable).parent


def test_version():
    done = hmsconf("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"hmsconf {version('hmsconf')}"


def test_bash_completion_completes_commands_and_choices():
    """The printed script, loaded into a real bash, completes as a user pressing Tab would see."""
    done = hmsconf("completion", "bash")
    assert done.returncode == 0, done.stderr
    script = done.stdout
    assert "_HMSCONF_COMPLETE=bash_complete" in script

    def complete(*words: str) -> list[str]:
        probe = (
            f'{script}\nCOMP_WORDS=({" ".join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n'
            '_hmsconf_completion hmsconf; printf "%s\\n" "${COMPREPLY[@]}"\n'
        )
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
        done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("hmsconf", "val") == ["validate"]
    assert set(complete("hmsconf", "")) >= {"validate", "plan", "apply", "diff", "completion"}
    assert complete("hmsconf", "validate", "--format", "s") == ["sarif"]


@pytest.mark.parametrize("shell, marker", [("zsh", "compdef _hmsconf_completion hmsconf"),
                                            ("fish", "complete --no-files --command hmsconf")])
def test_zsh_and_fish_scripts(shell, marker):
    done = hmsconf("completion", shell)
    assert done.returncode == 0
    assert marker in done.stdout and f"_HMSCONF_COMPLETE={shell}_complete" in done.stdout


def test_completion_of_an_unknown_shell_is_a_usage_error():
    done = hmsconf("completion", "tcsh")
    assert done.returncode == 64 and "tcsh" in done.stderr and "Traceback" not in done.stderr


def test_colour_on_a_terminal_and_none_with_no_color(tmp_path):
    root = write_project(tmp_path, {"hmsconf.yaml": "workspaces:\n  local: {file: .hmsconf/ws.db}\nbogus: 1\n"})
    assert "\x1b[" in on_a_terminal(["validate"], cwd=root)
    assert "\x1b[" not in on_a_terminal(["validate"], cwd=root, NO_COLOR="1")
    plain = on_a_terminal(["validate", "--no-color"], cwd=root)
    assert "\x1b[" not in plain and "error[" in plain
