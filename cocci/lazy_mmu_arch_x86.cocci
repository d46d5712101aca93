// SPDX-License-Identifier: GPL-2.0-only
/// Adapt the x86 paravirt (Xen PV) lazy MMU callbacks to the generic
/// nestable lazy MMU mode.
///
/// Phase "flush": the flush callback flushed by leaving lazy MMU mode and
/// entering it again; only the flush of the pending multicalls is needed,
/// so it calls xen_mc_flush().  Where the flush idiom is still generic
/// paravirt code (paravirt_flush_lazy_mmu(), before Linux 6.8), Xen gets a
/// flush callback of its own and the generic one goes.
///
/// Phase "nested": entering lazy MMU mode when the CPU already is in it,
/// or leaving it when it is not, BUG()s.  With the generic per-task state
/// that can happen once, for a task preempted between the state update and
/// the callback: enter only when not in the mode, leave only when in it.
///
/// Phase "state": the context switch remembered in TIF_LAZY_MMU_UPDATES
/// that the task switched out was in lazy MMU mode, and entered the mode
/// again when the task came back.  The generic per-task state now says
/// that: re-enter if __task_lazy_mmu_mode_active(next), and stop setting
/// the flag.  The calls stay arch_*(): they act on the tasks being
/// switched, not on current.
///
/// -D flush, -D nested or -D state applies only that phase; with none of
/// them, all three.
///
//# Only the shapes of the Xen PV and paravirt callbacks are recognised:
//# the flush idiom under a test for XEN_LAZY_MMU, the enter and leave
//# functions of the MMU mode, and the flag set or tested next to the
//# arch_*_lazy_mmu_mode() call of the context switch.  Anything else that
//# uses TIF_LAZY_MMU_UPDATES is reported, never guessed.  The flag's
//# definition in asm/thread_info.h is removed by lazy-mmu-tools, not here.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: xen_flush_lazy_mmu, enter_lazy, TIF_LAZY_MMU_UPDATES, __task_lazy_mmu_mode_active

virtual patch
virtual context
virtual org
virtual report
virtual flush
virtual nested
virtual state

// ---------------------------------------------------------------------
// Patch mode, phase "flush".

// Xen's own flush callback (Linux 6.8 on).
@depends on patch && !nested && !state@
expression mode;
@@
- if (mode == XEN_LAZY_MMU) {
-	arch_leave_lazy_mmu_mode();
-	arch_enter_lazy_mmu_mode();
- }
+ xen_mc_flush();

// The generic paravirt flush callback, which only Xen plugs in: Xen
// gets its own, next to its leave callback.
@pv_flush_user depends on patch && !nested && !state@
identifier f = paravirt_flush_lazy_mmu;
@@
  f

@xen_flush_def depends on pv_flush_user@
@@
+ static void xen_flush_lazy_mmu(void)
+ {
+	preempt_disable();
+	xen_mc_flush();
+	preempt_enable();
+ }
+
  static void xen_leave_lazy_mmu(void)
  {
  ...
  }

@depends on xen_flush_def@
identifier f = paravirt_flush_lazy_mmu;
@@
- f
+ xen_flush_lazy_mmu

@depends on patch && !nested && !state@
@@
- void paravirt_flush_lazy_mmu(void)
- {
- ...
- }

@depends on patch && !nested && !state@
@@
- void paravirt_flush_lazy_mmu(void);

// ---------------------------------------------------------------------
// Patch mode, phase "nested".

@depends on patch && !flush && !state@
@@
(
  static void xen_enter_lazy_mmu(void)
  {
- enter_lazy(XEN_LAZY_MMU);
+ preempt_disable();
+ if (this_cpu_read(xen_lazy_mode) != XEN_LAZY_MMU)
+	enter_lazy(XEN_LAZY_MMU);
+ preempt_enable();
  }
|
  void paravirt_enter_lazy_mmu(void)
  {
- enter_lazy(PARAVIRT_LAZY_MMU);
+ preempt_disable();
+ if (this_cpu_read(paravirt_lazy_mode) != PARAVIRT_LAZY_MMU)
+	enter_lazy(PARAVIRT_LAZY_MMU);
+ preempt_enable();
  }
)

@depends on patch && !flush && !state@
identifier mode = xen_lazy_mode;
@@
(
  static void xen_leave_lazy_mmu(void)
  {
  ... when != this_cpu_read(mode)
- leave_lazy(XEN_LAZY_MMU);
+ if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU)
+	leave_lazy(XEN_LAZY_MMU);
  ...
  }
|
  void paravirt_leave_lazy_mmu(void)
  {
- leave_lazy(PARAVIRT_LAZY_MMU);
+ if (this_cpu_read(paravirt_lazy_mode) == PARAVIRT_LAZY_MMU)
+	leave_lazy(PARAVIRT_LAZY_MMU);
  }
)

// ---------------------------------------------------------------------
// Patch mode, phase "state": the context switch.

@depends on patch && !flush && !nested@
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

@depends on patch && !flush && !nested@
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

@depends on context && !nested && !state@
expression mode;
@@
  if (mode == XEN_LAZY_MMU) {
*	arch_leave_lazy_mmu_mode();
	arch_enter_lazy_mmu_mode();
  }

@depends on context && !nested && !state@
@@
  void paravirt_flush_lazy_mmu(void)
  {
  ...
* arch_leave_lazy_mmu_mode();
  ...
  }

@depends on context && !flush && !state@
@@
(
  static void xen_enter_lazy_mmu(void)
  {
* enter_lazy(XEN_LAZY_MMU);
  }
|
  void paravirt_enter_lazy_mmu(void)
  {
* enter_lazy(PARAVIRT_LAZY_MMU);
  }
)

@depends on context && !flush && !nested@
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
PV_FLUSH_MSG = "WARNING: generic paravirt flush idiom: give Xen a flush callback that calls xen_mc_flush()"
NESTED_MSG = "WARNING: entering lazy MMU mode twice BUG()s: enter only when not in it"
FLAG_MSG = "WARNING: TIF_LAZY_MMU_UPDATES: use __task_lazy_mmu_mode_active() on the generic per-task state"

@r_flush depends on (org || report) && !nested && !state@
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

@r_pv_flush depends on (org || report) && !nested && !state@
position p;
@@
  void paravirt_flush_lazy_mmu@p(void) { ... }

@script:python depends on report@
p << r_pv_flush.p;
@@
report_site(p[0], PV_FLUSH_MSG)

@script:python depends on org@
p << r_pv_flush.p;
@@
org_site(p[0], PV_FLUSH_MSG)

@r_nested depends on (org || report) && !flush && !state@
position p;
@@
(
  static void xen_enter_lazy_mmu(void)
  {
  enter_lazy@p(XEN_LAZY_MMU);
  }
|
  void paravirt_enter_lazy_mmu(void)
  {
  enter_lazy@p(PARAVIRT_LAZY_MMU);
  }
)

@script:python depends on report@
p << r_nested.p;
@@
report_site(p[0], NESTED_MSG)

@script:python depends on org@
p << r_nested.p;
@@
org_site(p[0], NESTED_MSG)

@r_flag depends on (org || report) && !flush && !nested@
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
