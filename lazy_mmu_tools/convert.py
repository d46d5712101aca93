"""bin/lazy-mmu-convert: turn a kernel git tree into one that uses the
nestable generic lazy MMU API, as a reviewable commit series.

The work is done by the steps of lazy_mmu_tools.steps (one commit each);
this module is the driver around them:

 1. check the tree (a clean git work tree with a kernel layout, no git
    operation in progress, spatch and the checker available) and lock it
    against a concurrent run;
 2. take a Snapshot of the tree, then run each step that the tree needs,
    committing its changes (or, with --no-commit, leaving them);
 3. verify (lazy_mmu_tools.verify): bin/lazy-mmu-check on every touched
    .c/.h file and, with --build, the touched objects compiled for each
    configuration asked for (lazy_mmu_tools.kbuild); collect the sites
    the steps left for manual review;
 4. print the commit list, the diffstat, what was verified (or "not
    built") and the review list on stdout.

Any failure in 2 or 3 (a step error, a failing spatch, a read-only file,
a full disk, an exception, Ctrl-C) restores the Snapshot: HEAD and its
branch, the index and the tracked files, the file modes; the files and
directories the run created are removed; the user's untracked files are
never touched.  --dry-run does all of it in a throwaway clone instead.

Exit status: 0 converted or nothing to do, and verified; 1 converted
but the verification did not pass: the checker found problems or could
not parse a function of the converted files, or a --build configuration
failed to compile (the series is kept); 2 bad usage, a tree or tool
problem, or a failed step (the tree is restored).

Test seams: main(argv, steps=...) takes the step list; so does the
environment, LAZY_MMU_CONVERT_STEPS=module:function; and
LAZY_MMU_CONVERT_FAIL_AT=POINT raises after a chosen point: a step name
(after its files are edited, before the commit), NAME:commit (after its
commit) or "verify" (after the checker ran).  LAZY_MMU_CHECK names the
checker binary.
"""

import argparse
import concurrent.futures
import errno
import fcntl
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

from . import checker, gitseries, kbuild, verify
from .printer import Printer, PROG

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHES = ("x86", "powerpc", "sparc", "arm64")
TRAILER = "Generated-by: lazy-mmu-convert (lazy-mmu-tools)"
LOCK_NAME = "lazy-mmu-convert.lock"

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class ConvertError(Exception):
    """A problem with the request, the tree or the tools, found before
    anything was changed.  The message is one line (plus an optional
    list in .details)."""

    def __init__(self, msg, details=()):
        super().__init__(msg)
        self.details = list(details)


class StepFailure(Exception):
    """A step or the verification failed; the tree must be restored."""


@dataclass
class Request:
    tree: str
    dry_run: bool = False
    commit: bool = True
    arches: tuple = ARCHES
    build: tuple = ()           # --build names, resolved against the tree
    build_dir: str | None = None


@dataclass
class StepOutcome:
    name: str
    state: str                  # applied, done, skipped, n/a, no change
    files: list = field(default_factory=list)
    commit: str | None = None


@dataclass
class RunResult:
    base: str
    outcomes: list = field(default_factory=list)
    touched: list = field(default_factory=list)
    verification: verify.Verification | None = None
    review: list = field(default_factory=list)

    @property
    def findings(self):
        return self.verification.findings if self.verification else []

    def passed(self):
        return self.verification is None or self.verification.passed()


