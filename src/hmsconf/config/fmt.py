"""One canonical form for project files, comments and blank lines kept.

ruamel.yaml's round-trip mode carries comments with the keys they follow, so
keys can be put in the API's order (taken from the typed model: the order
the reference lists fields in) without losing what people wrote beside them.
Quotes and flow style (``allowed: [audio, video]``) are kept as written.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hmsconf.config.loader import MAX_FILE_BYTES
from hmsconf.errors import FormatError, HmsconfError
from hmsconf.files import write_atomically

FRONT = ("kind", "name", "extends", "renamed_from")
BACK = ("workspaces", "except_workspaces", "overrides")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096  # never re-wrap long strings
    return y


def _model_for(kind: Any, is_config: bool) -> Any:
    from hmsconf.model import KINDS, PROJECT_CONFIG, model_class

    if is_config:
        return model_class(PROJECT_CONFIG)
    return model_class(kind) if kind in KINDS else None


# --- comments that belong to the key below them ------------------------------------------
# ruamel.yaml stores the comment lines above a key as the tail of whatever precedes the key: the
# comment after the previous key's (deepest, last) value, or, for the first key of a nested map,
# the parent's entry for that map. Reordering keys would leave such a comment behind, so before
# keys move their comment lines are taken out, and afterwards put back above the same key.


def _is_block(value: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()


def _tail(node: Any, key: Any) -> tuple[list, int]:
    """The comment slot after ``node[key]``'s value: (the ca entry, its index)."""
    from ruamel.yaml.comments import CommentedMap

    value = node[key]
    if _is_block(value):
        if isinstance(value, CommentedMap):
            return _tail(value, list(value.keys())[-1])
        last = len(value) - 1
        if _is_block(value[last]) and isinstance(value[last], CommentedMap):
            return _tail(value[last], list(value[last].keys())[-1])
        return value.ca.items.setdefault(last, [None, None, None, None]), 0
    return node.ca.items.setdefault(key, [None, None, None, None]), 2


def _take_leading(token: Any, column: int) -> str:
    """Cut from a tail comment the lines that sit at ``column`` or left of it (they belong below)."""
    if token is None:
        return ""
    first, newline, rest = token.value.partition("\n")
    lines = rest.split("\n") if newline else []
    for index, line in enumerate(lines):
        stripped = line.lstrip(" ")
        if stripped.startswith("#") and len(line) - len(stripped) <= column:
            token.value = first + newline + "\n".join(lines[:index])
            if not token.value.endswith("\n") and newline:
                token.value += "\n"
            return "\n".join(lines[index:])
    return ""


