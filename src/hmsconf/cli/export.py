"""`hmsconf export`: the options of usecases.export and what it wrote."""

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
    from hmsconf.cli.common import write_lines
    from hmsconf.cli.progress import progress_display
    from hmsconf.render.outcome import export_text
    from hmsconf.usecases.export import export

    with progress_display(quiet) as progress:
        result = export(out, project_path, workspace, api_url, include_defaults=include_defaults, force=force,
                        progress=progress)
    write_lines(export_text(result))
