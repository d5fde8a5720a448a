"""A project: its ``hmsconf.yaml`` and the documents that are its own, loaded and classified.

Which files are the project's: the YAML of ``templates/``, ``rooms/`` and
``presets/`` (or what ``include:`` in hmsconf.yaml says instead), less what
``exclude:`` says; a YAML file elsewhere is the project's only when it holds a
document of one of our kinds, so a ``docker-compose.yml`` or a Kubernetes
manifest beside the configuration is left alone by validate, plan and fmt.
A path inside a project (a file, a subfolder) means that project.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path as FsPath
from typing import Any, Iterator

from hmsconf.config.load_rules import CONFIG_MULTI_DOC, CONFIG_NOT_MAPPING, EMPTY_FILE
from hmsconf.config.loader import (
    PROJECT_FILE,
    Document,
    LoadedFile,
    ProjectFiles,
    classify,
    collector_paused,
    discover,
    load_file,
)
from hmsconf.diagnostics import Diagnostic, error, warning
from hmsconf.errors import HmsconfError

LOCAL_WORKSPACE = "local"
DEFAULT_LOCAL_FILE = ".hmsconf/local-workspace.db"
# The folders whose YAML files are documents of the project, unless `include:` says otherwise.
DEFAULT_INCLUDE = ("templates/*", "rooms/*", "presets/*")
# A document of ours, found without parsing: `kind: Template` at the start of a line.
_OUR_KIND = re.compile(
    r"""^(?:\{[^\n]*?)?["']?kind["']?[ \t]*:[ \t]*["']?(?:Template|Room|RolePreset)\b""", re.MULTILINE
)


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
    # The paths a command named inside this project (a file, a subfolder): the
    # whole project is read, findings are reported for these. None: all of it.
    focus: list[FsPath] | None = None

    @property
    def live_templates(self) -> list[str]:
        """Templates that exist only in the live workspaces (hmsconf.yaml ``live_templates:``)."""
        names = self.config.get("live_templates")
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []

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
                    error(CONFIG_NOT_MAPPING, "hmsconf.yaml must be a mapping (workspaces:, vars:, ...)").at(
                        config_doc.file, config_doc.line, config_doc.column
                    )
                )
            if len(loaded.documents) > 1:
                extra = loaded.documents[1]
                diagnostics.append(
                    error(CONFIG_MULTI_DOC, "hmsconf.yaml holds more than one document; keep one").at(
                        extra.file, extra.line, extra.column
                    )
                )
    if not files.single_file:
        files = ProjectFiles(files.root, files.config, select_documents(files.root, files.files, config), False)
    project = Project(files.root, config, config_doc, diagnostics=diagnostics, single_file=files.single_file, files=files)
    if documents:
        load_documents(project)
    return project


def load_documents(project: Project, progress: Any = None) -> Project:
    """Read the project's documents; ``progress`` (a hmsconf.progress.Stage) hears of each file."""
    for documents in loading(project, progress):
        project.documents.extend(documents)
    return project


def loading(project: Project, progress: Any = None) -> Iterator[list[Document]]:
    """Each file's documents as it loads (its problems go to ``project.diagnostics``), once per
    project; the caller keeps them (``load_documents``) or settles them first (hmsconf.plan.filewise)."""
    if project.documents_loaded or project.files is None:
        return
    project.documents_loaded = True
    with collector_paused():
        for path in project.files.files:
            if progress is not None:
                progress.advance(1, str(path))
            found, documents = file_documents(load_file(path))
            project.diagnostics.extend(found)
            yield documents


def file_documents(loaded: LoadedFile) -> tuple[list[Diagnostic], list[Document]]:
    """One loaded file's problems and its documents of a known kind."""
    found = list(loaded.diagnostics)
    documents = []
    for doc in loaded.documents:
        if doc.data is None:  # only comments (or nothing) between `---` lines
            found.append(warning(
                EMPTY_FILE, "the document holds only comments; add `kind:` and its fields, or remove it"
            ).at(doc.file, doc.line, doc.column))
            continue
        problem = classify(doc)
        if problem:
            found.append(problem)
        else:
            documents.append(doc)
    return found, documents


def _check_config(doc: Document) -> list[Diagnostic]:
    from hmsconf.config import rules
    from hmsconf.model.catalogue import CONFIG

    found = rules.check_project_config(doc.data) + rules.literal_secrets(CONFIG, doc.data)
    return [doc.place(d) for d in found]


def _globs(config: dict, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    value = config.get(key)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return default


def _matches(relative: str, patterns: tuple[str, ...]) -> bool:
    """fnmatch against the path relative to the project (``*`` also crosses ``/``);
    a pattern naming a folder (``ci/``, ``ci``) takes everything below it."""
    for pattern in patterns:
        pattern = pattern.strip().lstrip("./") if pattern.startswith("./") else pattern.strip()
        if fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern.rstrip("/") + "/*"):
            return True
    return False


def holds_our_kind(path: FsPath) -> bool:
    """Whether a YAML file holds a document of one of our kinds (a cheap look, no parse)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return True  # unreadable: let loading say why
    return bool(_OUR_KIND.search(head.decode("utf-8", "replace")))


def select_documents(root: FsPath, files: list[FsPath], config: dict) -> list[FsPath]:
    """The files of a project that are its documents (see the module docstring)."""
    include = _globs(config, "include", DEFAULT_INCLUDE)
    exclude = _globs(config, "exclude")
    chosen = []
    for path in files:
        relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        if _matches(relative, exclude):
            continue
        if _matches(relative, include) or holds_our_kind(path):
            chosen.append(path)
    return chosen


def enclosing_root(path: FsPath) -> FsPath | None:
    """The nearest folder at or above ``path`` holding hmsconf.yaml, not past a git repository's top."""
    start = path if path.is_dir() else path.parent
    absolute = FsPath(os.path.abspath(start))
    for folder in (absolute, *absolute.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder if start.is_absolute() else FsPath(os.path.relpath(folder))
        if (folder / ".git").exists():
            return None
    return None


def _same(a: FsPath, b: FsPath) -> bool:
    return a.resolve() == b.resolve()


def load_projects(paths: list[str], documents: bool = True) -> tuple[list[Project], list[Diagnostic]]:
    """Every project the paths name. A path inside a project (a file, a subfolder)
    names that project, whole, with the path as its focus."""
    projects: list[Project] = []
    problems: list[Diagnostic] = []
    by_root: dict[FsPath, Project] = {}
    for raw in paths:
        path = FsPath(raw)
        root = enclosing_root(path) if path.exists() else None
        if root is None or _same(root, path) or (path.is_file() and path.name == PROJECT_FILE):
            # a project's own folder (or a folder of projects): it and every project below it
            found, trouble = discover([raw])
            problems.extend(trouble)
            projects.extend(load_project(files, documents) for files in found)
            continue
        key = root.resolve()
        project = by_root.get(key)
        if project is None:
            found, _ = discover([root])
            project = load_project(next(f for f in found if f.config is not None and _same(f.root, root)), documents)
            project.focus = []
            by_root[key] = project
            projects.append(project)
        if project.focus is not None:
            project.focus.append(path)
    return projects, problems


def document_files(paths: list[str]) -> tuple[list[FsPath], list[Diagnostic]]:
    """The files of the projects the paths name that are project documents (and
    hmsconf.yaml): what ``fmt`` and the pre-commit hooks may touch, nothing else."""
    projects, problems = load_projects(paths, documents=False)
    out: list[FsPath] = []
    for project in projects:
        files = project.files
        if files is None:
            continue
        candidates = ([files.config] if files.config is not None else []) + list(files.files)
        if files.single_file and files.config is None:
            candidates = [f for f in candidates if holds_our_kind(f) or f.suffix not in (".yaml", ".yml")]
        if project.focus is not None:
            focus = [f.resolve() for f in project.focus]
            candidates = [c for c in candidates if any(c.resolve() == f or c.resolve().is_relative_to(f) for f in focus)]
        out.extend(c for c in candidates if c not in out)
    return out, problems


def in_focus(project: Project, diagnostic: Diagnostic) -> bool:
    """Whether a finding is about what the command named (hmsconf.yaml always is)."""
    if project.focus is None or diagnostic.file is None:
        return True
    where = FsPath(diagnostic.file).resolve()
    if where.name == PROJECT_FILE:
        return True
    return any(where == f.resolve() or where.is_relative_to(f.resolve()) for f in project.focus)


def no_project_error(target: FsPath | str) -> HmsconfError:
    return HmsconfError(
        f"{target} is not an hmsconf project: no {PROJECT_FILE} there or in a folder above it, and no documents "
        f"(YAML with `kind: Template`, `Room` or `RolePreset`); create {PROJECT_FILE}, or name the project's folder"
    )


def open_project(path: str | None, documents: bool = True, required: bool = True) -> Project:
    """The one project a workspace command works on (plan, apply, export, ...).

    A path inside a project (a subfolder, a file) means that project, so
    `plan templates/` plans the project and keeps its `.hmsconf/` where it is.
    ``required``: a folder with no project at all is an error (else an empty project)."""
    target = FsPath(path or ".")
    if not target.exists():
        raise HmsconfError(f"no such file or directory: {target}")
    root = enclosing_root(target)
    if root is not None and not _same(root, target):
        found, _ = discover([root])
        project = load_project(next(f for f in found if f.config is not None and _same(f.root, root)), documents)
        return project
    found, _ = discover([target])
    rooted = [p for p in found if p.config is not None or p.single_file]
    if target.is_dir() and len(found) > 1:
        names = ", ".join(str(p.root) for p in rooted[:5])
        raise HmsconfError(
            f"{target} holds several projects ({names}); name one of them, e.g. `hmsconf plan {rooted[0].root}`"
        )
    project = load_project(found[0], documents)
    if required and project.config_document is None and not project.single_file and not (project.files and project.files.files):
        raise no_project_error(target)
    return project
