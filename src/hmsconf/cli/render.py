"""`hmsconf render`: the resolved documents of a workspace, exactly what plan compares, secrets masked."""

from __future__ import annotations

import click

from hmsconf.cli.common import format_option


@click.command("render")
@click.argument("path", required=False, type=click.Path())
@click.option("--workspace", "-w", default=None, help="Workspace whose variables and overlays apply.")
@format_option("yaml", "json", default="yaml")
def command(path, workspace, output_format) -> None:
    """Print the fully resolved documents of a workspace (secrets masked).

    Variables, environment values, overlays and presets applied: exactly what
    plan compares with the live workspace.

    \b
    Examples:
      hmsconf render -w prod
      hmsconf render examples/webinar --format json
    """
    import json

    import yaml

    from hmsconf.cli.common import echo_warnings
    from hmsconf.config.resolve import masked_body
    from hmsconf.usecases import plan as planning

    prepared = planning.prepare(path, workspace)
    echo_warnings(prepared.diagnostics)
    documents = [{"kind": item.kind, **masked_body(item)} for item in prepared.desired.objects()]
    if output_format == "json":
        click.echo(json.dumps(documents, indent=2))
    else:
        click.echo(yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False), nl=False)
