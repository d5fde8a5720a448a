"""`hmsconf codes ROOM`: print a room's room codes (reference §7), for whoever holds the workspace's credentials."""

from __future__ import annotations

import click

from hmsconf.cli.common import format_option, workspace_options


@click.command("codes")
@click.argument("room")
@click.option("--project", "project_path", default=".", type=click.Path(), help="Project whose hmsconf.yaml names the workspace.")
@workspace_options
@click.option("--all", "show_all", is_flag=True, help="Also list disabled codes.")
@format_option("text", "json")
def command(room, project_path, workspace, api_url, show_all, output_format) -> None:
    """Print the room codes of ROOM (by name): one line per code, with its role.

    A room code lets anyone who has it join the room with its role (Prebuilt
    links use them), so `plan` and `apply` never show codes; this command is
    the one place that does. Codes never expire; disable one by removing its
    role from `room_codes` (or `room_codes: {disabled: [role]}`) and applying.

    \b
    Examples:
      hmsconf codes weekly-town-hall                 # the default workspace
      hmsconf codes weekly-town-hall -w prod --format json
    """
    import json

    from hmsconf.config.project import open_project
    from hmsconf.plan.room_codes import codes_of
    from hmsconf.usecases import plan as planning

    project = open_project(project_path, documents=False)  # only hmsconf.yaml: which workspace
    name = project.pick_workspace(workspace)

    async def read():
        async with planning.open_client_for(project, name, api_url) as client:
            return await codes_of(client, room)

    found, codes = planning.run(read())
    shown = [c for c in codes if show_all or c.get("enabled")]
    if output_format == "json":
        click.echo(json.dumps({"room": found.get("name"), "room_id": found.get("id"), "codes": [
            {"role": c.get("role"), "code": c.get("code"), "enabled": bool(c.get("enabled"))} for c in shown]}, indent=2))
        return
    if not shown:
        click.echo(f"room `{found.get('name')}` has no {'' if show_all else 'enabled '}room codes "
                   "(declare `room_codes: true` on the Room and apply to create them)")
        return
    width = max(len(str(c.get("role"))) for c in shown)
    for c in sorted(shown, key=lambda c: (str(c.get("role")), not c.get("enabled"))):
        state = "" if c.get("enabled") else "  (disabled)"
        click.echo(f"{str(c.get('role')).ljust(width)}  {c.get('code')}{state}")
