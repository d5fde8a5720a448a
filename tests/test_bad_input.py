"""Bad-input campaign: generated and mutated documents through validate, plan
and fmt --check, run as the console script runs them (the same `run` wrapper,
in-process for speed, HMSCONF_DEBUG=1 so that any uncaught exception fails the
test with its traceback instead of becoming "internal error").

Every run must exit 0 or 1, print no traceback, and give every diagnostic a
file, line and column. 500 documents per CI run; HMSCONF_CAMPAIGN_SCALE=25
runs 12,500. The slowest run, the process's peak memory and the exit codes are
printed (pytest -s).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import sys
import time
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsconf.cli import cli
from hmsconf.cli.common import run

ROOT = Path(__file__).resolve().parents[1]
SCALE = int(os.environ.get("HMSCONF_CAMPAIGN_SCALE", "1"))
pytestmark = pytest.mark.campaign
EXAMPLES = sorted((ROOT / "examples").glob("*/*/*.yaml"))
SLOWEST: list[float] = [0.0]
OUTCOMES: Counter = Counter()  # (command, exit code) -> runs


def invoke(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["hmsconf", *args]
    started = time.perf_counter()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                run(cli)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0
    finally:
        sys.argv = argv
    SLOWEST[0] = max(SLOWEST[0], time.perf_counter() - started)
    OUTCOMES[(args[0], code)] += 1
    return code, out.getvalue(), err.getvalue()


def check_all_commands(project: Path, document: Path) -> None:
    """validate (json, so positions can be checked), plan, fmt --check, show: 0 or 1, never a traceback."""
    code, out, err = invoke(["validate", "--format", "json", str(project)])
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err
    report = json.loads(out)
    for diagnostic in report["diagnostics"]:
        assert diagnostic["file"] and diagnostic["line"] and diagnostic["column"], diagnostic
    code, out, err = invoke(["plan", str(project)])
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    code, out, err = invoke(["fmt", "--check", str(document)])
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    code, out, err = invoke(["show", str(project)])
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in err


@pytest.fixture(autouse=True)
def debug(monkeypatch):
    monkeypatch.setenv("HMSCONF_DEBUG", "1")  # an uncaught exception raises here instead of being summarised


# --- byte-level mutations of the examples -------------------------------------------------------


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaf_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_paths(item, (*path, index))
    yield path


WRONG_VALUES = [[], {}, "text", 1.5, True, None, -1, 10**20, "${var:missing}", "é" * 3, [{"a": 1}]]


def _with_value(data, path, value):
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def mutations(text: str, rng: random.Random) -> str:
    """One mutation of a YAML text, from the ways files really break (and a few hostile ones)."""
    choice = rng.randrange(9)
    if choice == 0:  # truncated (an editor crash, a partial checkout)
        return text[: rng.randrange(len(text) + 1)]
    if choice == 1:  # random bytes overwritten
        raw = bytearray(text.encode())
        for _ in range(rng.randint(1, 8)):
            if raw:
                raw[rng.randrange(len(raw))] = rng.randrange(256)
        return raw.decode("latin-1")
    if choice == 2:  # deep nesting
        depth = rng.choice([10, 70, 500])
        return text + "\nextra: " + "[" * depth + "]" * depth + "\n"
    if choice == 3:  # a huge scalar
        return text.replace("name: ", "name: " + "x" * rng.choice([300, 100_000]), 1)
    if choice == 4:  # an alias bomb
        levels = "\n".join(f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}, *l{i - 1}]"
                           for i in range(1, 10))
        return "l0: &l0 [lol]\n" + levels + "\n" + text
    if choice == 5:  # a duplicated line (duplicate keys)
        lines = text.splitlines(keepends=True)
        index = rng.randrange(len(lines)) if lines else 0
        return "".join(lines[: index + 1] + lines[index:])
    if choice == 6:  # tabs for indentation
        return text.replace("  ", "\t", rng.randint(1, 3))
    # wrong type in one field (choices 7, 8: the most common mistake gets the most runs)
    try:
        documents = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    except yaml.YAMLError:
        return text
    if not documents:
        return text
    data = rng.choice(documents)
    paths = [p for p in _leaf_paths(data) if p and p[0] != "kind"]
    if paths:
        _with_value(data, rng.choice(paths), rng.choice(WRONG_VALUES))
    return yaml.safe_dump_all(documents, sort_keys=False)


def test_mutated_examples(tmp_path):
    rng = random.Random(20261125)
    runs = 400 * SCALE
    for index in range(runs):
        source = rng.choice(EXAMPLES)
        project = tmp_path / f"m{index}"
        (project / "templates").mkdir(parents=True)  # a document of the project whatever the mutation leaves of it
        document = project / "templates" / source.name
        document.write_bytes(mutations(source.read_text(), rng).encode("utf-8", "surrogateescape"))
        check_all_commands(project, document)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{runs} mutated documents x 3 commands; slowest run {SLOWEST[0]:.2f} s; peak RSS of the process {peak_mb:.0f} MB; "
          f"exit codes {dict(sorted(OUTCOMES.items()))}")
    assert OUTCOMES[("validate", 0)] > 0 and OUTCOMES[("validate", 1)] > 0  # both kinds of outcome were exercised


# --- generated documents -------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 30000), st.floats(allow_nan=False, width=32),
                    st.sampled_from(["audio", "video", "screen", "vp8", "opus", "in", "us", "eu", "auto", "host", "guest", ""]),
                    st.text(max_size=12))
role_keys = st.sampled_from(["publishParams", "subscribeParams", "permissions", "priority", "maxPeerCount", "name",
                             "allowed", "audio", "video", "bitRate", "width", "height", "frameRate", "codec",
                             "subscribeToRoles", "endRoom", "mute", "maxpeercount", "simulcast", "layers"])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(role_keys, inner, max_size=5)), max_leaves=20)
role_names = st.sampled_from(["host", "guest", "viewer", "co-host", "bad name!", "__internal_recorder", "x" * 80])
templates = st.fixed_dictionaries(
    {"kind": st.just("Template"), "name": st.one_of(st.sampled_from(["webinar", "bad name", ""]), st.text(max_size=10))},
    optional={
        "roles": st.one_of(values, st.dictionaries(role_names, st.dictionaries(role_keys, values, max_size=6), max_size=4)),
        "settings": st.dictionaries(st.sampled_from(["region", "recording", "roomState", "retry", "regoin"]), values, max_size=3),
        "destinations": st.dictionaries(st.sampled_from(["rtmpDestinations", "hlsDestinations", "transcriptions", "x"]),
                                        values, max_size=2),
        "recordings": values,
        "plugins": values,
    },
)
rooms = st.fixed_dictionaries(
    {"kind": st.just("Room"), "name": st.text(max_size=12)},
    optional={"template": st.one_of(st.just("webinar"), scalars), "size": scalars, "large_room": scalars,
              "region": scalars, "max_duration_seconds": scalars, "webhook": values, "recording_info": values},
)


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(documents=st.lists(st.one_of(templates, rooms, values), min_size=1, max_size=3))
def test_generated_documents(tmp_path_factory, documents):
    project = tmp_path_factory.mktemp("g")
    (project / "templates").mkdir()
    document = project / "templates" / "doc.yaml"
    document.write_text(yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True))
    check_all_commands(project, document)
