// SPDX-License-Identifier: GPL-2.0-only
/// Adapt powerpc book3s64 hash's lazy MMU callbacks to the generic
/// nestable lazy MMU mode.
///
/// Phase "flush" (needs nothing new): arch_flush_lazy_mmu_mode() becomes a
/// real function that flushes the pending batch (the generic layer calls
/// it when a nested section ends), and arch_leave_lazy_mmu_mode() calls
/// it.
/// Phase "state" (needs the generic layer and the converted callers): the
/// batch's private 'active' flag goes; hpte_need_flush() and any other
/// reader ask is_lazy_mmu_mode_active() instead.
/// -D flush applies only the first phase, -D state only the second; with
/// neither, both.
///
//# The old empty '#define arch_flush_lazy_mmu_mode()' is a preprocessor
//# line, which SmPL cannot remove: lazy-mmu-tools deletes it first, in the
//# same step.  The dead re-activation of the batch in __switch_to() sits
//# between #ifdefs, which SmPL rewrites badly, so lazy-mmu-tools removes it
//# with a text edit in its own step.  A local variable of the callbacks is
//# only removed when nothing uses it any more on any path.
//
// Confidence: High
// Copyright: (C) 2026 lazy-mmu-tools contributors
// Options: --no-includes --include-headers
// Keywords: ppc64_tlb_batch, arch_flush_lazy_mmu_mode, is_lazy_mmu_mode_active

virtual patch
virtual context
virtual org
virtual report
virtual flush
virtual state

// ---------------------------------------------------------------------
// Patch mode, phase "flush".

// A real arch_flush_lazy_mmu_mode(), which leave now calls.
@flush_def depends on patch && !state@
identifier batch;
symbol ppc64_tlb_batch;
@@
+ static inline void arch_flush_lazy_mmu_mode(void)
+ {
+	struct ppc64_tlb_batch *batch;
+
+	if (radix_enabled())
+		return;
+	batch = this_cpu_ptr(&ppc64_tlb_batch);
+	if (batch->index)
+		__flush_tlb_pending(batch);
+ }
+
  void arch_leave_lazy_mmu_mode(void)
  {
  ...
- if (batch->index)
-	__flush_tlb_pending(batch);
+ arch_flush_lazy_mmu_mode();
  ...
  }

// ---------------------------------------------------------------------
// Patch mode, phase "state".

@depends on patch && !flush@
struct ppc64_tlb_batch *b;
expression E;
@@
- b->active = E;

@depends on patch && !flush@
struct ppc64_tlb_batch *b;
@@
- b->active
+ is_lazy_mmu_mode_active()

@depends on patch && !flush@
type T;
@@
struct ppc64_tlb_batch {
	...
-	T active;
	...
};

// Locals of the callbacks that only served the active flag.
@depends on patch@
identifier fn = {arch_enter_lazy_mmu_mode, arch_leave_lazy_mmu_mode};
identifier b;
symbol ppc64_tlb_batch;
@@
  fn(...)
  {
  ...
- b = this_cpu_ptr(&ppc64_tlb_batch);
  ... when != b
  }

@depends on patch@
identifier fn = {arch_enter_lazy_mmu_mode, arch_leave_lazy_mmu_mode};
identifier b;
expression E;
@@
  fn(...)
  {
(
- struct ppc64_tlb_batch *b;
|
- struct ppc64_tlb_batch *b = E;
)
  ... when != b
  }

// ---------------------------------------------------------------------
// Context mode.

@depends on context && !state@
@@
  void arch_leave_lazy_mmu_mode(void)
  {
  ...
* __flush_tlb_pending(...);
  ...
  }

@depends on context && !flush@
struct ppc64_tlb_batch *b;
@@
* b->active

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

FLUSH_MSG = "WARNING: arch_leave_lazy_mmu_mode() flushes by itself: move the flush to arch_flush_lazy_mmu_mode()"
ACTIVE_MSG = "WARNING: ppc64_tlb_batch.active: use is_lazy_mmu_mode_active()"

@r_flush depends on (org || report) && !state exists@
position p;
@@
  void arch_leave_lazy_mmu_mode(void)
  {
  ...
  __flush_tlb_pending@p(...);
  ...
  }

@r_active depends on (org || report) && !flush@
struct ppc64_tlb_batch *b;
position p;
@@
  b->active@p

@script:python depends on report@
p << r_flush.p;
@@
report_site(p[0], FLUSH_MSG)

@script:python depends on org@
p << r_flush.p;
@@
org_site(p[0], FLUSH_MSG)

@script:python depends on report@
p << r_active.p;
@@
report_site(p[0], ACTIVE_MSG)

@script:python depends on org@
p << r_active.p;
@@
org_site(p[0], ACTIVE_MSG)

@finalize:python depends on org || report@
sites << merge.lazy_sites;
@@
for site in sorted(s for chunk in sites for s in chunk):
	print(site[3])
