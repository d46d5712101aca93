// SPDX-License-Identifier: GPL-2.0-only
/// Convert callers of arch_enter_lazy_mmu_mode()/arch_leave_lazy_mmu_mode()
/// to the nesting lazy MMU API.
///
/// A function that opens a section itself (its first call on some path is
/// an enter) gets lazy_mmu_mode_enable()/lazy_mmu_mode_disable() for every
/// enter and leave, including the leaves on early-return, goto and relock
/// paths and the re-enter after a relock.  A function that runs inside its
/// caller's section (its first call on every path is a leave, and every
/// such leave is followed by an enter on every path) gets
/// lazy_mmu_mode_pause()/lazy_mmu_mode_resume().
///
/// Left alone on purpose, and listed for review: the flush idiom (a leave
/// immediately followed by an enter in a function that did not enter
/// itself, as in Xen's flush callback), pairs split across functions (Xen's
/// context switch), calls that are not plain statements, calls in macro
/// bodies, and any function whose paths disagree.  The whole function is
/// then kept as it is: nothing is ever guessed.
///
//# In patch mode the kept calls are listed on stderr (file:line:col-col:
//# kept (reason) ...); MODE=report lists every legacy call with what it
//# becomes or why it stays.  Calls in code spatch cannot parse are found
//# in the text of the file and listed as "kept (not parsed)", but only in
//# a file where some other call matched: after a conversion, grep for the
//# arch_ names.  cocci/lazy_mmu_macros.h (--macro-file) helps the parser.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: lazy_mmu_mode_enable, lazy_mmu_mode_pause, arch_enter_lazy_mmu_mode

virtual patch
virtual context
virtual org
virtual report

// The classification is done per function, in Python, from the facts that
// the match rules below collect (one position per legacy call).  The
// transformation and the reports only look the verdict up.
@initialize:python@
@@
import re
import sys
from coccilib.elems import Location

ENTER = "arch_enter_lazy_mmu_mode"
LEAVE = "arch_leave_lazy_mmu_mode"
# Functions that implement the API: calls in them belong to the arch
# callbacks or to the generic layer, never to a caller.
SKIP_FUNCTIONS = (ENTER, LEAVE, "arch_flush_lazy_mmu_mode",
		  "lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
		  "lazy_mmu_mode_pause", "lazy_mmu_mode_resume")

NEW = {
	"enable": "lazy_mmu_mode_enable",
	"disable": "lazy_mmu_mode_disable",
	"pause": "lazy_mmu_mode_pause",
	"resume": "lazy_mmu_mode_resume",
}

# Why a call is kept: the tag printed in the report, and the explanation.
TAGS = {
	"flush": "flush idiom",
	"split": "split across functions",
	"callback": "callback",
	"nonstmt": "not a statement",
	"macro": "macro body",
	"unparsed": "not parsed",
}

# What spatch calls the enclosing element of code outside any function,
# such as the body of a #define.
OUTSIDE_FUNCTIONS = "something_else"

# Facts of the current group of files (one file under --dir).
# calls[file][(line, col)] = (name, Location); facts[file][kind] = set of
# (line, col); nonstmt[file] = list of (name, Location).
calls = {}
facts = {}
nonstmt = {}
verdicts = {}
unparsed = {}

def site(p):
	return (int(p.line), int(p.column))

def fact(kind, p):
	facts.setdefault(p.file, {}).setdefault(kind, set()).add(site(p))

def fn_key(p):
	return (p.current_element, p.current_element_line)

def short(name):
	return name + "()"

def classify_function(fn, sites, f, nonst):
	"""Return ({site: verdict}, reason, explanation) for one function."""
	def has(kind, s):
		return s in f.get(kind, ())
	enters = sorted(s for s, c in sites.items() if c[0] == ENTER)
	leaves = sorted(s for s, c in sites.items() if c[0] == LEAVE)

	def keep(reason, text):
		return dict((s, "keep") for s in sites), reason, text

	if nonst:
		return keep("nonstmt", "%s() uses a lazy MMU hook other than as "
			    "a call statement; convert it by hand" % fn)
	first_enters = [s for s in enters if has("first_enter", s)]
	first_leaves = [s for s in leaves if has("first_leave", s)]
	if first_enters:
		# An owner.  A leave reachable with no enter before it is fine
		# only when it is also reachable after one: the correlated
		# "if (!pte) goto out; ... out: if (pte) leave();" shape.
		for s in first_leaves:
			if not has("after_enter", s):
				return keep("mixed", "some paths of %s() open a "
					    "section, the one to line %d starts by "
					    "leaving one" % (fn, s[0]))
		if not leaves:
			return keep("split", "%s() enters and never leaves; "
				    "pairs across functions stay on the arch "
				    "calls" % fn)
		for s in enters:
			if not has("leave_follows", s):
				return keep("unpaired", "no leave follows the enter "
					    "at line %d in %s()" % (s[0], fn))
		for s in leaves:
			if not has("after_enter", s):
				return keep("unowned", "no enter precedes the leave "
					    "at line %d in %s()" % (s[0], fn))
		v = dict((s, "enable") for s in enters)
		v.update((s, "disable") for s in leaves)
		return v, None, None
	if first_leaves:
		# Runs inside the section of its caller.
		if not enters:
			return keep("split", "%s() leaves and never re-enters; "
				    "pairs across functions stay on the arch "
				    "calls" % fn)
		for s in first_leaves:
			if has("flush", s):
				return keep("flush", "leave immediately followed by "
					    "enter in %s(), which did not enter; "
					    "the arch rewrite replaces it" % fn)
		for s in leaves:
			if not has("enter_follows_all", s):
				return keep("unresumed", "a path from the leave at "
					    "line %d returns without re-entering, "
					    "so pause/resume would not pair" % s[0])
		v = dict((s, "resume") for s in enters)
		v.update((s, "pause") for s in leaves)
		return v, None, None
	return keep("other", "no lazy MMU call of %s() is reachable from "
		    "its entry" % fn)

