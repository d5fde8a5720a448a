"""`hmsconf validate`: check files offline and print the diagnostics (the pre-commit hook's command)."""

from __future__ import annotations

import click

from hmsconf.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    format_option,
    no_color_option,
    use_color,
)
from hmsconf.cli.progress import quiet_option


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(), required=False)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option("text", "json", "github", "sarif", "junit")
@no_color_option
@quiet_option
def command(paths: tuple[str, ...], strict: bool, output_format: str, no_color: bool, quiet: bool) -> None:
    """Check configuration files offline, the way the 100ms API would judge them.

    PATHS are project directories or single files (default: the current
    directory). A path inside a project (a file, a subfolder) is checked with
    its project (presets, variables) and its findings are reported. Every
    workspace of hmsconf.yaml is checked, since overlays and variables differ
    per workspace. No secrets are needed: an unset ${env:...} is a notice.
    Nothing is written.

    \b
    Examples:
      hmsconf validate examples/
      hmsconf validate templates/webinar.yaml --strict
      hmsconf validate --format github      # annotations in a GitHub Actions job
    """
    from hmsconf.cli.progress import progress_display
    from hmsconf.config.check import validate
    from hmsconf.diagnostics import has_errors, strictened
    from hmsconf.render.diagnostics import FORMATS

    with progress_display(quiet) as progress:
        result = validate(list(paths) or ["."], progress=progress)
    diagnostics = result.diagnostics
    if strict:
        diagnostics = strictened(diagnostics)
    click.echo(FORMATS[output_format](diagnostics, use_color(no_color)), nl=False)
    if output_format == "text":
        click.echo(
            f"Checked {_count(result.projects, 'project')}, {_count(result.files, 'file')}, "
            f"{_count(result.workspaces, 'workspace')}.",
            err=True,
        )
    if output_format == "github":
        from hmsconf.cli.common import append_step_summary
        from hmsconf.render.diagnostics import render_text

        append_step_summary("## hmsconf validate\n\n```\n" + render_text(diagnostics) + "```\n")
    raise SystemExit(EXIT_ERROR if has_errors(diagnostics) else EXIT_OK)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
