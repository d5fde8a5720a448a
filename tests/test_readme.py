"""The README's own examples work when pasted.

Every fenced block of README.md is checked: YAML and JSON blocks parse; the
``hmsconf.yaml`` example validates and its ``staging`` workspace talks to a real
emulator; every shell block says, in the HTML comment on the line before it,
how it is tested:

- ``<!-- readme-test: quickstart -->``: the first quick-start command, run for
  real in a fresh virtualenv in a copy of this checkout outside the repository
  (the clone itself is the one step that needs the network);
- ``<!-- readme-test: ci -->``: the second one, which ``.ci/run`` must run exactly;
- ``<!-- readme-test: offline -->``: run here as written, in a folder holding a
  copy of ``examples/`` (a line ending in ``&`` starts a server, which is waited
  for until it prints "ready"; port 8787 becomes a free port);
- ``<!-- readme-test: not run (REASON) -->``: said why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MARK = re.compile(r"^<!-- readme-test: (.+?) -->$")


@dataclass
class Block:
    language: str
    text: str
    mark: str | None
    line: int

    def __str__(self) -> str:
        return f"README.md:{self.line} ({self.language}, {self.mark or 'unmarked'})"


def blocks() -> list[Block]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        fence = re.match(r"^```(\w*)\s*$", lines[index])
        if not fence:
            index += 1
            continue
        start = index
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        before = next((lines[i] for i in range(start - 1, -1, -1) if lines[i].strip()), "")
        mark = MARK.match(before.strip())
        found.append(Block(fence.group(1), "\n".join(lines[start + 1:end]) + "\n", mark.group(1) if mark else None, start + 1))
        index = end + 1
    return found


BLOCKS = blocks()


def marked(mark: str) -> list[Block]:
    return [b for b in BLOCKS if b.mark == mark]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HMS", "GITHUB", "EMU_", "VIRTUAL_ENV"))}
    env.update({"HOME": str(tmp_path / "home"), "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", **extra})
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def test_every_block_is_accounted_for():
    assert len(BLOCKS) >= 10
    for block in BLOCKS:
        if block.language == "sh":
            assert block.mark is not None, f"{block}: say how it is tested (<!-- readme-test: ... -->)"
            assert block.mark in ("quickstart", "ci", "offline") or block.mark.startswith("not run ("), block
    assert len(marked("quickstart")) == len(marked("ci")) == 1
    assert len(marked("offline")) >= 2


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language == "yaml"], ids=str)
def test_yaml_blocks_parse(block):
    assert yaml.safe_load(block.text) is not None


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language == "json"], ids=str)
def test_json_blocks_parse(block):
    assert json.loads(block.text)


def test_the_plan_json_example_is_a_saved_plan_apply_would_read():
    """The README's example of `plan --out` fits the saved plan's typed model (`hmsconf schema plan`)."""
    from hmsconf.plan import saved

    (block,) = [b for b in BLOCKS if b.language == "json" and '"format_version"' in b.text]
    data = json.loads(block.text)
    assert saved.checked(data, "README") is data


def test_the_action_example_uses_only_the_actions_inputs():
    (block,) = marked("yaml-only")
    steps = yaml.safe_load(block.text)
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    (ours,) = [s for s in steps if s.get("uses", "").startswith("your-org/hmsconf@")]
    assert set(ours["with"]) <= set(action["inputs"])


def test_ci_run_runs_exactly_the_second_command():
    (block,) = marked("ci")
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "set -euo pipefail" in script
    command = block.text.strip()
    assert command in script
    # after the suite only the type check of src/ (pyproject.toml [tool.mypy]), which needs the install
    assert script[script.index(command) + 1:] == ["python -m mypy  # src/, configured in pyproject.toml"]


def test_the_hmsconf_yaml_example_validates_and_its_staging_talks_to_the_emulator(tmp_path):
    (block,) = marked("hmsconf.yaml")
    from hmsconf.cli.emulator import DEFAULT_ACCESS_KEY

    config = yaml.safe_load(block.text)
    staging = config["workspaces"]["staging"]
    assert staging["access_key"] == DEFAULT_ACCESS_KEY
    project = tmp_path / "project"
    shutil.copytree(ROOT / "examples" / "webinar", project, ignore=shutil.ignore_patterns(".hmsconf", "hmsconf.yaml"))
    port = _free_port()
    (project / "hmsconf.yaml").write_text(block.text.replace("127.0.0.1:8787", f"127.0.0.1:{port}"))
    secret = "readme-secret-0123456789abcdef0123456789"
    env = _env(tmp_path, EMU_SECRET=secret)
    done = subprocess.run([str(BIN / "hmsconf"), "validate", str(project)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    server = subprocess.Popen([str(BIN / "hmsconf"), "emulator", "--port", str(port), "--secret", secret],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert "ready" in server.stdout.readline()
        done = subprocess.run([str(BIN / "hmsconf"), "plan", "-w", "staging", str(project)], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "in workspace `staging`" in done.stdout and "to create" in done.stdout
    finally:
        server.terminate()
        server.wait(timeout=20)


_HARNESS = """\
set -eo pipefail
cleanup() { for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ready() {  # wait for the server just started in the background to say it is ready (or to die)
  local log=$1 pid=$2 tries=0
  until grep -q ready "$log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the server exited" >&2; return 1; }
    tries=$((tries + 1)); [ "$tries" -lt 600 ] || { echo "the server never said ready" >&2; return 1; }
    sleep 0.1
  done
}
"""


@pytest.mark.parametrize("block", marked("offline"), ids=str)
def test_offline_shell_blocks_run_as_written(block, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples", ignore=shutil.ignore_patterns(".hmsconf"))
    text = block.text.replace("8787", str(_free_port()))
    script = [_HARNESS]
    for n, line in enumerate(text.splitlines()):
        command = line.split("  #")[0].rstrip()
        if command.endswith("&"):
            log = tmp_path / f"server-{n}.log"
            script.append(f"{command[:-1].rstrip()} > {log} 2>&1 &")
            script.append(f"ready {log} $!")
        elif command:
            script.append(line)
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=work, env=_env(tmp_path), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{block}:\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr


def _copy_of_this_checkout(target: Path) -> None:
    """The files of the checkout as a fresh clone has them (tracked, plus new ones not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True)
    if listed.returncode != 0:  # not a git checkout: everything but local state
        shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(".git", ".venv", ".nox", "__pycache__", ".hmsconf"))
        return
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def test_quick_start_in_a_fresh_virtualenv_outside_the_repository(tmp_path):
    (block,) = marked("quickstart")
    clone = re.match(r"^git clone (\S+) && cd hmsconf && (.+)$", block.text.strip())
    assert clone, "the quick start starts with the clone and the cd"
    rest = clone.group(2)
    assert rest.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    checkout = tmp_path / "hmsconf"
    _copy_of_this_checkout(checkout)
    env = _env(tmp_path)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if Path(p) != BIN)  # a stock shell
    first = subprocess.run(["bash", "-c", f"set -eo pipefail\n{rest}"], cwd=checkout, env=env, capture_output=True,
                           text=True, timeout=540)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert re.search(r"^Plan: \d+ to create, 0 to update, 0 to disable\.$", first.stdout, re.M), first.stdout[-2000:]
    hmsconf = checkout / ".venv" / "bin" / "hmsconf"
    # installed from the copy, not from this checkout
    location = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-c", "import hmsconf; print(hmsconf.__file__)"],
                              capture_output=True, text=True, env=env)
    assert str(checkout / ".venv") in location.stdout, location.stdout
    # what the README says comes next
    apply = subprocess.run([str(hmsconf), "apply", "examples/webinar", "--auto-approve"], cwd=checkout, env=env,
                           capture_output=True, text=True, timeout=120)
    assert apply.returncode == 0, apply.stdout + apply.stderr
    again = subprocess.run([str(hmsconf), "plan", "examples/webinar"], cwd=checkout, env=env, capture_output=True, text=True)
    assert again.returncode == 0 and "No changes" in again.stdout, again.stdout + again.stderr
