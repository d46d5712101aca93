"""bin/lazy-mmu-lint: report what a patch adds to the lazy MMU findings.

    lazy-mmu-lint [--tree T] [--format F] [--stats] PATCH...
    lazy-mmu-lint --tree T --range A..B

Steps (each a function below):

1. read the input (files, stdin, mails, or a git range) and build a
   Workspace: before/ and after/ copies of the touched files in a temp dir
   (patchfile.py; the tree itself is only read);
2. run the analyses on both versions: bin/lazy-mmu-check on the touched
   .c/.h files, and every cocci/*.cocci in report mode whose grep query
   (what spatch itself would require of a file) matches a touched file;
3. pair each "after" finding with a "before" finding of the same rule,
   file, function and message (numbers ignored), preferring the one whose
   line the diff maps onto it; the unpaired ones are what the patch
   introduces;
4. blame each introduced finding on a changed line: its own line if the
   patch changed it, else the nearest changed line of the same function
   (the tool's own location becomes a note), else its own line with a
   note pointing at the nearest change;
5. print them (findings.py) and exit 0 (nothing introduced), 1 (findings)
   or 2 (the input could not be linted; one line on stderr says why).
"""

import argparse
import bisect
import collections
import concurrent.futures
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from . import findings as fnd
from . import patchfile
from .findings import Finding, Note
from .patchfile import PatchError, TouchedFile, Workspace
from .spatch import failure_lines

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = "0.1"
PROG = "lazy-mmu-lint"

SPATCH_TIMEOUT = 60         # CPU seconds per file, spatch's --timeout
RUN_TIMEOUT = 300           # wall seconds for any one subprocess


class LintError(Exception):
    """An analysis could not run; str() is a one-line reason (exit 2)."""


# ---------------------------------------------------------------------------
# Functions of a C file (for blaming and for naming cocci findings)

_TOKEN_RE = re.compile(
    r"//[^\n]*"
    r"|/\*.*?\*/"
    r"|\"(?:\\.|[^\"\\\n])*\""
    r"|'(?:\\.|[^'\\\n])*'"
    r"|^[ \t]*\#(?:\\\n|[^\n])*"
    r"|[{}();=,]"
    r"|[A-Za-z_]\w*",
    re.M | re.S)


def c_functions(text: str) -> List[Tuple[str, int, int]]:
    """(name, first line, last line) of each function definition, found
    from top-level braces: a ``{`` at depth 0 whose header has a ``(`` and
    no ``=`` opens a function body named after the identifier before the
    first top-level ``(``.  Good enough for kernel style (on mm/, fs/proc
    and the arch files with lazy MMU code it names every function the
    checker reports).  Both arms of an ``#ifdef`` that each open a body
    leave the depth above 0: the rest of the file is then no function,
    which makes a blame less precise and keeps more text for spatch, never
    less."""
    out = []
    depth = 0
    header: List[Tuple[str, int]] = []      # (token, offset) since last end
    header_start: Optional[int] = None
    body_start = 0
    name = ""
    is_fn = False
    line_starts = [0]
    for m in re.finditer(r"\n", text):
        line_starts.append(m.end())

    def line_of(off: int) -> int:
        return bisect.bisect_right(line_starts, off)

    for m in _TOKEN_RE.finditer(text):
        tok = m.group(0)
        c = tok[0]
        if c == "/" and tok[:2] in ("//", "/*"):
            continue
        if c in "\"'":
            continue
        if tok.lstrip(" \t").startswith("#"):
            continue
        if depth == 0:
            if tok == "{":
                is_fn = False
                toks = [t for t, _ in header]
                if "(" in toks and "=" not in toks:
                    i = toks.index("(")
                    if i > 0 and re.match(r"[A-Za-z_]\w*$", toks[i - 1]):
                        name = toks[i - 1]
                        is_fn = True
                body_start = header_start if header_start is not None \
                    else m.start()
                depth = 1
                continue
            if tok in (";", "}"):
                header = []
                header_start = None
                continue
            if header_start is None:
                header_start = m.start()
            header.append((tok, m.start()))
            continue
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0:
                if is_fn:
                    out.append((name, line_of(body_start), line_of(m.start())))
                header = []
                header_start = None
    return out


def function_at(funcs: List[Tuple[str, int, int]], line: int) -> str:
    for name, a, b in funcs:
        if a <= line <= b:
            return name
    return ""


