"""The command line: the only layer that prints or exits.

Each command lives in its own module and is imported only when it runs, so
``hmsconf --help`` pays for click and nothing else.
"""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module, one-line help shown by `hmsconf --help` without importing it)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("hmsconf.cli.validate", "Check configuration files offline, as the 100ms API would."),
    "plan": ("hmsconf.cli.plan", "Show what apply would change in a workspace."),
    "apply": ("hmsconf.cli.apply", "Make a workspace match the files (or apply a saved plan)."),
    "diff": ("hmsconf.cli.diff", "Compare the project with a git revision, offline."),
    "render": ("hmsconf.cli.render", "Print the fully resolved documents for a workspace."),
    "show": ("hmsconf.cli.show", "Show who can do what and who sees whom: matrices, graph, page."),
    "export": ("hmsconf.cli.export", "Write a live workspace out as project files."),
    "fmt": ("hmsconf.cli.fmt", "Rewrite files in canonical form, keeping comments."),
    "schema": ("hmsconf.cli.schema", "Print the JSON Schema of a document kind."),
    "emulator": ("hmsconf.cli.emulator", "Run a local server that behaves like the 100ms API."),
    "comment": ("hmsconf.cli.comment", "Post or update the sticky pull-request comment (GitHub Actions)."),
    "completion": ("hmsconf.cli.completion", "Print the shell completion script (bash, zsh, fish)."),
    "codes": ("hmsconf.cli.codes", "Print a room's room codes (they grant entry: keep them private)."),
    "calibrate": ("hmsconf.cli.calibrate", "Learn a workspace's server defaults (once per workspace, before the first apply)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _) in COMMANDS.items() if _module_exists(module)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS or not _module_exists(COMMANDS[name][0]):
            return None
        command: click.Command = importlib.import_module(COMMANDS[name][0]).command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except ImportError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="hmsconf", message="hmsconf %(version)s")
def cli() -> None:
    """100ms templates, rooms and webhooks as code.

    \b
    Start with no account at all:
      hmsconf plan examples/webinar       # against the local workspace file
      hmsconf apply examples/webinar --auto-approve
    """


def main() -> None:
    from hmsconf.cli.common import run

    run(cli)


if __name__ == "__main__":  # pragma: no cover
    main()
    sys.exit(0)
