"""bin/lazy-mmu-lint: report what a patch adds to the lazy MMU findings.

    lazy-mmu-lint [--tree T] [--format F] [--stats] PATCH...
    lazy-mmu-lint --tree T --range A..B [--each]

The command line and the order of the work; each job is a module:

1. workspace.py (with patchfile.py for patches): before/ and after/
   copies of the touched files in a temporary directory, from patches or
   from a git range; the tree itself is only read;
2. treeapi.py: which lazy MMU API the tree has as the change leaves it
   (legacy, partial, converted); on a legacy tree legacy calls are the
   API: the checker's legacy-call diagnostic and the conversion rules of
   cocci/ are off;
3. the analyses, on both versions: checker.py (bin/lazy-mmu-check; also
   the function ranges), lintcocci.py (cocci/*.cocci in report mode,
   through spatch.py) and treeapi.missing_calls() (calls to API functions
   the tree lacks);
4. pairing.py: the after findings without a before partner are what the
   change introduces; blame.py moves each to the changed line it comes
   from; findings.py prints them.

Exit status: 0 nothing introduced, 1 findings, 2 the input could not be
linted (one line on stderr says why).
"""

import argparse
import collections
import concurrent.futures
import os
import resource
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

from . import checker, findings as fnd, lintcocci, patchfile, spatch, treeapi
from . import workspace
from .blame import blame
from .checker import CheckerError, Function
from .findings import Finding, Note
from .linediff import DiffError
from .pairing import introduced, merge_same_line
from .patchfile import PatchError
from .workspace import TouchedFile, Workspace

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = "0.2"
PROG = "lazy-mmu-lint"
SKIPPED_ID = "lazy-mmu-check-skipped"
API_MISSING_ID = "lazy-mmu-api-missing"

Ranges = Dict[str, List[Function]]
Job = Tuple[str, str, Callable[[], List[Finding]]]


