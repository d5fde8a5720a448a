"""`hmsconf show`: who can do what and who sees whom, from the files or the live workspace."""

from __future__ import annotations

import click

from hmsconf.cli.common import (
    format_option,
    no_color_option,
    use_color,
    workspace_options,
)


@click.command("show")
@click.argument("path", required=False, type=click.Path())
@workspace_options
@click.option("--live", is_flag=True, help="Read the templates from the workspace instead of the files.")
@click.option("--template", "template", default=None, metavar="NAME", help="Only this template.")
@format_option("text", "markdown", "dot", "json", "html")
@click.option("--plan", "plan_file", type=click.Path(dir_okay=False), help="A saved plan (`plan --out`) to show too (html, json).")
@no_color_option
def command(path, workspace, api_url, live, template, output_format, plan_file, no_color) -> None:
    """Show who can do what, who sees whom, and where the media goes.

    For each template: the permission matrix (effective values, moderator
    powers first), the publish matrix, the subscribe graph and the
    destinations (RTMP by host only: stream keys are secret). From the files,
    offline, by default; from the workspace with --live.

    \b
    Examples:
      hmsconf show examples/webinar
      hmsconf show examples/webinar --format markdown >> "$GITHUB_STEP_SUMMARY"
      hmsconf show -w prod --live --format html > report.html
      hmsconf show --format html --plan plan.json > report.html
    """
    from hmsconf.cli.common import echo_warnings
    from hmsconf.render.show import FORMATS
    from hmsconf.usecases import show as use_case

    if live:
        report = use_case.from_live(path, workspace, api_url, template)
    else:
        report, diagnostics = use_case.from_files(path, workspace, template)
        echo_warnings(diagnostics)
    if plan_file:
        if output_format not in ("html", "json"):
            raise click.UsageError("--plan goes with --format html or json (the plan's own formats: `hmsconf plan`)")
        report.plan = use_case.load_plan(plan_file)
    click.echo(FORMATS[output_format](report, use_color(no_color)), nl=False)
