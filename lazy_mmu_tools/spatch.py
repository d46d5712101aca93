"""The one seam between lazy-mmu-tools and Coccinelle's spatch.

Every spatch run of the project goes through this module: the semantic
patches the conversion applies and the rules lazy-mmu-lint runs in report
mode both use run_spatch().  It

 - runs spatch from a private scratch directory, so that the kernel's own
   .cocciconfig (--use-gitgrep, --timeout 200) is never picked up behind
   our back: every option is on the command line;
 - gives each file its own group (--file-groups), so that 'depends on'
   and the per-file Python state of a rule never span two files;
 - takes the rule's own '// Options:' header line, as make coccicheck
   does, then adds --very-quiet and an explicit --timeout;
 - fails loudly: a non-zero exit, or any 'EXN:' / timeout line on stderr
   (spatch prints those and still exits 0 for multi-file runs) raises
   SpatchError naming the file.

prefilter() is the cheap grep that picks the files worth handing to spatch
in a tree; grep_query() and query_matches() are spatch's own prefilter for
one rule (the query 'spatch --parse-cocci' prints, cached by rule and
spatch binary), asked of a text before a spatch is started for it.
"""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 120   # CPU seconds per file, as spatch counts it
DEFAULT_JOBS = 2        # the machines this runs on are small

SOURCE_EXTS = (".c", ".h")


class SpatchError(Exception):
    """spatch is missing, failed, or gave up on a file."""


@dataclass(frozen=True)
class Report:
    """One coccilib report line: path:line:col[-col2]: message."""
    path: str           # relative to the tree
    line: int
    column: int         # 0-based, as spatch prints it
    message: str


@dataclass
class SpatchResult:
    returncode: int
    stdout: str
    stderr: str
    changed: list = field(default_factory=list)   # tree-relative paths
    reports: list = field(default_factory=list)   # "path:line: message"
    items: list = field(default_factory=list)     # Report, with columns


def spatch_program():
    """Path of the spatch binary ($SPATCH overrides); SpatchError if none."""
    prog = os.environ.get("SPATCH") or "spatch"
    path = shutil.which(prog)
    if not path:
        raise SpatchError("spatch not found (install coccinelle, or set "
                          "SPATCH=/path/to/spatch)")
    return path


def rule_options(cocci):
    """The options on the rule's '// Options:' line, as coccicheck reads
    them: everything after the first colon, up to the next one."""
    try:
        with open(cocci, encoding="utf-8") as f:
            for line in f:
                if line.startswith("//") and "Options:" in line:
                    return shlex.split(line.split(":")[1])
    except OSError as e:
        raise SpatchError("cannot read %s: %s" % (cocci, e.strerror))
    return []


def prefilter(tree, dirs, words, exts=SOURCE_EXTS):
    """Tree-relative paths of the files under dirs (tree-relative) whose
    text contains one of words as a whole word, sorted.  Comments count:
    this is only the cheap first cut, spatch decides."""
    dirs = [d for d in dirs if os.path.isdir(os.path.join(tree, d))]
    if not dirs:
        return []
    grep = shutil.which("grep")
    if grep:
        cmd = [grep, "-rlwE", "--null"]
        cmd += ["--include=*%s" % e for e in exts]
        cmd += ["-e", "|".join(map(re.escape, words)), "--"] + dirs
        try:
            proc = subprocess.run(cmd, cwd=tree, capture_output=True)
        except OSError:
            proc = None
        # grep: 0 found, 1 nothing found, 2 trouble (then walk ourselves)
        if proc is not None and proc.returncode in (0, 1):
            names = proc.stdout.decode("utf-8", "surrogateescape")
            return sorted(os.path.normpath(n)
                          for n in names.split("\0") if n)
    pattern = re.compile(r"\b(?:%s)\b" % "|".join(map(re.escape, words)))
    found = []
    for d in dirs:
        top = os.path.join(tree, d)
        if not os.path.isdir(top):
            continue
        for root, subdirs, files in os.walk(top):
            subdirs[:] = sorted(s for s in subdirs if not s.startswith("."))
            for name in files:
                if not name.endswith(tuple(exts)):
                    continue
                path = os.path.join(root, name)
                try:
                    with open(path, "rb") as f:
                        text = f.read().decode("utf-8", "replace")
                except OSError:
                    continue
                if pattern.search(text):
                    found.append(os.path.relpath(path, tree))
    return sorted(found)


def _digest(path):
    try:
        with open(path, "rb") as f:
            return hashlib.sha1(f.read()).hexdigest()
    except OSError:
        return None


