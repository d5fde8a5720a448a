"""Documents -> the desired workspace: overlays, variables and presets applied.

Resolution never loses the way back to the source: every map it builds is a
YMap whose key positions point at the line that supplied the value (an
override block, a preset in another file), so an error found later still
points at the line that caused it, not at a merged result.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from hmsconf.config.load_rules import (
    DOC_NAME,
    DUPLICATE_NAME,
    ENV_UNDEFINED,
    ENV_UNSET,
    OVERLAY_LIST,
    OVERLAY_MAP,
    OVERLAY_UNKNOWN_WORKSPACE,
    PLACEHOLDER_SYNTAX,
    PLACEHOLDER_TYPE,
    PRESET_CYCLE,
    PRESET_EXTENDS,
    PRESET_UNKNOWN,
    VAR_NAMESPACE,
    VAR_UNDEFINED,
)
from hmsconf.config.loader import Document, YMap, YSeq, item_positions, key_positions
from hmsconf.config.placeholders import PLACEHOLDER as _PLACEHOLDER
from hmsconf.config.project import Project
from hmsconf.diagnostics import (
    Diagnostic,
    Location,
    Path,
    dotted,
    error,
    notice,
    warning,
)
from hmsconf.model import catalogue
from hmsconf.model.copies import plain
from hmsconf.model.sensitive import shown

META_KEYS = ("kind", "workspaces", "except_workspaces", "overrides")

# A placeholder whose value is not known (unset, undefined, misspelt, not
# convertible): reported once, and the value is not judged further.
_UNKNOWN = object()

@dataclass
class Resolved:
    """One document as it will be sent: meta keys gone, everything substituted."""

    kind: str
    name: str
    # The JSON body, shared by check, plan and apply: read-only. It is the
    # loaded tree itself (YMap/YSeq are dict/list with positions on the side);
    # a copy of 1,000 templates would cost 40 MB.
    data: YMap
    source: Document
    # paths whose value came from ${env:...}, for the literal-secret warning
    from_env: set[Path] = field(default_factory=set)
    # paths whose value is not known (a placeholder already reported): the
    # rules do not judge them, so one missing variable makes one diagnostic
    unknown: set[Path] = field(default_factory=set)

    def place(self, diagnostic: Diagnostic) -> Diagnostic:
        return self.source.place(diagnostic, self.data)


@dataclass
class DesiredWorkspace:
    workspace: str
    templates: dict[str, Resolved] = field(default_factory=dict)
    rooms: dict[str, Resolved] = field(default_factory=dict)
    presets: dict[str, Resolved] = field(default_factory=dict)

    def objects(self) -> list[Resolved]:
        return [*self.templates.values(), *self.rooms.values()]


class _Resolver:
    def __init__(self, project: Project, workspace: str, environ: Mapping[str, str], require_env: bool = True) -> None:
        self.project = project
        self.workspace = workspace
        self.vars = project.vars_for(workspace)
        self.environ = environ
        # validate needs no secrets: an unset ${env:...} is then a notice
        self.require_env = require_env
        self.diagnostics: list[Diagnostic] = []
        self.reported_env: set[str] = set()
        self.unknown: set[Path] = set()  # of the document being substituted
        self.kind: str = ""

    # -- workspace selection and overlays --------------------------------------

    def included(self, doc: Document) -> bool:
        data = doc.data
        only, never = data.get("workspaces"), data.get("except_workspaces")
        for key, value in (("workspaces", only), ("except_workspaces", never)):
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                self.report(doc, error(OVERLAY_LIST, f"`{key}` must be a list of workspace names", (key,)))
                return False
            for index, name in enumerate(value or []):
                if self.project.workspaces and name not in self.project.workspaces:
                    self.report(
                        doc,
                        warning(
                            OVERLAY_UNKNOWN_WORKSPACE,
                            f"`{key}` names workspace `{name}`, which hmsconf.yaml does not declare",
                            (key, index),
                        ),
                    )
        if only is not None and self.workspace not in only:
            return False
        return not (never is not None and self.workspace in never)

    def overlaid(self, doc: Document) -> YMap:
        base = YMap()
        for key, value in doc.data.items():
            if key not in META_KEYS:
                base[key] = value
        base.key_pos = doc.data.key_pos  # shared, as substitute shares them: positions are never changed in place
        overrides = doc.data.get("overrides")
        if overrides is None:
            return base
        if not isinstance(overrides, dict):
            self.report(doc, error(OVERLAY_MAP, "`overrides` must map workspace names to partial documents", ("overrides",)))
            return base
        for name in overrides:
            if self.project.workspaces and name not in self.project.workspaces:
                self.report(
                    doc,
                    warning(
                        OVERLAY_UNKNOWN_WORKSPACE,
                        f"`overrides` names workspace `{name}`, which hmsconf.yaml does not declare",
                        ("overrides", name),
                    ),
                )
        patch = overrides.get(self.workspace)
        if patch is None:
            return base
        if not isinstance(patch, dict):
            self.report(doc, error(OVERLAY_MAP, f"`overrides.{self.workspace}` must be a mapping", ("overrides", self.workspace)))
            return base
        return deep_merge(base, patch)

    # -- variables -----------------------------------------------------------------

    def substitute(self, value: Any, doc: Document, path: Path, from_env: set[Path], data_root: Any) -> Any:
        if isinstance(value, str):
            if "$" not in value:
                return value
            return self._substitute_string(value, doc, path, from_env, data_root)
        if isinstance(value, YMap):
            out = YMap()
            out.key_pos = value.key_pos
            for key, item in value.items():
                out[key] = self.substitute(item, doc, path + (key,), from_env, data_root)
            return out
        if isinstance(value, dict):
            return {k: self.substitute(v, doc, path + (k,), from_env, data_root) for k, v in value.items()}
        if isinstance(value, list):
            out_list = YSeq(self.substitute(item, doc, path + (i,), from_env, data_root) for i, item in enumerate(value))
            out_list.item_pos = item_positions(value)
            return out_list
        return value

    def _substitute_string(self, text: str, doc: Document, path: Path, from_env: set[Path], data_root: Any) -> Any:
        from hmsconf.config.placeholders import misspelt

        bad = misspelt(text, self.vars)
        for wrong in bad:
            hint = f"; write `{wrong.suggestion}`" if wrong.suggestion else "; write `${env:NAME}` or `${var:NAME}`"
            self._report_at(doc, data_root, error(
                PLACEHOLDER_SYNTAX,
                f"{dotted(path)}: `{wrong.text}` is not a placeholder ({wrong.reason}){hint} "
                "(`$$` is a literal `$`)", path))
        if bad:
            self.unknown.add(path)
        whole = _PLACEHOLDER.fullmatch(text)
        if whole and whole.group(0) != "$$":
            found = self._lookup(whole, doc, path, from_env, data_root)
            if found is _UNKNOWN:
                self.unknown.add(path)
                return text
            return self._typed(found, whole, doc, path, data_root)

        def one(match: re.Match) -> str:
            if match.group(0) == "$$":
                return "$"
            found = self._lookup(match, doc, path, from_env, data_root)
            if found is _UNKNOWN:
                self.unknown.add(path)
                return match.group(0)
            return "" if found is None else str(found)

        return _PLACEHOLDER.sub(one, text)

    def _typed(self, value: Any, match: re.Match, doc: Document, path: Path, data_root: Any) -> Any:
        """A whole-scalar placeholder takes the type its field needs (from the model)."""
        from hmsconf.config.placeholders import (
            NotConvertible,
            convert,
            describe,
            wanted_type,
        )

        wanted = wanted_type(self.kind, path)
        try:
            return convert(value, wanted)
        except NotConvertible:
            assert wanted is not None  # only a known type can refuse a value
            namespace, name = match.group(1), match.group(2)
            source = f"environment variable `{name}`" if namespace == "env" else f"variable `{name}` (workspace `{self.workspace}`)"
            what = "a value" if catalogue.is_secret_path(self.kind, path) else repr(value)
            self._report_at(doc, data_root, error(
                PLACEHOLDER_TYPE,
                f"{dotted(path)} needs {describe(wanted)}, but {source} holds {what}", path))
            self.unknown.add(path)
            return value

    def _lookup(self, match: re.Match, doc: Document, path: Path, from_env: set[Path], data_root: Any) -> Any:
        namespace, name, default = match.group(1), match.group(2), match.group(3)
        if namespace == "var":
            if name in self.vars:
                return self.vars[name]
            if default is not None:
                return default
            known = ", ".join(sorted(self.vars)) or "none"
            self._report_at(
                doc,
                data_root,
                error(
                    VAR_UNDEFINED,
                    f"variable `{name}` is not defined for workspace `{self.workspace}` "
                    f"(defined: {known}); add it under `vars:` in hmsconf.yaml",
                    path,
                ),
            )
            return _UNKNOWN
        if namespace == "env":
            from_env.add(path)
            if name in self.environ:
                return self.environ[name]
            if default is not None:
                return default.replace("\\}", "}")
            if name in self.reported_env:  # one diagnostic per variable
                return _UNKNOWN
            self.reported_env.add(name)
            if not self.require_env:
                self._report_at(doc, data_root, notice(
                    ENV_UNSET,
                    f"environment variable `{name}` is not set here; validate checks around it, "
                    f"plan and apply need it (or write `${{env:{name}:-default}}`)", path))
                return _UNKNOWN
            self._report_at(
                doc,
                data_root,
                error(
                    ENV_UNDEFINED,
                    f"environment variable `{name}` is not set (workspace `{self.workspace}`); "
                    f"set it or write `${{env:{name}:-default}}`",
                    path,
                ),
            )
            return _UNKNOWN
        lower = namespace.lower()
        hint = (f"; did you mean `${{{lower}:{name}}}`? (namespaces are lower case)" if lower in ("env", "var")
                else "; use `${var:NAME}` or `${env:NAME}`")
        self._report_at(
            doc,
            data_root,
            error(VAR_NAMESPACE, f"unknown placeholder `${{{namespace}:...}}`{hint}", path),
        )
        return _UNKNOWN

    # -- presets -------------------------------------------------------------------

    def expand_roles(self, resolved: Resolved, presets: dict[str, Resolved]) -> None:
        roles = resolved.data.get("roles")
        if not isinstance(roles, dict):
            return
        new_roles = YMap()
        new_roles.key_pos = key_positions(roles)
        for role_name, role in roles.items():
            if isinstance(role, dict) and "extends" in role:
                role = self._extend(role, ("roles", role_name), resolved, presets, ())
            new_roles[role_name] = role
        resolved.data["roles"] = new_roles

    def _extend(self, role: dict, path: Path, owner: Resolved, presets: dict[str, Resolved], chain: tuple[str, ...]) -> Any:
        parents = role.get("extends")
        names = [parents] if isinstance(parents, str) else parents
        own = YMap()
        own.key_pos = key_positions(role)
        for key, value in role.items():
            if key != "extends":
                own[key] = value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            owner_report(self, owner, error(PRESET_EXTENDS, "`extends` must be a preset name or a list of them", path + ("extends",)))
            return own
        merged = YMap()
        for index, name in enumerate(names):
            where = path + (("extends",) if isinstance(parents, str) else ("extends", index))
            if name in chain:
                cycle = " -> ".join((*chain, name))
                owner_report(self, owner, error(PRESET_CYCLE, f"presets extend each other in a cycle: {cycle}", where))
                continue
            preset = presets.get(name)
            if preset is None:
                known = ", ".join(sorted(presets)) or "none in this project"
                owner_report(self, owner, error(PRESET_UNKNOWN, f"preset `{name}` does not exist (presets: {known})", where))
                continue
            body = preset.data
            if "extends" in body:
                body = self._extend(body, (), preset, presets, (*chain, name))
            merged = deep_merge(merged, _stamped(_without(body, "name"), preset.source.file))
        return deep_merge(merged, own)

    # -- reporting -------------------------------------------------------------------

    def report(self, doc: Document, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(doc.place(diagnostic))

    def _report_at(self, doc: Document, data_root: Any, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(doc.place(diagnostic, data_root))


def owner_report(resolver: _Resolver, owner: Resolved, diagnostic: Diagnostic) -> None:
    resolver.diagnostics.append(owner.place(diagnostic))


def _without(data: dict, key: str) -> YMap:
    out = YMap()
    out.key_pos = key_positions(data)
    for k, v in data.items():
        if k != key:
            out[k] = v
    return out


def _stamped(value: Any, file: str) -> Any:
    """A copy whose positions name ``file``: preset fields keep pointing at the preset."""
    if isinstance(value, dict):
        out = YMap()
        positions = key_positions(value)
        for key, item in value.items():
            out[key] = _stamped(item, file)
            where = positions.get(key)
            if where is not None:  # a position already naming a file keeps it (a preset extending a preset)
                out.key_pos[key] = where if where.file is not None else Location(file, where.line, where.column)
        return out
    if isinstance(value, list):
        seq = YSeq(_stamped(item, file) for item in value)
        seq.item_pos = item_positions(value).in_file(file)
        return seq
    return value


def deep_merge(base: Any, patch: Any) -> Any:
    """Maps merge by key (recursively); anything else in ``patch`` replaces.

    A ``null`` in ``patch`` removes the key, so an override can drop a field.
    Neither input is changed.
    """
    if not (isinstance(base, dict) and isinstance(patch, dict)):
        return patch
    out = YMap()
    out.key_pos = key_positions(base).copy()
    for key, value in base.items():
        out[key] = value
    patch_pos = key_positions(patch)
    for key, value in patch.items():
        if value is None and key in out:
            del out[key]
            out.key_pos.discard(key)
            continue
        out[key] = deep_merge(out[key], value) if key in out else value
        where = patch_pos.get(key)
        if where is not None:
            out.key_pos[key] = where
    return out


def resolve(project: Project, workspace: str, environ: Mapping[str, str] | None = None,
            require_env: bool = True) -> tuple[DesiredWorkspace, list[Diagnostic]]:
    """The desired state of ``workspace``: what ``plan`` compares with live state.

    ``require_env=False`` (validate): an unset ``${env:...}`` is a notice and
    the value is left unjudged, so checking a pull request needs no secrets."""
    resolver = _Resolver(project, workspace, dict(os.environ) if environ is None else environ, require_env)
    desired = DesiredWorkspace(workspace)
    seen: dict[tuple[str, str], Resolved] = {}
    presets_pending: list[Resolved] = []
    others: list[Resolved] = []
    for doc in project.documents:
        if not resolver.included(doc):
            continue
        body = resolver.overlaid(doc)
        from_env: set[Path] = set()
        kind = doc.kind or ""
        resolver.unknown, resolver.kind = set(), kind
        if doc.has_placeholders or "overrides" in doc.data:
            body = resolver.substitute(body, doc, (), from_env, body)
        name = body.get("name")
        if not isinstance(name, str) or not name:
            where = ("name",) if "name" in body else ()
            resolver.report(
                doc, error(DOC_NAME, f"a {doc.kind} needs a `name:` (text): hmsconf matches live objects by name", where)
            )
            continue
        item = Resolved(kind, name, body, doc, from_env, resolver.unknown)
        # Room names are case-insensitive in the API (reference §6.1).
        key = (kind, name.lower() if kind == "Room" else name)
        if key in seen:
            first = seen[key].source
            named = first.data.key_pos.get("name")
            first_line = named.line if named is not None else first.line
            resolver.report(
                doc,
                error(
                    DUPLICATE_NAME,
                    f"{doc.kind} `{name}` is also declared in {first.file}:{first_line}; names are unique per kind",
                    ("name",),
                ),
            )
            continue
        seen[key] = item
        (presets_pending if doc.kind == "RolePreset" else others).append(item)
    desired.presets = {p.name: p for p in presets_pending}
    for item in others:
        resolver.expand_roles(item, desired.presets)
        target = desired.templates if item.kind == "Template" else desired.rooms
        target[item.name] = item
    return desired, resolver.diagnostics


def masked_body(resolved: Resolved) -> dict:
    """The body with every secret replaced by its mark's text: safe to print."""
    return shown(catalogue.mark_secrets(resolved.kind, plain(resolved.data)))
