"""Diagnostics as the report files CI services read: SARIF 2.1.0 and JUnit XML.

GitHub code scanning reads SARIF (``github/codeql-action/upload-sarif``) and
GitLab's merge-request test widget reads JUnit XML (``artifacts:reports:junit``).
Both are formats of the diagnostics registry in ``render/diagnostics.py``, so
``validate --format sarif|junit`` needs nothing of its own; they live apart
because they pull in the rules registry and an XML writer, which the text
formats do not need.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, Sequence
from urllib.parse import quote

from hmsconf.diagnostics import Diagnostic
from hmsconf.render.diagnostics import renderer, summary

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hmsconf")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        return "0"


def _uri(file: str) -> tuple[str, str | None]:
    """(uri, uriBaseId): paths as given relative to the checkout root, absolute ones as file: URIs."""
    path = PurePath(file)
    if path.is_absolute():
        from pathlib import Path

        return Path(file).as_uri(), None
    return quote(path.as_posix()), "%SRCROOT%"


@renderer("sarif")
def render_sarif(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """One SARIF run: every rule of the registry as a reportingDescriptor, one result per diagnostic."""
    from hmsconf.config.rules import RULES

    ids = sorted(set(RULES) | {d.rule for d in diagnostics})
    index = {rule_id: n for n, rule_id in enumerate(ids)}
    rules = []
    for rule_id in ids:
        info = RULES.get(rule_id)
        text = info.summary if info else rule_id
        rules.append({
            "id": rule_id,
            "name": rule_id.title().replace("-", ""),
            "shortDescription": {"text": text},
            "fullDescription": {"text": f"{text} (in {', '.join(info.kinds)})" if info and info.kinds else text},
            "defaultConfiguration": {"level": info.severity.value if info else "error"},
        })
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": d.severity.value,
            "message": {"text": d.message},
        }
        if d.file:
            uri, base = _uri(d.file)
            artifact = {"uri": uri, **({"uriBaseId": base} if base else {})}
            location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact}}
            if d.line:
                region = {"startLine": d.line, **({"startColumn": d.column} if d.column else {})}
                location["physicalLocation"]["region"] = region
            if d.path:
                from hmsconf.diagnostics import dotted

                location["logicalLocations"] = [{"fullyQualifiedName": dotted(d.path), "kind": "member"}]
            result["locations"] = [location]
        results.append(result)
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "hmsconf", "version": _version(), "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


@renderer("junit")
def render_junit(diagnostics: Sequence[Diagnostic], color: bool = False) -> str:
    """One test case per finding (errors fail, warnings pass with their text), or one passing case when clean.

    GitLab's test report lists every case by ``classname`` and ``name`` and
    shows a failure's text; ``file`` and ``line`` let it link to the source.
    """
    import xml.etree.ElementTree as ET

    failures = sum(d.is_error for d in diagnostics)
    cases = max(len(diagnostics), 1)
    suites = ET.Element("testsuites", name="hmsconf validate", tests=str(cases), failures=str(failures), errors="0")
    suite = ET.SubElement(suites, "testsuite", name="hmsconf validate", tests=str(cases),
                          failures=str(failures), errors="0", skipped="0")
    for d in diagnostics:
        where = f"{d.file or '(project)'}:{d.line or 0}:{d.column or 0}"
        attributes = {"classname": d.file or "hmsconf", "name": f"{d.severity.value}[{d.rule}] at {where}"}
        if d.file:
            attributes["file"] = d.file
        if d.line:
            attributes["line"] = str(d.line)
        case = ET.SubElement(suite, "testcase", attributes)
        text = f"{where}: {d.severity.value}[{d.rule}]: {d.message}"
        if d.is_error:
            ET.SubElement(case, "failure", message=d.message, type=d.rule).text = text
        else:
            ET.SubElement(case, "system-out").text = text
    if not diagnostics:
        ET.SubElement(suite, "testcase", classname="hmsconf", name="validate")
    ET.SubElement(suite, "system-out").text = summary(diagnostics)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