class Stats:
    """What was analysed and how long it took (--stats)."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.timings: Dict[str, float] = collections.defaultdict(float)
        self.counts: Dict[str, int] = collections.defaultdict(int)
        self.notes: List[str] = []
        self.skipped: List[Finding] = []
        self.names: List[str] = []
        self.commits = 0
        self.apis: List[str] = []
        self.functions_known = False    # the checker gave the ranges

    def note(self, msg: str) -> None:
        """A line for --stats, once however many commits say it."""
        if msg not in self.notes:
            self.notes.append(msg)


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
    ap.add_argument("--tree-api", choices=("auto",) + treeapi.KINDS,
                    default="auto",
                    help="the lazy MMU API of the tree (default: detected "
                         "from its headers)")
    ap.add_argument("-p", dest="strip", type=int, default=1, metavar="N",
                    help="strip N leading path components (default 1)")
    ap.add_argument("-j", "--jobs", type=int, default=2, metavar="N",
                    help="analyser runs at once (default 2)")
    ap.add_argument("--checker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--cocci-dir", default=os.path.join(TOP, "cocci"),
                    help="directory of the .cocci rules (default: the "
                         "project's cocci/)")
    ap.add_argument("--no-checker", action="store_true",
                    help="do not report lazy-mmu-check's findings (it "
                         "still gives the function ranges)")
    ap.add_argument("--no-cocci", action="store_true",
                    help="do not run the Coccinelle rules")
    ap.add_argument("--all-functions", action="store_true",
                    help="give spatch whole files, not only the functions "
                         "the patch touches (slower)")
    ap.add_argument("--version", action="version",
                    version="%s %s" % (PROG, VERSION))
    return ap


def default_tree() -> str:
    cwd = os.getcwd()
    if os.path.isfile(os.path.join(cwd, "Makefile")) and \
            os.path.isdir(os.path.join(cwd, "mm")):
        return cwd
    raise PatchError("the current directory is not a kernel tree "
                     "(no Makefile and mm/); use --tree")


# ---------------------------------------------------------------------------
# The analyses


class FunctionRanges:
    """Function ranges of both versions of the touched files, asked of
    the checker once (one run for both sides), when first needed."""

    def __init__(self, ws: Workspace, files: List[TouchedFile],
                 prog: str, stats: Stats) -> None:
        self.ws, self.files, self.prog, self.stats = ws, files, prog, stats
        self.known: Optional[Dict[str, Ranges]] = None

    def side(self, side: str) -> Ranges:
        """path (that side's) -> functions, sorted."""
        if self.known is None:
            paths = ["after/" + f.path for f in self.files]
            paths += ["before/" + (f.old_path or f.path)
                      for f in self.files if f.before is not None]
            t = time.monotonic()
            found = checker.functions(paths, self.ws.root, prog=self.prog)
            self.stats.timings["lazy-mmu-check (busy)"] += \
                time.monotonic() - t
            self.stats.counts["lazy-mmu-check runs"] += 1
            self.known = {"before": {}, "after": {}}
            for path, funcs in found.items():
                s, _, rel = path.partition("/")
                self.known[s][rel] = funcs
        return self.known[side]


def checker_findings(side_dir: str, paths: List[str], prog: str,
                     api: treeapi.TreeAPI) -> List[Finding]:
    """bin/lazy-mmu-check on the given files of one side.  On a legacy
    tree legacy calls are the API: -Wno-legacy-call."""
    options = ["-Wno-legacy-call"] if not api.has_helpers else []
    report = checker.check(paths, side_dir, options=options, prog=prog)
    out = [Finding(id=f.id, tool="lazy-mmu-check", file=f.file, line=f.line,
                   column=f.column, message=f.message, function=f.function,
                   severity=f.severity,
                   notes=[Note(n.file, n.line, n.column, n.message)
                          for n in f.notes])
           for f in report.findings]
    # Functions the checker could not parse: paired like findings, so that
    # a function the patch makes unparsable is said (on stderr), never
    # silently passed as clean.
    out += [Finding(id=SKIPPED_ID, tool="lazy-mmu-check", severity="skipped",
                    file=s.file, line=s.line, column=s.column,
                    message=s.message) for s in report.skipped]
    return out


def api_findings(files: List[TouchedFile],
                 api: treeapi.TreeAPI) -> Dict[str, List[Finding]]:
    """Calls to API functions the tree lacks, on both sides (the before
    side under its old paths)."""
    out: Dict[str, List[Finding]] = {"before": [], "after": []}
    for tf in files:
        sides = [("after", tf.path, tf.after)]
        if tf.before is not None:
            sides.append(("before", tf.old_path or tf.path, tf.before))
        for side, path, data in sides:
            text = (data or b"").decode("utf-8", "replace")
            for line, col, name in treeapi.missing_calls(text, api):
                out[side].append(Finding(
                    id=API_MISSING_ID, tool=PROG, severity="error",
                    file=path, line=line, column=col,
                    message=treeapi.missing_message(name, api)))
    return out


def cocci_jobs(ws: Workspace, args: argparse.Namespace, stats: Stats,
               files: List[TouchedFile], ranges: FunctionRanges,
               api: treeapi.TreeAPI) -> List[Job]:
    """One spatch job per rule that has a touched file to look at."""
    rules = lintcocci.load_rules(args.cocci_dir)
    if not rules:
        stats.note("no cocci rules in %s" % args.cocci_dir)
        return []
    if not api.has_helpers:
        # every rule of cocci/ advises the conversion
        stats.note("cocci rules not run: they advise the conversion, "
                   "and this tree has the legacy API")
        return []
    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda r: r.load_query(),
                      [r for r in rules if r.has_report]))
    stats.timings["spatch grep queries"] += time.monotonic() - t
    plan = lintcocci.Plan(os.path.join(ws.root, "cocci"))
    before, after = ranges.side("before"), ranges.side("after")
    for tf in files:
        plan.add(tf, after.get(tf.path, []),
                 before.get(tf.old_path or tf.path, []), args.all_functions)
    stats.counts["functions given to spatch"] += plan.functions_kept
    jobs: List[Job] = []
    for r in rules:
        if not r.has_report:
            stats.note("%s skipped: no 'virtual report'"
                       % os.path.basename(r.path))
            continue
        todo = plan.files_for(r)
        if not todo:
            stats.counts["cocci rules skipped (no file to match)"] += 1
            continue
        stats.counts["cocci rules run"] += 1
        jobs.append(("both", "spatch " + r.name,
                     (lambda r=r, todo=todo:
                      lintcocci.run_rule(r, plan.root, todo))))
    return jobs


def _timed(job: Job) -> Tuple[str, str, List[Finding], float]:
    side, what, fn = job
    t = time.monotonic()
    res = fn()
    return side, what, res, time.monotonic() - t


