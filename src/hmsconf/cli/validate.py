from __future__ import annotations

import click

from hmsconf.cli.common import EXIT_ERROR, EXIT_OK, format_option, no_color_option, use_color


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(), required=False)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option("text", "json", "github", "sarif", "junit")
@no_color_option
def command(paths: tuple[str, ...], strict: bool, output_format: str, no_color: bool) -> None:
    """Check configuration files offline, the way the 100ms API would judge them.

    PATHS are project directories or single files (default: the current
    directory). Every workspace of hmsconf.yaml is checked, since overlays and
    variables differ per workspace. Nothing is written.

    \b
    Examples:
      hmsconf validate examples/
      hmsconf validate templates/webinar.yaml --strict
      hmsconf validate --format github      # annotations in a GitHub Actions job
    """
    from hmsconf.check import validate_paths
    from hmsconf.diagnostics import has_errors, strictened
    from hmsconf.render.diagnostics import FORMATS

    diagnostics = validate_paths(list(paths) or ["."])
    if strict:
        diagnostics = strictened(diagnostics)
    click.echo(FORMATS[output_format](diagnostics, use_color(no_color)), nl=False)
    if output_format == "github":
        from hmsconf.cli.common import append_step_summary
        from hmsconf.render.diagnostics import render_text

        append_step_summary("## hmsconf validate\n\n```\n" + render_text(diagnostics) + "```\n")
    raise SystemExit(EXIT_ERROR if has_errors(diagnostics) else EXIT_OK)
