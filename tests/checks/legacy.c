// SPDX-License-Identifier: GPL-2.0
/*
 * Legacy arch_*_lazy_mmu_mode() calls in generic code (this file is not
 * under arch/): every call is reported with the replacement the
 * conversion rules give it, and legacy nesting is reported too.
 */
#include <linux/pgtable.h>

static void legacy_owner(pte_t *pte, int nr)
{
	arch_enter_lazy_mmu_mode();
	while (nr--)
		set_pte_batch(pte++);
	arch_leave_lazy_mmu_mode();
}

static int legacy_early_returns(pte_t *pte)
{
	arch_enter_lazy_mmu_mode();
	if (!pte) {
		arch_leave_lazy_mmu_mode();
		return -EINVAL;
	}
	set_pte_batch(pte);
	arch_leave_lazy_mmu_mode();
	return 0;
}

/* Runs inside its caller's section: leave..enter becomes pause..resume. */
static void legacy_callee(pte_t *pte)
{
	arch_leave_lazy_mmu_mode();
	wait_for_pte(pte);
	arch_enter_lazy_mmu_mode();
}

/* A conditional leave..enter in a callee: a pause/resume, balanced. */
static void legacy_conditional_callee(pte_t *pte)
{
	if (pte_needs_sleep(pte)) {
		arch_leave_lazy_mmu_mode();
		wait_for_pte(pte);
		arch_enter_lazy_mmu_mode();
	}
}

/* Leaving the caller's section twice. */
static void legacy_callee_leaves_twice(pte_t *pte)
{
	arch_leave_lazy_mmu_mode();
	wait_for_pte(pte);
	arch_leave_lazy_mmu_mode();
	arch_enter_lazy_mmu_mode();
}

static void legacy_nested(pte_t *pte)
{
	arch_enter_lazy_mmu_mode();
	set_pte_batch(pte);
	arch_enter_lazy_mmu_mode();
	set_pte_batch(pte + 1);
	arch_leave_lazy_mmu_mode();
	arch_leave_lazy_mmu_mode();
}

static void legacy_flush(pte_t *pte)
{
	set_pte_batch(pte);
	arch_flush_lazy_mmu_mode();
}

/* Converted code is not reported. */
static void converted_owner(pte_t *pte, int nr)
{
	lazy_mmu_mode_enable();
	while (nr--)
		set_pte_batch(pte++);
	lazy_mmu_mode_disable();
}

/*
 * A macro body is not a code path: no balance checks, but its legacy calls
 * are still legacy calls in generic code.
 */
#define with_lazy_mmu(stmt)			\
	do {					\
		arch_enter_lazy_mmu_mode();	\
		stmt;				\
		arch_leave_lazy_mmu_mode();	\
	} while (0)

/*
 * check-exit-value: 1
 *
 * check-output-start
legacy.c:11:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
legacy.c:14:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
legacy.c:11:2: note: the section it closes was opened here
legacy.c:19:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
legacy.c:21:3: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
legacy.c:19:2: note: the section it closes was opened here
legacy.c:25:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
legacy.c:19:2: note: the section it closes was opened here
legacy.c:32:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_pause() [lazy-mmu-legacy-call]
legacy.c:34:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_resume() [lazy-mmu-legacy-call]
legacy.c:41:3: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_pause() [lazy-mmu-legacy-call]
legacy.c:43:3: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_resume() [lazy-mmu-legacy-call]
legacy.c:50:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_pause() [lazy-mmu-legacy-call]
legacy.c:52:2: warning: legacy arch_leave_lazy_mmu_mode() while the caller's lazy MMU section is already closed [lazy-mmu-double-close]
legacy.c:50:2: note: it was closed here
legacy.c:52:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_pause() [lazy-mmu-legacy-call]
legacy.c:53:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
legacy.c:58:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
legacy.c:60:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
legacy.c:60:2: warning: legacy arch_enter_lazy_mmu_mode() while a lazy MMU section is already open: the legacy API does not nest [lazy-mmu-legacy-nesting]
legacy.c:58:2: note: legacy lazy MMU section opened here
legacy.c:62:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
legacy.c:58:2: note: the section it closes was opened here
legacy.c:63:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
legacy.c:58:2: note: the section it closes was opened here
legacy.c:69:2: warning: legacy arch_flush_lazy_mmu_mode() in generic code: only the lazy MMU layer may call the arch callbacks [lazy-mmu-legacy-call]
legacy.c:87:3: warning: legacy arch_enter_lazy_mmu_mode() in the body of macro 'with_lazy_mmu' in generic code: macro bodies are not analysed; convert it by hand [lazy-mmu-legacy-call]
legacy.c:89:3: warning: legacy arch_leave_lazy_mmu_mode() in the body of macro 'with_lazy_mmu' in generic code: macro bodies are not analysed; convert it by hand [lazy-mmu-legacy-call]
 * check-output-end
 */