# -- arguments ------------------------------------------------------------

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Convert a kernel git tree to the nestable lazy MMU "
                    "API, one commit per step.",
        epilog="Exit status: 0 converted (or nothing to do) and verified, "
               "1 the checker found problems in converted files, or could "
               "not parse one of their functions, or a --build "
               "configuration failed (the series is kept), 2 usage, tree "
               "or tool error, or a failed step (the tree is then "
               "restored).")
    ap.add_argument("--dry-run", action="store_true",
                    help="convert a temporary copy, print the diffstat, "
                         "change nothing in KERNEL_TREE")
    ap.add_argument("--arch", metavar="LIST",
                    help="comma-separated arches whose steps run (%s; "
                         "default all)" % ",".join(ARCHES))
    ap.add_argument("--no-commit", action="store_true",
                    help="leave the changes uncommitted in the work tree")
    ap.add_argument("--build", metavar="LIST",
                    help="after the checker, compile the touched objects "
                         "for these configurations (all; arches %s; or "
                         "configurations %s)" % (",".join(kbuild.ARCH_CONFIGS),
                                                 ",".join(kbuild.CONFIGS)))
    ap.add_argument("--build-dir", metavar="DIR",
                    help="build in DIR/<configuration> and keep it (reused "
                         "by the next run); default a temporary directory")
    ap.add_argument("tree", metavar="KERNEL_TREE")
    args = ap.parse_args(argv)
    return Request(tree=args.tree, dry_run=args.dry_run,
                   commit=not args.no_commit, arches=_arches(ap, args.arch),
                   build=_build_names(ap, args.build),
                   build_dir=_build_dir(ap, args))


def _arches(ap, text):
    if text is None:
        return ARCHES
    arches = tuple(a.strip() for a in text.split(",") if a.strip())
    bad = [a for a in arches if a not in ARCHES]
    if bad or not arches:
        ap.error("--arch: unknown arch '%s' (choose from %s)"
                 % (",".join(bad) or text, ",".join(ARCHES)))
    return arches


def _build_names(ap, text):
    if text is None:
        return ()
    try:
        names = kbuild.parse_list(text)
        kbuild.select([n for n in names if n != "all"])
    except ValueError as e:
        ap.error("--build: %s" % e)
    return tuple(names)


def _build_dir(ap, args):
    if args.build_dir is None:
        return None
    if not args.build:
        ap.error("--build-dir: only with --build")
    return os.path.abspath(args.build_dir)


# -- checks before anything changes --------------------------------------

KERNEL_MARKERS = ("Makefile", "Kconfig", "mm", "arch", "include/linux")


def check_tree(path, need_write):
    """The Repo at path, or ConvertError saying what is wrong with it."""
    if not os.path.isdir(path):
        raise ConvertError("'%s' is not a directory" % path)
    top = gitseries.Repo.toplevel(path)
    if top is None:
        raise ConvertError("'%s' is not a git work tree" % path)
    if os.path.realpath(top) != os.path.realpath(path):
        raise ConvertError("'%s' is inside the git work tree '%s'; give "
                           "the top of the kernel tree" % (path, top))
    missing = [m for m in KERNEL_MARKERS
               if not os.path.exists(os.path.join(top, m))]
    if missing or not _is_kernel_makefile(os.path.join(top, "Makefile")):
        raise ConvertError("'%s' does not look like a Linux kernel tree "
                           "(no %s)" % (path, missing[0] if missing else
                                        "VERSION/PATCHLEVEL in Makefile"))
    repo = gitseries.Repo(top)
    if repo.head() is None:
        raise ConvertError("'%s' has no commit yet" % path)
    if need_write and not (os.access(top, os.W_OK) and
                           os.access(repo.git_dir(), os.W_OK)):
        raise ConvertError("'%s' is read-only" % path)
    what = repo.operation_in_progress()
    if what:
        raise ConvertError("'%s' is in the middle of %s; finish or abort it "
                           "first" % (path, what))
    return repo


def _is_kernel_makefile(path):
    try:
        with open(path, errors="replace") as f:
            head = f.read(4096)
    except OSError:
        return False
    return "VERSION =" in head and "PATCHLEVEL =" in head


def check_created(repo, steps, req):
    """ConvertError if a file a step would create is already in the work
    tree but not in git: the step would keep it (or a failure remove it),
    and nothing could give its content back."""
    paths = [p for step in steps if selected(step, req)
             for p in getattr(step, "new_files", ())]
    mine = repo.untracked_among(paths)
    if mine:
        raise ConvertError("'%s' is not tracked by git and the conversion "
                           "creates it; commit it or move it away, and run "
                           "again" % mine[0])


def check_clean(repo, name):
    """ConvertError listing the changes if the tree (name: as the user
    gave it) has any."""
    changed = repo.changed_files()
    if changed:
        raise ConvertError(
            "'%s' has local changes; commit them (or stash them yourself) "
            "and run again:" % name,
            ["%s %s" % (e[:2], e[3:]) for e in changed])


