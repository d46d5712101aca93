"""The one seam between the Python tools and bin/lazy-mmu-check.

Every run of the checker from Python goes through this module, and its
JSON is parsed only here:

  - check(): ``lazy-mmu-check --format=json [OPTIONS] -- FILE...``: the
    findings and the functions the parser skipped (``skipped``);
  - functions(): ``lazy-mmu-check --dump=functions --format=json -- FILE...``:
    where each function definition starts and ends, the ranges lazy-mmu-lint
    blames and cuts with (no second C parser in Python).

The program is $LAZY_MMU_CHECK when set, else bin/lazy-mmu-check of this
checkout.  Any way the run can go wrong (missing program, exit 2, a crash,
output that is not the JSON of the interface, exit 1 without findings)
raises CheckerError with a one-line reason: an incomplete answer must
never read as "no finding".  Nothing here prints.
"""

import dataclasses
import json
import os
import subprocess
from typing import Dict, List, Optional, Sequence

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PROGRAM = os.path.join(TOP, "bin", "lazy-mmu-check")
RUN_TIMEOUT = 300           # wall seconds for one run
FUNCTIONS_VERSION = 1       # of the --dump=functions document


class CheckerError(Exception):
    """The checker could not run or gave no usable answer."""


@dataclasses.dataclass
class Note:
    file: str
    line: int
    column: int
    message: str


@dataclasses.dataclass
class Finding:
    id: str                 # "lazy-mmu-unbalanced-return", ...
    severity: str
    file: str               # as the checker prints it (see _norm)
    line: int
    column: int
    function: str
    message: str
    notes: List[Note] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return "%s:%d:%d: %s [%s]" % (self.file, self.line, self.column,
                                      self.message, self.id)


@dataclasses.dataclass
class Skipped:
    """A function the parser could not read (not checked)."""
    file: str
    line: int
    column: int
    message: str


@dataclasses.dataclass
class Report:
    findings: List[Finding]
    skipped: List[Skipped]
    status: int             # 0 clean, 1 findings


@dataclasses.dataclass(frozen=True)
class Function:
    name: str
    start: int              # first line of the definition
    end: int                # line of its closing brace

    def holds(self, line: int) -> bool:
        return self.start <= line <= self.end


def program() -> str:
    """The checker to run: $LAZY_MMU_CHECK, else this checkout's."""
    return os.environ.get("LAZY_MMU_CHECK") or DEFAULT_PROGRAM


