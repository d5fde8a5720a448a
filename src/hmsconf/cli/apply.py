from __future__ import annotations

import json
import sys

import click

from hmsconf.cli.common import EXIT_ERROR, EXIT_OK, format_option, no_color_option, use_color, workspace_options
from hmsconf.cli.progress import quiet_option
from hmsconf.cli.scope import pacing, pacing_options, target_option


def _saved_plan(target: str | None) -> dict | None:
    """The saved plan at ``target``, checked field by field, or None when ``target`` is a project."""
    if not target or not target.endswith(".json"):
        return None
    from hmsconf import saved_plan

    return saved_plan.read(target)


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
    from hmsconf import engine
    from hmsconf.apply import Applier, Safety, check_fresh, check_safety
    from hmsconf.cli.common import echo_warnings
    from hmsconf.errors import HmsconfError
    from hmsconf.render.plan import FORMATS

    saved_data = _saved_plan(target)
    saved = None
    if saved_data is not None:
        from hmsconf.plan import Plan

        saved = Plan.from_json(saved_data)
        project_path, workspace = saved.project, workspace or saved.workspace
        if workspace != saved.workspace:
            raise HmsconfError(f"the plan was made for workspace `{saved.workspace}`, not `{workspace}`")
        if selection is not None:
            raise click.UsageError("a saved plan applies exactly what it holds: --target goes with `hmsconf plan`")
        if saved.targets is not None:
            from hmsconf.selection import Selection

            selection = Selection.parse(saved.targets)
    else:
        project_path = target
    if saved is None and not auto_approve and not sys.stdin.isatty():
        raise HmsconfError("no terminal to confirm on: review with `hmsconf plan`, then run apply with --auto-approve")

    from hmsconf.cli.progress import progress_display, wanted

    with progress_display(quiet) as progress:
        planned = engine.plan_workspace(project_path, workspace, api_url, refresh_secrets,
                                        salt=saved.salt if saved else None, progress=progress,
                                        selection=selection, pacing=pacing(parallelism, max_rate))
    echo_warnings(planned.diagnostics)
    project, name, desired, live, plan = planned.project, planned.workspace, planned.desired, planned.live, planned.plan
    safety = Safety.from_config(project.config, allow_destroy, force)
    color = use_color(no_color)
    if saved is not None:
        check_fresh(saved, plan)
    if output_format == "text":
        click.echo(FORMATS["text"](plan, color), nl=False)
    if not plan.has_changes:
        if output_format == "json":
            click.echo(json.dumps({"applied": [], "failed": [], "skipped": [], "inconsistent": [], "plan": plan.to_json()}, indent=2))
        raise SystemExit(EXIT_OK)
    check_safety(plan, live, desired, safety)
    if saved is None and not auto_approve:
        click.confirm(f"Apply these changes to workspace `{name}`?", abort=True)

    async def execute(progress):
        async with engine.open_client_for(project, name, api_url, pacing(parallelism, max_rate)) as client:
            # Re-read right before writing: what was shown is what gets applied, or nothing is.
            fresh_live, fresh = await engine.plan_with(client, project, name, desired, refresh_secrets,
                                                       salt=plan.salt, progress=progress, selection=planned.selection)
            check_fresh(plan, fresh)
            applier = Applier(client, fresh, desired, fresh_live, progress=progress,
                              calibration=engine.calibration_of(project, name))
            return await applier.run()

    with progress_display(quiet) as progress:
        outcome = engine.run(execute(progress))
    # On one terminal the results were shown as they completed: list them once.
    shown_live = wanted(quiet) and sys.stdout.isatty()
    if output_format == "json":
        click.echo(json.dumps({
            "applied": outcome.done,
            "failed": [{"request": r, "error": e} for r, e in outcome.failed],
            "skipped": outcome.skipped,
            "inconsistent": [item.to_json() for item in outcome.inconsistent],
            "plan": plan.to_json(),
        }, indent=2))
    else:
        for line in [] if shown_live else outcome.done:
            click.echo(f"  applied  {line}")
        for line, problem in [] if wanted(quiet) else outcome.failed:  # already shown on the terminal
            click.echo(f"  FAILED   {line}: {problem}", err=True)
        for line in outcome.skipped:
            click.echo(f"  not run  {line}", err=True)
        from hmsconf.render.readback import text as readback_text

        click.echo(readback_text(outcome.inconsistent), nl=False)
    if not outcome.ok:
        click.echo(
            f"Error: apply stopped after the first failure: {len(outcome.done)} request(s) applied, "
            f"{len(outcome.failed) + len(outcome.skipped)} not. Run `hmsconf apply` again to converge.",
            err=True,
        )
        raise SystemExit(EXIT_ERROR)
    if output_format == "text":  # JSON output stays one parseable document
        click.echo(f"Apply complete: {len(outcome.done)} request(s) sent.")
    raise SystemExit(EXIT_OK)