# ---------------------------------------------------------------------------
# Running the analyses


def run(cmd: Sequence[str], cwd: str) -> subprocess.CompletedProcess:
    """The one place that starts the analysers."""
    try:
        return subprocess.run(list(cmd), cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=RUN_TIMEOUT)
    except FileNotFoundError:
        raise LintError("%s: command not found" % cmd[0])
    except OSError as e:
        raise LintError("cannot run %s: %s" % (cmd[0], e.strerror))
    except subprocess.TimeoutExpired:
        raise LintError("%s took more than %d s" % (cmd[0], RUN_TIMEOUT))


def run_checker(checker: str, side: str, files: List[str]) -> List[Finding]:
    """bin/lazy-mmu-check --format=json on the given files of one side."""
    if not files:
        return []
    proc = run([checker, "--format=json"] + files, cwd=side)
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace").strip()
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    if proc.returncode not in (0, 1):
        # exit 2 is the checker's "error": whatever JSON came with it is
        # incomplete, and an incomplete before/after pair would mislead
        first = err.splitlines()[0] if err else "exit %d" % proc.returncode
        raise LintError("lazy-mmu-check failed: %s" % first)
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        first = err.splitlines()[0] if err else ""
        raise LintError("lazy-mmu-check printed no JSON findings "
                        "(exit %d)%s" % (proc.returncode,
                                         ": " + first if first else ""))
    res = []
    for f in doc["findings"]:
        res.append(Finding(
            id=str(f.get("id", "lazy-mmu-unknown")), tool="lazy-mmu-check",
            file=_norm(str(f.get("file", ""))), line=int(f.get("line", 1)),
            column=int(f.get("column", 1)), message=str(f.get("message", "")),
            function=str(f.get("function", "") or ""),
            severity=str(f.get("severity", "warning")),
            notes=[Note(_norm(str(n.get("file", ""))), int(n.get("line", 1)),
                        int(n.get("column", 1)), str(n.get("message", "")))
                   for n in f.get("notes", []) or []]))
    # Functions the checker could not parse: paired like findings, so that
    # a function the patch makes unparsable is said (on stderr), never
    # silently passed as clean.
    for sk in doc.get("skipped", []) or []:
        if not isinstance(sk, dict):
            continue
        res.append(Finding(
            id=SKIPPED_ID, tool="lazy-mmu-check", severity="skipped",
            file=_norm(str(sk.get("file", ""))), line=int(sk.get("line", 1)),
            column=int(sk.get("column", 1)),
            message=str(sk.get("message", ""))))
    return res


SKIPPED_ID = "lazy-mmu-check-skipped"


