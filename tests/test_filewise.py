"""hmsconf.plan.filewise: `hmsconf plan` compares templates as their files load and keeps
only skeletons of those that match, yet makes exactly the plan it made with every
document held whole."""

from __future__ import annotations

import pytest

from hmsconf.config.loader import YMap
from hmsconf.errors import InvalidConfiguration
from hmsconf.plan import filewise
from hmsconf.usecases import plan as planning
from tests.conftest import ACCESS_KEY, SECRET
from tests.helpers import write_project

FILES = {
    "hmsconf.yaml": "vars: {peers: 7}\n",
    "presets/host.yaml": "kind: RolePreset\nname: host\npermissions: {endRoom: true}\n",
    "templates/same-a.yaml": "kind: Template\nname: same-a\nroles: {host: {maxPeerCount: 3}, guest: {}}\n",
    "templates/same-b.yaml": "kind: Template\nname: same-b\nroles: {viewer: {}}\nsettings: {region: in}\n",
    "templates/to-change.yaml": "kind: Template\nname: to-change\nroles: {host: {maxPeerCount: 3}}\n",
    "templates/extends.yaml": "kind: Template\nname: extends\nroles: {host: {extends: host}}\n",
    "templates/placeholder.yaml": "kind: Template\nname: placeholder\nroles: {host: {maxPeerCount: '${var:peers}'}}\n",
    "templates/recorded.yaml": ("kind: Template\nname: recorded\nroles: {host: {}}\n"
                                "recordings: [{name: r, role: host, trackRecording: {enabled: true}}]\n"),
    "templates/elsewhere.yaml": "kind: Template\nname: elsewhere\nworkspaces: [prod]\nroles: {host: {}}\n",
    "rooms/coded.yaml": "kind: Room\nname: coded\ntemplate: same-a\nroom_codes: true\n",
}


@pytest.fixture()
def credentials(monkeypatch):
    monkeypatch.setenv("HMS_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("HMS_SECRET", SECRET)
    monkeypatch.delenv("HMS_MANAGEMENT_TOKEN", raising=False)


@pytest.fixture()
def lists_in_at_once(monkeypatch):
    """The live lists are in before the first file is loaded (as with a fast API and many files)."""
    lists = planning._LiveReader.lists
    monkeypatch.setattr(planning._LiveReader, "lists", lambda self, wait=False: lists(self, True))


def applied(tmp_path, url):
    from hmsconf.plan.apply import Applier

    project = write_project(tmp_path / "p", FILES)
    first = planning.plan_workspace(str(project), None, url)

    async def apply():
        async with planning.open_client_for(first.project, first.workspace, url) as client:
            return await Applier(client, first.plan, first.desired, first.live).run()

    assert planning.run(apply()).ok
    return project


def plans(project, url):
    """The plan with every document whole, and the file-by-file one, same salt."""
    whole = planning.plan_workspace(str(project), None, url, salt="s")
    lean = planning.plan_workspace(str(project), None, url, salt="s", keep_unchanged=False)
    return whole, lean


def comparable(planned):
    return {**planned.plan.to_json(), "created_at": None}


def test_the_file_by_file_plan_is_the_plan_with_every_document_whole(tmp_path, credentials, emulator, lists_in_at_once):
    project = applied(tmp_path, emulator.url)
    (project / "templates" / "to-change.yaml").write_text("kind: Template\nname: to-change\nroles: {host: {maxPeerCount: 9}}\n")
    (project / "templates" / "new.yaml").write_text("kind: Template\nname: new\nroles: {host: {}}\n")
    whole, lean = plans(project, emulator.url)
    assert comparable(lean) == comparable(whole)
    assert [(c.name, c.action) for c in lean.plan.changes if c.is_change] == [("new", "create"), ("to-change", "update")]
    kept = {name: item.data for name, item in lean.desired.templates.items()}
    # those that match live are skeletons: top-level scalars and role names only
    assert kept["same-a"]["roles"] == {"host": None, "guest": None}
    assert kept["same-b"]["settings"] is None
    # those that change, and those that need other documents or their recordings, are whole
    assert kept["to-change"]["roles"]["host"]["maxPeerCount"] == 9
    assert kept["new"]["roles"] == {"host": {}}
    assert kept["extends"]["roles"]["host"]["permissions"] == {"endRoom": True}
    assert kept["placeholder"]["roles"]["host"]["maxPeerCount"] == 7
    assert kept["recorded"]["recordings"][0]["name"] == "r"
    assert "elsewhere" not in kept


def test_with_no_change_every_plain_template_is_dropped_and_the_fingerprint_kept(tmp_path, credentials, emulator,
                                                                                 lists_in_at_once):
    project = applied(tmp_path, emulator.url)
    whole, lean = plans(project, emulator.url)
    assert not lean.plan.has_changes
    assert lean.plan.desired_fingerprint == whole.plan.desired_fingerprint
    assert {name for name, item in lean.desired.templates.items() if isinstance(item.data.get("roles"), dict)
            and all(role is None for role in item.data["roles"].values())} == {"same-a", "same-b", "to-change"}


def test_templates_wait_whole_for_the_lists_then_the_pass_waits_past_the_budget(tmp_path, credentials, emulator, monkeypatch):
    project = applied(tmp_path, emulator.url)
    asked: list[bool] = []
    lists = planning._LiveReader.lists

    def slow(self, wait=False):
        asked.append(wait)
        return lists(self, wait) if wait else None  # never in before the pass has to wait

    monkeypatch.setattr(planning._LiveReader, "lists", slow)
    monkeypatch.setattr(filewise, "WAITING_BUDGET", 0)
    whole, lean = plans(project, emulator.url)
    assert asked and all(asked)
    assert comparable(lean) == comparable(whole)
    assert lean.desired.templates["same-a"].data["roles"] == {"host": None, "guest": None}


def test_lists_that_never_come_leave_the_templates_whole_and_the_plan_the_same(tmp_path, credentials, emulator, monkeypatch):
    project = applied(tmp_path, emulator.url)
    monkeypatch.setattr(planning._LiveReader, "lists", lambda self, wait=False: None)
    whole, lean = plans(project, emulator.url)
    assert comparable(lean) == comparable(whole)
    assert isinstance(lean.desired.templates["same-a"].data["roles"]["host"], YMap)


def test_a_template_with_errors_stops_the_file_by_file_plan_as_it_stops_the_other(tmp_path, credentials, emulator):
    project = applied(tmp_path, emulator.url)
    (project / "templates" / "same-b.yaml").write_text("kind: Template\nname: same-b\nroles: {viewer: {maxpeercount: 3}}\n")
    found = []
    for keep in (True, False):
        with pytest.raises(InvalidConfiguration) as caught:
            planning.plan_workspace(str(project), None, emulator.url, keep_unchanged=keep)
        found.append([(d.file, d.line, d.column, d.rule, d.message) for d in caught.value.diagnostics])
    assert found[0] == found[1] and any("maxPeerCount" in message for *_, message in found[0])


def test_configuration_errors_still_come_before_a_failed_read(tmp_path, credentials, monkeypatch):
    files = {**FILES, "templates/same-b.yaml": "kind: Template\nname: same-b\nroles: {viewer: {maxpeercount: 3}}\n"}
    project = write_project(tmp_path / "p", files)
    monkeypatch.setattr(filewise, "WAITING_BUDGET", 0)  # the pass asks for the lists, which fail
    with pytest.raises(InvalidConfiguration):
        planning.plan_workspace(str(project), None, "http://127.0.0.1:9/v2", keep_unchanged=False)
