"""`hmsconf schema`: print or write the JSON Schemas generated from the model."""

from __future__ import annotations

import click


@click.command("schema")
@click.argument("kind", required=False, default="document",
                type=click.Choice(["document", "template", "room", "rolepreset", "project", "plan"], case_sensitive=False))
@click.option("--write", "write_dir", type=click.Path(file_okay=False), default=None,
              help="Write every schema file into this directory instead (as in schemas/).")
def command(kind: str, write_dir: str | None) -> None:
    """Print the JSON Schema (draft 2020-12) of a document kind.

    Generated from the typed model, so editors check what `hmsconf validate`
    checks as far as a schema can say it. `project` is hmsconf.yaml; `plan` is a
    plan saved by `hmsconf plan --out` (format_version 2).

    \b
    Examples:
      hmsconf schema Template > template.schema.json     # kinds in any case
      # yaml-language-server: $schema=schemas/document.schema.json   (first line of a file)
    """
    from hmsconf.model import json_schema as schema

    if write_dir:
        from pathlib import Path

        from hmsconf.errors import HmsconfError

        try:
            written = schema.write(Path(write_dir))
        except OSError as exc:
            where = exc.filename or write_dir
            raise HmsconfError(f"cannot write the schemas into {write_dir}: {where}: {exc.strerror}; "
                               "choose a directory you can write to") from None
        for path in written:
            click.echo(f"wrote {path}")
        return
    if kind.lower() == "plan":
        from hmsconf.plan import saved as saved_plan

        click.echo(schema.render(saved_plan.json_schema()), nl=False)
        return
    click.echo(schema.render(schema.schema_for(kind)), nl=False)
