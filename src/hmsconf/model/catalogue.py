"""Every table about 100ms fields, derived once from the marks on the models.

The models (``model.template``, ``model.room``) carry each field's facts as
``model.facts`` marks. This module walks them once per process and answers
the questions the pipeline asks: which places hold secrets, which defaults
the server fills (and which of those are settled enough to compare), which
lists are sets, which keys are read-only, in which order the API writes keys.
Adding a field, a secret or a default is one edit on the model.

Paths are tuples of keys; ``*`` stands for every key of a map (roles,
destinations) and every item of a list.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any, Callable, Iterator, Union

from hmsconf.model import KINDS, facts  # noqa: F401  (KINDS: the kinds the catalogue knows)
from hmsconf.model.copies import plain
from hmsconf.model.sensitive import WRITE_ONLY, Sensitive, mark_url, url_parts

STAR = "*"
CONFIG = "hmsconf.yaml"
Pattern = tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """One field: its marks, and its children (a model's fields, or ``*`` for items)."""

    marks: tuple[Any, ...] = ()
    children: dict[str, "Node"] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # the model's own key order, the API's

    def mark(self, kind: type) -> Any:
        return next((m for m in self.marks if isinstance(m, kind)), None)

    # What the hot loops (filling and aligning thousands of roles) read, worked out once per node.
    @cached_property
    def default(self) -> facts.Default | None:
        return self.mark(facts.Default)

    @cached_property
    def fields(self) -> tuple[tuple[str, "Node", facts.Default | None, str | None], ...]:
        """(key, child, its default, the field it is an alias of) for each child field."""
        return tuple((k, c, c.default, getattr(c.mark(facts.AliasOf), "field", None)) for k, c in self.children.items() if k != STAR)

    @cached_property
    def star(self) -> "Node | None":
        return self.children.get(STAR)

    @cached_property
    def echo(self) -> str | None:
        """The field of this item that repeats its map key (a role's ``name``), if any."""
        return next((k for k, c in self.children.items() if c.mark(facts.EchoesKey) is not None), None)

    @cached_property
    def fillable(self) -> bool:
        """Does anything below have a default, an alias or an echoed key?"""
        return any(d is not None or a is not None or c.fillable for _, c, d, a in self.fields) or (
            self.star is not None and (self.star.echo is not None or self.star.fillable))

    @cached_property
    def alignable(self) -> bool:
        """Does anything below need aligning: an unsettled or resolved default, a write-only secret?"""
        own = self.default is not None and (not self.default.settled or self.default.matches_any)
        return own or self.mark(facts.Secret) is not None or any(c.alignable for c in self.children.values())


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under Optional/Annotated, and the marks met on the way."""
    marks: list[Any] = []
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            marks.extend(annotation.__metadata__)
            annotation = annotation.__origin__
        elif origin in (Union, types.UnionType):
            arms = [a for a in typing.get_args(annotation) if a is not type(None)]
            structured = [a for a in arms if _is_structured(a)]
            annotation = structured[0] if structured else arms[0]
        else:
            return annotation, marks


def _is_structured(annotation: Any) -> bool:
    from pydantic import BaseModel

    annotation, _ = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    return origin in (dict, list) or (isinstance(annotation, type) and issubclass(annotation, BaseModel))


def _node(annotation: Any, marks: list[Any]) -> Node:
    from pydantic import BaseModel

    inner, more = _unwrap(annotation)
    marks = [*marks, *more]
    origin = typing.get_origin(inner)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        children, order = {}, []
        for name, info in inner.model_fields.items():
            key = info.alias or name
            children[key] = _node(info.annotation, [m for m in info.metadata if _is_fact(m)])
            order.append(key)
        return Node(tuple(marks), children, tuple(order))
    if origin in (dict, list):
        item = typing.get_args(inner)[-1]
        return Node(tuple(marks), {STAR: _node(item, [])})
    return Node(tuple(marks))


def _is_fact(mark: Any) -> bool:
    return type(mark).__module__ == facts.__name__


@cache
def root(kind: str) -> Node:
    """The field tree of a document kind (``Template``, ``Room``, ``RolePreset``, ``hmsconf.yaml``)."""
    from hmsconf.model.compiled import cached_tree

    # walked once, then read from the disk cache: validate does not import pydantic
    return cached_tree(kind, _walked, Node)


def _walked(kind: str) -> Node:
    from hmsconf.model import PROJECT_CONFIG, model_class

    return _node(model_class(PROJECT_CONFIG if kind == CONFIG else kind), [])




def node_at(kind: str, path: Pattern) -> Node | None:
    """The node a concrete or pattern path leads to (integers and names step through ``*``)."""
    node: Node | None = root(kind)
    for part in path:
        assert node is not None
        child = node.children.get(part) if isinstance(part, str) else None
        node = child if child is not None else node.children.get(STAR)
        if node is None:
            return None
    return node


def known_node(kind: str, path: Pattern) -> Node:
    """``node_at`` for a path the catalogue itself gave (a secret's place, a marked pattern)."""
    node = node_at(kind, path)
    assert node is not None, path
    return node


def _walk(node: Node, path: Pattern) -> Iterator[tuple[Pattern, Node]]:
    for key, child in node.children.items():
        yield path + (key,), child
        yield from _walk(child, path + (key,))


@cache
def paths_with(kind: str, mark: type) -> tuple[Pattern, ...]:
    """Every pattern whose field carries ``mark``."""
    return tuple(p for p, n in _walk(root(kind), ()) if n.mark(mark) is not None)


def secret_paths(kind: str) -> tuple[Pattern, ...]:
    return paths_with(kind, facts.Secret) + paths_with(kind, facts.SecretInUrl)


@cache
def defaults(kind: str, at: Pattern = (), settled_only: bool = False) -> dict:
    """The server's defaults below ``at`` as a tree (``*`` for items): for the
    schema test and for tables such as the permission defaults."""

    def tree(node: Node) -> dict:
        out: dict = {}
        for key, child in node.children.items():
            default = child.default
            sub = tree(child)
            if default is not None and (default.settled or not settled_only):
                out[key] = sub if sub else plain(default.value)
            elif sub:
                out[key] = sub
        return out

    node = node_at(kind, at)
    return tree(node) if node else {}


def key_order(kind: str, path: Pattern = ()) -> tuple[str, ...]:
    node = node_at(kind, path)
    return node.order if node else ()


def fields_marked(kind: str, at: Pattern, mark: type) -> tuple[str, ...]:
    """The names of the fields directly under ``at`` that carry ``mark``."""
    node = node_at(kind, at)
    return tuple(k for k, c in (node.children.items() if node else ()) if c.mark(mark) is not None)


# --- filling defaults -------------------------------------------------------------------------


def fill(kind: str, value: Any, at: Pattern = (), *, server: bool = False, calibration: Any = None) -> Any:
    """``value`` (a part of a ``kind`` document at ``at``) with defaults filled in place.

    ``server=True`` fills as the server stores and answers (every default, the
    ones it does not echo left out); otherwise only settled defaults are
    filled, for comparison, since an unsettled one is never compared.
    A key sent as ``null`` takes its default, as if left out (§3 says nothing of null).
    ``calibration`` (a ``model.calibration.Calibration``): what a workspace's server
    was seen to fill; a learned value is a settled default there.
    """
    node = node_at(kind, at)
    if node is not None:
        _fill(node, value, server, calibration.overlay(kind) if calibration is not None and not server else None)
    return value


def _fill(node: Node, value: Any, server: bool, learned: dict | None = None) -> None:
    star = node.star
    if star is not None:
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        echo = star.echo if isinstance(value, dict) else None
        deeper = star.fillable
        for key, item in items:
            if echo and isinstance(item, dict) and item.get(echo) is None:
                item[echo] = key
            if deeper:
                _fill(star, item, server, learned)
        return
    if not isinstance(value, dict):
        return
    for key, child, default, alias in node.fields:
        if alias is not None and key in value and alias not in value:
            value[alias] = value.pop(key)
        if default is not None and value.get(key) is None:
            seen = learned.get(id(child)) if learned else None
            if seen is not None:
                if seen.returned:
                    value[key] = plain(seen.value)
                else:
                    value.pop(key, None)
            elif default.echoed if server else default.settled:
                value[key] = plain(default.value)
            else:
                value.pop(key, None)  # null is "left out"
        if child.fillable:
            sub = value.get(key)
            if sub is not None:
                _fill(child, sub, server, learned)


# --- comparing: what the server may hold differently ------------------------------------------


def align(kind: str, want: Any, have: Any, at: Pattern = (), calibration: Any = None) -> Any:
    """The live side ``have`` made comparable with ``want``, in place:

    - an unsettled default the file leaves out is not compared (§10.1): the key goes;
    - a declared value that the server resolves (``matches_any``) matches whatever it holds;
    - a write-only secret the file declares is assumed stored (the API never returns it, §5).

    With a ``calibration``, a default learned from the workspace is settled
    (or, when the server does not return it, unsettled) as learned.
    """
    node = node_at(kind, at)
    if node is not None:
        _align(node, want, have, calibration.overlay(kind) if calibration is not None else None)
    return have


def _align(node: Node, want: Any, have: Any, learned: dict | None = None) -> None:
    """Walk both trees together, only where something below needs aligning."""
    if isinstance(want, list) and isinstance(have, list):
        if node.star is not None and node.star.alignable:
            for a, b in zip(want, have):
                _align(node.star, a, b, learned)
        return
    if not (isinstance(want, dict) and isinstance(have, dict)):
        return
    star = node.star
    if star is not None:
        if star.alignable:
            for key in want:
                if key in have:
                    _align(star, want[key], have[key], learned)
        return
    for key, child, default, _ in node.fields:
        seen = learned.get(id(child)) if learned else None
        if seen is not None and not seen.returned and key not in want:
            have.pop(key, None)  # this workspace's server does not return it: not comparable
            continue
        if not child.alignable:
            continue
        if default is not None and not default.settled and key not in want and seen is None:
            have.pop(key, None)
        elif default is not None and default.matches_any and want.get(key) == default.value and key in have:
            have[key] = want[key]
        elif key in want and key not in have and _write_only(want[key]):
            have[key] = want[key]
        elif key in want and key in have:
            _align(child, want[key], have[key], learned)


def _write_only(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value) and all(_write_only(v) for v in value.values())
    return value is WRITE_ONLY


# --- secrets --------------------------------------------------------------------------------


def _follow(node: Any, pattern: Pattern, path: tuple) -> Iterator[tuple[tuple, Any, dict | list]]:
    """(path, value, parent) of every value at ``pattern`` in ``node``."""
    head, rest = pattern[0], pattern[1:]
    if head == STAR:
        keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else ()
    else:
        keys = [head] if isinstance(node, dict) and head in node else []
    for key in keys:
        if rest:
            yield from _follow(node[key], rest, path + (key,))
        else:
            yield path + (key,), node[key], node


def secret_values(kind: str, body: Any, at: Pattern = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of every value in a secret place of ``body`` (a part at ``at``)."""
    for pattern in secret_paths(kind):
        rest = below(pattern, at)
        if rest:
            for path, value, _ in _follow(body, rest, ()):
                if value is not None:
                    yield at + path, value


@lru_cache(maxsize=4096)  # role names repeat across templates
def _as_pattern(kind: str, at: tuple) -> Pattern:
    """A concrete path as the pattern it matches (role names become ``*``)."""
    node, out = root(kind), []
    for part in at:
        child = node.children.get(part) if isinstance(part, str) else None
        out.append(part if child is not None else STAR)
        node = child if child is not None else node.children.get(STAR, Node())
    return tuple(out)


@cache
def _rests(kind: str, mark: type, at: Pattern) -> tuple[Pattern, ...]:
    """The patterns of fields marked ``mark`` below ``at``, relative to it."""
    return tuple(rest for p in paths_with(kind, mark) if (rest := below(p, at)))


def rests(kind: str, mark: type, at: tuple = ()) -> tuple[Pattern, ...]:
    return _rests(kind, mark, _as_pattern(kind, at))


def below(pattern: Pattern, at: tuple) -> Pattern | None:
    """The rest of ``pattern`` under the concrete path ``at``; None when it is not under it."""
    if len(pattern) <= len(at) or not all(p == STAR or p == q for p, q in zip(pattern, at)):
        return None
    return pattern[len(at):]


def declares_write_only(kind: str, body: Any) -> bool:
    """Does ``body`` hold a write-only secret (storage credentials, a webhook header, §5)?"""
    return any(known_node(kind, path).mark(facts.Secret) is not None for path, _ in secret_values(kind, body))


def secret_texts(kind: str, body: Any, at: Pattern = ()) -> list[str]:
    """The secret pieces of text ``body`` holds: to scrub free text that may echo them."""
    out: list[str] = []
    for path, value in secret_values(kind, body, at):
        url = known_node(kind, path).mark(facts.SecretInUrl)
        if url is not None:
            out.extend(url_parts(value, url.stream_key)[1] if isinstance(value, str) else [])
        elif isinstance(value, dict):
            out.extend(str(v) for v in value.values() if not isinstance(v, (dict, list)))
        elif not isinstance(value, list):
            out.append(str(value))  # a wrongly typed secret is still a secret
    return out


def mark_secrets(kind: str, body: Any, at: Pattern = ()) -> Any:
    """``body`` (a plain copy, changed in place) with every secret replaced by a mark:
    a write-only secret by the one ``WRITE_ONLY`` mark, a URL by a comparable mark
    showing all but its secret pieces."""
    at_pattern = _as_pattern(kind, at)
    for rest in _rests(kind, facts.Secret, at_pattern) + _rests(kind, facts.SecretInUrl, at_pattern):
        url = known_node(kind, at_pattern + rest).mark(facts.SecretInUrl)
        for path, value, parent in list(_follow(body, rest, ())):
            if value is None or isinstance(value, Sensitive):
                continue
            parent[path[-1]] = mark_url(value, url.stream_key) if url is not None else WRITE_ONLY
    return body


def is_secret_path(kind: str, path: tuple) -> bool:
    """Is ``path`` (concrete) a secret place, or inside one?"""
    for pattern in secret_paths(kind):
        if len(path) >= len(pattern) and all(p == STAR or p == q for p, q in zip(pattern, path)):
            return True
    return False




@cache
def write_only_objects(kind: str) -> tuple[Pattern, ...]:
    """Objects made only of write-only secrets (storage credentials): the API
    stores them and leaves them out of what it returns (§5)."""
    out = []
    for path, node in _walk(root(kind), ()):
        if node.order and all(c.mark(facts.Secret) is not None for c in node.children.values()):
            out.append(path)
    return tuple(out)


def drop(body: Any, pattern: Pattern) -> Any:
    """``body`` without the values at ``pattern`` (changed in place)."""
    for path, _, parent in list(_follow(body, pattern, ())):
        del parent[path[-1]]
    return body


def sort_sets(kind: str, body: Any, at: Pattern = ()) -> Any:
    """Set-like lists of text under ``at`` sorted and made unique, in place."""
    for rest in rests(kind, facts.SetLike, at):
        for path, value, parent in list(_follow(body, rest, ())):
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                parent[path[-1]] = sorted(set(value))
    return body


def drop_marked(kind: str, body: Any, marks: tuple[type, ...], at: Pattern = ()) -> Any:
    """``body`` (a part at ``at``) without the fields carrying any of ``marks``, in place."""
    for mark in marks:
        for rest in rests(kind, mark, at):
            drop(body, rest)
    return body


def placeholders(kind: str, body: Any, name: Callable[[tuple], str]) -> list[str]:
    """Every secret of ``body`` replaced in place by an ``${env:NAME}`` placeholder
    (``name`` makes NAME from the secret's path); returns the names.

    Write-only objects (credentials) are never returned by the API, so where
    their container is present they are written whole, one placeholder per
    field (aliases left out). A URL keeps everything but its secret pieces.
    """
    used: list[str] = []

    def placeholder(path: tuple) -> str:
        var = name(path)
        used.append(var)
        return f"${{env:{var}}}"

    for pattern in write_only_objects(kind):
        node = known_node(kind, pattern)
        for path, container, _ in list(_follow(body, pattern[:-1], ())) if len(pattern) > 1 else [((), body, None)]:
            if isinstance(container, dict):
                where = path + (pattern[-1],)
                container[pattern[-1]] = {
                    key: placeholder(where + (key,))
                    for key, child in node.children.items()
                    if child.mark(facts.AliasOf) is None
                }
    written = {p for p in write_only_objects(kind)}
    for pattern in secret_paths(kind):
        if pattern[:-1] in written:
            continue
        url = known_node(kind, pattern).mark(facts.SecretInUrl)
        for path, value, parent in list(_follow(body, pattern, ())):
            if not isinstance(value, str):
                continue
            if url is None:
                parent[path[-1]] = placeholder(path)
            else:
                hidden: list[str] = []

                def keep(piece: str) -> str:
                    hidden.append(piece)
                    return piece

                url_parts(value, url.stream_key, keep)
                numbers = iter(range(1, len(hidden) + 1))

                def numbered(_: str, p: tuple = path, one: bool = len(hidden) == 1) -> str:
                    return placeholder(p if one else p + (next(numbers),))

                parent[path[-1]] = url_parts(value, url.stream_key, numbered)[0]
    return used


# Fields that are in a file but never in a request: response-only, replaced, or ours.
NEVER_SENT = (facts.ReadOnly, facts.Deprecated, facts.Ours)


def outgoing(kind: str, body: Any, at: tuple = ()) -> Any:
    """A plain copy of ``body`` (a part at ``at``) as it is sent: no response-only,
    deprecated or hmsconf-only keys."""
    return drop_marked(kind, plain(body), NEVER_SENT, at)


@cache
def unsettled_paths(kind: str) -> tuple[Pattern, ...]:
    """Fields whose server default is not settled (§10.1): never compared when a file omits them."""
    return tuple(p for p, n in _walk(root(kind), ()) if n.default is not None and not n.default.settled)


def sent_fields(kind: str) -> tuple[str, ...]:
    """The top-level keys a request body of ``kind`` may carry, in the API's order."""
    never = {rest for mark in NEVER_SENT for rest in rests(kind, mark)}
    return tuple(k for k in key_order(kind) if (k,) not in never)
