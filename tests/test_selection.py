"""`--target`: a partial plan reads only what its targets need, says it is partial,
and a saved targeted plan applies only its targets. Against the emulator over HTTP;
requests are counted in the emulator's access log."""

from __future__ import annotations

import json
import re

import pytest

from hmsconf.emulator.store import Store
from hmsconf.errors import HmsconfError, UnknownTarget
from hmsconf.plan.selection import Selection
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET, start_emulator
from tests.helpers import write_project

FILES = {
    "hmsconf.yaml": "default_workspace: local\n",
    "templates/alpha.yaml": """
        kind: Template
        name: alpha
        roles: {host: {permissions: {mute: true}}, guest: {}}
    """,
    "templates/beta.yaml": """
        kind: Template
        name: beta
        roles: {host: {}}
        recordings: [{name: r, role: host, trackRecording: {enabled: true}}]
    """,
    "rooms/rooms.yaml": """
        kind: Room
        name: Town-Hall
        template: alpha
        room_codes: true
        ---
        kind: Room
        name: side
        template: beta
    """,
}


@pytest.fixture()
def world(tmp_path, monkeypatch):
    """An emulator with an access log, and the project applied to it."""
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    log = tmp_path / "access.log"
    running, server, thread = start_emulator(Store(tmp_path / "state.db"), access_log=str(log))
    project = write_project(tmp_path / "p", FILES)
    world = World(running, log, project)
    try:
        yield world
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        running.store.close()


