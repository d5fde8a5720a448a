"""Every error hmsconf raises for a user to act on: one tree, each class with its exit code.

Everything below the CLI raises one of these instead of printing; the CLI
(``cli/common.run``) prints ``str(error)`` as one sentence (after the
diagnostics, when the error carries some) and exits with ``exit_code``. No
message may hold a secret: messages are built from names and places, and the
client scrubs what the API said (``model/sensitive.scrub``).

    HmsconfError                  exit 1   an error a user can act on
    ├── UsageError                exit 64  the command line is wrong (sysexits EX_USAGE)
    ├── ConfigurationError        exit 1   the files (or hmsconf.yaml) cannot be used
    │   ├── InvalidConfiguration           rules found errors; carries the diagnostics
    │   ├── FormatError                    `hmsconf fmt` cannot read a file (file:line:col)
    │   ├── UnknownTarget                  a --target names nothing the files declare
    │   ├── InvalidApiUrl                  the API URL cannot be the 100ms API's
    │   └── CalibrationError               a calibration file cannot be read
    ├── SavedPlanError            exit 1   a saved plan that cannot be read back
    ├── RemoteError               exit 1   talking to the API (or GitHub) failed
    │   ├── ApiError                       an error answer, after retries (status, code, message)
    │   └── ConnectionFailed               no answer at all (DNS, TLS, timeouts)
    └── ApplyRefused              exit 1   apply wrote nothing, on purpose
        ├── SafetyError                    a destroy without --allow-destroy, too large a change, protection
        └── StalePlanError                 the saved plan no longer describes the workspace or the files

Exit code 2 ("changes present", ``plan --detailed-exitcode``) is not an error
and lives with the CLI. The emulator's own errors (what the fake API answers)
are a separate tree in ``emulator/exceptions.py``: they are HTTP answers, not
hmsconf's failures.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hmsconf.diagnostics import Diagnostic

EXIT_ERROR = 1
EXIT_USAGE = 64  # sysexits(3) EX_USAGE: never confused with "changes present" (2)


class HmsconfError(Exception):
    """An error a user can act on. The CLI prints ``str(err)`` and exits ``exit_code``."""

    exit_code = EXIT_ERROR
    diagnostics: tuple[Diagnostic, ...] | list[Diagnostic] = ()  # printed before the sentence, when any


class UsageError(HmsconfError):
    """The command line itself is wrong (options that do not go together)."""

    exit_code = EXIT_USAGE


class ConfigurationError(HmsconfError):
    """The files or hmsconf.yaml cannot be used as they are."""


class InvalidConfiguration(ConfigurationError):
    """The files have errors; the diagnostics say where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"the configuration has {sum(d.is_error for d in diagnostics)} error(s); fix them first")
        self.diagnostics = diagnostics


class FormatError(ConfigurationError):
    """`hmsconf fmt` cannot read a file; the message starts with its file:line:col."""

    def __init__(self, file: str, line: int, column: int, reason: str) -> None:
        super().__init__(f"{file}:{line}:{column}: cannot format: {reason}")


class UnknownTarget(ConfigurationError):
    """A --target that names nothing the project declares for the workspace."""


class InvalidApiUrl(ConfigurationError):
    """An API URL (option, environment or hmsconf.yaml) that cannot be the 100ms API's base URL."""


class CalibrationError(ConfigurationError):
    """A calibration file that cannot be read; the message names the file."""


class SavedPlanError(HmsconfError):
    """A saved plan that is not one hmsconf can apply; the message names the field."""


class RemoteError(HmsconfError):
    """Talking to a remote service (the 100ms API, GitHub) failed."""


class ApiError(RemoteError):
    """An error answer of the API, after retries; one sentence that says what to do."""

    def __init__(self, status: int, method: str, path: str, code: Any = None, message: str = "",
                 details: list[Any] | None = None) -> None:
        self.status, self.method, self.path = status, method, path
        self.code, self.api_message, self.details = code, message, details or []
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        said = self.api_message or _reason(self.status) or "error"
        if self.details:
            said += ": " + "; ".join(str(d) for d in self.details[:5])
        where = f"{self.method} {self.path}"
        if self.status in (401, 403):
            return (f"the API refused the credentials ({self.status} {said}) for {where}; check HMS_ACCESS_KEY and "
                    "HMS_SECRET (or HMS_MANAGEMENT_TOKEN, or the workspace's access_key/secret in hmsconf.yaml)")
        if self.status == 429:
            return f"the API kept rate-limiting requests (429) for {where}; wait a minute and run again"
        if self.status >= 500:
            return f"the API failed with {self.status} ({said}) for {where} after retries; try again later"
        if self.status == 404:
            return f"not found (404 {said}) for {where}"
        return f"the API rejected {where} with {self.status}: {said}"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class ConnectionFailed(RemoteError):
    """The API could not be reached at all."""


class ApplyRefused(HmsconfError):
    """Apply wrote nothing, on purpose; the message says what to run instead."""


class SafetyError(ApplyRefused):
    """A destroy without --allow-destroy, too large a change, a protected object."""


class StalePlanError(ApplyRefused):
    """The saved plan no longer describes the workspace or the files."""
