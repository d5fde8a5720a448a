"""YAML files -> documents that remember where every key came from.

Why not a ready-made loader: PyYAML's composer recurses in C (a deeply nested
file crashes the interpreter), expands aliases without limit (billion laughs)
and silently keeps the last of two duplicate keys; ruamel.yaml's round-trip
loader keeps positions but is about fifteen times slower. So we drive
libyaml's *event* parser (C, via PyYAML) and build plain dicts and lists
ourselves, iteratively, with limits on depth, size and alias expansion, and
a side record of each key's line and column. ruamel.yaml stays where comments
must survive (``fmt``, ``export``).

Scalars follow the YAML 1.2 core schema (as ruamel.yaml does): ``yes``/``no``
stay strings, so ``enabled: yes`` is flagged as a type error instead of
quietly turning into ``true``.
"""

from __future__ import annotations

import gc
import math
import os
import re
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path as FsPath
from typing import Any, Callable, Iterable, Iterator, Protocol

import yaml

from hmsconf.config.load_rules import (
    DOC_KIND,
    DOC_NOT_MAPPING,
    EMPTY_FILE,
    FILE_READ,
    FILE_TOO_LARGE,
    YAML_DUPLICATE_KEY,
    YAML_ENCODING,
    YAML_KEY,
    YAML_SYNTAX,
    YAML_TAB,
    YAML_TAG,
    YAML_TOO_DEEP,
    YAML_TOO_LARGE,
)
from hmsconf.diagnostics import Diagnostic, Location, Path, did_you_mean, error, warning
from hmsconf.model import KINDS  # the one list of document kinds

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 2_000_000  # counts alias expansions too, which is what stops alias bombs
PROJECT_FILE = "hmsconf.yaml"

_Parser: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
try:  # libyaml is bundled with PyYAML's wheels; fall back to pure Python if absent
    _Parser = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Parser = yaml.SafeLoader


# A position packed in one integer: line << 24 | column (a 10 MiB file has fewer columns).
_COLUMN_BITS = 24
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


class _Removed:
    """The mark of a position an override removed; one object, in every process too."""

    def __reduce__(self) -> str:
        return "_REMOVED"  # unpickled as this module's _REMOVED, so `is` still finds it


_REMOVED = _Removed()


def _unpack(packed: int) -> tuple[int, int]:
    return (packed >> _COLUMN_BITS, packed & _COLUMN_MASK)


def _location(packed: int, file: str | None = None) -> Location:
    return Location(file, packed >> _COLUMN_BITS, packed & _COLUMN_MASK)


def _sealed(packed: list[int] | bytes) -> bytes:
    # bytes, not array: a 33-byte header instead of 64, on every mapping and list
    return array("Q", packed).tobytes()


def _packed_view(packed: list[int] | bytes) -> Any:
    """The positions as a sequence of ints: a list until sealed (or when built
    after loading), then a view of the bytes."""
    return packed if isinstance(packed, list) else memoryview(packed).cast("Q")


class Positions(Protocol):
    """Where each key of one mapping (or item of one sequence) was written.

    The one face of the loader's packed positions (KeyPositions, ItemPositions):
    packed because as a dict of tuples they would be half of a loaded tree.
    A Location's file is None where it is the document's own file.
    """

    def get(self, key: Any) -> Location | None: ...