def _norm(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


class CocciRule:
    """One cocci/*.cocci file, as coccicheck would run it in report mode."""

    def __init__(self, path: str, tree: Optional[str]) -> None:
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        with open(path, "rb") as f:
            self.data = f.read()
        text = self.data.decode("utf-8", "replace")
        self.has_report = bool(re.search(r"^virtual\s+(\w+\s*,\s*)*report\b",
                                         text, re.M))
        self.options = self._options(text, tree)
        # cocci/lazy_mmu_arch_<arch>.cocci rewrites one arch: it is given
        # only that arch's files (run over mm/, fs/proc, include/linux and
        # kernel/ of 6.12 in report mode, these rules print nothing)
        m = re.match(r"lazy_mmu_arch_([a-z0-9]+)$", self.name)
        self.only_under = "arch/%s/" % m.group(1) if m else None
        # the project's parser hints (noinstr & co), beside the rules
        hints = os.path.join(os.path.dirname(path), "lazy_mmu_macros.h")
        self.macro_file = hints if os.path.isfile(hints) else None
        self.query: Optional[str] = None     # None: no grep query

    @staticmethod
    def _options(text: str, tree: Optional[str]) -> List[str]:
        """The ``// Options:`` line, as scripts/coccicheck reads it (first
        line holding "Options:", text up to the next colon).  Relative
        --macro-file paths are taken from the tree root, as there."""
        for line in text.splitlines():
            if "Options:" in line:
                opts = shlex.split(line.split(":")[1])
                break
        else:
            return []
        out = []
        for i, o in enumerate(opts):
            if i and opts[i - 1] in ("--macro-file", "--macro-file-builtins",
                                     "--iso-file") and not o.startswith("/"):
                for base in (tree, TOP):
                    if base and os.path.exists(os.path.join(base, o)):
                        o = os.path.join(base, o)
                        break
            out.append(o)
        return out

    def load_query(self, spatch: str) -> None:
        """spatch's grep query for -D report, cached by content."""
        prog = shutil.which(spatch) or spatch
        try:
            st = os.stat(prog)
            stamp = ("%s %d %d" % (prog, st.st_size, st.st_mtime)).encode()
        except OSError:
            stamp = prog.encode()
        digest = hashlib.sha1(self.data + b"\0" + stamp).hexdigest()
        cache_dir = os.environ.get("LAZY_MMU_LINT_CACHE") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or
            os.path.join(os.path.expanduser("~"), ".cache"),
            "lazy-mmu-tools", "grep-query")
        cached = os.path.join(cache_dir, digest)
        try:
            with open(cached) as f:
                q = f.read().strip()
            self.query = q or None
            return
        except OSError:
            pass
        proc = run([spatch, "--parse-cocci", self.path, "-D", "report"],
                   cwd=os.path.dirname(self.path))
        q = ""
        lines = proc.stdout.decode("utf-8", "replace").splitlines()
        for i, l in enumerate(lines):
            if l.strip() == "Grep query" and i + 1 < len(lines):
                q = lines[i + 1].strip()
        if proc.returncode != 0:
            q = ""       # let the real run report the error
        self.query = q or None
        try:
            os.makedirs(cache_dir, exist_ok=True)
            tmp = cached + ".%d" % os.getpid()
            with open(tmp, "w") as f:
                f.write(q + "\n")
            os.replace(tmp, cached)
        except OSError:
            pass

    def may_match(self, text: str) -> bool:
        return query_matches(self.query, text)


_Q_TOKEN = re.compile(r"\s*(\(|\)|\|\||&&|[A-Za-z_][\w]*)")


def query_matches(query: Optional[str], text: str) -> bool:
    """Evaluate a spatch grep query (words joined by || and &&, with
    parentheses; && binds tighter) against a file's text, a word matching
    as a whole word as spatch's own prefilter does.  No query, or syntax
    this does not know, means "maybe": the rule runs."""
    if not query:
        return True
    toks: List[str] = []
    pos = 0
    while pos < len(query):
        m = _Q_TOKEN.match(query, pos)
        if not m:
            if query[pos:].strip() == "":
                break
            return True
        toks.append(m.group(1))
        pos = m.end()

    def word(w: str) -> bool:
        return bool(re.search(r"\b%s\b" % re.escape(w), text))

    def disj(i: int) -> Tuple[bool, int]:
        v, i = conj(i)
        while i < len(toks) and toks[i] == "||":
            w, i = conj(i + 1)
            v = v or w
        return v, i

    def conj(i: int) -> Tuple[bool, int]:
        v, i = atom(i)
        while i < len(toks) and toks[i] == "&&":
            w, i = atom(i + 1)
            v = v and w
        return v, i

    def atom(i: int) -> Tuple[bool, int]:
        if i >= len(toks):
            raise ValueError("query ends early")
        if toks[i] == "(":
            v, i = disj(i + 1)
            if i >= len(toks) or toks[i] != ")":
                raise ValueError("unbalanced parenthesis")
            return v, i + 1
        if toks[i] in ("||", "&&", ")"):
            raise ValueError("operator where a word belongs")
        return word(toks[i]), i + 1

    try:
        v, i = disj(0)
    except ValueError:
        return True
    return v if i == len(toks) else True


_REPORT_RE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)"
                        r"(?:-(?P<col2>\d+))?: (?P<msg>.*)$")


