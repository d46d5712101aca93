"""The one seam between lazy-mmu-tools and Coccinelle's spatch.

Every semantic patch the conversion applies goes through run_spatch().  It

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

prefilter() is the cheap grep that picks the files worth handing to spatch.
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


@dataclass
class SpatchResult:
    returncode: int
    stdout: str
    stderr: str
    changed: list = field(default_factory=list)   # tree-relative paths
    reports: list = field(default_factory=list)   # "path:line: message"


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


_REPORT_RE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?:\d+-\d+:)?\s*(?P<msg>.*)$")


_FAILURE_RE = re.compile(r"^EXN:|^Fatal error|timeout \(we abort\)|Common\.Timeout")


def failure_lines(stderr):
    """The lines of spatch's stderr that say a file was not handled
    (--dir runs report these and still exit 0)."""
    return [l for l in stderr.splitlines() if _FAILURE_RE.search(l)]


def parse_reports(text, tree):
    """'path:line: message' for each coccilib report line in text, with
    paths made relative to tree."""
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
        out.append("%s:%s: %s" % (path, m.group("line"), m.group("msg")))
    return out


def run_spatch(cocci, files, tree, mode="patch", in_place=True,
               timeout=DEFAULT_TIMEOUT, jobs=DEFAULT_JOBS, defines=(),
               extra_options=()):
    """Apply the semantic patch cocci to files (tree-relative) of tree.

    mode is the virtual rule to define (-D mode); defines are further
    virtual rules.  With in_place the files are edited and the result's
    'changed' lists those whose content changed.  The result's 'reports'
    holds the coccilib report lines found on stdout (report/org modes) or
    stderr (patch mode rules that list kept sites there).

    Raises SpatchError if spatch is missing, exits non-zero, or reports a
    per-file exception or timeout."""
    prog = spatch_program()
    if not os.path.isfile(cocci):
        raise SpatchError("%s missing" % cocci)
    tree = os.path.abspath(tree)
    files = list(files)
    if not files:
        return SpatchResult(0, "", "")
    before = {f: _digest(os.path.join(tree, f)) for f in files}

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
        cmd += list(extra_options)
        try:
            proc = subprocess.run(cmd, cwd=scratch, capture_output=True,
                                  text=True, errors="replace")
        except OSError as e:
            raise SpatchError("cannot run %s: %s" % (prog, e.strerror))

    bad = failure_lines(proc.stderr)
    if proc.returncode != 0 or bad:
        what = bad[0] if bad else (proc.stderr.strip().splitlines() or
                                   ["exit status %d" % proc.returncode])[-1]
        raise SpatchError("spatch %s failed: %s" %
                          (os.path.basename(cocci),
                           what.replace(tree + "/", "")))

    changed = [f for f in files
               if _digest(os.path.join(tree, f)) != before[f]] if in_place else []
    reports = parse_reports(proc.stdout if mode in ("report", "org")
                            else proc.stderr, tree)
    return SpatchResult(proc.returncode, proc.stdout, proc.stderr,
                        changed, reports)
