"""`hmsconf plan`: the options of usecases.plan, the plan rendered, and `--out` saved."""

from __future__ import annotations

import click

from hmsconf.cli.common import (
    EXIT_CHANGES,
    EXIT_OK,
    format_option,
    no_color_option,
    use_color,
    workspace_options,
)
from hmsconf.cli.progress import quiet_option
from hmsconf.cli.scope import pacing, pacing_options, target_option


@click.command("plan")
@click.argument("path", required=False, type=click.Path())
@workspace_options
@format_option("text", "json", "markdown", "github")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Save the plan (JSON) for `hmsconf apply FILE`.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error.")
@click.option("--refresh-secrets", is_flag=True, help="Send write-only secrets (storage keys, webhook headers) again.")
@target_option
@click.option("--all-workspaces", is_flag=True, help="Plan every workspace of hmsconf.yaml, a section (and exit status) each.")
@pacing_options
@no_color_option
@quiet_option
def command(path, workspace, api_url, output_format, out, detailed_exitcode, refresh_secrets, selection, all_workspaces,
            parallelism, max_rate, no_color, quiet) -> None:
    """Show what apply would change in a workspace, and what it means.

    Reads the live workspace fresh (no state file), compares it with the
    files, and explains each change in 100ms terms: powers a role gains,
    destinations switched off, how many live rooms a template change reaches.

    \b
    Examples:
      hmsconf plan examples/webinar                 # the local workspace file
      hmsconf plan -w prod --out plan.json          # save it for `hmsconf apply plan.json`
      hmsconf plan -w prod --detailed-exitcode      # drift check: exit 2 when live differs
      hmsconf plan -w prod --target Template/webinar --target Room/town-hall
      hmsconf plan --all-workspaces --format markdown  # one section (and marker) per workspace
      hmsconf plan -w prod --parallelism 4 --max-rate 5  # at most 5 requests a second
    """
    if all_workspaces:
        from hmsconf.cli.fanout import plan_all_workspaces

        plan_all_workspaces(path, workspace, api_url, output_format, out, detailed_exitcode, refresh_secrets, selection,
                            pacing(parallelism, max_rate), no_color, quiet)
    from hmsconf.cli.common import append_step_summary, echo_warnings, errors_in_format
    from hmsconf.cli.progress import progress_display
    from hmsconf.render.plan import FORMATS, render_markdown_limited
    from hmsconf.usecases import plan as planning

    with errors_in_format(output_format), progress_display(quiet) as progress:
        planned = planning.plan_workspace(path, workspace, api_url, refresh_secrets, progress=progress,
                                        selection=selection, pacing=pacing(parallelism, max_rate), keep_unchanged=False)
    echo_warnings(planned.diagnostics)
    plan = planned.plan
    if output_format == "github":
        from hmsconf.render.annotations import render_github

        click.echo(render_github(plan, planned.desired), nl=False)
    else:
        click.echo(FORMATS[output_format](plan, use_color(no_color)), nl=False)
    if out:
        from hmsconf.cli.common import write_plan

        write_plan(plan, out)
        click.echo(f"Saved the plan to {out}; apply it with: hmsconf apply {out}", err=True)
    append_step_summary(render_markdown_limited(plan))
    raise SystemExit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK)
