"""`hmsconf fmt`: rewrite project files in the canonical form, or `--check` that they are."""

from __future__ import annotations

import click

from hmsconf.cli.common import EXIT_ERROR, EXIT_OK
from hmsconf.cli.progress import quiet_option


@click.command("fmt")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Write nothing; list files that would change and exit 1 if any.")
@quiet_option
def command(paths: tuple[str, ...], check: bool, quiet: bool) -> None:
    """Rewrite files in one canonical form, keeping comments and blank lines.

    Keys go in the 100ms API's order (kind and name first), indentation is two
    spaces, quotes and flow lists stay as written. Only the project's documents
    and hmsconf.yaml are touched: other YAML beside them (CI files, compose
    files, manifests) is left alone, even when named.

    \b
    Examples:
      hmsconf fmt                    # the project in the current directory
      hmsconf fmt --check examples/  # in CI or pre-commit
    """
    from hmsconf.cli.progress import progress_display
    from hmsconf.config.fmt import format_paths

    with progress_display(quiet) as progress:
        result = format_paths(list(paths) or ["."], check, progress)
    for line in result.errors:
        click.echo(line, err=True)
    for name in result.changed:
        click.echo(name if check else f"formatted {name}")
    if check and result.changed:
        click.echo(f"{len(result.changed)} file(s) would be reformatted; run `hmsconf fmt`.", err=True)
    raise SystemExit(EXIT_ERROR if result.errors or (check and result.changed) else EXIT_OK)
