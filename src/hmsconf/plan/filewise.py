"""plan's file-by-file pass: load a file, check it, compare it with the live workspace, drop it.

Why it exists: holding every loaded template until the plan is made cost
about 130 KB a 20-role template (5,000 templates: 643 MB). Most templates
need no other document (no placeholder, no ``overrides``, no role that
``extends`` a preset: ``prechecked.alone``) and match their live counterpart.
Such a template is checked as soon as its file is loaded, with the functions
``check`` uses (as validate's workers do, hmsconf.config.prechecked), and compared as
soon as the live lists are in (the reader fetches them meanwhile, on its own
thread). When nothing changes, only its skeleton stays (its top-level
scalars and its role names: what the checks across documents and the room
codes read) and its share of the desired fingerprint, compressed; the plan
takes "no change" for it. Everything else stays whole and goes the usual way
(resolve, check, make_plan): presets, placeholders, overrides, rooms,
templates with errors, with recordings (compared once those are read), and
templates that change.

Templates loaded before the lists arrive wait whole, up to ``WAITING_BUDGET``
bytes of YAML; past it the pass waits for the lists (memory before latency).
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

from hmsconf.api.live import LiveTemplate, LiveWorkspace, template_fingerprint
from hmsconf.config.check import check_resolved
from hmsconf.config.loader import Document, YMap
from hmsconf.config.prechecked import Prechecked, alone, skeleton
from hmsconf.config.project import Project, loading
from hmsconf.config.resolve import Resolved, resolve
from hmsconf.diagnostics import has_errors
from hmsconf.model.calibration import Calibration
from hmsconf.plan.changes import Change, desired_part, plan_template

# YAML held whole while the live lists are on their way (about five times that in memory).
WAITING_BUDGET = 16 * 2**20


class LiveLists(Protocol):
    def lists(self, wait: bool = False) -> LiveWorkspace | None:
        """The live template and room lists once read (waiting for them if ``wait``);
        None while they are on their way, or when reading them failed."""


Planned = tuple[Change | None, str | None]  # plan_template's answer: the change (None: none), or why it cannot be made
Compare = Callable[[Resolved, LiveWorkspace], Planned]


@dataclass
class Settled:
    """What the pass leaves for the plan: documents already checked, templates already compared."""

    calibration: Calibration | None
    prechecked: Prechecked = field(default_factory=Prechecked)
    # id() of the skeleton documents of templates that match the live workspace ->
    # their share of the desired fingerprint, zlib-compressed (a tenth of its size)
    unchanged: dict[int, bytes] = field(default_factory=dict)
    # id() of the whole documents of templates compared early that change -> plan_template's answer
    changed: dict[int, Planned] = field(default_factory=dict)

    def template_change(self, item: Resolved, live: LiveTemplate | None, *args: Any) -> Planned:
        """``plan.plan_template``, knowing the answer for the templates compared early
        (their fingerprint seasoned again with the plan's salt, ``args[1]``)."""
        if id(item.source) in self.unchanged:
            return None, None
        early = self.changed.get(id(item.source))
        if early is None:
            return plan_template(item, live, *args)
        change, problem = early
        if change is not None and change.fingerprint is not None and live is not None:
            change = replace(change, fingerprint=template_fingerprint(args[1], live))
        return change, problem

    def fingerprint_part(self, item: Resolved) -> bytes:
        """``plan.desired_part``, kept from before the template was dropped."""
        packed = self.unchanged.get(id(item.source))
        return zlib.decompress(packed) if packed is not None else desired_part(item)


@dataclass
class _Waiting:
    """A template checked clean, waiting whole for the live lists."""

    index: int  # in project.documents
    item: Resolved


def load_and_compare(project: Project, workspace: str, reader: LiveLists, compare: Compare,
                     calibration: Calibration | None, progress: Any = None) -> Settled:
    """Load the project's documents (as ``project.load_documents``), settling what can be settled alone.

    ``compare(item, live)``: plan_template's answer for this template against the live workspace.
    ``progress`` (a hmsconf.progress.Stage) hears of each file."""
    settled = Settled(calibration)
    waiting: list[_Waiting] = []
    waiting_bytes = 0
    for documents in loading(project, progress):
        held = False
        for doc in documents:
            project.documents.append(doc)
            item = _checked_alone(project, workspace, doc, settled)
            if item is not None:
                waiting.append(_Waiting(len(project.documents) - 1, item))
                held = True
        if held:
            waiting_bytes += file_size(documents[0].file)
        if waiting:
            live = reader.lists(wait=waiting_bytes > WAITING_BUDGET)
            if live is not None or waiting_bytes > WAITING_BUDGET:  # (in, or failed: then nothing is compared)
                _settle(project, waiting, live, compare, settled)
                waiting, waiting_bytes = [], 0
    return settled


def _checked_alone(project: Project, workspace: str, doc: Document, settled: Settled) -> Resolved | None:
    """A template that can be compared alone, checked clean (its findings kept); else None (it stays whole)."""
    if doc.kind != "Template" or not alone(doc) or "recordings" in doc.data:
        return None
    one = replace(project, documents=[doc], diagnostics=[], documents_loaded=True)
    desired, _ = resolve(one, workspace)  # its own resolution problems the whole resolve finds again
    item = desired.templates.get(doc.name or "")
    if item is None:  # not in this workspace, or no name: the whole resolve says so
        return None
    found = check_resolved(item)
    if has_errors(found):  # checked again with the rest, and the plan stops there
        return None
    settled.prechecked.by_document[id(doc)] = {workspace: found}
    return item


def _settle(project: Project, waiting: list[_Waiting], live: LiveWorkspace | None, compare: Compare,
            settled: Settled) -> None:
    """Swap the waiting templates that match ``live`` for their skeletons (all of them when
    ``live`` is None: reading it failed, so no plan will be made and only the checks matter);
    keep the answer for those that change, so make_plan does not compare them again."""
    for one in waiting:
        doc = one.item.source
        if live is not None:
            planned = compare(one.item, live)
            if planned != (None, None):
                settled.changed[id(doc)] = planned
                continue
        kept = _skeleton(doc)
        settled.prechecked.by_document[id(kept)] = settled.prechecked.by_document.pop(id(doc))
        if live is not None:
            settled.unchanged[id(kept)] = zlib.compress(desired_part(one.item), 1)
        project.documents[one.index] = kept


def _skeleton(doc: Document) -> Document:
    """``prechecked.skeleton``, with the role names (room codes are planned per role of the template)."""
    kept = skeleton(doc)
    roles = doc.data.get("roles")
    if isinstance(roles, dict):
        kept.data["roles"] = YMap.fromkeys(roles)
    return kept


def file_size(path: Any) -> int:
    """Bytes of the file at ``path``; 0 when it cannot be read (the loader says why)."""
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
