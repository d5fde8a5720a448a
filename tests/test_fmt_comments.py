"""`hmsconf fmt` moves a comment together with the key it stands above."""

from __future__ import annotations

import textwrap

import pytest

from hmsconf.config.fmt import format_text


def fmt(text: str) -> str:
    return format_text(textwrap.dedent(text).lstrip(), "t.yaml")


def test_comments_move_with_their_keys():
    out = fmt("""
        # yaml-language-server: $schema=../schemas/document.schema.json
        kind: Template
        name: t
        roles:
          guest:
            # who may join
            priority: 2
            # the permissions of a guest
            permissions:
              mute: false   # never
              # the last word on permissions
            name: guest
            # publishing
            publishParams:
              allowed: [audio]
        """)
    assert out == textwrap.dedent("""\
        # yaml-language-server: $schema=../schemas/document.schema.json
        kind: Template
        name: t
        roles:
          guest:
            name: guest
            # publishing
            publishParams:
              allowed: [audio]
            # the permissions of a guest
            permissions:
              mute: false   # never
              # the last word on permissions
            # who may join
            priority: 2
        """)
    assert fmt(out) == out  # and it is stable


def test_comment_after_a_list_and_in_a_list_of_maps():
    out = fmt("""
        kind: Template
        name: t
        roles:
          host:
            name: host
            subscribeParams:
              subscribeToRoles:
                - host
                - guest
            # the host publishes everything
            publishParams:
              allowed: [audio, video]
        recordings:
          - name: main
            # the bot's role
            role: bot
        """)
    lines = out.splitlines()
    at = lines.index("    # the host publishes everything")
    assert lines[at + 1] == "    publishParams:"
    assert lines.index("    # the bot's role") + 1 == lines.index("    role: bot")
    assert fmt(out) == out


@pytest.mark.parametrize("example", ["webinar", "telehealth", "classroom"])
def test_examples_keep_every_comment(example):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "examples" / example
    for path in root.rglob("*.yaml"):
        text = path.read_text()
        out = format_text(text, str(path), is_config=path.name == "hmsconf.yaml")
        comments = sorted(line.strip() for line in text.splitlines() if line.strip().startswith("#"))
        assert sorted(line.strip() for line in out.splitlines() if line.strip().startswith("#")) == comments
