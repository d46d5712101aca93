"""The finding model of bin/lazy-mmu-lint and its four output formats.

A :class:`Finding` is one problem a patch introduces: a rule id (the
checker's ``lazy-mmu-<id>`` or ``cocci/<rule file>``), a primary location
(the changed line it is blamed on), a message and notes (related
locations: where the section was opened, where the tool itself reported
the problem when that is not a changed line).

Formats (``render(findings, fmt)``):

``text``    GCC style, ``path:line:col: warning: message [id]`` followed by
            ``path:line:col: note: ...`` lines; grep- and editor-friendly.
``json``    one JSON object per finding, one per line (JSON Lines).
``sarif``   one SARIF 2.1.0 log for GitHub code scanning and other SARIF
            consumers: rules, results with relatedLocations and a codeFlow
            when there are notes, and partialFingerprints that do not
            depend on line numbers.
``github``  GitHub Actions workflow commands (``::warning file=...``),
            shown as annotations on the pull request's diff.
"""

import dataclasses
import hashlib
import json
import re
import urllib.parse
from typing import Any, Dict, List, Optional

FORMATS = ("text", "json", "sarif", "github")

SARIF_SCHEMA = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/"
                "os/schemas/sarif-schema-2.1.0.json")
LINT_RULES = {
    "lazy-mmu-api-missing": "a call to a lazy MMU API function the tree "
                            "does not have (the patch would not compile)",
}


@dataclasses.dataclass
class Note:
    file: str
    line: int
    column: int
    message: str

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Finding:
    id: str                  # "lazy-mmu-unbalanced", "cocci/lazy_mmu_legacy"
    tool: str                # "lazy-mmu-check" or "spatch"
    file: str
    line: int
    column: int
    message: str
    function: str = ""
    severity: str = "warning"
    notes: List[Note] = dataclasses.field(default_factory=list)
    # where the tool put it, when the lint moved it to a changed line
    reported_line: Optional[int] = None
    reported_column: Optional[int] = None
    # with --range --each: the commit that introduced it ("sha subject")
    commit: str = ""

    def key(self) -> tuple:
        """What identifies a finding across the two versions of a file:
        everything but line numbers."""
        return (self.id, self.file, self.function, strip_numbers(self.message))

    def fingerprint(self) -> str:
        h = hashlib.sha256("\0".join(str(x) for x in self.key())
                           .encode("utf-8", "surrogateescape"))
        return h.hexdigest()[:32]

    def to_dict(self) -> Dict[str, Any]:
        d = {
            "id": self.id,
            "tool": self.tool,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "function": self.function,
            "message": self.message,
            "notes": [n.to_dict() for n in self.notes],
        }
        if self.reported_line is not None:
            d["reported_at"] = {"line": self.reported_line,
                                "column": self.reported_column or 1}
        if self.commit:
            d["commit"] = self.commit.split(" ", 1)[0]
        return d


_NUM_RE = re.compile(r"\b\d+\b")


def strip_numbers(msg: str) -> str:
    """Line and column numbers inside messages ("opened at line 12") move
    with the code; matching ignores every number."""
    return _NUM_RE.sub("#", msg)


def sort_findings(findings: List[Finding]) -> List[Finding]:
    return sorted(findings, key=lambda f: (f.file, f.line, f.column, f.id,
                                           f.message, f.commit))


# ---------------------------------------------------------------------------


def render(findings: List[Finding], fmt: str, version: str = "") -> str:
    findings = sort_findings(findings)
    if fmt == "text":
        return render_text(findings)
    if fmt == "json":
        return "".join(json.dumps(f.to_dict(), sort_keys=True) + "\n"
                       for f in findings)
    if fmt == "sarif":
        return json.dumps(to_sarif(findings, version), indent=2) + "\n"
    if fmt == "github":
        return render_github(findings)
    raise ValueError("unknown format %r" % fmt)


def render_text(findings: List[Finding]) -> str:
    out = []
    for f in findings:
        out.append("%s:%d:%d: %s: %s [%s]" % (f.file, f.line, f.column,
                                              f.severity, f.message, f.id))
        for n in f.notes:
            out.append("%s:%d:%d: note: %s" % (n.file, n.line, n.column,
                                               n.message))
    return "".join(l + "\n" for l in out)


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: List[Finding]) -> str:
    """``::warning file=F,line=L,col=C,title=T::message``; notes follow
    the message on their own lines (encoded as %0A)."""
    out = []
    for f in findings:
        level = "error" if f.severity == "error" else "warning"
        text = f.message
        for n in f.notes:
            text += "\n%s:%d:%d: note: %s" % (n.file, n.line, n.column,
                                              n.message)
        out.append("::%s file=%s,line=%d,col=%d,title=%s::%s"
                   % (level, _gh_prop(f.file), f.line, f.column,
                      _gh_prop("%s [%s]" % (f.function or f.file, f.id)),
                      _gh_data(text)))
    return "".join(l + "\n" for l in out)


def _sarif_location(file: str, line: int, column: int,
                    message: Optional[str] = None) -> Dict[str, Any]:
    loc: Dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": urllib.parse.quote(file, safe="/"),
                                 "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "startColumn": max(1, column)},
        }
    }
    if message:
        loc["message"] = {"text": message}
    return loc


def _sarif_result(f: Finding, index: int) -> Dict[str, Any]:
    res: Dict[str, Any] = {
        "ruleId": f.id,
        "ruleIndex": index,
        "level": "error" if f.severity == "error" else "warning",
        "message": {"text": f.message},
        "locations": [_sarif_location(f.file, f.line, f.column)],
        "partialFingerprints": {"lazyMmuFinding/v1": f.fingerprint()},
        "properties": {"tool": f.tool},
    }
    if f.commit:
        res["properties"]["commit"] = f.commit.split(" ", 1)[0]
    if f.function:
        res["locations"][0]["logicalLocations"] = [
            {"name": f.function, "kind": "function"}]
    if f.notes:
        res["relatedLocations"] = [
            dict(_sarif_location(n.file, n.line, n.column, n.message),
                 id=i + 1) for i, n in enumerate(f.notes)]
        steps = [{"location": _sarif_location(n.file, n.line, n.column,
                                              n.message)}
                 for n in f.notes]
        steps.append({"location": _sarif_location(f.file, f.line,
                                                  f.column, f.message),
                      "importance": "essential"})
        res["codeFlows"] = [{"threadFlows": [{"locations": steps}]}]
    return res


def to_sarif(findings: List[Finding], version: str = "") -> Dict[str, Any]:
    rules: Dict[str, Dict[str, Any]] = {}
    results = []
    for f in findings:
        if f.id not in rules:
            rules[f.id] = {
                "id": f.id,
                "name": f.id,
                "shortDescription": {"text": rule_summary(f)},
                "defaultConfiguration": {
                    "level": "error" if f.severity == "error" else
                    "warning"},
            }
        results.append(_sarif_result(f, list(rules).index(f.id)))
    driver: Dict[str, Any] = {
        "name": "lazy-mmu-lint",
        "rules": list(rules.values()),
    }
    if version:
        driver["version"] = version
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }


def rule_summary(f: Finding) -> str:
    if f.id.startswith("cocci/"):
        return "Coccinelle rule %s (report mode)" % f.id[len("cocci/"):]
    if f.tool == "lazy-mmu-lint":
        return "lazy-mmu-lint: %s" % LINT_RULES.get(f.id, f.id)
    return "lazy-mmu-check diagnostic %s" % f.id
