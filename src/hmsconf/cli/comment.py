"""`hmsconf comment`: the sticky pull-request comment, posted from a GitHub Actions job."""

from __future__ import annotations

import click


@click.command("comment")
@click.argument("markdown", type=click.File("r", encoding="utf-8"))
@click.option("--pr", "number", type=click.IntRange(min=1), default=None,
              help="Pull request number (default: from the workflow's event).")
@click.option("--repo", "repository", default=None, help="OWNER/NAME (default: GITHUB_REPOSITORY).")
def command(markdown, number: int | None, repository: str | None) -> None:
    """Post MARKDOWN as the pull request's sticky comment, or update it in place.

    MARKDOWN is the output of `plan`/`diff --format markdown` ("-" reads
    stdin); its first line, <!-- hmsconf:plan:WORKSPACE -->, finds the comment
    to update, so each workspace keeps one comment. Needs GITHUB_TOKEN with
    `pull-requests: write`; GITHUB_REPOSITORY, GITHUB_API_URL and the pull
    request come from the job's environment.

    \b
    Examples:
      hmsconf plan -w prod --format markdown > plan.md && hmsconf comment plan.md
      hmsconf diff --format markdown | hmsconf comment - --pr 42 --repo acme/video-config
    """
    from hmsconf.api.github_comment import post_sticky, target_from_environment

    target = target_from_environment(number=number, repository=repository)
    posted = post_sticky(markdown.read(), target)
    click.echo(f"{posted.action} comment {posted.comment_id} on {target.repository}#{target.number}"
               + (f": {posted.url}" if posted.url else ""))