class KeyPositions:
    """The Location of each key of one mapping.

    As a dict of tuples positions cost about 100 bytes a key, half of a loaded
    tree; here 8 (one integer in a bytes string, in load order) plus a keys
    tuple that mappings of the same shape share. Positions set later (merge
    keys, overlays, presets, which may name another file) go to a small dict.
    """

    __slots__ = ("_keys", "_packed", "_set")

    def __init__(self) -> None:
        self._keys: list | tuple = []
        self._packed: list | bytes = []
        self._set: dict[Any, Any] | None = None  # key -> Location, or _REMOVED

    def _seal(self, key_tuples: dict) -> None:
        # Mappings of the same shape (every role's `permissions`, `audio`, ...)
        # share one keys tuple: about an eighth of a loaded file.
        keys = tuple(self._keys)
        self._keys, self._packed = key_tuples.setdefault(keys, keys), _sealed(self._packed)

    def get(self, key: Any) -> Location | None:
        if self._set is not None and key in self._set:
            value = self._set[key]
            return None if value is _REMOVED else value
        try:
            return _location(_packed_view(self._packed)[self._keys.index(key)])
        except ValueError:
            return None

    def __setitem__(self, key: Any, value: Location) -> None:
        if self._set is None:
            self._set = {}
        self._set[key] = value

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def discard(self, key: Any) -> None:
        """Forget ``key``'s position (an override removed the key)."""
        if key in self:
            if self._set is None:
                self._set = {}
            self._set[key] = _REMOVED

    def copy(self) -> "KeyPositions":
        """An independent copy; the packed part (immutable once sealed) is shared."""
        packed = self._packed if isinstance(self._packed, bytes) else list(self._packed)
        return _keys_restored(self._keys if isinstance(self._keys, tuple) else list(self._keys), packed,
                              dict(self._set) if self._set else None)

    def keys(self) -> list:
        changed = self._set or {}
        out = [k for k in self._keys if changed.get(k) is not _REMOVED]
        if changed:
            loaded = set(self._keys)
            out += [k for k, v in changed.items() if k not in loaded and v is not _REMOVED]
        return out

    def items(self) -> list[tuple[Any, Location]]:
        return [(key, location) for key in self.keys() if (location := self.get(key)) is not None]

    def __reduce__(self) -> tuple:
        # Pickled for parallel loading: the generic reduce of a slotted object costs twice the load's pickling.
        return _keys_restored, (self._keys, self._packed, self._set)


def _keys_restored(keys: Any, packed: Any, changed: Any) -> "KeyPositions":
    out = KeyPositions.__new__(KeyPositions)
    out._keys, out._packed, out._set = keys, packed, changed
    return out


class ItemPositions:
    """The Location of each item of one sequence; packed as above."""

    __slots__ = ("_packed",)

    def __init__(self) -> None:
        self._packed: list | bytes = []

    def _seal(self) -> None:
        self._packed = _sealed(self._packed)

    _file: str | None = None  # the document's (None) or another one's: _ItemPositionsInFile

    def get(self, index: Any) -> Location | None:
        packed = _packed_view(self._packed)
        return _location(packed[index], self._file) if isinstance(index, int) and 0 <= index < len(packed) else None

    def __len__(self) -> int:
        return len(_packed_view(self._packed))

    def in_file(self, file: str) -> "ItemPositions":
        """These positions, naming ``file`` (items copied from a preset point at the preset);
        once stamped they keep their file: a preset extending a preset keeps the first one."""
        return self if self._file is not None else _items_restored(self._packed, file)

    def __reduce__(self) -> tuple:
        return _items_restored, (self._packed, self._file)


class _ItemPositionsInFile(ItemPositions):
    """Item positions of another file than the document's (rare: a preset's lists); a slot of their own."""

    __slots__ = ("_file",)


def _items_restored(packed: Any, file: str | None = None) -> ItemPositions:
    if file is None:
        out = ItemPositions.__new__(ItemPositions)
    else:
        stamped = _ItemPositionsInFile.__new__(_ItemPositionsInFile)
        stamped._file = file
        out = stamped
    out._packed = packed
    return out


def key_positions(value: Any) -> KeyPositions:
    """The key positions of ``value``: a loaded mapping's, or none (a mapping built in code)."""
    return value.key_pos if isinstance(value, YMap) else KeyPositions()


def item_positions(value: Any) -> ItemPositions:
    """The item positions of ``value``: a loaded sequence's, or none."""
    return value.item_pos if isinstance(value, YSeq) else ItemPositions()