def run_jobs(pool: concurrent.futures.Executor, jobs: List[Job],
             later: Callable[[], List[Job]],
             stats: Stats) -> Dict[str, List[Finding]]:
    """Every job on the pool, and those later() returns once the first
    ones are started (it may run the checker itself meanwhile); findings
    by side (a "both" job's files start with before/ or after/)."""
    futures = [pool.submit(_timed, j) for j in jobs]
    futures += [pool.submit(_timed, j) for j in later()]
    results: Dict[str, List[Finding]] = {"before": [], "after": []}
    for fut in futures:
        side, what, res, dt = fut.result()
        if side == "both":
            for f in res:
                sd, _, f.file = f.file.partition("/")
                results[sd].append(f)
        else:
            results[side].extend(res)
        stats.timings[what.split()[0] + " (busy)"] += dt
        stats.counts["%s runs" % what.split()[0]] += 1
    return results


# ---------------------------------------------------------------------------
# Comparing before and after


def name_and_move(results: Dict[str, List[Finding]],
                  files: List[TouchedFile], ranges: FunctionRanges) -> None:
    """Name the function of findings that have none (cocci's, the API
    calls'), and put before findings under the file's new path."""
    new_of = {f.old_path: f.path for f in files
              if f.before is not None and f.old_path}
    for side in ("before", "after"):
        for f in results[side]:
            if not f.function and f.id != SKIPPED_ID:
                fn = checker.function_at(ranges.side(side).get(f.file, []),
                                         f.line)
                f.function = fn.name if fn else ""
            if side == "before" and f.file in new_of:
                f.file = new_of[f.file]
                f.notes = [Note(new_of.get(n.file, n.file), n.line,
                                n.column, n.message) for n in f.notes]


def compare(results: Dict[str, List[Finding]], files: List[TouchedFile],
            ranges: FunctionRanges, stats: Stats) -> Tuple[List[Finding],
                                                           int]:
    """The findings the change introduces, blamed on changed lines and
    merged by line, and how many it resolves."""
    for side in ("before", "after"):
        stats.counts["findings " + side] += sum(
            1 for f in results[side] if f.id != SKIPPED_ID)
    byfile: Dict[str, Dict[str, List[Finding]]] = {
        side: collections.defaultdict(list) for side in ("before", "after")}
    for side in ("before", "after"):
        for f in results[side]:
            byfile[side][f.file].append(f)
    tf_of = {tf.path: tf for tf in files}
    out: List[Finding] = []
    resolved = 0
    for path in sorted(set(byfile["after"]) | set(byfile["before"])):
        tf = tf_of.get(path)
        if tf is None:
            # a file the tool mentions but the patch did not touch (a
            # header pulled in): nothing there is the patch's doing
            continue
        new, gone = introduced(byfile["before"][path],
                               byfile["after"][path], tf)
        resolved += gone
        for f in new:
            if f.id == SKIPPED_ID:
                stats.skipped.append(f)
            else:
                out.append(blame(f, tf, ranges.side("after").get(path, [])))
    stats.counts["findings introduced"] += len(out)
    return merge_same_line(out), resolved


def tree_api(ws: Workspace, args: argparse.Namespace,
             stats: Stats) -> treeapi.TreeAPI:
    api = treeapi.detect(ws.read_after) if args.tree_api == "auto" \
        else treeapi.forced(args.tree_api)
    if api.describe() not in stats.apis:
        stats.apis.append(api.describe())
    return api


def analyse(ws: Workspace, args: argparse.Namespace,
            stats: Stats) -> Tuple[List[Finding], int]:
    files = ws.analysed_files()
    stats.names.extend(f.path for f in files if f.path not in stats.names)
    stats.counts["files"] += len(files)
    stats.counts["other files"] += len(ws.files) - len(files)
    api = tree_api(ws, args, stats)
    ranges = FunctionRanges(ws, files, args.checker, stats)
    jobs: List[Job] = []
    if not args.no_checker:
        old = sorted(f.old_path or f.path for f in files
                     if f.before is not None)
        new = sorted(f.path for f in files)
        jobs.append(("before", "lazy-mmu-check", lambda: checker_findings(
            ws.before_dir, old, args.checker, api)))
        jobs.append(("after", "lazy-mmu-check", lambda: checker_findings(
            ws.after_dir, new, args.checker, api)))

    def later() -> List[Job]:
        # the cut copies need the function ranges: asked of the checker
        # while it already checks both sides
        if args.no_cocci or not files:
            return []
        return cocci_jobs(ws, args, stats, files, ranges, api)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = run_jobs(pool, jobs, later, stats)
    for side, found in api_findings(files, api).items():
        results[side].extend(found)
    name_and_move(results, files, ranges)
    out = compare(results, files, ranges, stats)
    if ranges.known is not None:
        after = ranges.side("after")
        stats.functions_known = True
        stats.counts["functions"] += sum(len(v) for v in after.values())
        stats.counts["functions changed"] += sum(
            1 for tf in files for fn in after.get(tf.path, [])
            if any(fn.holds(l) for l in tf.changed))
    return out