HOOK_RE = re.compile(r"\b(%s|%s)\s*\(" % (ENTER, LEAVE))
COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# What may precede the name on its line in a definition or declaration.
DEFINITION_RE = re.compile(r"(\bvoid|#\s*define)\s*$")

def blank(m):
	return re.sub(r"[^\n]", " ", m.group(0))

def scan_unparsed(file, known):
	"""Calls in the text of file that no rule saw: the C parser of spatch
	skipped the code around them."""
	try:
		with open(file, errors="replace") as f:
			text = COMMENT_RE.sub(blank, f.read())
	except OSError:
		return []
	out = []
	for n, line in enumerate(text.split("\n"), 1):
		for m in HOOK_RE.finditer(line):
			col = m.start(1)
			if (n, col) in known or DEFINITION_RE.search(line[:col]):
				continue
			name = m.group(1)
			out.append((name, Location(file, "", str(n), str(col), str(n),
						   str(col), str(n), str(col), str(n),
						   str(col + len(name)))))
	return out

def classify_file(file):
	if file in verdicts:
		return verdicts[file]
	out = {}
	byfn = {}
	for s, c in calls.get(file, {}).items():
		byfn.setdefault(fn_key(c[1]), {})[s] = c
	f = facts.get(file, {})
	nonst_fns = set(fn_key(p) for name, p in nonstmt.get(file, []))
	for key, sites in byfn.items():
		fn = key[0]
		if fn == OUTSIDE_FUNCTIONS:
			v = dict((s, "keep") for s in sites)
			reason = "macro"
			text = "in a macro body (outside any function); convert by hand"
		elif fn in SKIP_FUNCTIONS:
			v = dict((s, "keep") for s in sites)
			reason = "callback"
			text = "inside %s(), which implements the API" % fn
		else:
			v, reason, text = classify_function(fn, sites, f,
							    key in nonst_fns)
		for s, verdict in v.items():
			out[s] = (verdict, reason, text)
	for name, p in nonstmt.get(file, []):
		fn = p.current_element
		if fn == OUTSIDE_FUNCTIONS:
			out[site(p)] = ("keep", "macro", "in a macro body (outside "
					"any function); convert by hand")
		elif fn in SKIP_FUNCTIONS:
			out[site(p)] = ("keep", "callback", "inside %s(), which "
					"implements the API" % fn)
		else:
			out[site(p)] = ("keep", "nonstmt", "not a call statement "
					"of its own; convert it by hand")
	unparsed[file] = scan_unparsed(file, out)
	for name, p in unparsed[file]:
		out[site(p)] = ("keep", "unparsed", "spatch could not parse the "
				"code around it; convert by hand, or retry with "
				"--macro-file cocci/lazy_mmu_macros.h")
	verdicts[file] = out
	return out

def verdict(p):
	return classify_file(p.file).get(site(p), ("keep", "other", "not "
					   "classified"))

def not_a_statement(pos):
	return site(pos[0]) not in calls.get(pos[0].file, {})

def is_kind(pos, kind):
	return verdict(pos[0])[0] == kind

def message(name, p):
	kind, reason, text = verdict(p)
	if kind != "keep":
		return "WARNING: legacy %s: use %s" % (short(name),
						       short(NEW[kind]))
	return "kept (%s): %s left as is: %s" % (TAGS.get(reason, "undecidable"),
						 short(name), text)

def is_caller(pos):
	"""False inside the arch callbacks and the generic layer."""
	return verdict(pos[0])[1] != "callback"

def sorted_sites():
	"""Every legacy call of the group outside the API implementation,
	in file and line order."""
	out = []
	for file in set(calls) | set(nonstmt):
		for s, c in calls.get(file, {}).items():
			out.append((file, s, c[0], c[1]))
		for name, p in nonstmt.get(file, []):
			out.append((file, site(p), name, p))
		classify_file(file)
		for name, p in unparsed.get(file, []):
			out.append((file, site(p), name, p))
	out = [x for x in out if verdict(x[3])[1] != "callback"]
	return sorted(out, key=lambda x: (x[0], x[1]))

