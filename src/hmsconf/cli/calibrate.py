"""`hmsconf calibrate`: the options of usecases.calibrate and its report."""

from __future__ import annotations

import click

from hmsconf.cli.common import format_option, workspace_options
from hmsconf.cli.progress import quiet_option


@click.command("calibrate")
@click.argument("path", required=False, type=click.Path())
@workspace_options
@click.option("--dry-run", is_flag=True, help="Say what would be written; send nothing.")
@format_option("text", "json")
@quiet_option
def command(path, workspace, api_url, dry_run, output_format, quiet) -> None:
    """Learn a workspace's server defaults (run once per workspace, before the first apply).

    Writes the template `hmsconf-calibration` (always the same one: templates
    cannot be deleted; files may not declare it) and a room on it that is then
    disabled, reads both back, prints every default where the workspace differs
    from hmsconf's catalogue, and saves calibration/WORKSPACE.json in the
    project: plan and apply treat those values as settled defaults there.

    \b
    Examples:
      hmsconf calibrate -w prod --dry-run
      hmsconf calibrate -w prod
    """
    import json

    from hmsconf.cli.progress import progress_display
    from hmsconf.render.calibration import text
    from hmsconf.usecases.calibrate import calibrate_workspace

    with progress_display(quiet) as progress:
        result = calibrate_workspace(path, workspace, api_url, dry_run, progress)
    click.echo(json.dumps(result.to_json(), indent=2) if output_format == "json" else text(result), nl=output_format == "json")