class World:
    def __init__(self, running, log, project):
        self.running, self.log, self.project = running, log, project

    def plan(self, *targets: str, salt: str | None = None):
        return planning.plan_workspace(str(self.project), None, self.running.url, salt=salt,
                                     selection=Selection.parse(targets))

    def apply(self, planned) -> None:
        from hmsconf.plan.apply import Applier

        async def go():
            async with planning.open_client_for(planned.project, planned.workspace, self.running.url) as client:
                return await Applier(client, planned.plan, planned.desired, planned.live).run()

        assert planning.run(go()).ok

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request since the last call."""
        lines = self.log.read_text().splitlines()
        self.log.write_text("")
        return [(line.split()[0], line.split()[1]) for line in lines]

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.project / name
        path.write_text(path.read_text().replace(old, new))


def changed(planned) -> list[tuple[str, str, str]]:
    return sorted((c.kind, c.name, c.action) for c in planned.plan.changes)


def test_a_targeted_template_reads_only_what_it_needs(world):
    world.apply(world.plan())
    world.requests()
    world.edit("templates/alpha.yaml", "mute: true", "mute: true, endRoom: true")
    world.edit("templates/beta.yaml", "host: {}", "host: {priority: 2}")

    full = world.plan()
    full_requests = world.requests()
    assert changed(full) == [("Template", "alpha", "update"), ("Template", "beta", "update")]
    assert full.plan.targets is None

    partial = world.plan("Template/alpha")
    requests = world.requests()
    assert changed(partial) == [("Template", "alpha", "update")]
    assert partial.plan.targets == ["Template/alpha"]
    # one template page, and one filtered room listing for the blast radius: no room lists,
    # no recordings (alpha does not manage them), no room codes
    assert sorted(requests) == [("GET", "/v2/rooms"), ("GET", "/v2/templates")]
    assert len(full_requests) > len(requests)
    change = partial.plan.changes[0]
    assert change.blast_radius == 1 and "1 live room uses this template" in [r.text for r in change.risks]


def test_an_unchanged_targeted_template_reads_no_room_at_all(world):
    world.apply(world.plan())
    world.requests()
    partial = world.plan("Template/beta")
    assert partial.plan.changes == [] and not partial.plan.has_changes
    assert partial.plan.summary() == "No changes in the targeted objects (partial plan)."
    assert sorted(world.requests()) == [("GET", "/v2/templates"), ("GET", f"/v2/templates/{partial.live.templates['beta'].id}/recordings")]


def test_a_targeted_room_reads_its_template_only_for_the_id(world):
    world.apply(world.plan())
    world.requests()
    world.edit("templates/alpha.yaml", "mute: true", "mute: false")  # not targeted: not planned
    world.edit("rooms/rooms.yaml", "template: alpha\n", "template: alpha\ndescription: weekly\n")
    partial = world.plan("Room/town-hall")  # room names are case-insensitive (§6.1)
    assert changed(partial) == [("Room", "Town-Hall", "update")]
    assert partial.plan.targets == ["Room/Town-Hall"]
    assert [f.dotted for f in partial.plan.changes[0].fields] == ["description"]
    requests = world.requests()
    room_id = partial.live.room("Town-Hall").id
    # the room by name (found among enabled rooms), one template page, its room codes
    assert sorted(requests) == [("GET", f"/v2/room-codes/room/{room_id}"), ("GET", "/v2/rooms"), ("GET", "/v2/templates")]
    assert set(partial.live.templates) == {"alpha"}


def test_a_room_whose_template_does_not_exist_yet_brings_it_along(world):
    partial = world.plan("Room/side")
    assert changed(partial) == [("Room", "side", "create"), ("Template", "beta", "create")]
    assert any("template `beta` is planned too" in w for w in partial.plan.warnings)
    world.apply(partial)
    rest = world.plan()
    assert changed(rest) == [("Room", "Town-Hall", "create"), ("Template", "alpha", "create")]


def test_a_saved_targeted_plan_applies_only_its_targets(world, tmp_path):
    from hmsconf.plan.apply import check_fresh
    from hmsconf.plan.changes import Plan

    world.apply(world.plan())
    world.edit("templates/alpha.yaml", "mute: true", "mute: false")
    world.edit("templates/beta.yaml", "host: {}", "host: {priority: 2}")
    saved = Plan.from_json(json.loads(json.dumps(world.plan("Template/alpha").plan.to_json())))
    assert saved.targets == ["Template/alpha"]
    # another object's file changing does not make the targeted plan stale...
    world.edit("templates/beta.yaml", "priority: 2", "priority: 3")
    again = world.plan(*saved.targets, salt=saved.salt)
    check_fresh(saved, again.plan)
    world.apply(again)
    assert changed(world.plan()) == [("Template", "beta", "update")]
    # ...its own does
    world.edit("templates/alpha.yaml", "mute: false", "mute: true")
    stale = world.plan(*saved.targets, salt=saved.salt)
    with pytest.raises(HmsconfError, match="changed since the plan was made"):
        check_fresh(saved, stale.plan)


def test_paging_stops_once_the_targets_are_found(world):
    world.apply(world.plan())  # alpha and beta first...
    for index in range(120):  # ...then two pages' worth of others (§1.5: 100 a page)
        world.running.store.create_template({"name": f"filler-{index:03}", "roles": {"host": {}}})
    world.requests()
    world.plan("Template/alpha")
    assert [p for _, p in world.requests()].count("/v2/templates") == 1
    world.plan()
    assert [p for _, p in world.requests()].count("/v2/templates") == 2  # the full plan reads every page
    (world.project / "templates/late.yaml").write_text("kind: Template\nname: late\nroles: {host: {}}\n")
    world.apply(world.plan("Template/late"))  # created last: on the second page
    world.requests()
    world.plan("Template/late")
    assert [p for _, p in world.requests()].count("/v2/templates") == 2


def test_an_unknown_target_says_what_was_meant(world):
    with pytest.raises(UnknownTarget) as caught:
        world.plan("Template/alpa", "Room/alpha", "Room/nothing-like-it")
    text = str(caught.value)
    assert "--target Template/alpa: no template `alpa`" in text and "did you mean Template/alpha?" in text
    assert "`alpha` is a template: --target Template/alpha" in text
    assert "--target Room/nothing-like-it: no room" in text and "declares 2 rooms" in text
    assert world.running.store.list_templates(100, None)["data"] == []  # nothing was written


@pytest.mark.parametrize("raw", ["alpha", "Policy/alpha", "Template/", "/alpha"])
def test_target_syntax(raw):
    with pytest.raises(HmsconfError, match="expected Template/NAME or Room/NAME"):
        Selection.parse([raw])


def test_target_kinds_are_case_insensitive_and_repeats_collapse():
    selection = Selection.parse(["template/a", "TEMPLATE/a", "room/R"])
    assert selection == Selection(("a",), ("R",)) and selection.labels() == ["Template/a", "Room/R"]
    assert Selection.parse([]) is None


def test_the_plan_says_it_is_partial_in_every_format(world):
    from hmsconf.plan.changes import Plan
    from hmsconf.render.plan import FORMATS

    plan = world.plan("Template/alpha", "Room/side").plan
    for name in ("text", "markdown", "github"):
        assert "Partial plan: only Template/alpha, Room/side (--target)" in FORMATS[name](plan, False), name
    data = json.loads(FORMATS["json"](plan, False))
    assert data["format_version"] == 2 and data["targets"] == ["Template/alpha", "Room/side"]
    assert Plan.from_json(data).targets == ["Template/alpha", "Room/side"]
    full = json.loads(FORMATS["json"](world.plan().plan, False))
    assert full["targets"] is None and Plan.from_json(full).targets is None
    old = {k: v for k, v in full.items() if k != "targets"}  # a plan saved before targets existed
    assert Plan.from_json(old).targets is None
    assert re.search(r"^<!-- hmsconf:plan:local -->", FORMATS["markdown"](plan, False))


def test_the_command_line_end_to_end(tmp_path):
    """On the local workspace file: a saved targeted plan applies only its target."""
    from tests.test_fanout import cli

    project = write_project(tmp_path / "p", FILES)
    saved = tmp_path / "plan.json"
    made = cli(["plan", str(project), "--target", "Template/beta", "--out", str(saved), "--no-color"], {})
    assert made.returncode == 0 and made.stdout.startswith("Partial plan: only Template/beta (--target)"), made.stderr
    applied = cli(["apply", str(saved), "--no-color"], {})
    assert applied.returncode == 0 and "Apply complete: 2 request(s) sent." in applied.stdout, applied.stdout + applied.stderr
    rest = cli(["plan", str(project), "--format", "json"], {})
    assert rest.returncode == 0
    assert sorted((c["name"], c["action"]) for c in json.loads(rest.stdout)["changes"]) == [
        ("Town-Hall", "create"), ("alpha", "create"), ("side", "create")]
    mixed = cli(["apply", str(saved), "--target", "Room/side"], {})
    assert mixed.returncode == 64 and "--target goes with `hmsconf plan`" in mixed.stderr
    for bad in (["--target", "Pool/x"], ["--max-rate", "0"], ["--parallelism", "0"]):
        done = cli(["plan", str(project), *bad], {})
        assert done.returncode == 64 and "Traceback" not in done.stderr, bad
    unknown = cli(["apply", str(project), "--target", "Room/sid", "--auto-approve"], {})
    assert unknown.returncode == 1 and "did you mean Room/side?" in unknown.stderr