_REPORT_RE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):"
                        r"(?:(?P<col>\d+)(?:-\d+)?:)?\s*(?P<msg>.*)$")


_FAILURE_RE = re.compile(r"^EXN:|^Fatal error|timeout \(we abort\)|Common\.Timeout")


def failure_lines(stderr):
    """The lines of spatch's stderr that say a file was not handled
    (--dir runs report these and still exit 0)."""
    return [l for l in stderr.splitlines() if _FAILURE_RE.search(l)]


def parse_report_items(text, tree):
    """A Report for each coccilib report line in text, with paths made
    relative to tree (the tree's own path removed from messages too)."""
    prefix = os.path.abspath(tree).rstrip("/") + "/"
    out = []
    for line in text.splitlines():
        m = _REPORT_RE.match(line.strip())
        if not m:
            continue
        path = m.group("path")
        if path.startswith(prefix):
            path = path[len(prefix):]
        elif os.path.isabs(path):
            continue        # a temporary file of spatch's, not ours
        out.append(Report(path, int(m.group("line")),
                          int(m.group("col") or 0),
                          m.group("msg").replace(prefix, "")))
    return out


def parse_reports(text, tree):
    """'path:line: message' for each coccilib report line in text, with
    paths made relative to tree."""
    return ["%s:%d: %s" % (r.path, r.line, r.message)
            for r in parse_report_items(text, tree)]


def run_spatch(cocci, files, tree, mode="patch", in_place=True,
               timeout=DEFAULT_TIMEOUT, jobs=DEFAULT_JOBS, defines=(),
               extra_options=(), wall_timeout=None):
    """Apply the semantic patch cocci to files (tree-relative) of tree.

    mode is the virtual rule to define (-D mode); defines are further
    virtual rules.  With in_place the files are edited and the result's
    'changed' lists those whose content changed.  The result's 'reports'
    holds the coccilib report lines found on stdout (report/org modes) or
    stderr (patch mode rules that list kept sites there); 'items' the
    same as Report objects, with columns.  timeout is spatch's own limit
    per file (CPU seconds), wall_timeout one for the whole run.

    Raises SpatchError if spatch is missing, exits non-zero, or reports a
    per-file exception or timeout."""
    prog = spatch_program()
    if not os.path.isfile(cocci):
        raise SpatchError("%s missing" % cocci)
    tree = os.path.abspath(tree)
    files = list(files)
    if not files:
        return SpatchResult(0, "", "")
    before = {f: _digest(os.path.join(tree, f)) for f in files} \
        if in_place else {}
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-spatch.") as scratch:
        groups = os.path.join(scratch, "groups")
        with open(groups, "w", encoding="utf-8") as g:
            g.write("\n\n".join(os.path.join(tree, f) for f in files) + "\n")
        cmd = [prog, "--sp-file", os.path.abspath(cocci)]
        cmd += rule_options(cocci)
        cmd += ["-D", mode]
        for d in defines:
            cmd += ["-D", d]
        cmd += ["--very-quiet", "--timeout", str(timeout),
                "--jobs", str(max(1, min(jobs, len(files)))),
                "--tmp-dir", os.path.join(scratch, "tmp"),
                "--file-groups", groups]
        if in_place:
            cmd.append("--in-place")
        if mode in ("report", "org"):
            cmd.append("--no-show-diff")
        proc = _execute(cmd + list(extra_options), scratch, cocci, tree,
                        wall_timeout)
    changed = [f for f in files if _digest(os.path.join(tree, f)) !=
               before[f]] if in_place else []
    items = parse_report_items(proc.stdout if mode in ("report", "org")
                               else proc.stderr, tree)
    reports = ["%s:%d: %s" % (r.path, r.line, r.message) for r in items]
    return SpatchResult(proc.returncode, proc.stdout, proc.stderr,
                        changed, reports, items)


def _execute(cmd, scratch, cocci, tree, wall_timeout):
    """Run one spatch command; SpatchError unless it exited 0 without a
    line saying a file was not handled."""
    try:
        proc = subprocess.run(cmd, cwd=scratch, capture_output=True,
                              text=True, errors="replace",
                              stdin=subprocess.DEVNULL, timeout=wall_timeout)
    except OSError as e:
        raise SpatchError("cannot run %s: %s" % (cmd[0], e.strerror))
    except subprocess.TimeoutExpired:
        raise SpatchError("spatch %s took more than %d s"
                          % (os.path.basename(cocci), wall_timeout))
    bad = failure_lines(proc.stderr)
    if proc.returncode != 0 or bad:
        what = bad[0] if bad else (proc.stderr.strip().splitlines() or
                                   ["exit status %d" % proc.returncode])[-1]
        raise SpatchError("spatch %s failed: %s" %
                          (os.path.basename(cocci),
                           what.replace(tree + "/", "")))
    return proc