def _norm(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def _run(prog: str, args: Sequence[str], cwd: str,
         timeout: float) -> subprocess.CompletedProcess:
    if not (os.path.isfile(prog) and os.access(prog, os.X_OK)):
        raise CheckerError("%s not found or not executable (run make)"
                           % prog)
    try:
        return subprocess.run([prog] + list(args), cwd=cwd,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except OSError as e:
        raise CheckerError("cannot run %s: %s" % (prog, e.strerror))
    except subprocess.TimeoutExpired:
        raise CheckerError("lazy-mmu-check took more than %d s" % timeout)


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip()
    return ""


def _document(proc: subprocess.CompletedProcess, what: str) -> dict:
    """The JSON object the checker printed; CheckerError unless it exited
    0 or 1 with one."""
    if proc.returncode not in (0, 1):
        # exit 2 is the checker's "error"; a signal or a sanitizer abort
        # (86) is worse: whatever JSON came with it is incomplete
        raise CheckerError("lazy-mmu-check failed: %s" % (
            _first_line(proc.stderr) or "exit %d" % proc.returncode))
    try:
        doc = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        first = _first_line(proc.stderr)
        raise CheckerError("lazy-mmu-check printed no JSON %s (exit %d)%s"
                           % (what, proc.returncode,
                              ": " + first if first else ""))
    return doc


def _int(obj: dict, key: str, default: int = 1) -> int:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CheckerError("lazy-mmu-check JSON: %r is not a number in %r"
                           % (key, obj))
    return value


def _finding(f: dict) -> Finding:
    if not isinstance(f, dict):
        raise CheckerError("lazy-mmu-check JSON: a finding is not an object")
    notes = [Note(_norm(str(n.get("file", ""))), _int(n, "line"),
                  _int(n, "column"), str(n.get("message", "")))
             for n in f.get("notes") or [] if isinstance(n, dict)]
    return Finding(id=str(f.get("id", "lazy-mmu-unknown")),
                   severity=str(f.get("severity", "warning")),
                   file=_norm(str(f.get("file", ""))), line=_int(f, "line"),
                   column=_int(f, "column"),
                   function=str(f.get("function") or ""),
                   message=str(f.get("message", "")), notes=notes)


def parse_report(proc: subprocess.CompletedProcess) -> Report:
    """A finished ``--format=json`` run as a Report."""
    doc = _document(proc, "findings")
    if not isinstance(doc.get("findings"), list):
        raise CheckerError("lazy-mmu-check printed no JSON findings (exit "
                           "%d)" % proc.returncode)
    findings = [_finding(f) for f in doc["findings"]]
    skipped = [Skipped(_norm(str(s.get("file", ""))), _int(s, "line"),
                       _int(s, "column"), str(s.get("message", "")))
               for s in doc.get("skipped") or [] if isinstance(s, dict)]
    if proc.returncode == 1 and not findings and not skipped:
        # 1 means findings, or a function skipped (an incomplete check)
        raise CheckerError("lazy-mmu-check exited 1 without findings")
    if proc.returncode == 0 and findings:
        raise CheckerError("lazy-mmu-check exited 0 with %d findings"
                           % len(findings))
    return Report(findings, skipped, proc.returncode)


def check(files: Sequence[str], cwd: str, options: Sequence[str] = (),
          prog: Optional[str] = None,
          timeout: float = RUN_TIMEOUT) -> Report:
    """Findings of the checker on files (relative to cwd, or absolute).
    options go before the files (-Wno-legacy-call, -D..., ...)."""
    if not files:
        return Report([], [], 0)
    proc = _run(prog or program(),
                ["--format=json"] + list(options) + ["--"] + list(files),
                cwd, timeout)
    return parse_report(proc)


def parse_functions(proc: subprocess.CompletedProcess) -> Dict[
        str, List[Function]]:
    """A finished ``--dump=functions`` run: path -> functions, sorted by
    start line."""
    doc = _document(proc, "functions")
    if proc.returncode != 0:
        raise CheckerError("lazy-mmu-check --dump=functions exited %d"
                           % proc.returncode)
    if doc.get("version") != FUNCTIONS_VERSION or \
            not isinstance(doc.get("functions"), list):
        raise CheckerError("lazy-mmu-check --dump=functions: not a version "
                           "%d document" % FUNCTIONS_VERSION)
    out: Dict[str, List[Function]] = {}
    for f in doc["functions"]:
        if not isinstance(f, dict) or not f.get("name"):
            raise CheckerError("lazy-mmu-check --dump=functions: bad entry "
                               "%r" % (f,))
        start, end = _int(f, "start", 0), _int(f, "end", 0)
        if not 0 < start <= end:
            raise CheckerError("lazy-mmu-check --dump=functions: bad range "
                               "in %r" % (f,))
        out.setdefault(_norm(str(f.get("file", ""))), []).append(
            Function(str(f["name"]), start, end))
    for funcs in out.values():
        funcs.sort(key=lambda fn: (fn.start, fn.end))
    return out


def functions(files: Sequence[str], cwd: str, prog: Optional[str] = None,
              timeout: float = RUN_TIMEOUT) -> Dict[str, List[Function]]:
    """Function definitions of files (relative to cwd): path as given ->
    [Function], every given path present (a file without functions maps
    to [])."""
    if not files:
        return {}
    proc = _run(prog or program(),
                ["--dump=functions", "--format=json", "--"] + list(files),
                cwd, timeout)
    found = parse_functions(proc)
    return {_norm(f): found.get(_norm(f), []) for f in files}


def function_at(funcs: List[Function], line: int,
                name: str = "") -> Optional[Function]:
    """The function holding line (the innermost when ranges overlap, as
    both arms of an #ifdef can), preferring one called name."""
    holding = [f for f in funcs if f.holds(line)]
    if name:
        named = [f for f in holding if f.name == name]
        holding = named or holding
    if not holding:
        return None
    return min(holding, key=lambda f: (f.end - f.start, f.start))
