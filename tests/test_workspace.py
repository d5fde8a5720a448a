"""Choosing the target: hmsconf.yaml workspaces, CI environment overrides, clear errors."""

from __future__ import annotations

import pytest

from hmsconf.api.connection import connection_for
from hmsconf.errors import HmsconfError
from tests.helpers import project_at, write_project

CONFIG = """
    default_workspace: dev
    workspaces:
      dev: {file: state/dev.db}
      staging: {api_url: "http://127.0.0.1:8787/v2", access_key: k, secret: "${env:STAGING_SECRET}"}
      prod: {management_token: "${env:PROD_TOKEN}"}
"""


@pytest.fixture()
def project(tmp_path):
    write_project(tmp_path, {"hmsconf.yaml": CONFIG})
    return project_at(tmp_path)


def test_file_workspace_is_relative_to_the_project(project, tmp_path):
    conn = connection_for(project, "dev", environ={})
    assert conn.file == str(tmp_path / "state" / "dev.db")


def test_undeclared_local_workspace_is_the_default_file(tmp_path):
    write_project(tmp_path, {"t.yaml": "kind: Template\nname: t\n"})
    project = project_at(tmp_path)
    assert project.default_workspace == "local"
    assert connection_for(project, "local", environ={}).file == str(tmp_path / ".hmsconf" / "local-workspace.db")


def test_env_references_are_resolved_and_missing_ones_named(project):
    conn = connection_for(project, "staging", environ={"STAGING_SECRET": "s3"})
    assert (conn.api_url, conn.access_key, conn.secret) == ("http://127.0.0.1:8787/v2", "k", "s3")
    with pytest.raises(HmsconfError, match="STAGING_SECRET"):
        connection_for(project, "staging", environ={})


def test_management_token_workspace(project):
    conn = connection_for(project, "prod", environ={"PROD_TOKEN": "tok"})
    assert conn.management_token == "tok" and conn.api_url == "https://api.100ms.live/v2"


def test_ci_environment_overrides_the_connection_but_not_the_workspace(project):
    env = {"HMSCONF_API_URL": "http://127.0.0.1:9999/v2", "HMS_ACCESS_KEY": "ci-key", "HMS_SECRET": "ci-secret"}
    conn = connection_for(project, "dev", environ=env)
    assert (conn.file, conn.api_url, conn.access_key, conn.secret) == (None, env["HMSCONF_API_URL"], "ci-key", "ci-secret")
    token = connection_for(project, "prod", environ={"HMS_MANAGEMENT_TOKEN": "ci-token"})
    assert token.management_token == "ci-token"


def test_missing_credentials_are_one_sentence(tmp_path):
    write_project(tmp_path, {"hmsconf.yaml": "workspaces:\n  prod: {api_url: 'https://api.100ms.live/v2'}\n"})
    with pytest.raises(HmsconfError, match="HMS_ACCESS_KEY and HMS_SECRET"):
        connection_for(project_at(tmp_path), "prod", environ={})


def test_unknown_workspace_is_refused(project):
    with pytest.raises(HmsconfError, match="not declared"):
        project.pick_workspace("qa")
