"""Options that limit and pace what `plan` and `apply` read and write: --target, --parallelism, --max-rate."""

from __future__ import annotations

from typing import Any, Callable

import click


def _selection(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> Any:
    from hmsconf.errors import HmsconfError
    from hmsconf.plan.selection import Selection

    try:
        return Selection.parse(value)
    except HmsconfError as exc:
        raise click.BadParameter(str(exc).split(": ", 1)[-1]) from None


def target_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--target", "selection", multiple=True, metavar="KIND/NAME", callback=_selection,
        help="Only this object: Template/NAME or Room/NAME (repeatable). The plan is partial: "
             "nothing else is read or compared.",
    )(f)


def pacing_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option(
        "--max-rate", type=click.FloatRange(min=0, min_open=True), default=None, metavar="R",
        help="At most R requests per second, evenly spaced (default: the workspace's max_rate, else no limit).",
    )(f)
    f = click.option(
        "--parallelism", type=click.IntRange(min=1), default=None, metavar="N",
        help="At most N requests in flight (default: the workspace's parallelism, else 32).",
    )(f)
    return f


def pacing(parallelism: int | None, max_rate: float | None) -> Any:
    from hmsconf.api.pacing import Pacing

    return Pacing(parallelism, max_rate) if parallelism is not None or max_rate is not None else None
