"""`hmsconf completion SHELL`: print the shell-completion script click generates.

Click completes commands, options and choices itself when the shell calls
``hmsconf`` with ``_HMSCONF_COMPLETE`` set; this command only prints the
script that wires a shell to that, so users need not know the variable.
"""

from __future__ import annotations

import click

COMPLETE_VAR = "_HMSCONF_COMPLETE"
HOW_TO_LOAD = {
    "bash": 'eval "$(hmsconf completion bash)"          # in ~/.bashrc',
    "zsh": 'eval "$(hmsconf completion zsh)"           # in ~/.zshrc (after compinit)',
    "fish": "hmsconf completion fish > ~/.config/fish/completions/hmsconf.fish",
}


@click.command("completion")
@click.argument("shell", type=click.Choice(sorted(HOW_TO_LOAD)))
def command(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    Commands, options and their choices complete with Tab.

    \b
    Examples:
      eval "$(hmsconf completion bash)"          # in ~/.bashrc
      eval "$(hmsconf completion zsh)"           # in ~/.zshrc (after compinit)
      hmsconf completion fish > ~/.config/fish/completions/hmsconf.fish
    """
    from click.shell_completion import get_completion_class

    from hmsconf.cli import cli

    completion = get_completion_class(shell)
    assert completion is not None  # click ships all three
    click.echo(completion(cli, {}, "hmsconf", COMPLETE_VAR).source(), nl=False)
