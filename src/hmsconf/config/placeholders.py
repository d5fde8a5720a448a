"""Placeholders in scalars: ``${var:NAME}``, ``${env:NAME}``, ``${env:NAME:-default}``, ``$$``.

Why a module of its own: three jobs that resolve.py would otherwise mix into
its walk over documents —

* finding the placeholders of a string, and telling a misspelt one
  (``${AWS_KEY}``, ``$AWS_KEY``, ``${env.X}``, ``${env:X:default}``) from
  literal text, with the right spelling to suggest;
* the type a field needs, read from the typed model (the pydantic field's
  annotation), so a placeholder that is the whole scalar can become ``300``
  or ``true`` there and stay text everywhere else;
* converting the text to that type, or saying why it cannot.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

# A well-formed placeholder. Names of variables may hold dots and dashes
# (vars: keys are free text); environment names are shell names.
PLACEHOLDER = re.compile(r"\$\$|\$\{([A-Za-z]+):([A-Za-z_][A-Za-z0-9_.-]*)(?::-((?:[^}\\]|\\.)*))?\}")

# Everything that starts like a placeholder: `$$`, `${...}` (closed or not), `$NAME`.
_CANDIDATE = re.compile(r"\$\$|\$\{[^}]*\}?|\$[A-Za-z_][A-Za-z0-9_]*")
# A bare `$NAME` is taken for a misspelt placeholder only when it looks like an
# environment variable (upper case, as shells and CI systems name them); `$5`
# or `$ref` in free text stay text.
_SHELL_STYLE = re.compile(r"\$([A-Z_][A-Z0-9_]*)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Misspelt:
    """Text that looks like a placeholder but is not one."""

    text: str
    suggestion: str | None  # the right spelling, when one is clear
    reason: str


def misspelt(text: str, known_vars: typing.Iterable[str] = ()) -> list[Misspelt]:
    """The misspelt placeholders of ``text`` (well-formed ones and ``$$`` are fine)."""
    if "$" not in text:
        return []
    known = set(known_vars)
    out: list[Misspelt] = []
    for match in _CANDIDATE.finditer(text):
        token = match.group(0)
        if token == "$$" or PLACEHOLDER.fullmatch(token):
            continue
        if token.startswith("${"):
            out.append(_braced(token, known))
        else:
            shell = _SHELL_STYLE.fullmatch(token)
            if shell:
                name = shell.group(1)
                out.append(Misspelt(token, _guess(name, known), "a placeholder needs braces and a namespace"))
    return out


def _guess(name: str, known: set[str]) -> str:
    return f"${{var:{name}}}" if name in known else f"${{env:{name}}}"


def _braced(token: str, known: set[str]) -> Misspelt:
    if not token.endswith("}"):
        return Misspelt(token, None, "the placeholder is not closed with `}`")
    inner = token[2:-1]
    # ${env.X} / ${var.X}
    dotted = re.fullmatch(r"(env|var)\.([A-Za-z_][A-Za-z0-9_.-]*)", inner, re.IGNORECASE)
    if dotted:
        return Misspelt(token, f"${{{dotted.group(1).lower()}:{dotted.group(2)}}}", "the namespace is followed by `:`, not `.`")
    # ${env:X:default} (the default needs `:-`), also ${env:X-default}
    default = re.fullmatch(r"([A-Za-z]+):([A-Za-z_][A-Za-z0-9_]*)(?::|-|:=)(.*)", inner, re.DOTALL)
    if default and default.group(1).lower() in ("env", "var"):
        namespace, name, value = default.group(1).lower(), default.group(2), default.group(3)
        return Misspelt(token, f"${{{namespace}:{name}:-{value}}}", "a default is written after `:-`")
    # ${AWS_KEY}: no namespace
    if _NAME.fullmatch(inner):
        return Misspelt(token, _guess(inner, known), "a placeholder names its namespace, `env:` or `var:`")
    # ${ENV:X}: a namespace in the wrong case (or an unknown one)
    spaced = re.fullmatch(r"([A-Za-z]+):(.*)", inner, re.DOTALL)
    if spaced and spaced.group(1).lower() in ("env", "var") and _NAME.fullmatch(spaced.group(2) or "-"):
        return Misspelt(token, f"${{{spaced.group(1).lower()}:{spaced.group(2)}}}", "namespaces are lower case")
    return Misspelt(token, None, "this is not a placeholder `${env:NAME}` or `${var:NAME}`")


# --- the type a field needs --------------------------------------------------------------

Wanted = Literal["int", "float", "bool", "str"]

_WANTED_NAMES = {"int": "a whole number", "float": "a number", "bool": "true or false", "str": "text"}


def describe(wanted: str) -> str:
    return _WANTED_NAMES[wanted]


@lru_cache(maxsize=4096)
def wanted_type(kind: str, path: tuple[Any, ...]) -> Wanted | None:
    """The scalar type the model wants at ``path`` of a ``kind`` document, or
    None when the field is not a plain scalar (or not known: the schema says so)."""
    from hmsconf.model.compiled import compiled

    # read from the compiled model (hmsconf.model.compiled): validate does not import pydantic
    return compiled(kind).scalar_at(path) if kind in ("Template", "Room", "RolePreset") else None  # type: ignore[return-value]


def _scalar_of(annotation: Any) -> Wanted | None:
    if typing.get_origin(annotation) is typing.Annotated:
        return _scalar_of(typing.get_args(annotation)[0])
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is str:
        return "str"
    origin = typing.get_origin(annotation)
    if origin is Literal:
        values = typing.get_args(annotation)
        return "str" if all(isinstance(v, str) for v in values) else None
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        found = {_scalar_of(arg) for arg in typing.get_args(annotation) if arg is not type(None)}
        return found.pop() if len(found) == 1 else None
    return None


_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")


class NotConvertible(ValueError):
    pass


def convert(value: Any, wanted: Wanted | None) -> Any:
    """``value`` (a placeholder's text, or a typed var) as the type ``wanted``.

    Raises NotConvertible when it cannot be; None leaves the value as it is.
    """
    if wanted is None or value is None:
        return value
    if wanted == "str":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value
    if not isinstance(value, str):
        if wanted == "bool" and isinstance(value, bool):
            return value
        if wanted == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if wanted == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        raise NotConvertible(wanted)
    text = value.strip()
    if wanted == "bool":
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    elif wanted == "int":
        if _INT.fullmatch(text):
            return int(text)
    elif wanted == "float" and _FLOAT.fullmatch(text):
        return float(text)
    raise NotConvertible(wanted)
