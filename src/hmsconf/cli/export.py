from __future__ import annotations

import click

from hmsconf.cli.common import workspace_options
from hmsconf.cli.progress import quiet_option


@click.command("export")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Directory to write the project files into.")
@click.option("--project", "project_path", default=".", type=click.Path(), help="Project whose hmsconf.yaml names the workspace.")
@workspace_options
@click.option("--include-defaults", is_flag=True, help="Keep fields equal to the server's defaults.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
@quiet_option
def command(out, project_path, workspace, api_url, include_defaults, force, quiet) -> None:
    """Write a live workspace out as project files (templates/, rooms/, hmsconf.yaml).

    Server defaults are left out, read-only fields dropped, secrets replaced by
    ${env:...} placeholders (listed at the end). hmsconf.yaml names the
    workspace read (credentials as placeholders); schemas/ holds the JSON
    Schema the files' modelines point at. `hmsconf plan` on the result
    against the same workspace reports no changes; `hmsconf fmt --check` passes.

    \b
    Examples:
      hmsconf export --out my-project -w prod
      hmsconf export --out dump --api-url http://127.0.0.1:8787/v2
    """
    from pathlib import Path

    from hmsconf import engine
    from hmsconf.export import export_workspace, read_for_export, write_files
    from hmsconf.project import open_project

    project = open_project(project_path, documents=False)  # only hmsconf.yaml: which workspace
    name = project.pick_workspace(workspace)

    from hmsconf.cli.progress import progress_display

    async def read(progress):
        async with engine.open_client_for(project, name, api_url) as client:
            return await read_for_export(client, progress)

    with progress_display(quiet) as progress:
        live = engine.run(read(progress))
    from hmsconf.export import project_config, schema_files
    from hmsconf.workspace import connection_for

    exported = export_workspace(live, include_defaults)
    exported.files["hmsconf.yaml"] = project_config(name, connection_for(project, name, api_url), Path(out))
    exported.files.update(schema_files())
    written = write_files(exported, Path(out), force)
    click.echo(f"Wrote {len(written)} file(s) to {out} ({len(live.templates)} templates, {len(live.rooms)} rooms).")
    if exported.placeholders:
        click.echo("Secrets were replaced by placeholders; set these environment variables before `plan`:")
        for var in sorted(set(exported.placeholders)):
            click.echo(f"  {var}")