def run_spatch(spatch: str, rule: CocciRule, cwd: str,
               files: List[str]) -> List[Finding]:
    """One spatch run of one rule over both versions: ``files`` are
    ``before/PATH`` and ``after/PATH`` under ``cwd``; each is its own
    group under --dir, so a rule's per-file state never mixes the two.
    The findings keep the side prefix in ``file`` (split_side strips
    it)."""
    if not files:
        return []
    cmd = [spatch, "-D", "report", "--no-show-diff", "--very-quiet",
           "--timeout", str(SPATCH_TIMEOUT), "--sp-file", rule.path]
    cmd += rule.options
    if rule.macro_file and "--macro-file" not in rule.options:
        cmd += ["--macro-file", rule.macro_file]
    cmd += ["--no-includes", "--include-headers", "--dir"] + files
    proc = run(cmd, cwd=cwd)
    err = proc.stderr.decode("utf-8", "replace")
    for l in failure_lines(err):
        raise LintError("spatch failed with %s: %s" % (
            os.path.basename(rule.path), l.strip()))
    if proc.returncode != 0:
        lines = [l.strip() for l in err.splitlines() if l.strip()]
        telling = [l for l in lines
                   if re.search(r"error|exception|failure", l, re.I)]
        raise LintError("spatch failed with %s (exit %d): %s" % (
            os.path.basename(rule.path), proc.returncode,
            telling[-1] if telling else lines[-1] if lines else
            "no message"))
    res = []
    for l in proc.stdout.decode("utf-8", "replace").splitlines():
        m = _REPORT_RE.match(l)
        if not m:
            continue
        path = _norm(m.group("file"))
        msg = m.group("msg").strip()
        for side in ("before/", "after/"):
            if path.startswith(side):
                msg = msg.replace(path, path[len(side):])
        res.append(Finding(id="cocci/" + rule.name, tool="spatch",
                           file=path, line=int(m.group("line")),
                           column=int(m.group("col")) + 1, message=msg))
    return res


def blank_functions(text: str, funcs: List[Tuple[str, int, int]],
                    keep: Callable[[str, int, int], bool]) -> Tuple[str, int]:
    """``text`` with every function for which keep() is false emptied
    line by line (line numbers stay), and how many functions were kept.
    Lines outside functions (declarations, macros) are always kept."""
    lines = text.split("\n")
    kept = 0
    for name, a, b in funcs:
        if keep(name, a, b):
            kept += 1
            continue
        for i in range(a - 1, min(b, len(lines))):
            lines[i] = ""
    return "\n".join(lines), kept


# ---------------------------------------------------------------------------
# Comparing before and after


def introduced(before: List[Finding], after: List[Finding],
               tf: TouchedFile) -> Tuple[List[Finding], int]:
    """The after findings with no before counterpart, and how many before
    findings have no after counterpart (resolved by the patch)."""
    bykey: Dict[tuple, List[Finding]] = collections.defaultdict(list)
    for b in before:
        bykey[b.key()].append(b)
    out = []
    used_total = 0
    groups: Dict[tuple, List[Finding]] = collections.defaultdict(list)
    for a in after:
        groups[a.key()].append(a)
    for key, afters in groups.items():
        befores = list(bykey.get(key, []))
        mapped = [tf.diff.map_old_line(b.line) for b in befores]
        left: List[Finding] = []
        for a in afters:
            if a.line in mapped:
                i = mapped.index(a.line)
                del mapped[i]
                del befores[i]
            else:
                left.append(a)
        # Any remaining old finding of this kind pairs with a remaining new
        # one; the new ones on unchanged lines are paired first.
        left.sort(key=lambda a: (a.line in tf.changed, a.line))
        n = min(len(befores), len(left))
        out.extend(left[n:])
        used_total += len(afters) - len(left) + n
    return out, len(before) - used_total


def blame(f: Finding, tf: TouchedFile,
          funcs: List[Tuple[str, int, int]]) -> Finding:
    """Move an introduced finding to the changed line it comes from."""
    if f.line in tf.changed or not tf.changed:
        return f
    lines = (tf.after or b"").decode("utf-8", "replace").split("\n")
    last = max(1, len(lines) - 1 if lines and lines[-1] == "" else len(lines))
    changed = set(min(l, last) for l in tf.changed)
    rng = None
    for name, a, b in funcs:
        if a <= f.line <= b and (not f.function or name == f.function):
            rng = (a, b)
            break
    if rng is None and f.function:
        for name, a, b in funcs:
            if name == f.function:
                rng = (a, b)
                break
    nearest = min(changed, key=lambda l: (abs(l - f.line), l))
    if rng is not None:
        inside = [l for l in changed if rng[0] <= l <= rng[1]]
        if inside:
            to = min(inside, key=lambda l: (abs(l - f.line), l))
            tool = f.tool
            f.notes.append(Note(f.file, f.line, f.column,
                                "%s reports it here" % tool))
            f.reported_line, f.reported_column = f.line, f.column
            f.line = to
            text = lines[to - 1] if 0 < to <= len(lines) else ""
            f.column = len(text) - len(text.lstrip()) + 1 if text.strip() \
                else 1
            return f
    f.notes.append(Note(f.file, nearest, 1,
                        "nearest line the patch changed (none in %s)"
                        % (f.function or "this function")))
    return f


