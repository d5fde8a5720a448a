"""A saved plan read back through a typed model, so a damaged file is a clear error.

``hmsconf plan --out plan.json`` writes the Plan's JSON (README, "The plan as
JSON"); ``hmsconf apply plan.json`` reads it back. A file that was edited by
hand, truncated, or written by another version must say which field is wrong,
not fail inside the planner. The models below describe format_version 2 and
double as its JSON Schema (``hmsconf schema plan``). Version 1 (risks as sentences)
is refused with a word on where it came from.
"""

from __future__ import annotations

import json
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hmsconf.errors import HmsconfError
from hmsconf.plan.changes import ACTIONS, FORMAT_VERSION, Part, Plan
from hmsconf.plan.risks import Risk, RiskCode

RISK_CODES = tuple(code.value for code in RiskCode)
PARTS = tuple(part.value for part in Part)


class _Loose(BaseModel):
    # Keys a later version adds are ignored; the ones read here must have their type.
    model_config = ConfigDict(extra="ignore", strict=True)


class SavedField(_Loose):
    path: str
    old: Any  # required, null included: a plan always writes both
    new: Any
    sensitive: bool = False


class SavedRequest(_Loose):
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str
    part: Literal[PARTS]  # type: ignore[valid-type]


class SavedRisk(_Loose):
    """A risk (README, "Risk codes"); ``text`` is the sentence the renderers show."""

    code: Literal[RISK_CODES]  # type: ignore[valid-type]
    subject: str
    detail: list[Optional[Union[str, int]]] = Field(default_factory=list)
    text: str

    @model_validator(mode="after")
    def _fits_its_sentence(self) -> "SavedRisk":
        try:
            Risk.from_json(self.model_dump()).text
        except (IndexError, KeyError, TypeError, ValueError):
            raise ValueError(f"detail {self.detail!r} does not fit risk {self.code!r}") from None
        return self


class SavedSource(_Loose):
    file: str
    line: Optional[int] = None


class SavedChange(_Loose):
    kind: Literal["Template", "Room"]
    name: str
    action: Literal[ACTIONS]  # type: ignore[valid-type]
    id: Optional[str] = None
    fields: list[SavedField] = Field(default_factory=list)
    risks: list[SavedRisk] = Field(default_factory=list)
    fingerprint: Optional[str] = None
    requests: list[SavedRequest] = Field(default_factory=list)
    unmanaged_parts: list[str] = Field(default_factory=list)
    effective_permissions: dict[str, dict[str, bool]] = Field(default_factory=dict)
    role_changes: dict[str, str] = Field(default_factory=dict)
    destroys: list[str] = Field(default_factory=list)
    blast_radius: Optional[int] = None
    protected: bool = False
    source: Optional[SavedSource] = None


class SavedPlan(_Loose):
    """A plan saved by ``hmsconf plan --out`` (format_version 2)."""

    format_version: Literal[FORMAT_VERSION]  # type: ignore[valid-type]
    workspace: str
    salt: str
    created_at: str = ""
    project: Optional[str] = None
    # a plan always writes these three; one missing means a damaged file, not an empty plan
    summary: dict[str, int]
    changes: list[SavedChange]
    warnings: list[str] = Field(default_factory=list)
    manual_steps: list[str] = Field(default_factory=list)
    desired_fingerprint: str
    targets: Optional[list[str]] = None
    base: Optional[str] = None


def _where(loc: tuple) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".") or "the file"


def checked(data: Any, source: str) -> dict:
    """``data`` (parsed JSON) if it is a saved plan; otherwise an error naming the field."""
    version = data.get("format_version") if isinstance(data, dict) else None
    if type(version) is int and version < FORMAT_VERSION:
        raise HmsconfError(f"{source} was made by an older hmsconf (format_version {version}); run `hmsconf plan --out` again")
    if version not in (None, FORMAT_VERSION):
        raise HmsconfError(
            f"{source} has format_version {version!r}; this hmsconf reads {FORMAT_VERSION}: "
            "make the plan again with this version (`hmsconf plan --out`)"
        )
    try:
        SavedPlan.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        extra = f" (and {more} more problem{'s' * (more != 1)})" if more else ""
        raise HmsconfError(
            f"{source} is not a plan saved by `hmsconf plan --out`: {_where(tuple(first['loc']))}: {first['msg']}{extra}; "
            "make the plan again"
        ) from None
    return data


def read(path: str) -> dict:
    """The saved plan at ``path``, checked; an OS or JSON problem is one sentence."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise HmsconfError(f"cannot read the saved plan {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}" if isinstance(exc, json.JSONDecodeError) else path
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"
        raise HmsconfError(f"{where}: not a saved plan (invalid JSON: {reason})") from None
    return checked(data, path)


def load(path: str) -> Plan:
    """The saved plan at ``path`` as a Plan; any problem with the file is one sentence."""
    return Plan.from_json(read(path))


def json_schema() -> dict:
    schema = SavedPlan.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
