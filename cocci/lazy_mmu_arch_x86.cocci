// SPDX-License-Identifier: GPL-2.0-only
/// Adapt Xen PV's lazy MMU callbacks to the generic nestable lazy MMU mode.
///
/// xen_flush_lazy_mmu() flushed by leaving lazy MMU mode and entering it
/// again.  Only the flush of the pending multicalls is needed, so the pair
/// becomes xen_mc_flush().
///
/// The Xen context switch remembered in TIF_LAZY_MMU_UPDATES that the task
/// switched out was in lazy MMU mode, and entered the mode again when the
/// task came back.  The generic per-task state now says that: re-enter if
/// __task_lazy_mmu_mode_active(next), and stop setting the flag.  The calls
/// stay arch_*(): they act on the tasks being switched, not on current.
///
/// Two phases, because the second one needs the generic layer and the
/// converted callers: -D flush applies only the first, -D state only the
/// second; with neither, both.
///
//# Only the shapes of Xen PV's callbacks are recognised: the flush idiom
//# under a test for XEN_LAZY_MMU, and the flag set or tested next to the
//# arch_*_lazy_mmu_mode() call of the context switch.  Anything else that
//# uses TIF_LAZY_MMU_UPDATES is reported, never guessed.  The flag's
//# definition in asm/thread_info.h is removed by lazy-mmu-tools, not here.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: xen_flush_lazy_mmu, TIF_LAZY_MMU_UPDATES, __task_lazy_mmu_mode_active

virtual patch
virtual context
virtual org
virtual report
virtual flush
virtual state

// ---------------------------------------------------------------------
// Patch mode, phase "flush": the flush callback.

@depends on patch && !state@
expression mode;
@@
- if (mode == XEN_LAZY_MMU) {
-	arch_leave_lazy_mmu_mode();
-	arch_enter_lazy_mmu_mode();
- }
+ if (mode == XEN_LAZY_MMU)
+	xen_mc_flush();

// ---------------------------------------------------------------------
// Patch mode, phase "state": the context switch.

@depends on patch && !flush@
expression cond, prev;
@@
(
- if (cond) {
-	arch_leave_lazy_mmu_mode();
-	set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
- }
+ if (cond)
+	arch_leave_lazy_mmu_mode();
|
- if (cond) {
-	arch_leave_lazy_mmu_mode();
-	set_tsk_thread_flag(prev, TIF_LAZY_MMU_UPDATES);
- }
+ if (cond)
+	arch_leave_lazy_mmu_mode();
)

@depends on patch && !flush@
expression next;
@@
(
- if (test_and_clear_ti_thread_flag(task_thread_info(next),
-				   TIF_LAZY_MMU_UPDATES))
+ if (__task_lazy_mmu_mode_active(next))
	arch_enter_lazy_mmu_mode();
|
- if (test_and_clear_tsk_thread_flag(next, TIF_LAZY_MMU_UPDATES))
+ if (__task_lazy_mmu_mode_active(next))
	arch_enter_lazy_mmu_mode();
)

// ---------------------------------------------------------------------
// Context mode: the same sites.

@depends on context && !state@
expression mode;
@@
  if (mode == XEN_LAZY_MMU) {
*	arch_leave_lazy_mmu_mode();
	arch_enter_lazy_mmu_mode();
  }

@depends on context && !flush@
@@
* TIF_LAZY_MMU_UPDATES

// ---------------------------------------------------------------------
// Report and org modes: one line per site, sorted by position.

@initialize:python@
@@
coccinelle.lazy_sites = []

def lazy_site(p, text):
	coccinelle.lazy_sites.append((p.file, int(p.line), int(p.column), text))

def report_site(p, msg):
	lazy_site(p, coccilib.report.build_report(p, msg))

def org_site(p, msg):
	msg = msg.replace("[", "@(").replace("]", ")")
	lazy_site(p, "* TODO " + coccilib.org.build_link(p, msg, "ovl-face1"))

FLUSH_MSG = "WARNING: flush idiom in a Xen lazy MMU callback: use xen_mc_flush()"
FLAG_MSG = "WARNING: TIF_LAZY_MMU_UPDATES: use __task_lazy_mmu_mode_active() on the generic per-task state"

@r_flush depends on (org || report) && !state@
expression mode;
position p;
@@
  if (mode == XEN_LAZY_MMU) {
	arch_leave_lazy_mmu_mode@p();
	arch_enter_lazy_mmu_mode();
  }

@script:python depends on report@
p << r_flush.p;
@@
report_site(p[0], FLUSH_MSG)

@script:python depends on org@
p << r_flush.p;
@@
org_site(p[0], FLUSH_MSG)

@r_flag depends on (org || report) && !flush@
position p;
@@
  TIF_LAZY_MMU_UPDATES@p

@script:python depends on report@
p << r_flag.p;
@@
report_site(p[0], FLAG_MSG)

@script:python depends on org@
p << r_flag.p;
@@
org_site(p[0], FLAG_MSG)

@finalize:python depends on org || report@
sites << merge.lazy_sites;
@@
for site in sorted(s for chunk in sites for s in chunk):
	print(site[3])