def _give_leading(node: Any, key: Any, text: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    entry, index = _tail(node, key)
    token = entry[index]
    if token is None:
        entry[index] = CommentToken("\n" + text, CommentMark(0), None)
    else:
        token.value = (token.value if token.value.endswith("\n") else token.value + "\n") + text


def _reorder_keys(node: Any, wanted: list, above: list | None) -> None:
    """Put ``node``'s keys in ``wanted`` order, each with the comment lines above it.

    ``above`` is the parent's comment entry for this map, whose index 3 holds the
    lines above its first key (None for a document: those lines are its header).
    """
    keys = list(node.keys())
    leading: dict = {}
    for index, key in enumerate(keys):
        if index == 0:
            if above is not None and above[3]:
                leading[key] = "".join(t.value if t.column == 0 else " " * t.column + t.value for t in above[3])
                above[3] = None
            continue
        entry, slot = _tail(node, keys[index - 1])
        text = _take_leading(entry[slot], node.lc.key(key)[1])
        if text:
            leading[key] = text
    comments = dict(node.ca.items)
    values = [(k, node[k]) for k in wanted]
    for key in keys:
        del node[key]
    for key, value in values:
        node[key] = value
    node.ca.items.update(comments)
    for index, key in enumerate(wanted):
        if key not in leading:
            continue
        if index == 0 and above is not None:
            from ruamel.yaml.error import CommentMark
            from ruamel.yaml.tokens import CommentToken

            above[3] = [CommentToken(leading[key], CommentMark(0), None)]
        else:
            _give_leading(node, wanted[index - 1], leading[key])


def _reorder(node: Any, annotation: Any, front: tuple[str, ...] = FRONT, back: tuple[str, ...] = BACK,
             above: list[Any] | None = None) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from hmsconf.model.paths import ordered_keys, step

    if isinstance(node, CommentedMap):
        keys = list(node.keys())
        wanted = ordered_keys(keys, annotation, front, back)
        if wanted != keys:
            _reorder_keys(node, wanted, above)
        for key, value in node.items():
            slot = node.ca.items.get(key) if _is_block(value) else None
            if key == "overrides" and isinstance(value, CommentedMap):
                for patch_key, patch in value.items():
                    _reorder(patch, annotation, above=value.ca.items.get(patch_key) if _is_block(patch) else None)
            else:
                _reorder(value, step(annotation, key), above=slot)
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            _reorder(item, step(annotation, index))


def _lift_plugins(document: Any) -> None:
    """PLUGINS-IN-DESTINATIONS (reference §10.2.8): `plugins` nested in `destinations`, as the docs'
    create response shows it, moves to the template's top level (unless one is there already)."""
    destinations = document.get("destinations")
    if hasattr(destinations, "pop") and "plugins" in destinations and "plugins" not in document:
        document["plugins"] = destinations.pop("plugins")


def format_text(text: str, display: str, is_config: bool = False) -> str:
    """The canonical form of one file's text; FormatError for YAML that cannot be read."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from hmsconf.config.loader import load_text

    # Our loader first: it has the limits (alias bombs, depth, size) that
    # ruamel.yaml lacks, and fmt refuses exactly the YAML that validate refuses.
    broken = next((d for d in load_text(text, display).diagnostics if d.is_error), None)
    if broken is not None:
        raise FormatError(display, broken.line or 1, broken.column or 1, broken.message)
    y = _yaml()
    try:
        documents = list(y.load_all(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise FormatError(display, line, column, exc.problem or "invalid YAML") from None
    except YAMLError as exc:
        raise FormatError(display, 1, 1, str(exc).splitlines()[0] if str(exc) else "invalid YAML") from None
    except RecursionError:
        raise FormatError(display, 1, 1, "nesting too deep to format; flatten the document") from None
    if not documents or not all(hasattr(d, "items") for d in documents):
        return text  # not one of our documents (validate says so); leave it as it is
    for document in documents:
        kind = document.get("kind") if hasattr(document, "get") else None
        kind = kind if isinstance(kind, str) else None
        if is_config:
            _reorder(document, _model_for(kind, True), (), ())
        else:
            if kind == "Template":
                _lift_plugins(document)
            _reorder(document, _model_for(kind, False))
    out = io.StringIO()
    y.dump_all(documents, out)
    return out.getvalue()


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _files(paths: list[str]) -> list[Path]:
    """Only project documents and hmsconf.yaml: other YAML beside them is not ours."""
    from hmsconf.config.project import document_files

    files, problems = document_files(paths)
    if problems:
        raise HmsconfError(problems[0].message)
    return files


# ruamel.yaml's round trip is pure Python (about 0.3 s for a 30 KB file here):
# many files are spread over processes, one per core.
PARALLEL_FROM = 16


def format_paths(paths: list[str], check: bool, progress: Any = None) -> FmtResult:
    """``progress`` (a hmsconf.progress.Progress) hears of each file formatted."""
    from hmsconf.progress import NO_PROGRESS

    files = _files(paths)
    stage = (progress or NO_PROGRESS).stage("checking format" if check else "formatting", len(files))
    workers = min(os.cpu_count() or 1, len(files) // PARALLEL_FROM + 1)
    outcomes = []
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            for path, outcome in zip(files, pool.map(_format_file, files, [check] * len(files), chunksize=8)):
                outcomes.append(outcome)
                stage.advance(1, str(path))
    else:
        for path in files:
            outcomes.append(_format_file(path, check))
            stage.advance(1, str(path))
    stage.done()
    result = FmtResult()
    for changed, error in outcomes:
        if changed:
            result.changed.append(changed)
        if error:
            result.errors.append(error)
    return result


def _format_file(path: Path, check: bool) -> tuple[str | None, str | None]:
    """(display name if it changed, error) for one file; rewrites it unless ``check``."""
    display = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, f"{display}:1:1: cannot format: larger than {MAX_FILE_BYTES // 1048576} MiB"
        original = path.read_text(encoding="utf-8")
        formatted = format_text(original, display, is_config=path.name == "hmsconf.yaml")
    except FormatError as exc:
        return None, str(exc)
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"{display}:1:1: cannot format: {getattr(exc, 'strerror', None) or 'not UTF-8 text'}"
    if formatted == original:
        return None, None
    if not check:
        write_atomically(path, formatted)
    return display, None