class YMap(dict):
    """A mapping that knows the (line, column) of each of its keys (1-based)."""

    __slots__ = ("key_pos",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_pos: KeyPositions = KeyPositions()

    def __deepcopy__(self, memo: dict) -> "YMap":
        import copy

        out = YMap()
        memo[id(self)] = out
        for key, value in self.items():
            out[key] = copy.deepcopy(value, memo)
        out.key_pos = self.key_pos.copy()
        return out

    def __reduce__(self) -> tuple:
        # items streamed into the new mapping by pickle itself: no copy on either side
        return _map_restored, (self.key_pos,), None, None, iter(dict.items(self))


class YSeq(list):
    """A sequence that knows the (line, column) of each item (1-based)."""

    __slots__ = ("item_pos",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_pos: ItemPositions = ItemPositions()

    def __deepcopy__(self, memo: dict) -> "YSeq":
        import copy

        out = YSeq()
        memo[id(self)] = out
        out.extend(copy.deepcopy(item, memo) for item in self)
        out.item_pos = self.item_pos  # never changed after loading: shared
        return out

    def __reduce__(self) -> tuple:
        return _seq_restored, (self.item_pos,), None, iter(list.__iter__(self))


def _map_restored(positions: KeyPositions) -> YMap:
    out = dict.__new__(YMap)
    out.key_pos = positions
    return out


def _seq_restored(positions: ItemPositions) -> YSeq:
    out = list.__new__(YSeq)
    out.item_pos = positions
    return out


@dataclass
class Document:
    """One YAML document of a file. ``data`` is a YMap when the document is a mapping."""

    file: str
    index: int
    line: int
    column: int
    data: Any
    kind: str | None = None
    # False when the file has no `$`: resolution can skip the substitution walk
    has_placeholders: bool = True

    @property
    def name(self) -> str | None:
        name = self.data.get("name") if isinstance(self.data, dict) else None
        return name if isinstance(name, str) else None

    def place(self, diagnostic: Diagnostic, data: Any = None) -> Diagnostic:
        """Give a path-only diagnostic this document's file, line and column.

        ``data`` is the resolved form of this document when there is one: its
        maps keep the positions of the lines they came from, which may be in a
        preset's file.
        """
        where = locate(self.data if data is None else data, diagnostic.path, Location(self.file, self.line, self.column))
        return diagnostic.at(where.file, where.line, where.column)


def locate(data: Any, path: Path, default: Location) -> Location:
    """Where ``path`` was written in loaded data, or its nearest known ancestor;
    ``default`` where nothing on the path has a position, and for the file of
    positions in the document's own file."""
    best = default
    node = data
    for part in path:
        positions: Positions
        if isinstance(node, YMap) and part in node:
            positions = node.key_pos
        elif isinstance(node, YSeq) and isinstance(part, int) and 0 <= part < len(node):
            positions = node.item_pos
        else:
            break
        best = positions.get(part) or best
        node = node[part]
    return best if best.file is not None else Location(default.file, best.line, best.column)


@dataclass
class LoadedFile:
    path: str
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# --- scalars: YAML 1.2 core schema -------------------------------------------------

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


@lru_cache(maxsize=4096)
def _plain_scalar(text: str) -> Any:
    # Fast path: most plain scalars are words (keys, enum values) and need no regex.
    if text and text[0].isalpha() and text not in _WORDS_WITH_MEANING:
        return text
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


_WORDS_WITH_MEANING = frozenset({"null", "Null", "NULL", *_BOOL})

_TAGGED: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda s: _BOOL[s],
    "tag:yaml.org,2002:null": lambda s: None,
}


class _LoadError(Exception):
    def __init__(self, rule: str, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.rule, self.message, self.line, self.column = rule, message, line, column


def _pos(mark: Any) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _scalar(event: yaml.ScalarEvent) -> Any:
    tag = event.tag
    if tag and tag != "!":
        convert = _TAGGED.get(tag)
        if convert is None:
            line, col = _pos(event.start_mark)
            raise _LoadError(YAML_TAG, f"unsupported YAML tag `{tag}`; remove it", line, col)
        try:
            return convert(event.value)
        except (ValueError, KeyError):
            line, col = _pos(event.start_mark)
            raise _LoadError(YAML_TAG, f"`{event.value}` is not a valid {tag.rsplit(':', 1)[-1]}", line, col)
    if not event.style and event.implicit[0]:
        return _plain_scalar(event.value)
    return event.value


class _Builder:
    """Turns one document's events into YMap/YSeq/scalars, iteratively."""

    def __init__(self, events: Iterator[Any]) -> None:
        self.events = events
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        # keys a mapping got from a `<<` merge: its own keys may replace them
        self.merged: dict[int, set] = {}

    def _count(self, n: int, mark: Any) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            line, col = _pos(mark)
            raise _LoadError(
                YAML_TOO_LARGE,
                f"the document expands to more than {MAX_NODES:,} values (an alias bomb?); simplify it",
                line,
                col,
            )

    def _alias(self, event: Any) -> tuple[Any, int]:
        # The anchored value is shared, not copied: nothing downstream mutates
        # loaded data, and sharing makes an alias bomb cost nothing to detect.
        if event.anchor not in self.anchors:
            line, col = _pos(event.start_mark)
            raise _LoadError(YAML_SYNTAX, f"unknown alias `*{event.anchor}`", line, col)
        value, size = self.anchors[event.anchor]
        self._count(size, event.start_mark)
        return value, size

    def build(self, start: Any) -> Any:
        # The hot loop of every command: event types are compared by identity,
        # the common cases (plain scalar, new string key) are inlined, and the
        # open container's state lives in locals (saved on `stack` while a
        # child is open): per event this is most of a load's own time.
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
        plain, events, no_key, anchors = _plain_scalar, self.events, _NO_KEY, self.anchors
        new_dict, new_list, new_object = dict.__new__, list.__new__, object.__new__
        key_tuples: dict[tuple, tuple] = {}
        stack: list[tuple] = []
        # the open container: itself, is it a sequence, its positions list (and
        # keys list), the pending key and its packed position, anchor, start mark,
        # values it expands to
        parent: Any = None
        is_seq = False
        packed: Any = None
        keys: Any = None
        pending: Any = no_key
        pending_pos = 0
        open_anchor: Any = None
        open_mark: Any = None
        open_size = 0
        event = start
        while True:
            kind = type(event)
            if kind is scalar_event:
                if event.tag is None and not event.style and event.implicit[0]:
                    value = plain(event.value)
                else:
                    value = _scalar(event)
                anchor, size = event.anchor, 1
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    self._count(0, event.start_mark)
                if is_seq or pending is no_key:
                    mark = event.start_mark
            elif kind is map_start or kind is seq_start:
                if len(stack) >= MAX_DEPTH:
                    line, col = _pos(event.start_mark)
                    raise _LoadError(
                        YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels; flatten the document", line, col
                    )
                tag = event.tag
                if tag and tag not in ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"):
                    line, col = _pos(event.start_mark)
                    raise _LoadError(YAML_TAG, f"unsupported YAML tag `{tag}`; remove it", line, col)
                self.nodes += 1
                if self.nodes > MAX_NODES:
                    self._count(0, event.start_mark)
                stack.append((parent, is_seq, packed, keys, pending, pending_pos, open_anchor, open_mark, open_size))
                # built without their __init__ (two Python calls per container)
                keys, packed = [], []
                if kind is map_start:
                    parent, is_seq, positions = new_dict(YMap), False, new_object(KeyPositions)
                    positions._keys, positions._packed, positions._set = keys, packed, None
                    parent.key_pos = positions
                else:
                    parent, is_seq, items = new_list(YSeq), True, new_object(ItemPositions)
                    items._packed = packed
                    parent.item_pos = items
                pending, pending_pos = no_key, 0
                open_anchor, open_mark, open_size = event.anchor, event.start_mark, 1
                event = next(events)
                continue
            elif kind is map_end or kind is seq_end:
                value, anchor, mark, size = parent, open_anchor, open_mark, open_size
                if is_seq:
                    value.item_pos._packed = array("Q", packed).tobytes()  # = ItemPositions._seal, inlined
                else:  # = KeyPositions._seal, inlined
                    positions = value.key_pos
                    shape = tuple(keys)
                    positions._keys, positions._packed = key_tuples.setdefault(shape, shape), array("Q", packed).tobytes()
                parent, is_seq, packed, keys, pending, pending_pos, open_anchor, open_mark, open_size = stack.pop()
            elif kind is alias_event:
                (value, size), anchor, mark = self._alias(event), None, event.start_mark
            else:  # pragma: no cover - libyaml never produces anything else inside a document
                line, col = _pos(event.start_mark)
                raise _LoadError(YAML_SYNTAX, f"unexpected {kind.__name__}", line, col)
            if anchor:
                anchors[anchor] = (value, size)
            if parent is None:
                return value
            open_size += size
            if is_seq:
                parent.append(value)
                packed.append((mark.line + 1) << _COLUMN_BITS | (mark.column + 1))
            elif pending is no_key:
                if isinstance(value, (dict, list)):
                    line, col = _pos(mark)
                    raise _LoadError(YAML_KEY, "a mapping key must be a plain value, not a list or mapping", line, col)
                pending = value
                pending_pos = (mark.line + 1) << _COLUMN_BITS | (mark.column + 1)
            else:
                if type(pending) is str and pending != "<<" and pending not in parent:
                    parent[pending] = value
                    keys.append(pending)
                    packed.append(pending_pos)
                else:
                    self._add(parent, pending, _unpack(pending_pos), value)
                pending = no_key
            event = next(events)

    def _add(self, parent: YMap, key: Any, key_pos: tuple[int, int], value: Any) -> None:
        if key == "<<" and isinstance(value, (dict, list)):
            # YAML merge key: keys of the merged mapping(s) that the mapping itself lacks.
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise _LoadError(YAML_KEY, "`<<` merges mappings only", *key_pos)
                merged = self.merged.setdefault(id(parent), set())
                for k, v in source.items():
                    if k not in parent:
                        parent[k] = v
                        parent.key_pos[k] = key_positions(source).get(k) or Location(None, *key_pos)
                        merged.add(k)
            return
        key = _key_text(key)
        if key in parent and key in self.merged.get(id(parent), ()):
            self.merged[id(parent)].discard(key)
        elif key in parent:
            first = parent.key_pos.get(key)
            first_line, first_col = (first.line, first.column) if first is not None else key_pos
            raise _LoadError(
                YAML_DUPLICATE_KEY,
                f"duplicate key `{key}` (first defined at line {first_line}, column {first_col}); keep one",
                *key_pos,
            )
        parent[key] = value
        parent.key_pos[key] = Location(None, *key_pos)


_NO_KEY = object()


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


# --- files ---------------------------------------------------------------------------


def _decode(raw: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        diag = error(
            YAML_ENCODING,
            f"byte 0x{raw[exc.start]:02x} is not valid UTF-8; save the file as UTF-8",
        ).at(display, line, column)
        return None, diag


_TAB_INDENT = re.compile(r"^( *)\t", re.MULTILINE)


def _friendly_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str]:
    problem = exc.problem or str(exc)
    mark = exc.problem_mark
    if mark is not None and "\t" in text[max(0, mark.index - mark.column) : mark.index + 1]:
        return YAML_TAB, "a tab character is used for indentation; YAML needs spaces"
    if "maximum nesting depth" in problem:  # newer libyaml stops deep nesting itself (PyYAML >= 6.0.4)
        return YAML_TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels; flatten the document"
    context = f" {exc.context}" if exc.context else ""
    hint = ""
    if mark is not None and "flow" in f"{problem}{context}":
        line = text[max(0, mark.index - mark.column):].split("\n", 1)[0]
        if "${" in line:  # `{` of a placeholder opens a mapping inside [ ] or { }
            hint = '; inside [ ] or { }, quote a value holding a placeholder: "rtmp://host/${env:KEY}"'
    return YAML_SYNTAX, f"invalid YAML: {problem}{context}{hint}"


def load_text(text: str, display: str) -> LoadedFile:
    """Parse every document of one file's text. Never raises for bad input."""
    loaded = LoadedFile(display)
    if not text.strip():
        loaded.diagnostics.append(
            warning(EMPTY_FILE, "the file is empty; add a document with `kind:` or delete the file").at(display, 1, 1)
        )
        return loaded
    # Pull events straight from the C parser: no generator layer in between.
    parser = _Parser(text)
    events = iter(parser.get_event, None)
    index = 0
    try:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                first = next(events)
                if isinstance(first, yaml.DocumentEndEvent):
                    index += 1
                    continue
                start = _pos(first.start_mark)
                data = _Builder(events).build(first)
                loaded.documents.append(Document(display, index, start[0], start[1], data, has_placeholders="$" in text))
                index += 1
    except _LoadError as exc:
        loaded.diagnostics.append(error(exc.rule, exc.message).at(display, exc.line, exc.column))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        rule, message = _friendly_yaml_error(exc, text)
        if rule == YAML_TAB:
            match = _TAB_INDENT.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                col = len(match.group(1)) + 1
        loaded.diagnostics.append(error(rule, message).at(display, line, col))
    except yaml.YAMLError as exc:  # reader errors (control characters) carry an offset
        offset = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        reason = getattr(exc, "reason", None) or "unreadable input"
        loaded.diagnostics.append(
            error(YAML_SYNTAX, f"invalid YAML: {reason}; remove the character").at(display, line, column)
        )
    finally:
        parser.dispose()
    if not loaded.documents and not loaded.diagnostics:
        loaded.diagnostics.append(
            warning(EMPTY_FILE, "the file holds no document; add one with `kind:` or delete the file").at(
                display, 1, 1
            )
        )
    return loaded


def load_file(path: str | os.PathLike, display: str | None = None) -> LoadedFile:
    display = display or _display(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return LoadedFile(
                display,
                diagnostics=[
                    error(
                        FILE_TOO_LARGE,
                        f"the file is {size / 1048576:.1f} MiB; hmsconf reads files up to "
                        f"{MAX_FILE_BYTES // 1048576} MiB, split it",
                    ).at(display, 1, 1)
                ],
            )
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        return LoadedFile(display, diagnostics=[error(FILE_READ, f"cannot read the file: {exc.strerror}").at(display, 1, 1)])
    text, problem = _decode(raw, display)
    if problem or text is None:
        return LoadedFile(display, diagnostics=[problem] if problem else [])
    return load_text(text, display)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Loaded trees hold no reference cycles, yet the cyclic collector rescans
    them again and again while they grow (a fifth of a load) and while they are
    checked: so it is off while they load, and what exists then is moved out of
    its sight (``gc.freeze``). Refcounting still frees every tree dropped."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _display(path: str | os.PathLike) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


def classify(doc: Document) -> Diagnostic | None:
    """Set ``doc.kind`` or say why the document is not one of ours."""
    if not isinstance(doc.data, dict):
        what = "a list" if isinstance(doc.data, list) else "a single value"
        return error(
            DOC_NOT_MAPPING, f"the document is {what}; a document must be a mapping with `kind:` ({', '.join(KINDS)})"
        ).at(doc.file, doc.line, doc.column)
    kind = doc.data.get("kind")
    if kind is None:
        return doc.place(error(DOC_KIND, f"the document has no `kind:`; add one of {', '.join(KINDS)}"))
    if kind not in KINDS:
        hint = did_you_mean(str(kind), list(KINDS), cutoff=0.6) or f"; use one of {', '.join(KINDS)}"
        return doc.place(error(DOC_KIND, f"unknown kind `{kind}`{hint}", ("kind",)))
    doc.kind = kind
    return None


# --- projects ---------------------------------------------------------------------------


@dataclass
class ProjectFiles:
    """One project: a root (with or without hmsconf.yaml) and the YAML files it owns."""

    root: FsPath
    config: FsPath | None
    files: list[FsPath]
    single_file: bool = False


def _is_yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def discover(paths: Iterable[str | os.PathLike]) -> tuple[list[ProjectFiles], list[Diagnostic]]:
    """Group the given files and directories into projects.

    A directory holding ``hmsconf.yaml`` is a project root; a directory without
    one may hold several projects below it (``examples/``), and any loose files
    form a project of their own. A single file is validated on its own.
    """
    projects: list[ProjectFiles] = []
    problems: list[Diagnostic] = []
    for raw in paths:
        path = FsPath(raw)
        if path.is_file():
            if path.name == PROJECT_FILE:
                projects.append(ProjectFiles(path.parent, path, [], single_file=True))
            else:
                projects.append(ProjectFiles(path.parent, None, [path], single_file=True))
        elif path.is_dir():
            projects.extend(_walk(path))
        else:
            problems.append(error(FILE_READ, f"no such file or directory: {raw}").at(str(raw), 1, 1))
    return projects, problems


def _walk(top: FsPath) -> list[ProjectFiles]:
    roots: dict[FsPath, ProjectFiles] = {}
    loose = ProjectFiles(top, None, [])
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in ("node_modules", "__pycache__"))
        here = FsPath(dirpath)
        if PROJECT_FILE in filenames:
            roots[here] = ProjectFiles(here, here / PROJECT_FILE, [])
        owner = _owner(here, roots) or loose
        for name in sorted(filenames):
            if _is_yaml(name) and not (name == PROJECT_FILE and here in roots):
                owner.files.append(here / name)
    result = list(roots.values())
    # A folder of projects (like examples/) owns no files of its own: YAML lying
    # beside the projects (CI configs, say) belongs to none of them.
    return result or [loose]


def _owner(directory: FsPath, roots: dict[FsPath, ProjectFiles]) -> ProjectFiles | None:
    for candidate in (directory, *directory.parents):
        if candidate in roots:
            return roots[candidate]
    return None