# ---------------------------------------------------------------------------
# Orchestration


class Stats:
    def __init__(self) -> None:
        self.start = time.monotonic()
        self.timings: Dict[str, float] = collections.defaultdict(float)
        self.counts: Dict[str, int] = collections.defaultdict(int)
        self.notes: List[str] = []
        self.skipped: List[Finding] = []
        self.names: List[str] = []
        self.commits = 0


def default_tree() -> str:
    cwd = os.getcwd()
    if os.path.isfile(os.path.join(cwd, "Makefile")) and \
            os.path.isdir(os.path.join(cwd, "mm")):
        return cwd
    raise PatchError("the current directory is not a kernel tree "
                     "(no Makefile and mm/); use --tree")


def analyse(ws: Workspace, args: argparse.Namespace,
            stats: Stats) -> Tuple[List[Finding], int]:
    files = ws.analysed_files()
    stats.names.extend(f.path for f in files if f.path not in stats.names)
    stats.counts["files"] += len(files)
    stats.counts["other files"] += len(ws.files) - len(files)
    after_text = {f.path: f.after.decode("utf-8", "replace") for f in files}
    before_text = {f.path: f.before.decode("utf-8", "replace")
                   for f in files if f.before is not None}
    funcs = {p: c_functions(t) for p, t in after_text.items()}
    old_funcs = {p: c_functions(t) for p, t in before_text.items()}
    stats.counts["functions"] += sum(len(v) for v in funcs.values())
    stats.counts["functions changed"] += sum(
        1 for tf in files for name, a, b in funcs[tf.path]
        if any(a <= l <= b for l in tf.changed))

    old_of = {f.path: f.old_path for f in files if f.before is not None}
    new_of = {v: k for k, v in old_of.items()}
    jobs: List[Tuple[str, str, Callable[[], List[Finding]]]] = []

    if not args.no_checker:
        checker = args.checker
        if not (os.path.isfile(checker) and os.access(checker, os.X_OK)):
            raise LintError("%s not found or not executable (run make)"
                            % checker)
        jobs.append(("before", "lazy-mmu-check", lambda: run_checker(
            checker, ws.before_dir, sorted(old_of.values()))))
        jobs.append(("after", "lazy-mmu-check", lambda: run_checker(
            checker, ws.after_dir, sorted(after_text))))

    if not args.no_cocci:
        jobs.extend(cocci_jobs(ws, args, stats, files, before_text,
                               after_text, old_funcs, funcs))

    def timed(job):
        side, what, fn = job
        t = time.monotonic()
        res = fn()
        return side, what, res, time.monotonic() - t

    results: Dict[str, List[Finding]] = {"before": [], "after": []}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for side, what, res, dt in pool.map(timed, jobs):
            if side == "both":
                for f in res:
                    sd, _, rest = f.file.partition("/")
                    f.file = rest
                    results[sd].append(f)
            else:
                results[side].extend(res)
            stats.timings[what.split()[0] + " (busy)"] += dt
            stats.counts["%s runs" % what.split()[0]] += 1

    # name the function of cocci findings; old paths to new paths
    for side, texts_funcs in (("before", old_funcs), ("after", funcs)):
        for f in results[side]:
            if side == "before" and f.file in new_of:
                path = new_of[f.file]
                fl = old_funcs.get(path, [])
                f.file = path
                f.notes = [Note(new_of.get(n.file, n.file), n.line, n.column,
                                n.message) for n in f.notes]
            else:
                fl = texts_funcs.get(f.file, [])
            if not f.function:
                f.function = function_at(fl, f.line)

    out: List[Finding] = []
    resolved = 0
    for side in ("before", "after"):
        stats.counts["findings " + side] += sum(
            1 for f in results[side] if f.id != SKIPPED_ID)
    byfile_b = collections.defaultdict(list)
    byfile_a = collections.defaultdict(list)
    for f in results["before"]:
        byfile_b[f.file].append(f)
    for f in results["after"]:
        byfile_a[f.file].append(f)
    tf_of = {tf.path: tf for tf in files}
    for path in sorted(set(byfile_a) | set(byfile_b)):
        tf = tf_of.get(path)
        if tf is None:
            # a file the tool mentions but the patch did not touch (a
            # header pulled in): nothing there is the patch's doing
            continue
        new, gone = introduced(byfile_b[path], byfile_a[path], tf)
        resolved += gone
        for f in new:
            if f.id == SKIPPED_ID:
                stats.skipped.append(f)
            else:
                out.append(blame(f, tf, funcs.get(path, [])))
    stats.counts["findings introduced"] += len(out)
    return merge_same_line(out), resolved


