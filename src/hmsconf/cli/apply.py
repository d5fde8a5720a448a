"""`hmsconf apply [PLAN]`: read the options, ask for confirmation, hand over to usecases.apply, write its result."""

from __future__ import annotations

import sys

import click

from hmsconf.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    format_option,
    no_color_option,
    use_color,
    workspace_options,
)
from hmsconf.cli.progress import quiet_option
from hmsconf.cli.scope import pacing, pacing_options, target_option


@click.command("apply")
@click.argument("target", required=False, type=click.Path())
@workspace_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed without a terminal).")
@click.option("--allow-destroy", is_flag=True, help="Allow role removals and room disables.")
@click.option("--force", is_flag=True, help="Allow changes above the safety share of hmsconf.yaml.")
@click.option("--refresh-secrets", is_flag=True, help="Send write-only secrets (storage keys, webhook headers) again.")
@format_option("text", "json")
@target_option
@pacing_options
@no_color_option
@quiet_option
def command(target, workspace, api_url, auto_approve, allow_destroy, force, refresh_secrets, output_format, selection,
            parallelism, max_rate, no_color, quiet) -> None:
    """Make a workspace match the files, or apply a saved plan.

    TARGET is a project directory (default: the current one) or a plan saved
    with `hmsconf plan --out`. A saved plan is refused when the workspace or
    the files changed since it was made; nothing overrides that.

    \b
    Examples:
      hmsconf apply examples/webinar --auto-approve
      hmsconf plan -w prod --out plan.json && hmsconf apply plan.json
      hmsconf apply -w prod --target Room/town-hall --auto-approve   # only that room
      hmsconf apply -w prod --max-rate 5 --auto-approve              # at most 5 requests a second

    A plan saved with --target applies only its targets.
    """
    from hmsconf.cli.common import echo_warnings, write_lines
    from hmsconf.cli.progress import progress_display, wanted
    from hmsconf.errors import HmsconfError
    from hmsconf.render import outcome as shown
    from hmsconf.render.plan import FORMATS
    from hmsconf.usecases import apply as applying

    request = applying.ApplyRequest(target, workspace, api_url, allow_destroy, force, refresh_secrets, selection,
                                    pacing(parallelism, max_rate))
    ask = request.saved_plan_path is None and not auto_approve  # a saved plan was reviewed when it was made
    if ask and not sys.stdin.isatty():
        raise HmsconfError("no terminal to confirm on: review with `hmsconf plan`, then run apply with --auto-approve")
    with progress_display(quiet) as progress:
        prepared = applying.prepare(request, progress)
    echo_warnings(prepared.planned.diagnostics)
    if output_format == "text":
        click.echo(FORMATS["text"](prepared.plan, use_color(no_color)), nl=False)
    if prepared.plan.has_changes:
        applying.refuse_unsafe(prepared)
        if ask:
            click.confirm(f"Apply these changes to workspace `{prepared.planned.workspace}`?", abort=True)
    with progress_display(quiet) as progress:
        result = applying.execute(prepared, progress)
    # On one terminal the results were shown as they completed: list them once.
    write_lines(shown.apply_json(result) if output_format == "json" else
                shown.apply_text(result, listed_live=wanted(quiet) and sys.stdout.isatty(), failures_listed=wanted(quiet)))
    raise SystemExit(EXIT_OK if result.ok else EXIT_ERROR)