# ---------------------------------------------------------------------------
# spatch's own prefilter: the grep query of a rule


def _cache_dir():
    return os.environ.get("LAZY_MMU_LINT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or
        os.path.join(os.path.expanduser("~"), ".cache"),
        "lazy-mmu-tools", "grep-query")


def grep_query(cocci, mode="report"):
    """The words a file must hold for the rule to match anything, as
    'spatch --parse-cocci' prints them ("Grep query"), or None (no query,
    or spatch could not say: then every file may match).  Cached by the
    rule's content, the mode and the spatch binary, under
    $LAZY_MMU_LINT_CACHE or ~/.cache/lazy-mmu-tools/grep-query/."""
    prog = spatch_program()
    try:
        with open(cocci, "rb") as f:
            data = f.read()
        st = os.stat(prog)
    except OSError as e:
        raise SpatchError("cannot read %s: %s" % (cocci, e.strerror))
    stamp = ("%s %d %d %s" % (prog, st.st_size, st.st_mtime, mode)).encode()
    cached = os.path.join(_cache_dir(),
                          hashlib.sha1(data + b"\0" + stamp).hexdigest())
    try:
        with open(cached) as f:
            return f.read().strip() or None
    except OSError:
        pass
    query = _ask_query(prog, cocci, mode)
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        tmp = cached + ".%d" % os.getpid()
        with open(tmp, "w") as f:
            f.write((query or "") + "\n")
        os.replace(tmp, cached)
    except OSError:
        pass            # no cache: asked again next time
    return query


def _ask_query(prog, cocci, mode):
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-spatch.") as scratch:
        try:
            proc = subprocess.run([prog, "--parse-cocci", cocci, "-D", mode],
                                  cwd=scratch, capture_output=True,
                                  text=True, errors="replace",
                                  stdin=subprocess.DEVNULL, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
    if proc.returncode != 0:
        return None     # the real run reports the error
    lines = proc.stdout.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line.strip() == "Grep query":
            return lines[i + 1].strip() or None
    return None


_Q_TOKEN = re.compile(r"\s*(\(|\)|\|\||&&|[A-Za-z_]\w*)")


def _query_tokens(query):
    toks = []
    pos = 0
    while pos < len(query):
        m = _Q_TOKEN.match(query, pos)
        if not m:
            if query[pos:].strip():
                return None
            break
        toks.append(m.group(1))
        pos = m.end()
    return toks


class WordCache:
    """Which words a text holds as whole words, each asked once."""

    def __init__(self, text):
        self.text = text
        self.known = {}

    def __contains__(self, word):
        if word not in self.known:
            self.known[word] = re.search(r"\b%s\b" % re.escape(word),
                                         self.text) is not None
        return self.known[word]


def query_matches(query, text):
    """Evaluate a grep query (words joined by || and &&, with parentheses;
    && binds tighter) against a text (or a WordCache of one), a word
    matching as a whole word, as spatch's own prefilter does.  No query,
    or syntax this does not know, means "maybe": the rule runs."""
    if not query:
        return True
    toks = _query_tokens(query)
    if toks is None:
        return True
    words = text if isinstance(text, WordCache) else WordCache(text)
    try:
        value, end = _disj(toks, 0, words)
    except ValueError:
        return True
    return value if end == len(toks) else True


def _disj(toks, i, words):
    value, i = _conj(toks, i, words)
    while i < len(toks) and toks[i] == "||":
        other, i = _conj(toks, i + 1, words)
        value = value or other
    return value, i


def _conj(toks, i, words):
    value, i = _atom(toks, i, words)
    while i < len(toks) and toks[i] == "&&":
        other, i = _atom(toks, i + 1, words)
        value = value and other
    return value, i


def _atom(toks, i, words):
    if i >= len(toks):
        raise ValueError("query ends early")
    if toks[i] == "(":
        value, i = _disj(toks, i + 1, words)
        if i >= len(toks) or toks[i] != ")":
            raise ValueError("unbalanced parenthesis")
        return value, i + 1
    if toks[i] in ("||", "&&", ")"):
        raise ValueError("operator where a word belongs")
    return toks[i] in words, i + 1
