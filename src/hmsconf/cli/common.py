"""What every command shares: exit codes, error printing, colour, common options."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterable

import click

from hmsconf.errors import EXIT_ERROR as EXIT_ERROR
from hmsconf.errors import EXIT_USAGE as EXIT_USAGE
from hmsconf.errors import HmsconfError

if TYPE_CHECKING:
    from hmsconf.render.outcome import Line

EXIT_OK = 0
EXIT_CHANGES = 2  # plan --detailed-exitcode, as Terraform does; not an error (errors.py holds those)


def run(cli: click.Group) -> None:
    """Run the CLI so that every failure is one clear sentence and an exit code."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        hint = ""
        if exc.ctx is not None:
            hint = f"\nTry '{exc.ctx.command_path} --help' for help."
        click.echo(f"Error: {exc.format_message()}{hint}", err=True)
        code = EXIT_USAGE
    except click.Abort:
        click.echo("Aborted.", err=True)
        code = EXIT_ERROR
    except HmsconfError as exc:
        if exc.diagnostics:
            from hmsconf.render.diagnostics import render_text

            click.echo(render_text(list(exc.diagnostics), use_color(False, sys.stderr)), err=True, nl=False)
        click.echo(f"Error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        code = 130
    except click.ClickException as exc:
        click.echo(f"Error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except BrokenPipeError:
        code = EXIT_ERROR
    except Exception as exc:  # the last line of defence: a bug must not print a traceback
        if os.environ.get("HMSCONF_DEBUG"):
            raise
        click.echo(
            f"Error: internal error ({type(exc).__name__}); this is a bug in hmsconf. "
            "Run again with HMSCONF_DEBUG=1 for details and report it.",
            err=True,
        )
        code = EXIT_ERROR
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def write_lines(lines: Iterable[Line]) -> None:
    """A renderer's lines, in order, each to the stream it chose."""
    for line in lines:
        click.echo(line.text, nl=False, err=line.to_stderr)


def use_color(no_color: bool, stream=None) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def no_color_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--no-color", is_flag=True, help="Plain output without colour (also when NO_COLOR is set)."
    )(f)


def _report_retries(ctx: click.Context, param: click.Parameter, verbose: bool) -> bool:
    """Retries log at debug level: silent by default, one readable line each with --verbose."""
    import logging

    import stamina.instrumentation

    logger = logging.getLogger("hmsconf.retries")

    def on_retry(details) -> None:
        cause = details.caused_by
        logger.debug("retry %d in %.1f s after: %s", details.retry_num, details.wait_for, str(cause) or type(cause).__name__)

    stamina.instrumentation.set_on_retry_hooks([on_retry])
    if verbose and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("hmsconf: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    return verbose


def workspace_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--verbose", "-v", is_flag=True, expose_value=False, callback=_report_retries,
        help="Also print each retry of a failed or throttled request.",
    )(f)
    f = click.option(
        "--api-url",
        envvar="HMSCONF_API_URL",
        default=None,
        help="Talk to this API (e.g. an emulator) instead of the workspace's own connection.",
    )(f)
    f = click.option(
        "--workspace",
        "-w",
        default=None,
        help="Workspace from hmsconf.yaml (default: its default_workspace, else the local file).",
    )(f)
    return f


def format_option(*choices: str, default: str = "text") -> Callable[..., Any]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help="Output format.",
    )


# GitHub refuses a step summary over 1 MiB; stay under it with room for the note.
STEP_SUMMARY_LIMIT = 1024 * 1024


def append_step_summary(markdown: str) -> None:
    """Append to $GITHUB_STEP_SUMMARY when a GitHub Actions job provides one."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from hmsconf.render.markdown import truncate_markdown

    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(truncate_markdown(markdown, STEP_SUMMARY_LIMIT - 1024) + "\n")
    except OSError as exc:
        click.echo(f"Warning: cannot write the step summary ({exc.strerror}).", err=True)


def echo_warnings(diagnostics) -> None:
    """Configuration warnings go to stderr so they never pollute JSON on stdout."""
    from hmsconf.render.diagnostics import render_text

    warnings = [d for d in diagnostics if not d.is_error]
    if warnings:
        click.echo(render_text(warnings, use_color(False, sys.stderr)), err=True, nl=False)


@contextmanager
def errors_in_format(output_format: str):
    """With a machine format (json, github), configuration errors go to stdout in that format.

    A CI step that reads ``plan --format json`` then gets ``{"valid": false, "diagnostics": [...]}``
    instead of nothing, and ``--format github`` puts them on the lines as annotations; both exit 1.
    """
    from hmsconf.errors import InvalidConfiguration

    try:
        yield
    except InvalidConfiguration as exc:
        if output_format not in ("json", "github"):
            raise
        from hmsconf.render.diagnostics import FORMATS

        click.echo(FORMATS[output_format](exc.diagnostics, False), nl=False)
        raise SystemExit(EXIT_ERROR) from None


def write_plan(plan, path: str) -> None:
    import json

    from hmsconf.errors import HmsconfError

    try:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(plan.to_json(), handle, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise HmsconfError(f"cannot write the plan to {path}: {exc.strerror}") from None
