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

def generic(pos):
	return pos[0].current_element not in API and not in_arch(pos[0].file)

# Legacy calls of the current group of files: (file, line, col, name, pos)
found = []

def add(name, pos):
	p = pos[0]
	found.append((p.file, int(p.line), int(p.column), name, p))

def message(name):
	return "WARNING: legacy %s() in generic code: %s" % (name, HINT[name])

def sorted_found():
	out = sorted(found, key=lambda x: x[:3])
	del found[:]
	return out

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
position p : script:python() { generic(p) };
@@
arch_enter_lazy_mmu_mode@p(...)

@script:python@
p << enter.p;
@@
add(ENTER, p)

@leave depends on org || report@
position p : script:python() { generic(p) };
@@
arch_leave_lazy_mmu_mode@p(...)

@script:python@
p << leave.p;
@@
add(LEAVE, p)

@flush depends on org || report@
position p : script:python() { generic(p) };
@@
arch_flush_lazy_mmu_mode@p(...)

@script:python@
p << flush.p;
@@
add(FLUSH, p)

@script:python depends on report && (enter || leave || flush)@
@@
for file, line, col, name, p in sorted_found():
	coccilib.report.print_report(p, message(name))

@script:python depends on org && (enter || leave || flush)@
@@
for file, line, col, name, p in sorted_found():
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