def print_kept(stream):
	for file, s, name, p in sorted_sites():
		if verdict(p)[0] == "keep":
			stream.write(coccilib.report.build_report(p, message(name, p))
				     + "\n")

def forget_all():
	for table in (calls, facts, nonstmt, verdicts, unparsed):
		table.clear()

// ---------------------------------------------------------------------
// Facts.  Every rule below matches only; none transforms.

@enter_call@
position p;
@@
arch_enter_lazy_mmu_mode@p();

@script:python@
p << enter_call.p;
@@
calls.setdefault(p[0].file, {})[site(p[0])] = [ENTER, p[0]]

@leave_call@
position p;
@@
arch_leave_lazy_mmu_mode@p();

@script:python@
p << leave_call.p;
@@
calls.setdefault(p[0].file, {})[site(p[0])] = [LEAVE, p[0]]

// A use that is not a call statement of its own (an argument, an
// expression): never converted.
@other_enter@
position p : script:python() { not_a_statement(p) };
@@
arch_enter_lazy_mmu_mode@p(...)

@script:python@
p << other_enter.p;
@@
nonstmt.setdefault(p[0].file, []).append((ENTER, p[0]))

@other_leave@
position p : script:python() { not_a_statement(p) };
@@
arch_leave_lazy_mmu_mode@p(...)

@script:python@
p << other_leave.p;
@@
nonstmt.setdefault(p[0].file, []).append((LEAVE, p[0]))

// The first lazy MMU call on some path from the function entry.
@first_enter exists@
position p;
@@
... when != arch_leave_lazy_mmu_mode();
arch_enter_lazy_mmu_mode@p();

@script:python@
p << first_enter.p;
@@
fact("first_enter", p[0])

@first_leave exists@
position p;
@@
... when != arch_enter_lazy_mmu_mode();
arch_leave_lazy_mmu_mode@p();

@script:python@
p << first_leave.p;
@@
fact("first_leave", p[0])

// A leave with an enter before it on some path.
@after_enter exists@
position p;
@@
arch_enter_lazy_mmu_mode();
... when any
arch_leave_lazy_mmu_mode@p();

@script:python@
p << after_enter.p;
@@
fact("after_enter", p[0])

// An enter followed by a leave on some path.
@leave_follows exists@
position p;
@@
arch_enter_lazy_mmu_mode@p();
... when any
arch_leave_lazy_mmu_mode();

@script:python@
p << leave_follows.p;
@@
fact("leave_follows", p[0])

// A leave followed by an enter on every path, error exits included.
@enter_follows_all forall@
position p;
@@
arch_leave_lazy_mmu_mode@p();
... when strict
arch_enter_lazy_mmu_mode();

@script:python@
p << enter_follows_all.p;
@@
fact("enter_follows_all", p[0])

// The flush idiom: a leave immediately followed by an enter.
@flush@
position p;
@@
arch_leave_lazy_mmu_mode@p();
arch_enter_lazy_mmu_mode();

@script:python@
p << flush.p;
@@
fact("flush", p[0])

// ---------------------------------------------------------------------
// Patch mode.  The kept calls are listed on stderr, so that the patch on
// stdout stays clean.

@script:python depends on patch && (enter_call || leave_call || other_enter || other_leave)@
@@
print_kept(sys.stderr)

@depends on patch@
position p1 : script:python() { is_kind(p1, "enable") };
position p2 : script:python() { is_kind(p2, "disable") };
position p3 : script:python() { is_kind(p3, "pause") };
position p4 : script:python() { is_kind(p4, "resume") };
@@
(
- arch_enter_lazy_mmu_mode@p1();
+ lazy_mmu_mode_enable();
|
- arch_leave_lazy_mmu_mode@p2();
+ lazy_mmu_mode_disable();
|
- arch_leave_lazy_mmu_mode@p3();
+ lazy_mmu_mode_pause();
|
- arch_enter_lazy_mmu_mode@p4();
+ lazy_mmu_mode_resume();
)

// ---------------------------------------------------------------------
// Context mode: mark every legacy call of a caller, converted or kept.

@depends on context@
position p : script:python() { is_caller(p) };
@@
(
* arch_enter_lazy_mmu_mode@p(...)
|
* arch_leave_lazy_mmu_mode@p(...)
)

// ---------------------------------------------------------------------
// Report and org modes: one line per legacy call, in line order, saying
// what it becomes or why it stays.

@script:python depends on report && (enter_call || leave_call || other_enter || other_leave)@
@@
for file, s, name, p in sorted_sites():
	coccilib.report.print_report(p, message(name, p))

@script:python depends on org && (enter_call || leave_call || other_enter || other_leave)@
@@
for file, s, name, p in sorted_sites():
	coccilib.org.print_safe_todo(p, message(name, p))

@script:python depends on enter_call || leave_call || other_enter || other_leave@
@@
forget_all()
