"""export: live workspace -> files that plan back to no changes; secrets become placeholders."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hmsconf.api.connection import Connection, open_client
from hmsconf.errors import HmsconfError
from hmsconf.plan.apply import Applier
from hmsconf.plan.export import export_workspace, read_for_export, write_files
from hmsconf.usecases import plan as planning
from tests.factories import template
from tests.helpers import write_project

ROOT = Path(__file__).resolve().parents[1]


async def apply_project(root: Path, client) -> None:
    prepared = planning.prepare(str(root), None)
    project, name, desired = prepared.project, prepared.workspace, prepared.desired
    live, plan = await planning.plan_with(client, project, name, desired)
    outcome = await Applier(client, plan, desired, live).run()
    assert outcome.ok, outcome.failed


def export_then_plan(source: Path, tmp_path: Path, monkeypatch, seed=None, env=None):
    """Apply ``source`` to a fresh workspace, export it, plan the export against it."""
    state = tmp_path / "ws.db"
    out = tmp_path / "exported"

    async def go():
        async with open_client(Connection(file=str(state))) as client:
            if seed:
                await seed(client)
            if source is not None:
                await apply_project(source, client)
            exported = export_workspace(await read_for_export(client))
            write_files(exported, out, force=False)
            for var in exported.placeholders:
                monkeypatch.setenv(var, (env or {}).get(var, "placeholder-value"))
            (out / "hmsconf.yaml").write_text(f"workspaces:\n  local: {{file: {state}}}\n")
            prepared = planning.prepare(str(out), None)
            project, name, desired = prepared.project, prepared.workspace, prepared.desired
            return exported, (await planning.plan_with(client, project, name, desired))[1]

    return asyncio.run(go())


@pytest.mark.parametrize("example", ["webinar", "telehealth", "classroom"])
def test_export_round_trip_of_every_example(example, tmp_path, monkeypatch):
    source = tmp_path / example
    shutil.copytree(ROOT / "examples" / example, source, ignore=shutil.ignore_patterns(".hmsconf"))
    exported, plan = export_then_plan(source, tmp_path, monkeypatch)
    assert not plan.has_changes, [(c.name, [f.dotted for f in c.fields]) for c in plan.changes if c.is_change]
    text = "".join(exported.files.values())
    assert "local-dev-secret" not in text and "local-dev-token" not in text


def test_export_round_trip_of_every_destination_type_and_many_roles(tmp_path, monkeypatch):
    body = template("everything", roles=30)
    body["destinations"] = {
        "rtmpDestinations": {"yt": {"name": "yt", "rtmpUrls": ["rtmps://a.example/live2/canary-stream-key"], "recordingEnabled": True, "width": 1280, "height": 720}},
        "hlsDestinations": {"h": {"name": "h", "playlistType": "live", "layers": [{"width": 1280, "height": 720, "videoBitrate": 1800}],
                                  "recording": {"hlsVod": True, "thumbnails": {"enabled": True, "width": 320, "height": 180, "offsets": [5]}}}},
        "transcriptions": {"c": {"name": "c", "role": "role-0", "modes": ["recorded"], "outputModes": ["txt", "srt"],
                                 "summary": {"enabled": True, "sections": [{"title": "Agenda", "format": "bullets"}]}}},
        "browserRecordings": {"b": {"name": "b", "role": "role-1", "autoStart": True}},
    }
    body["plugins"] = {"whiteboard": {"permissions": {"admin": ["role-0"], "reader": ["role-2", "role-1"]}}}
    body["settings"]["recording"] = {"upload": {"type": "s3", "location": "bucket", "prefix": "rec/", "credentials": {"key": "AKIAIOSFODNN7EXAMPLE", "secretKey": "canary-secret"}}}
    recordings = [{"name": "rec", "role": "role-0", "compositeRecording": {"browserComposite": {"autoStart": True, "width": 1280, "height": 720}}}]

    async def seed(client):
        created = await client.create_template(body)
        await client.post_recordings(created["id"], recordings)
        await client.create_room({"name": "lobby", "template_id": created["id"], "size": 30,
                                  "webhook": {"url": "https://h", "headers": {"X-Token": "canary-header"}}})
        room = await client.create_room({"name": "old", "template_id": created["id"]})
        await client.set_room_enabled(room["id"], False)

    # the stream key is secret: the user sets it, as the placeholder says
    exported, plan = export_then_plan(None, tmp_path, monkeypatch, seed=seed, env={"EVERYTHING_YT_RTMPURLS_0": "canary-stream-key"})
    assert not plan.has_changes, [(c.name, [f.dotted for f in c.fields]) for c in plan.changes if c.is_change]
    text = "".join(exported.files.values())
    assert "canary" not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    assert re.search(r"X-Token: \$\{env:LOBBY_WEBHOOK_HEADERS_X_TOKEN\}", text)
    assert "rtmps://a.example/live2/${env:EVERYTHING_YT_RTMPURLS_0}" in text
    assert "EVERYTHING_YT_RTMPURLS_0" in exported.placeholders
    assert "enabled: false" in exported.files["rooms/old.yaml"]
    assert "template: everything" in exported.files["rooms/lobby.yaml"]
    assert "customerId" not in text and "createdAt" not in text


def test_export_never_overwrites_without_force(tmp_path):
    from hmsconf.plan.export import Exported

    exported = Exported(files={"templates/a.yaml": "x"})
    write_files(exported, tmp_path, force=False)
    with pytest.raises(HmsconfError, match="--force"):
        write_files(exported, tmp_path, force=False)
    write_files(exported, tmp_path, force=True)


def test_defaults_are_left_out_unless_asked(tmp_path, monkeypatch):
    write_project(tmp_path / "src", {"t.yaml": "kind: Template\nname: t\nroles:\n  host: {permissions: {mute: true}}\n"})

    async def go(include):
        async with open_client(Connection(file=str(tmp_path / f"ws-{include}.db"))) as client:
            await apply_project(tmp_path / "src", client)
            return export_workspace(await read_for_export(client), include_defaults=include).files["templates/t.yaml"]

    lean, full = asyncio.run(go(False)), asyncio.run(go(True))
    assert "bitRate" not in lean and "mute: true" in lean
    assert "bitRate: 256" in full


# --- the fast YAML path equals the pure-Python emitter ------------------------------------------

# Characters YAML treats specially, line breaks, and long runs (folding at width 100).
_PIECES = st.sampled_from([*":- '\"\n#?&*!|>%@`,[]{}\\ab", "  ", "\x85", "\u2028", "é", "😀", "x" * 30])
_TEXT = st.lists(_PIECES, max_size=30).map("".join)
_KEYS = st.sampled_from(["a", "roles", "k-1", "x y", "rtmpUrls", "k" * 59]) | _TEXT
_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
                     max_leaves=60)


# 300 documents by default; HMSCONF_CAMPAIGN_SCALE=20 makes it 6,000 (all equal when this path was written)
@settings(max_examples=300 * int(os.environ.get("HMSCONF_CAMPAIGN_SCALE", "1")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEYS, _JSON, min_size=1, max_size=5))
def test_yaml_text_is_the_pure_python_emitters_text(doc):
    """libyaml's text with lists indented under their key is exactly what the pure-Python emitter
    writes (the path fmt --check was proven with); documents it cannot match go that path."""
    from hmsconf.plan import export

    assert export.yaml_text(doc) == yaml.dump(doc, Dumper=export._DUMPER, **export._OPTIONS)


def test_yaml_text_of_deep_documents_with_long_lines_is_the_pure_python_emitters_text():
    """Deep lists move lines past the width where the pure-Python emitter folds: the fast path must not differ."""
    from hmsconf.plan import export

    for depth in range(12):
        doc: dict = {"k" * 59: ("ab " * 20)[:58]}
        for _ in range(depth):
            doc = {"k": [doc]}
        assert export.yaml_text(doc) == yaml.dump(doc, Dumper=export._DUMPER, **export._OPTIONS), depth


def test_yaml_text_takes_the_fast_path_on_a_template():
    from hmsconf.plan import export

    doc = {"kind": "Template", "name": "t", "roles": {"host": {"publishParams": {"allowed": ["audio", "video"]},
                                                             "subscribeParams": {"subscribeToRoles": ["host"]}}}}
    assert export._one_line_strings(doc)
    assert export.yaml_text(doc) == (
        "kind: Template\nname: t\nroles:\n  host:\n    publishParams:\n      allowed:\n        - audio\n        - video\n"
        "    subscribeParams:\n      subscribeToRoles:\n        - host\n")
