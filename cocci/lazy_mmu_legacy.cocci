// SPDX-License-Identifier: GPL-2.0-only
/// Report calls of the legacy lazy MMU hooks in generic code.
///
/// arch_enter_lazy_mmu_mode(), arch_leave_lazy_mmu_mode() and
/// arch_flush_lazy_mmu_mode() are arch callbacks of the nesting lazy MMU
/// API.  Generic code (anything outside arch/) opens and closes sections
/// with lazy_mmu_mode_enable()/lazy_mmu_mode_disable(), or stops batching
/// for a while with lazy_mmu_mode_pause()/lazy_mmu_mode_resume(); a
/// nested lazy_mmu_mode_disable() flushes, so no generic flush call is
/// needed.  Calls inside the definitions of the callbacks and of the
/// generic lazy_mmu_mode_*() helpers are not reported.
///
//# Patch mode changes nothing: whether a call becomes enable/disable or
//# pause/resume depends on the paths of its function, which is what
//# lazy_mmu_callers.cocci decides.  Calls inside macro bodies are not seen.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: arch_enter_lazy_mmu_mode, arch_leave_lazy_mmu_mode, arch_flush_lazy_mmu_mode

virtual patch
virtual context
virtual org
virtual report

@initialize:python@
@@
import os
import re
from coccilib.elems import Location

ENTER = "arch_enter_lazy_mmu_mode"
LEAVE = "arch_leave_lazy_mmu_mode"
FLUSH = "arch_flush_lazy_mmu_mode"
API = (ENTER, LEAVE, FLUSH,
       "lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
       "lazy_mmu_mode_pause", "lazy_mmu_mode_resume")

HINT = {
	ENTER: "use lazy_mmu_mode_enable() (lazy_mmu_mode_resume() after a pause)",
	LEAVE: "use lazy_mmu_mode_disable() (lazy_mmu_mode_pause() in a "
	       "callee that stops batching)",
	FLUSH: "drop it: a nested lazy_mmu_mode_disable() flushes",
}

def arch_dir_at(parts, i):
	"""parts[i] is "arch": is it the arch/ directory of a kernel tree?"""
	if i == 0:
		return True
	root = os.sep.join(parts[:i]) or os.sep
	return os.path.isdir(os.path.join(root, "include"))

def in_arch(path):
	for p in (os.path.normpath(path), os.path.abspath(path)):
		parts = p.split(os.sep)
		for i in range(len(parts) - 2, -1, -1):
			if parts[i] == "arch" and arch_dir_at(parts, i):
				return True
	return False

def is_generic(p):
	return p.current_element not in API and not in_arch(p.file)

def generic(pos):
	return is_generic(pos[0])

# Legacy calls of the current group of files: (file, line, col, name, pos)
found = []

def add(name, pos):
	p = pos[0]
	found.append((p.file, int(p.line), int(p.column), name, p))

def message(name):
	return "WARNING: legacy %s() in generic code: %s" % (name, HINT[name])

HOOK_RE = re.compile(r"\b(%s|%s|%s)\s*\(" % (ENTER, LEAVE, FLUSH))
COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
DEFINITION_RE = re.compile(r"(\bvoid|#\s*define)\s*$")

def blank(m):
	return re.sub(r"[^\n]", " ", m.group(0))

def scan_unparsed(file, known):
	"""Calls in the text of a file that no rule saw, because the C parser
	of spatch skipped the code around them."""
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
			loc = Location(file, "", str(n), str(col), str(n), str(col),
				       str(n), str(col), str(n), str(col + len(name)))
			out.append((file, n, col, name, loc))
	return out

def sorted_found():
	"""Every call found in the group, plus the unparsed ones, in order;
	then forget them."""
	out = list(found)
	for file in set(x[0] for x in found):
		known = set((x[1], x[2]) for x in found if x[0] == file)
		out.extend(scan_unparsed(file, known))
	del found[:]
	return sorted(out, key=lambda x: x[:3])

// ---------------------------------------------------------------------
// Context mode

@depends on context@
position p : script:python() { generic(p) };
@@
(
* arch_enter_lazy_mmu_mode@p(...)
|
* arch_leave_lazy_mmu_mode@p(...)
|
* arch_flush_lazy_mmu_mode@p(...)
)

// ---------------------------------------------------------------------
// Report and org modes: one line per call, in file and line order.

@enter depends on org || report@
position p;
@@
arch_enter_lazy_mmu_mode@p(...)

@script:python@
p << enter.p;
@@
add(ENTER, p)

@leave depends on org || report@
position p;
@@
arch_leave_lazy_mmu_mode@p(...)

@script:python@
p << leave.p;
@@
add(LEAVE, p)

@flush depends on org || report@
position p;
@@
arch_flush_lazy_mmu_mode@p(...)

@script:python@
p << flush.p;
@@
add(FLUSH, p)

@script:python depends on report && (enter || leave || flush)@
@@
for file, line, col, name, p in sorted_found():
	if is_generic(p):
		coccilib.report.print_report(p, message(name))

@script:python depends on org && (enter || leave || flush)@
@@
for file, line, col, name, p in sorted_found():
	if is_generic(p):
		coccilib.org.print_safe_todo(p, message(name))

// ---------------------------------------------------------------------
// Patch mode: nothing to change here (see the header), but the mode is
// declared and has a rule, so that MODE=patch over all of cocci/ runs.

@patch_scan depends on patch@
position p : script:python() { generic(p) };
@@
(
arch_enter_lazy_mmu_mode@p(...)
|
arch_leave_lazy_mmu_mode@p(...)
|
arch_flush_lazy_mmu_mode@p(...)
)

@script:python@
p << patch_scan.p;
@@
pass