def check_spatch():
    from . import spatch     # the arch+generic side's seam; only asked
    try:
        return spatch.spatch_program()
    except spatch.SpatchError as e:
        raise ConvertError(str(e))


def find_checker(printer):
    """Path of bin/lazy-mmu-check ($LAZY_MMU_CHECK overrides), building it
    with make if it is missing."""
    env = os.environ.get("LAZY_MMU_CHECK")
    if env:
        path = shutil.which(env)
        if not path:
            raise ConvertError("LAZY_MMU_CHECK=%s: no such program" % env)
        return path
    path = checker.program()
    if not os.access(path, os.X_OK) and \
            os.path.isfile(os.path.join(TOP, "checks", "Makefile")):
        printer.note("building the checker: make -C %s" % TOP)
        subprocess.run(["make", "-C", TOP, "-s"], stdout=sys.stderr,
                       stderr=sys.stderr, stdin=subprocess.DEVNULL)
    if not os.access(path, os.X_OK):
        raise ConvertError("checker %s not found; run 'make -C %s'"
                           % (path, TOP))
    return path


def resolve_build(req, repo, printer):
    """The configurations of --build that apply to this tree."""
    if not req.build:
        return []
    names = kbuild.select(req.build, repo.top)
    dropped = [n for n in kbuild.select(req.build) if n not in names]
    if dropped:
        printer.note("--build: not building %s: the tree has no lazy MMU "
                     "code for %s" % (",".join(dropped), "that arch"
                                      if len(dropped) == 1 else
                                      "those arches"))
    return names


# -- the lock -------------------------------------------------------------

class TreeLock:
    """One run per tree: an flock()ed file holding the pid, in the tree's
    git directory.  The kernel drops the flock when its holder dies, so a
    lock file left by a killed run is taken over, not obeyed."""

    def __init__(self, git_dir):
        self.path = os.path.join(git_dir, LOCK_NAME)
        self.fd = None

    def acquire(self):
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as e:
                raise ConvertError("cannot create %s: %s"
                                   % (self.path, e.strerror))
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as e:
                holder = _read_pid(fd)
                os.close(fd)
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise ConvertError("cannot lock %s: %s"
                                       % (self.path, e.strerror))
                raise ConvertError(
                    "another lazy-mmu-convert (pid %s) is running on this "
                    "tree (lock %s)" % (holder or "unknown", self.path))
            # The holder we waited for may have removed the file: retry on
            # the new one, or two runs would both think they hold it.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        stale = _read_pid(fd)
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, b"%d\n" % os.getpid())
        except OSError as e:
            # A full disk: no run can go on; leave no lock file behind.
            self.release()
            raise ConvertError("cannot write %s: %s"
                               % (self.path, e.strerror))
        return stale

    def release(self):
        if self.fd is None:
            return
        try:
            os.unlink(self.path)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


