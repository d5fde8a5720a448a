"""`hmsconf plan --all-workspaces`: every workspace in one run, a section and an exit status each."""

from __future__ import annotations

from typing import Any

import click

from hmsconf.cli.common import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, use_color

# the overall exit is the worst section's: an error, then changes, then nothing to do
_SEVERITY = {EXIT_OK: 0, EXIT_CHANGES: 1, EXIT_ERROR: 2}


def plan_all_workspaces(path: str | None, workspace: str | None, api_url: str | None, output_format: str, out: str | None,
                        detailed_exitcode: bool, refresh_secrets: bool, selection: Any, pacing: Any,
                        no_color: bool, quiet: bool) -> None:
    from hmsconf.cli.common import append_step_summary, echo_warnings
    from hmsconf.cli.progress import progress_display
    from hmsconf.render.fanout import FORMATS
    from hmsconf.usecases.fanout import plan_all

    if workspace is not None:
        raise click.UsageError("--all-workspaces plans every workspace: leave out --workspace")
    if api_url is not None:
        raise click.UsageError("--all-workspaces uses each workspace's own connection: leave out --api-url (HMSCONF_API_URL)")
    if out is not None:
        raise click.UsageError("--out saves one workspace's plan: use it with --workspace, not --all-workspaces")
    with progress_display(quiet) as progress:
        sections = plan_all(path, None, refresh_secrets, progress=progress, selection=selection, pacing=pacing)
    from hmsconf.config.check import unique

    echo_warnings(unique([d for s in sections if s.planned for d in s.planned.diagnostics]))
    codes = {}
    for section in sections:
        if section.planned is None:
            codes[section.workspace] = EXIT_ERROR
            continue
        changed = detailed_exitcode and section.planned.plan.has_changes
        codes[section.workspace] = EXIT_CHANGES if changed else EXIT_OK
    click.echo(FORMATS[output_format](sections, codes, use_color(no_color)), nl=False)
    append_step_summary(FORMATS["markdown"](sections, codes, False))
    raise SystemExit(max(codes.values(), key=_SEVERITY.__getitem__, default=EXIT_OK))
