"""`hmsconf diff`: the offline review of two git revisions (usecases.revisions), rendered like a plan."""

from __future__ import annotations

import click

from hmsconf.cli.common import (
    EXIT_CHANGES,
    EXIT_OK,
    format_option,
    no_color_option,
    use_color,
)


@click.command("diff")
@click.argument("path", required=False, type=click.Path())
@click.option("--base", "base", default=None, help="Git revision to compare with (default: merge base with the default branch).")
@click.option("--workspace", "-w", default=None, help="Resolve variables and overlays for this workspace.")
@format_option("text", "json", "markdown", "github")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0 with no changes, 2 with changes, 1 on error.")
@no_color_option
def command(path, base, workspace, output_format, detailed_exitcode, no_color) -> None:
    """Compare the project at a git revision with the working tree, offline.

    No network and no credentials: what a pull request from a fork can still
    show. Same risk notes and permission tables as `plan`.

    \b
    Examples:
      hmsconf diff --base origin/main examples/webinar
      hmsconf diff --format markdown > comment.md
    """
    from hmsconf.cli.common import append_step_summary, echo_warnings, errors_in_format
    from hmsconf.render.plan import FORMATS, render_markdown_limited
    from hmsconf.usecases.revisions import review_desired

    with errors_in_format(output_format):
        plan, diagnostics, desired = review_desired(path, base, workspace)
    echo_warnings(diagnostics)
    if output_format == "github":
        from hmsconf.render.annotations import render_github

        click.echo(render_github(plan, desired, title="hmsconf diff"), nl=False)
    elif output_format == "markdown":
        click.echo(render_markdown_limited(plan, heading="hmsconf diff", marker_kind="diff"), nl=False)
    else:
        click.echo(FORMATS[output_format](plan, use_color(no_color)), nl=False)
    append_step_summary(render_markdown_limited(plan, heading="hmsconf diff", marker_kind="diff"))
    raise SystemExit(EXIT_CHANGES if detailed_exitcode and plan.has_changes else EXIT_OK)
