"""A project: its ``hmsconf.yaml`` and every document below it, loaded and classified."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from hmsconf.diagnostics import Diagnostic, HmsconfError, error
from hmsconf.loader import Document, ProjectFiles, classify, discover, load_file

LOCAL_WORKSPACE = "local"
DEFAULT_LOCAL_FILE = ".hmsconf/local-workspace.db"


@dataclass
class Project:
    root: FsPath
    config: dict  # hmsconf.yaml, {} when the project has none
    config_document: Document | None
    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    single_file: bool = False
    files: ProjectFiles | None = field(default=None, repr=False)
    documents_loaded: bool = False

    @property
    def workspaces(self) -> dict[str, Any]:
        spaces = self.config.get("workspaces")
        return spaces if isinstance(spaces, dict) else {}

    @property
    def default_workspace(self) -> str:
        """``default_workspace``, else the only workspace, else the local file."""
        named = self.config.get("default_workspace")
        if isinstance(named, str) and named:
            return named
        if len(self.workspaces) == 1:
            return next(iter(self.workspaces))
        return LOCAL_WORKSPACE

    def workspace_names(self) -> list[str]:
        return list(self.workspaces) or [self.default_workspace]

    def pick_workspace(self, name: str | None) -> str:
        if name is None:
            return self.default_workspace
        if self.workspaces and name not in self.workspaces and name != LOCAL_WORKSPACE:
            known = ", ".join(sorted(self.workspaces))
            raise HmsconfError(f"workspace `{name}` is not declared in hmsconf.yaml (declared: {known})")
        return name

    def vars_for(self, workspace: str) -> dict:
        merged: dict = {}
        for source in (self.config.get("vars"), (self.workspaces.get(workspace) or {}).get("vars")):
            if isinstance(source, dict):
                merged.update(source)
        return merged

    def documents_of(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


def load_project(files: ProjectFiles, documents: bool = True) -> Project:
    """The project's hmsconf.yaml and, unless ``documents`` is false, every document
    (``load_documents`` reads them later: plan starts reading the live workspace
    as soon as it knows which one)."""
    config: dict = {}
    config_doc: Document | None = None
    diagnostics: list[Diagnostic] = []
    if files.config is not None:
        loaded = load_file(files.config)
        diagnostics.extend(loaded.diagnostics)
        if loaded.documents:
            config_doc = loaded.documents[0]
            if isinstance(config_doc.data, dict):
                config = config_doc.data
                diagnostics.extend(_check_config(config_doc))
            else:
                diagnostics.append(
                    error("CONFIG-NOT-MAPPING", "hmsconf.yaml must be a mapping (workspaces:, vars:, ...)").at(
                        config_doc.file, config_doc.line, config_doc.column
                    )
                )
            if len(loaded.documents) > 1:
                extra = loaded.documents[1]
                diagnostics.append(
                    error("CONFIG-MULTI-DOC", "hmsconf.yaml holds more than one document; keep one").at(
                        extra.file, extra.line, extra.column
                    )
                )
    project = Project(files.root, config, config_doc, diagnostics=diagnostics, single_file=files.single_file, files=files)
    if documents:
        load_documents(project)
    return project


def load_documents(project: Project) -> Project:
    if project.documents_loaded or project.files is None:
        return project
    project.documents_loaded = True
    for path in project.files.files:
        loaded = load_file(path)
        project.diagnostics.extend(loaded.diagnostics)
        for doc in loaded.documents:
            problem = classify(doc)
            if problem:
                project.diagnostics.append(problem)
            else:
                project.documents.append(doc)
    return project


def _check_config(doc: Document) -> list[Diagnostic]:
    from hmsconf import rules
    from hmsconf.model.catalogue import CONFIG

    found = rules.check_project_config(doc.data) + rules.literal_secrets(CONFIG, doc.data)
    return [doc.place(d) for d in found]


def load_projects(paths: list[str]) -> tuple[list[Project], list[Diagnostic]]:
    found, problems = discover(paths)
    return [load_project(files) for files in found], problems


def open_project(path: str | None, documents: bool = True) -> Project:
    """The one project a workspace command works on (plan, apply, export, ...)."""
    target = FsPath(path or ".")
    if not target.exists():
        raise HmsconfError(f"no such file or directory: {target}")
    found, _ = discover([target])
    rooted = [p for p in found if p.config is not None or p.single_file]
    if target.is_dir() and len(found) > 1:
        names = ", ".join(str(p.root) for p in rooted[:5])
        raise HmsconfError(
            f"{target} holds several projects ({names}); name one of them, e.g. `hmsconf plan {rooted[0].root}`"
        )
    return load_project(found[0], documents)