def _preference(f: Finding) -> tuple:
    """Which of several findings on one line leads: the checker (it has
    the path), then the lint rule, then the other cocci rules."""
    return (f.tool != "lazy-mmu-check", f.id != "cocci/lazy_mmu_legacy",
            f.id, f.message)


def merge_same_line(found: List[Finding]) -> List[Finding]:
    """One finding per changed line: when several tools or rules report
    the same line (a new legacy call is seen by the checker, the lint rule
    and the conversion rule), the first by _preference() carries the
    others as notes "also [id]: message"."""
    groups: Dict[Tuple[str, int], List[Finding]] = \
        collections.defaultdict(list)
    for f in found:
        groups[(f.file, f.line)].append(f)
    out = []
    for key in sorted(groups):
        fs = sorted(groups[key], key=_preference)
        lead = fs[0]
        for other in fs[1:]:
            lead.notes.append(Note(other.file, other.line, other.column,
                                   "also [%s]: %s" % (other.id,
                                                      other.message)))
            lead.notes.extend(n for n in other.notes if n not in lead.notes)
        out.append(lead)
    return out


def cocci_jobs(ws: Workspace, args: argparse.Namespace, stats: Stats,
               files: List[TouchedFile], before_text: Dict[str, str],
               after_text: Dict[str, str],
               old_funcs: Dict[str, List[Tuple[str, int, int]]],
               funcs: Dict[str, List[Tuple[str, int, int]]]) -> list:
    """One spatch job per rule whose grep query matches a touched file.

    spatch sees only the functions the patch touches: the others are
    emptied line by line in copies under <workspace>/cocci/{before,after}/
    (line numbers stay), since a finding in an untouched function would
    be the same before and after.  A function is kept on both sides when
    it holds a changed line on either side or has the name of one that
    does.  A per-arch rule (lazy_mmu_arch_<arch>.cocci) sees only files
    under arch/<arch>/.  Both versions go to one spatch run per rule (one
    start-up, not two); an empty include/ beside arch/ in each version keeps a rule's
    "is this the tree's arch/ directory" test working as in a real tree.
    """
    rules = [CocciRule(p, args.tree) for p in sorted(
        os.path.join(args.cocci_dir, n) for n in os.listdir(args.cocci_dir)
        if n.endswith(".cocci"))] if os.path.isdir(args.cocci_dir) else []
    if not rules:
        stats.notes.append("no cocci rules in %s" % args.cocci_dir)
        return []
    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda r: r.load_query(args.spatch),
                      [r for r in rules if r.has_report]))
    stats.timings["spatch grep queries"] += time.monotonic() - t

    root = os.path.join(ws.root, "cocci")
    texts: Dict[str, Dict[str, str]] = {"before": {}, "after": {}}
    for tf in files:
        if tf.before == tf.after:
            continue        # renamed only: nothing can differ
        touched_names = set()
        old_touched = tf.diff.touched_old_lines() if tf.before else set()
        for name, a, b in funcs[tf.path]:
            if any(a <= l <= b for l in tf.changed):
                touched_names.add(name)
        for name, a, b in old_funcs.get(tf.path, []):
            if any(a <= l <= b for l in old_touched):
                touched_names.add(name)
        if not args.all_functions:
            def keep_after(name, a, b, tf=tf, names=touched_names):
                return name in names or any(a <= l <= b for l in tf.changed)

            def keep_before(name, a, b, old=old_touched, names=touched_names):
                return name in names or any(a <= l <= b for l in old)
        else:
            keep_after = keep_before = lambda name, a, b: True
        text, kept = blank_functions(after_text[tf.path], funcs[tf.path],
                                     keep_after)
        texts["after"][tf.path] = text
        stats.counts["functions given to spatch"] += kept
        if tf.path in before_text:
            text, kept = blank_functions(before_text[tf.path],
                                         old_funcs[tf.path], keep_before)
            texts["before"][tf.old_path or tf.path] = text
    for side in ("before", "after"):
        os.makedirs(os.path.join(root, side, "include"), exist_ok=True)

    jobs = []
    written = set()
    for r in rules:
        if not r.has_report:
            stats.notes.append("%s skipped: no 'virtual report'"
                               % os.path.basename(r.path))
            continue
        todo = []
        for side in ("before", "after"):
            full = before_text if side == "before" else after_text
            for tf in files:
                p = (tf.old_path or tf.path) if side == "before" else tf.path
                if tf.path not in texts["after"]:
                    continue
                if side == "before" and tf.path not in before_text:
                    continue
                if r.only_under and not p.startswith(r.only_under):
                    continue
                # the grep query is asked of the whole file, as spatch
                # would: if it fails there, no function can match
                if not r.may_match(full[tf.path]):
                    continue
                rel = side + "/" + p
                if rel not in written:
                    dest = os.path.join(root, rel)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with open(dest, "w", encoding="utf-8",
                              errors="surrogateescape") as f:
                        f.write(texts[side][p])
                    written.add(rel)
                todo.append(rel)
        if not todo:
            stats.counts["cocci rules skipped (no file to match)"] += 1
            continue
        stats.counts["cocci rules run"] += 1
        jobs.append(("both", "spatch " + r.name,
                     (lambda r=r, todo=todo: run_spatch(
                         args.spatch, r, root, todo))))
    return jobs


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Report the lazy MMU problems a patch introduces.",
        epilog="Exit status: 0 the patch adds no finding, 1 it adds "
               "findings, 2 it cannot be linted (does not apply, is not a "
               "patch, is unsafe, or an analyser failed).")
    ap.add_argument("patches", nargs="*", metavar="PATCH",
                    help="patch or mbox file; - reads stdin")
    ap.add_argument("--tree", metavar="KERNEL_TREE",
                    help="kernel tree the patch applies to (default: the "
                         "current directory if it is one)")
    ap.add_argument("--range", metavar="A..B",
                    help="lint the change between two commits of --tree "
                         "(a git repository) instead of patch files")
    ap.add_argument("--each", action="store_true",
                    help="with --range: lint every commit of the range "
                         "against its parent, not the net change")
    ap.add_argument("--format", choices=fnd.FORMATS, default="text",
                    help="output format (default text)")
    ap.add_argument("--stats", action="store_true",
                    help="print elapsed time and what was analysed on "
                         "stderr")
    ap.add_argument("-p", dest="strip", type=int, default=1, metavar="N",
                    help="strip N leading path components (default 1)")
    ap.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                    help="analyser runs at once (default 2)")
    ap.add_argument("--checker", default=os.path.join(TOP, "bin",
                                                      "lazy-mmu-check"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--cocci-dir", default=os.path.join(TOP, "cocci"),
                    help="directory of the .cocci rules (default: the "
                         "project's cocci/)")
    ap.add_argument("--spatch", default=os.environ.get("SPATCH", "spatch"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--no-checker", action="store_true",
                    help="do not run bin/lazy-mmu-check")
    ap.add_argument("--no-cocci", action="store_true",
                    help="do not run the Coccinelle rules")
    ap.add_argument("--all-functions", action="store_true",
                    help="give spatch whole files, not only the functions "
                         "the patch touches (slower)")
    ap.add_argument("--version", action="version",
                    version="%s %s" % (PROG, VERSION))
    return ap


def print_stats(stats: Stats, n_new: int, resolved: int) -> None:
    c = stats.counts
    el = time.monotonic() - stats.start
    names = stats.names
    w = sys.stderr.write
    if stats.commits:
        w("%s: %d commit%s linted one by one\n"
          % (PROG, stats.commits, "" if stats.commits == 1 else "s"))
    w("%s: %d C file%s analysed (%s), %d other file%s touched\n" % (
        PROG, c["files"], "" if c["files"] == 1 else "s",
        ", ".join(names[:5]) + (", ..." if len(names) > 5 else ""),
        c["other files"], "" if c["other files"] == 1 else "s"))
    w("%s: %d function%s changed, %d functions in the touched files "
      "(lazy-mmu-check reads them all; spatch is given %d)\n" % (
          PROG, c["functions changed"],
          "" if c["functions changed"] == 1 else "s", c["functions"],
          c["functions given to spatch"] if c["spatch runs"] else 0))
    w("%s: lazy-mmu-check %d run%s %.2f s; spatch %d rule%s run, %d skipped "
      "(no file to match), %d run%s %.2f s (summed)\n" % (
          PROG, c["lazy-mmu-check runs"],
          "" if c["lazy-mmu-check runs"] == 1 else "s",
          stats.timings["lazy-mmu-check (busy)"],
          c["cocci rules run"], "" if c["cocci rules run"] == 1 else "s",
          c["cocci rules skipped (no file to match)"], c["spatch runs"],
          "" if c["spatch runs"] == 1 else "s",
          stats.timings["spatch (busy)"]))
    for n in stats.notes:
        w("%s: %s\n" % (PROG, n))
    cpu = sum(resource.getrusage(who)[0] + resource.getrusage(who)[1]
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    w("%s: %d finding%s before, %d after: %d introduced, %d resolved; "
      "%.2f s elapsed, %.2f s CPU\n" % (
          PROG, c["findings before"],
          "" if c["findings before"] == 1 else "s", c["findings after"],
          n_new, resolved, el, cpu))


def lint_each(args: argparse.Namespace, stats: Stats) -> Tuple[
        List[Finding], int]:
    """--range A..B --each: every commit against its parent."""
    tree = args.tree
    asha, bsha = patchfile.resolve_range(tree, args.range)
    out: List[Finding] = []
    resolved = 0
    for parent, commit, subject in patchfile.range_commits(tree, asha, bsha):
        stats.commits += 1
        ws = patchfile.workspace_between(tree, parent, commit)
        try:
            new, gone = analyse(ws, args, stats)
        finally:
            ws.cleanup()
        resolved += gone
        for f in new:
            f.commit = "%s %s" % (commit, subject)
            f.notes.append(Note(f.file, f.line, f.column,
                                "introduced by commit %s (\"%s\")"
                                % (commit[:12], subject)))
        out.extend(new)
    return out, resolved


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    # the analysers run in a temporary directory: no relative paths
    args.cocci_dir = os.path.abspath(args.cocci_dir)
    if os.sep in args.checker:
        args.checker = os.path.abspath(args.checker)
    if os.sep in args.spatch:
        args.spatch = os.path.abspath(args.spatch)
    if args.tree:
        args.tree = os.path.abspath(args.tree)
    stats = Stats()
    ws: Optional[Workspace] = None
    try:
        if args.jobs < 1:
            raise PatchError("--jobs must be at least 1")
        if args.range:
            if args.patches:
                raise PatchError("give either --range or patch files, "
                                 "not both")
            tree = args.tree or os.getcwd()
            args.tree = tree
            if not args.each:
                ws = patchfile.workspace_from_range(tree, args.range)
        else:
            if args.each:
                raise PatchError("--each goes with --range")
            if not args.patches:
                raise PatchError("no patch given (a file, or - for stdin)")
            if args.patches.count("-") > 1:
                raise PatchError("stdin (-) given more than once")
            tree = args.tree or default_tree()
            if not os.path.isdir(tree):
                raise PatchError("no such tree: %s" % tree)
            args.tree = tree
            messages: List[bytes] = []
            total = 0
            for p in args.patches:
                data = patchfile.read_input(p)
                total += len(data)
                if total > patchfile.MAX_PATCH_BYTES:
                    raise PatchError("patches too large together (over "
                                     "%d MB)" % (patchfile.MAX_PATCH_BYTES
                                                 // (1024 * 1024)))
                messages.extend(patchfile.split_messages(data))
            ws = patchfile.workspace_from_patches(tree, messages, args.strip)
        stats.timings["prepare"] = time.monotonic() - stats.start
        if ws is None:
            new, resolved = lint_each(args, stats)
        else:
            new, resolved = analyse(ws, args, stats)
    except (PatchError, LintError) as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        if ws:
            ws.cleanup()
        return 2
    except KeyboardInterrupt:
        if ws:
            ws.cleanup()
        return 130
    try:
        sys.stdout.write(fnd.render(new, args.format, VERSION))
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    for f in stats.skipped:
        sys.stderr.write("%s: note: %s:%d: after the patch, %s\n"
                         % (PROG, f.file, f.line, f.message))
    if args.stats:
        print_stats(stats, len(new), resolved)
    if ws:
        ws.cleanup()
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
