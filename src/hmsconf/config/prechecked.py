"""Validate's file-by-file pass on every core: load a file, check what can be checked alone.

Why it exists: spreading only the parsing over workers left the parent
unpickling every loaded tree, a third of a load's cost again, so on two cores
validate stayed well above the parser's floor. Most documents do not need any
other document to be checked: a template or room with no placeholder, no
``overrides`` and no role that ``extends`` a preset resolves to itself in every
workspace. A worker loads the file, resolves and checks each such document
exactly as ``check`` would (the same functions, on a one-document project with
the same ``hmsconf.yaml`` and environment) and sends back its diagnostics and a
*skeleton*: the document's top-level keys with their scalar values (and lists
of scalars: ``workspaces``), the nested parts (roles, settings, ...) dropped.
The parent resolves the whole project as always (duplicate names, presets,
room references, one default template) and takes the worker's diagnostics for
the skeletons. Every other document travels whole and is checked as before.

Only ``validate`` uses this: it needs diagnostics, never the resolved bodies.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

from hmsconf.config.loader import Document, YMap, collector_paused, load_file
from hmsconf.config.project import Project, file_documents
from hmsconf.config.resolve import Resolved, resolve
from hmsconf.diagnostics import Diagnostic

Check = Callable[[Resolved], list[Diagnostic]]


@dataclass
class Prechecked:
    """Diagnostics of skeleton documents, by document and workspace."""

    by_document: dict[int, dict[str, list[Diagnostic]]] = field(default_factory=dict)

    def get(self, item: Resolved, workspace: str) -> list[Diagnostic] | None:
        """The worker's diagnostics for ``item``; None when its document travelled whole."""
        found = self.by_document.get(id(item.source))
        if found is None:
            return None
        if workspace not in found:  # the worker and the parent resolved it differently: a bug, never a silent pass
            raise RuntimeError(f"internal: {item.source.file} was not checked for workspace `{workspace}`")
        return found[workspace]


# (project, environ, require_env, check) of the running pass: set before forking, inherited by the workers
_STATE: tuple[Project, dict[str, str] | None, bool, Check] | None = None


def load_and_precheck(project: Project, environ: dict[str, str] | None, require_env: bool, check: Check,
                      progress: Any = None) -> Prechecked | None:
    """Load the project's documents on every core, prechecking what can be checked alone.

    Returns None (and loads nothing) when the work would not be spread over
    processes: the caller then loads and checks as usual.
    """
    from hmsconf.config.parallel import forked_map, would_fork

    files = list(project.files.files) if project.files is not None and not project.documents_loaded else []
    if not would_fork(len(files)):
        return None
    global _STATE
    _STATE = (project, environ, require_env, check)
    shown = 0

    def loaded(count: int) -> None:  # the progress display moves as the workers' parts come in
        nonlocal shown
        progress.advance(count - shown, str(files[count - 1]))
        shown = count

    try:
        with collector_paused():
            results = forked_map(_one_file, files, done=loaded if progress is not None else None)
    finally:
        _STATE = None
    prechecked = Prechecked()
    project.documents_loaded = True
    for diagnostics, documents in results:
        project.diagnostics.extend(diagnostics)
        for doc, by_workspace in documents:
            project.documents.append(doc)
            if by_workspace is not None:
                prechecked.by_document[id(doc)] = by_workspace
    return prechecked


def _one_file(path: Any) -> tuple[list[Diagnostic], list[tuple[Document, dict[str, list[Diagnostic]] | None]]]:
    assert _STATE is not None
    project, environ, require_env, check = _STATE
    diagnostics, loaded = file_documents(load_file(path))
    documents: list[tuple[Document, dict[str, list[Diagnostic]] | None]] = []
    for doc in loaded:
        if alone(doc):
            documents.append((skeleton(doc), _check_alone(project, doc, environ, require_env, check)))
        else:
            documents.append((doc, None))
    return diagnostics, documents


def alone(doc: Document) -> bool:
    """Does checking ``doc`` need no other document, in every workspace?"""
    data = doc.data
    if doc.kind not in ("Template", "Room") or doc.has_placeholders or "overrides" in data:
        return False
    roles = data.get("roles")
    return not (isinstance(roles, dict) and any(isinstance(r, dict) and "extends" in r for r in roles.values()))


def _check_alone(project: Project, doc: Document, environ: dict[str, str] | None, require_env: bool,
                 check: Check) -> dict[str, list[Diagnostic]]:
    """check's diagnostics for ``doc`` in each workspace where it resolves."""
    one = replace(project, documents=[doc], diagnostics=[], documents_loaded=True)
    out: dict[str, list[Diagnostic]] = {}
    for workspace in project.workspace_names():
        desired, _ = resolve(one, workspace, environ, require_env)  # its own resolution problems the parent finds again
        for item in desired.objects():
            out[workspace] = check(item)
    return out


def skeleton(doc: Document) -> Document:
    data = YMap()
    for key, value in doc.data.items():
        data[key] = value if _scalar_or_names(value) else None
    data.key_pos = doc.data.key_pos
    return Document(doc.file, doc.index, doc.line, doc.column, data, doc.kind, doc.has_placeholders)


def _scalar_or_names(value: Any) -> bool:
    """What a check across documents may read: a scalar, or a list of scalars."""
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value)
    return not isinstance(value, dict)