# ---------------------------------------------------------------------------
# The command


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def print_stats(stats: Stats, n_new: int, resolved: int) -> None:
    c = stats.counts
    names = stats.names
    w = sys.stderr.write
    if stats.commits:
        w("%s: %s linted one by one\n" % (PROG, _plural(stats.commits,
                                                         "commit")))
    for api in stats.apis:
        w("%s: tree API: %s\n" % (PROG, api))
    w("%s: %s analysed (%s), %s touched\n" % (
        PROG, _plural(c["files"], "C file"),
        ", ".join(names[:5]) + (", ..." if len(names) > 5 else ""),
        _plural(c["other files"], "other file")))
    if stats.functions_known:
        w("%s: %s changed, %d functions in the touched files (lazy-mmu-check "
          "reads them all; spatch is given %d)\n" % (
              PROG, _plural(c["functions changed"], "function"),
              c["functions"],
              c["functions given to spatch"] if c["spatch runs"] else 0))
    w("%s: lazy-mmu-check %s %.2f s; spatch %s run, %d skipped (no file to "
      "match), %s %.2f s (summed)\n" % (
          PROG, _plural(c["lazy-mmu-check runs"], "run"),
          stats.timings["lazy-mmu-check (busy)"],
          _plural(c["cocci rules run"], "rule"),
          c["cocci rules skipped (no file to match)"],
          _plural(c["spatch runs"], "run"), stats.timings["spatch (busy)"]))
    for n in stats.notes:
        w("%s: %s\n" % (PROG, n))
    cpu = sum(resource.getrusage(who)[0] + resource.getrusage(who)[1]
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    w("%s: %s before, %d after: %d introduced, %d resolved; %.2f s "
      "elapsed, %.2f s CPU\n" % (
          PROG, _plural(c["findings before"], "finding"),
          c["findings after"], n_new, resolved,
          time.monotonic() - stats.start, cpu))


def lint_each(args: argparse.Namespace, stats: Stats) -> Tuple[
        List[Finding], int]:
    """--range A..B --each: every commit against its parent."""
    asha, bsha = workspace.resolve_range(args.tree, args.range)
    out: List[Finding] = []
    resolved = 0
    for parent, commit, subject in workspace.range_commits(args.tree, asha,
                                                           bsha):
        stats.commits += 1
        ws = workspace.between(args.tree, parent, commit)
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


def check_args(args: argparse.Namespace) -> None:
    """Usage errors, and absolute paths (the analysers run elsewhere)."""
    if args.jobs < 1:
        raise PatchError("--jobs must be at least 1")
    if args.range and args.patches:
        raise PatchError("give either --range or patch files, not both")
    if args.each and not args.range:
        raise PatchError("--each goes with --range")
    if not args.range and not args.patches:
        raise PatchError("no patch given (a file, or - for stdin)")
    if args.patches.count("-") > 1:
        raise PatchError("stdin (-) given more than once")
    args.cocci_dir = os.path.abspath(args.cocci_dir)
    args.checker = os.path.abspath(args.checker or checker.program())
    if args.range:
        args.tree = os.path.abspath(args.tree or os.getcwd())
    else:
        args.tree = os.path.abspath(args.tree or default_tree())
        if not os.path.isdir(args.tree):
            raise PatchError("no such tree: %s" % args.tree)


def lint(args: argparse.Namespace, stats: Stats) -> Tuple[List[Finding],
                                                         int]:
    """Check the arguments, build the workspace, analyse; the workspace
    is removed on every path."""
    check_args(args)
    if args.each:
        return lint_each(args, stats)
    if args.range:
        ws = workspace.from_range(args.tree, args.range)
    else:
        inputs = [patchfile.read_input(p) for p in args.patches]
        patches = patchfile.read_patches(inputs, args.strip)
        ws = workspace.from_patches(args.tree, patches, args.strip)
    try:
        stats.timings["prepare"] = time.monotonic() - stats.start
        return analyse(ws, args, stats)
    finally:
        ws.cleanup()


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    stats = Stats()
    try:
        new, resolved = lint(args, stats)
    except (PatchError, CheckerError, spatch.SpatchError, DiffError) as e:
        sys.stderr.write("%s: %s\n" % (PROG, e))
        return 2
    except KeyboardInterrupt:
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
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