class Reserve:
    """Disk space set aside before the first change and given back just
    before a restore, so that on a disk that fills up during the run
    git reset --hard still has room for the index and refs it rewrites.
    Without that room the run does not start."""

    NAME = "lazy-mmu-convert.reserve"
    MIN = 512 * 1024

    def __init__(self, git_dir):
        self.path = os.path.join(git_dir, self.NAME)
        try:
            index = os.path.getsize(os.path.join(git_dir, "index"))
        except OSError:
            index = 0
        self.size = 2 * index + self.MIN

    def take(self):
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                         0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)
            finally:
                os.close(fd)
        except OSError as e:
            self.give_back()
            raise ConvertError("cannot set aside %d KB to be able to restore "
                               "the tree (%s): %s"
                               % (self.size // 1024, self.path, e.strerror))

    def give_back(self):
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def _read_pid(fd):
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode(errors="replace").strip()
    except OSError:
        return None
    return text if text.isdigit() else None


# -- the series -----------------------------------------------------------

def fail_point(name):
    """The fault-injection seam: raise if LAZY_MMU_CONVERT_FAIL_AT=name."""
    if os.environ.get("LAZY_MMU_CONVERT_FAIL_AT") == name:
        raise StepFailure("injected failure at %s "
                          "(LAZY_MMU_CONVERT_FAIL_AT)" % name)


def commit_message(step):
    body = step.body.strip("\n")
    return "%s\n\n%s\n\n%s\n" % (step.subject, body, TRAILER)


def selected(step, req):
    return step.arch is None or step.arch in req.arches


def scan_changes(repo, snap):
    """Every path changed since HEAD or created since snap: one look at
    the whole work tree (the index refresh and the untracked files are
    most of a step's git time on a kernel tree)."""
    return set(repo.changed_since("HEAD")) | set(repo.new_files(snap))


def run_step(repo, snap, step, req, identity, before):
    """Apply one step and commit it.  before is what was changed (since
    HEAD, or new) before it: the scan after the previous step, less what
    that step committed, so each step costs one scan, not two.  Returns
    (the files it changed, its commit, what is changed after it)."""
    try:
        reported = step.apply(repo.top) or []
    except Exception as e:       # a step's error, an OSError, a bug
        raise StepFailure("%s: %s" % (step.name, _describe(e)))
    after = scan_changes(repo, snap)
    files = sorted(set(reported) | (after - before))
    touched = repo.touched_untracked(snap)
    if touched:
        raise StepFailure("%s changed untracked files of yours, which it "
                          "must not touch: %s" % (step.name,
                                                  ", ".join(touched)))
    foreign = [p for p in files if p in snap.untracked]
    if foreign:
        raise StepFailure("%s changed untracked files: %s"
                          % (step.name, ", ".join(foreign)))
    ro = repo.read_only(snap, files)
    if ro:
        raise StepFailure("%s: refusing to change read-only file %s"
                          % (step.name, ", ".join(ro)))
    fail_point(step.name)
    new = [p for p in files if p not in snap.modes and
           os.path.exists(os.path.join(repo.top, p))]
    commit = None
    if req.commit:
        try:
            commit = repo.commit_step(files, new, commit_message(step),
                                      identity)
        except gitseries.GitError as e:
            raise StepFailure("%s: git commit failed: %s" % (step.name, e))
        fail_point(step.name + ":commit")
    else:
        try:
            repo.intent_to_add(new)
        except gitseries.GitError as e:
            raise StepFailure("%s: git add -N failed: %s" % (step.name, e))
    return files, commit, (after - set(files) if req.commit else after)


def _describe(e):
    if isinstance(e, OSError) and e.strerror:
        where = " (%s)" % e.filename if e.filename else ""
        return "%s%s" % (e.strerror, where)
    name = type(e).__name__
    text = str(e).strip().splitlines()
    text = text[0] if text else ""
    if name == "StepError":
        return text
    return "%s: %s" % (name, text) if text else name


def run_series(repo, snap, steps, req, printer):
    result = RunResult(base=snap.head)
    identity = repo.identity_args()
    if identity and req.commit and not req.dry_run:
        printer.note("no git user.name/user.email set; committing as %s <%s>"
                     % (gitseries.FALLBACK_NAME, gitseries.FALLBACK_EMAIL))
    total = len(steps)
    # check_clean() found no change, and nothing is new since snap
    dirty = set()
    for i, step in enumerate(steps, 1):
        label = "[%d/%d] %s:" % (i, total, step.name)
        if not selected(step, req):
            printer.progress("%s skipped (--arch %s)"
                             % (label, ",".join(req.arches)))
            result.outcomes.append(StepOutcome(step.name, "skipped"))
            continue
        try:
            applicable = step.applicable(repo.top)
            status = step.status(repo.top) if applicable else "n/a"
        except Exception as e:
            raise StepFailure("%s: %s" % (step.name, _describe(e)))
        if not applicable:
            printer.progress("%s not applicable to this tree" % label)
            result.outcomes.append(StepOutcome(step.name, "n/a"))
            continue
        if status == "done":
            printer.progress("%s already done" % label)
            result.outcomes.append(StepOutcome(step.name, "done"))
            continue
        printer.progress("%s %s%s ..." % (label, step.subject,
                                          " (partly done)"
                                          if status == "partial" else ""))
        start = time.monotonic()
        files, commit, dirty = run_step(repo, snap, step, req, identity,
                                        dirty)
        n = len(files)
        printer.progress("%s %d file%s changed%s (%.0f s)"
                         % (label, n, "" if n == 1 else "s",
                            ", committed %s" % commit[:12] if commit
                            else "", time.monotonic() - start))
        result.outcomes.append(StepOutcome(
            step.name, "applied" if files else "no change", files, commit))
    result.touched = touched_files(repo, snap, req, dirty)
    return result


def touched_files(repo, snap, req, dirty):
    """Every path the run changed or created.  dirty is what the last
    scan found uncommitted: with --no-commit, all of it (HEAD did not
    move); with commits, what is between the two commits, which git
    reads from the trees without looking at the work tree again."""
    if not req.commit or repo.head() == snap.head:
        return sorted(dirty)
    committed = gitseries.run_git(repo.top, ["diff", "-z", "--name-only",
                                             snap.head, "HEAD"])
    return sorted(set(p for p in committed.split("\0") if p) | dirty)


# -- verification ---------------------------------------------------------

def run_verification(repo, result, req, checker_path, printer):
    """The checker on the touched files and, with --build, the builds;
    the Verification.  StepFailure when the checker cannot run."""
    try:
        v = verify.run_checker(checker_path, repo.top, result.touched,
                               printer)
    except verify.VerifyError as e:
        raise StepFailure(str(e))
    if req.build:
        verify.run_builds(v, repo.top, result.touched,
                          resolve_build(req, repo, printer), req.build_dir,
                          printer)
    return v


REVIEW_JOBS = 2     # steps whose review runs at once (a spatch each)


def _review_of(step, tree):
    """(step, sites, exception): one step's review, for a worker."""
    try:
        if not step.applicable(tree):
            return step, [], None
        return step, step.review_sites(tree), None
    except Exception as e:
        return step, [], e


def collect_review(repo, steps, req, printer):
    """The review sites of every selected step.  The steps only read the
    tree here, and most of their time is in spatch and grep: two run at
    once, one per core.  The first failure, in step order, fails the
    run."""
    printer.progress("review: collecting the sites left for manual review")
    todo = [s for s in steps if selected(s, req)]
    with concurrent.futures.ThreadPoolExecutor(REVIEW_JOBS) as pool:
        results = list(pool.map(lambda s: _review_of(s, repo.top), todo))
    sites = []
    for step, found, error in results:
        if error is not None:
            raise StepFailure("%s: review: %s" % (step.name,
                                                  _describe(error)))
        sites += found
    return merge_sites(sites)


def merge_sites(sites):
    """One line per "path:line", the reasons of every step that reported
    it joined with "; ", sorted by path and line."""
    reasons = {}
    for site in sites:
        parts = site.split(":", 2)
        if len(parts) < 3 or not parts[1].strip().isdigit():
            key, why = (site, 0), ""
        else:
            key, why = (parts[0], int(parts[1])), parts[2].strip()
        have = reasons.setdefault(key, [])
        if why and why not in have:
            have.append(why)
    out = []
    for (path, line), whys in sorted(reasons.items()):
        out.append("%s:%d: %s" % (path, line, "; ".join(whys))
                   if line else path)
    return out


# -- output ---------------------------------------------------------------

def report(repo, result, req, printer, where=None):
    applied = [o for o in result.outcomes if o.files]
    if not applied:
        printer.result("Nothing to do: %s is already converted: it already "
                       "uses the generic lazy MMU API." % (where or req.tree))
    elif req.commit:
        commits = repo.log_oneline(result.base)
        printer.section("Commits (%d, on top of %s):"
                        % (len(commits), result.base[:12]), commits)
        printer.result()
        printer.section("Diffstat (%s..HEAD):" % result.base[:12],
                        repo.diffstat(result.base, "HEAD"))
    else:
        printer.section("Uncommitted changes (git diff --stat HEAD):",
                        repo.diffstat(result.base))
    if applied and result.verification:
        printer.result()
        printer.section("Verification:", verify.summary(result.verification))
    printer.result()
    if result.review:
        printer.section("Left for manual review (%d):" % len(result.review),
                        result.review)
    else:
        printer.result("Left for manual review: nothing.")
    if req.dry_run:
        printer.result()
        printer.result("Dry run: nothing was changed in %s." % where)


# -- the whole run --------------------------------------------------------

def load_steps():
    spec = os.environ.get("LAZY_MMU_CONVERT_STEPS")
    if spec:
        mod, _, func = spec.partition(":")
        return getattr(importlib.import_module(mod), func or "all_steps")()
    from . import steps
    return steps.all_steps()


def convert(repo, steps, req, checker_path, printer):
    """Run the series and verify it in repo, restoring it on failure.
    Returns the RunResult; raises StepFailure after restoring."""
    snap = repo.snapshot()
    reserve = Reserve(repo.git_dir())
    reserve.take()
    try:
        result = run_series(repo, snap, steps, req, printer)
        if any(o.files for o in result.outcomes):
            result.verification = run_verification(repo, result, req,
                                                   checker_path, printer)
        fail_point("verify")
        result.review = collect_review(repo, steps, req, printer)
        return result
    except BaseException as e:
        reserve.give_back()
        _restore(repo, snap, printer, e)
        raise
    finally:
        reserve.give_back()


def _restore(repo, snap, printer, why):
    old = {s: signal.signal(s, signal.SIG_IGN)
           for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        if isinstance(why, KeyboardInterrupt):
            printer.note("interrupted; restoring the tree")
        problems = repo.restore(snap)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    if problems:
        printer.error("could not restore %s to %s exactly:"
                      % (repo.top, snap.head[:12]))
        for p in problems:
            printer.progress("  " + p)
    else:
        printer.note("tree restored to %s, as before the run"
                     % snap.head[:12])


def _on_signal(signum, frame):
    raise KeyboardInterrupt


def main(argv=None, steps=None, printer=None):
    printer = printer or Printer()
    try:
        req = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        return EXIT_OK if e.code == 0 else EXIT_ERROR
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)
    lock = None
    try:
        repo = check_tree(req.tree, need_write=not req.dry_run)
        if not req.dry_run:
            lock = TreeLock(repo.git_dir())
            stale = lock.acquire()
            if stale and stale != str(os.getpid()):
                printer.note("took over the lock of pid %s, which is no "
                             "longer running" % stale)
        check_clean(repo, req.tree)
        check_spatch()
        checker_path = find_checker(printer)
        if steps is None:
            steps = load_steps()
        check_created(repo, steps, req)
        if req.dry_run:
            return dry_run(repo, steps, req, checker_path, printer)
        result = convert(repo, steps, req, checker_path, printer)
        _report_quietly(repo, result, req, printer)
        return EXIT_OK if result.passed() else EXIT_FINDINGS
    except ConvertError as e:
        printer.error(str(e))
        for d in e.details:
            printer.progress("  " + d)
        return EXIT_ERROR
    except StepFailure as e:
        printer.error("%s" % e)
        return EXIT_ERROR
    except KeyboardInterrupt:
        printer.error("interrupted")
        return EXIT_ERROR
    except gitseries.GitError as e:
        printer.error("git: %s" % e)
        return EXIT_ERROR
    except Exception as e:
        # A bug of ours or of a step module that could not even load;
        # any change to the tree has been undone by convert().
        printer.error("internal error: %s (please report it)"
                      % _describe(e))
        return EXIT_ERROR
    finally:
        if lock:
            lock.release()


def _report_quietly(repo, result, req, printer, where=None):
    """report(), but a reader that went away (| head) is not an error:
    the series is made either way."""
    try:
        report(repo, result, req, printer, where)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def dry_run(repo, steps, req, checker_path, printer):
    scratch = tempfile.mkdtemp(prefix="lazy-mmu-convert.")
    try:
        printer.note("dry run: converting a temporary clone in %s" % scratch)
        try:
            copy = gitseries.clone_for_dry_run(
                repo.top, repo.head(), os.path.join(scratch, "tree"))
        except gitseries.GitError as e:
            raise ConvertError("cannot make a temporary clone: %s" % e)
        result = convert(copy, steps, req, checker_path, printer)
        _report_quietly(copy, result, req, printer, where=req.tree)
        return EXIT_OK if result.passed() else EXIT_FINDINGS
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
