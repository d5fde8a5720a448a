"""The sticky pull-request comment: post hmsconf's Markdown once, then update it in place.

The Markdown of ``plan``/``diff --format markdown`` starts with a hidden marker
(``<!-- hmsconf:plan:WORKSPACE -->``, from ``render/plan.py``). This finds the
pull request's comment that starts with the same marker and updates it, or
creates one, through GitHub's REST API (issues comments endpoints). It lives in
Python rather than in the action's bash so that it is tested against a real
HTTP server and every failure is one sentence saying what to change.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

from hmsconf.errors import HmsconfError

if TYPE_CHECKING:  # imported when posting
    import httpx

MARKER = re.compile(r"^<!-- hmsconf:[a-z]+:[^\s>]+ -->$")
DEFAULT_API_URL = "https://api.github.com"
PER_PAGE = 100
# GitHub rejects comment bodies over 65,536 characters.
COMMENT_LIMIT = 65_536


@dataclass(frozen=True)
class Target:
    api_url: str
    repository: str  # owner/name
    number: int  # pull request (= issue) number
    token: str


@dataclass(frozen=True)
class Posted:
    action: str  # "created" or "updated"
    comment_id: int
    url: str | None


def marker_of(body: str) -> str:
    first = body.split("\n", 1)[0].strip()
    if not MARKER.match(first):
        raise HmsconfError(
            "the comment does not start with hmsconf's marker (<!-- hmsconf:KIND:WORKSPACE -->); "
            "write it with `hmsconf plan --format markdown` or `hmsconf diff --format markdown`"
        )
    return first


def target_from_environment(environ: Mapping[str, str] | None = None, number: int | None = None,
                            repository: str | None = None) -> Target:
    """What a GitHub Actions job provides: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, the event file."""
    env = os.environ if environ is None else environ
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    if not token:
        raise HmsconfError("GITHUB_TOKEN is not set; in a workflow pass `env: GITHUB_TOKEN: ${{ github.token }}`")
    repository = repository or env.get("GITHUB_REPOSITORY")
    if not repository or repository.count("/") != 1:
        raise HmsconfError("GITHUB_REPOSITORY (owner/name) is not set; pass --repo OWNER/NAME")
    if number is None:
        number = _number_from_event(env.get("GITHUB_EVENT_PATH"))
    return Target(env.get("GITHUB_API_URL") or DEFAULT_API_URL, repository, number, token)


def _number_from_event(path: str | None) -> int:
    if not path:
        raise HmsconfError("no pull request: GITHUB_EVENT_PATH is not set; pass --pr NUMBER")
    try:
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError) as exc:
        raise HmsconfError(f"cannot read the event file {path} ({exc}); pass --pr NUMBER") from None
    number = (event.get("pull_request") or {}).get("number") or (event.get("issue") or {}).get("number")
    if not isinstance(number, int):
        raise HmsconfError("this event is not a pull request, so there is nothing to comment on; "
                           "run the step only `if: github.event_name == 'pull_request'`, or pass --pr NUMBER")
    return number


def _refused(response: httpx.Response, doing: str, target: Target) -> HmsconfError:
    try:
        message = response.json().get("message") or ""
    except ValueError:
        message = ""
    status = response.status_code
    why = f"GitHub answered {status}{': ' + message if message else ''} while {doing}"
    if status == 401:
        return HmsconfError(f"{why}; the token is not valid (pass `${{{{ github.token }}}}` as GITHUB_TOKEN)")
    if status in (403, 404):
        return HmsconfError(
            f"{why}; the token may not write comments on {target.repository}#{target.number}: give the job "
            "`permissions: pull-requests: write` (pull requests from forks get a read-only token)"
        )
    return HmsconfError(f"{why}; try the step again")


def post_sticky(body: str, target: Target, *, timeout: float = 30.0) -> Posted:
    """Update the pull request's comment that starts with ``body``'s marker, or create it."""
    import httpx

    marker = marker_of(body)
    if len(body) > COMMENT_LIMIT:
        raise HmsconfError(f"the comment has {len(body)} characters, over GitHub's {COMMENT_LIMIT}")
    headers = {
        "Authorization": f"Bearer {target.token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "hmsconf",
    }
    base = target.api_url.rstrip("/")
    issue = f"{base}/repos/{target.repository}/issues/{target.number}"
    try:
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=True) as http:
            existing = _find(http, f"{issue}/comments", marker, target)
            if existing is None:
                response = http.post(f"{issue}/comments", json={"body": body})
                doing, action = "creating the comment", "created"
            else:
                response = http.patch(f"{base}/repos/{target.repository}/issues/comments/{existing}", json={"body": body})
                doing, action = f"updating comment {existing}", "updated"
            if response.status_code not in (200, 201):
                raise _refused(response, doing, target)
            data = response.json()
    except httpx.InvalidURL:
        raise HmsconfError(f"GITHUB_API_URL `{target.api_url}` is not a valid URL") from None
    except httpx.HTTPError as exc:
        raise HmsconfError(f"cannot reach GitHub at {target.api_url} ({exc or type(exc).__name__}); "
                           "check GITHUB_API_URL and the network") from None
    return Posted(action, int(data["id"]), data.get("html_url"))


def _find(http: httpx.Client, url: str, marker: str, target: Target) -> int | None:
    """The id of our comment: the first, over every page, whose body starts with the marker."""
    next_url: str | None = url
    params: dict[str, Any] | None = {"per_page": PER_PAGE}
    while next_url:
        response = http.get(next_url, params=params)
        if response.status_code != 200:
            raise _refused(response, "listing the pull request's comments", target)
        for comment in response.json():
            if str(comment.get("body") or "").startswith(marker):
                return int(comment["id"])
        next_url = response.links.get("next", {}).get("url")
        params = None  # the next link carries its own query
    return None
