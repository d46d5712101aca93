// SPDX-License-Identifier: GPL-2.0-only
/// Adapt arm64's lazy MMU callbacks to the generic nestable lazy MMU mode.
///
/// arm64 tracks lazy MMU mode in the TIF_LAZY_MMU thread flag, set by
/// arch_enter_lazy_mmu_mode() and cleared by arch_leave_lazy_mmu_mode(),
/// and bails out of all three callbacks in interrupt context.  With the
/// generic layer, the per-task state says whether the mode is active
/// (is_lazy_mmu_mode_active(), false in interrupt context) and the
/// helpers never call the callbacks in interrupt context.  So:
///  - queue_pte_barriers() asks is_lazy_mmu_mode_active() instead of
///    reading TIF_LAZY_MMU, and loses its own interrupt check;
///  - the callbacks lose their in_interrupt() bail-outs and stop setting
///    and clearing TIF_LAZY_MMU.
/// arm64 already has a real arch_flush_lazy_mmu_mode(), so phase "flush"
/// (-D flush) has nothing to do; phase "state" (-D state) is all of it.
///
//# Only arm64 trees from 6.15 on have lazy MMU mode.  The definition of
//# TIF_LAZY_MMU in asm/thread_info.h and the comment saying that nesting
//# is tolerated are removed by lazy-mmu-tools, not here.  Any other use of
//# TIF_LAZY_MMU is reported, never guessed.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: TIF_LAZY_MMU, queue_pte_barriers, is_lazy_mmu_mode_active

virtual patch
virtual context
virtual org
virtual report
virtual flush
virtual state

// ---------------------------------------------------------------------
// Patch mode (phase "state").

// The barrier queue: the flag test becomes the generic question.
@queue depends on patch && !flush@
identifier flags;
statement S;
@@
- flags = read_thread_flags();
  ... when != flags
  if (
-     flags & BIT(TIF_LAZY_MMU)
+     is_lazy_mmu_mode_active()
     ) {
	if (
-	    !(flags & BIT(TIF_LAZY_MMU_PENDING))
+	    !test_thread_flag(TIF_LAZY_MMU_PENDING)
	   )
		set_thread_flag(TIF_LAZY_MMU_PENDING);
  } else S

@depends on patch && !flush@
@@
- test_thread_flag(TIF_LAZY_MMU)
+ is_lazy_mmu_mode_active()

// is_lazy_mmu_mode_active() is false in interrupt context, so the
// function's own check is redundant.
@depends on patch && !flush@
identifier fn;
@@
  fn(...)
  {
  ...
- if (in_interrupt()) {
-	emit_pte_barriers();
-	return;
- }
  ...
  if (is_lazy_mmu_mode_active()) { ... } else { ... }
  ...
  }

// The local that held the thread flags, in the function the rules above
// rewrote only (elsewhere an unused local is none of our business).
@asks depends on patch && !flush@
identifier fn;
@@
  fn(...) { <+... is_lazy_mmu_mode_active() ...+> }

@depends on asks@
identifier asks.fn, flags;
@@
  fn(...)
  {
- unsigned long flags;
  ... when != flags
  }

// The callbacks: the generic helpers never call them in interrupt
// context, and the per-task state replaces the thread flag.
@depends on patch && !flush@
identifier fn = {arch_enter_lazy_mmu_mode, arch_flush_lazy_mmu_mode,
                 arch_leave_lazy_mmu_mode};
@@
  fn(...)
  {
  ...
- if (in_interrupt())
-	return;
  ...
  }

@depends on patch && !flush@
identifier fn = {arch_enter_lazy_mmu_mode, arch_leave_lazy_mmu_mode};
@@
  fn(...)
  {
  ...
(
- set_thread_flag(TIF_LAZY_MMU);
|
- clear_thread_flag(TIF_LAZY_MMU);
)
  ...
  }

// ---------------------------------------------------------------------
// Context mode.

@depends on context && !flush@
@@
* TIF_LAZY_MMU

@depends on context && !flush@
identifier fn = {arch_enter_lazy_mmu_mode, arch_flush_lazy_mmu_mode,
                 arch_leave_lazy_mmu_mode};
@@
  fn(...)
  {
  ...
* in_interrupt()
  ...
  }

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

FLAG_MSG = "WARNING: TIF_LAZY_MMU: use is_lazy_mmu_mode_active()"
IRQ_MSG = "WARNING: in_interrupt() in a lazy MMU callback: the generic helpers never call it in interrupt context"

@r_flag depends on (org || report) && !flush@
position p;
@@
  TIF_LAZY_MMU@p

@r_irq depends on (org || report) && !flush exists@
identifier fn = {arch_enter_lazy_mmu_mode, arch_flush_lazy_mmu_mode,
                 arch_leave_lazy_mmu_mode};
position p;
@@
  fn(...)
  {
  ...
  in_interrupt@p()
  ...
  }

@script:python depends on report@
p << r_flag.p;
@@
report_site(p[0], FLAG_MSG)

@script:python depends on org@
p << r_flag.p;
@@
org_site(p[0], FLAG_MSG)

@script:python depends on report@
p << r_irq.p;
@@
report_site(p[0], IRQ_MSG)

@script:python depends on org@
p << r_irq.p;
@@
org_site(p[0], IRQ_MSG)

@finalize:python depends on org || report@
sites << merge.lazy_sites;
@@
for site in sorted(s for chunk in sites for s in chunk):
	print(site[3])
