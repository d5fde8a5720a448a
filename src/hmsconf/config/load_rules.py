"""The ids of the problems that loading and resolving report (files, YAML, placeholders, overlays, presets).

Each id is written once, here, beside what it checks; the loader, the
resolver and the project refer to the constant, and ``docs/rules.md`` lists
the table (hmsconf.config.rules.rules_markdown). The template and room rules
register themselves the same way in hmsconf.config.rules.
"""

from __future__ import annotations

LOAD_RULES: dict[str, str] = {}  # id -> what it checks, in this file's order


def load_rule(rule_id: str, checks: str) -> str:
    """``rule_id``, registered with what it checks."""
    assert rule_id not in LOAD_RULES, rule_id
    LOAD_RULES[rule_id] = checks
    return rule_id


YAML_SYNTAX = load_rule("YAML-SYNTAX", "the file is valid YAML")
YAML_TAB = load_rule("YAML-TAB", "indentation uses spaces")
YAML_DUPLICATE_KEY = load_rule("YAML-DUPLICATE-KEY", "no key appears twice in a mapping")
YAML_TAG = load_rule("YAML-TAG", "no custom YAML tags")
YAML_KEY = load_rule("YAML-KEY", "mapping keys are plain values")
YAML_TOO_DEEP = load_rule("YAML-TOO-DEEP", "nesting is at most 64 levels")
YAML_TOO_LARGE = load_rule("YAML-TOO-LARGE", "aliases expand to at most 2,000,000 values (alias bombs)")
YAML_ENCODING = load_rule("YAML-ENCODING", "the file is UTF-8")
FILE_TOO_LARGE = load_rule("FILE-TOO-LARGE", "files are at most 10 MiB")
FILE_READ = load_rule("FILE-READ", "the file can be read")
EMPTY_FILE = load_rule("EMPTY-FILE", "(warning) the file holds a document")
DOC_NOT_MAPPING = load_rule("DOC-NOT-MAPPING", "a document is a mapping")
DOC_KIND = load_rule("DOC-KIND", "a document has a known `kind`")
DOC_NAME = load_rule("DOC-NAME", "a document has a `name`")
DUPLICATE_NAME = load_rule("DUPLICATE-NAME", "names are unique per kind (rooms case-insensitively)")
CONFIG_NOT_MAPPING = load_rule("CONFIG-NOT-MAPPING", "hmsconf.yaml is a mapping")
CONFIG_MULTI_DOC = load_rule("CONFIG-MULTI-DOC", "hmsconf.yaml holds one document")
VAR_UNDEFINED = load_rule("VAR-UNDEFINED", "every `${var:NAME}` is defined for the workspace")
ENV_UNDEFINED = load_rule("ENV-UNDEFINED", "every `${env:NAME}` is set (or has a `:-default`)")
VAR_NAMESPACE = load_rule("VAR-NAMESPACE", "placeholders are `${var:...}` or `${env:...}`")
OVERLAY_LIST = load_rule("OVERLAY-LIST", "`workspaces`/`except_workspaces` are lists of names")
OVERLAY_MAP = load_rule("OVERLAY-MAP", "`overrides` maps workspace names to partial documents")
OVERLAY_UNKNOWN_WORKSPACE = load_rule("OVERLAY-UNKNOWN-WORKSPACE", "(warning) overlays name declared workspaces")
PRESET_EXTENDS = load_rule("PRESET-EXTENDS", "`extends` names a preset or a list of them")
PRESET_UNKNOWN = load_rule("PRESET-UNKNOWN", "`extends` names an existing preset")
PRESET_CYCLE = load_rule("PRESET-CYCLE", "presets do not extend each other in a cycle")
PLACEHOLDER_SYNTAX = load_rule("PLACEHOLDER-SYNTAX", "text that looks like a placeholder is one (`${AWS_KEY}`, `$AWS_KEY`, `${env.X}`, `${env:X:default}` are not)")
PLACEHOLDER_TYPE = load_rule("PLACEHOLDER-TYPE", "a whole-scalar placeholder's value converts to the type its field needs")
ENV_UNSET = load_rule("ENV-UNSET", "(notice, validate only) an `${env:...}` not set where validate runs: plan and apply need it")
