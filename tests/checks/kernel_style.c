// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel C as it is: loop macros, do { } while (0), preprocessor arms
 * inside functions, GNU extensions, labels, switch with fallthrough,
 * K&R-style definitions.
 */
#include <linux/list.h>
#include <linux/pgtable.h>

struct pt_entry {
	struct list_head list;
	pte_t *pte;
};

static void good_list_walk(struct list_head *head)
{
	struct pt_entry *e, *tmp;

	lazy_mmu_mode_enable();
	list_for_each_entry_safe(e, tmp, head, list) {
		if (!e->pte)
			continue;
		set_pte_batch(e->pte);
	}
	lazy_mmu_mode_disable();
}

static void bad_list_walk_return(struct list_head *head)
{
	struct pt_entry *e;

	list_for_each_entry(e, head, list) {
		lazy_mmu_mode_enable();
		if (!e->pte)
			return;
		set_pte_batch(e->pte);
		lazy_mmu_mode_disable();
	}
}

static void good_for_each(const struct cpumask *mask)
{
	int cpu;

	for_each_cpu(cpu, mask)
		flush_cpu_batch(cpu);
	lazy_mmu_mode_enable();
	for_each_cpu(cpu, mask) {
		queue_cpu_batch(cpu);
	}
	lazy_mmu_mode_disable();
}

static void good_do_while_zero(pte_t *pte)
{
	do {
		lazy_mmu_mode_enable();
		set_pte_batch(pte);
		lazy_mmu_mode_disable();
	} while (0);
}

static void bad_ifdef_arm(pte_t *pte)
{
	lazy_mmu_mode_enable();
#ifdef CONFIG_PT_DEBUG
	if (pte_bad_check(pte))
		return;
#endif
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
}

static void good_ifdef_else(pte_t *pte)
{
#ifdef CONFIG_PT_BATCH
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	lazy_mmu_mode_disable();
#elif defined(CONFIG_PT_SLOW)
	set_pte_slow(pte);
#else
	set_pte_plain(pte);
#endif
}

static int good_statement_expr(pte_t *pte)
{
	int n = ({ int __x = pte_count(pte); __x > 4 ? 4 : __x; });

	lazy_mmu_mode_enable();
	while (n--)
		set_pte_batch(pte++);
	lazy_mmu_mode_disable();
	return n;
}

static int bad_switch_fallthrough(pte_t *pte, int how)
{
	switch (how) {
	case 0:
		lazy_mmu_mode_enable();
		fallthrough;
	case 1:
		set_pte_batch(pte);
		lazy_mmu_mode_disable();
		break;
	case 2 ... 4:
		set_pte_plain(pte);
		break;
	}
	return 0;
}

static int good_labels(pte_t *pte)
{
	int err;

	lazy_mmu_mode_enable();
	err = set_pte_checked(pte);
	if (err)
		goto out_disable;
	err = set_pte_checked(pte + 1);
out_disable:
	lazy_mmu_mode_disable();
	return err;
}

static int good_knr(pte, nr)
	pte_t *pte;
	int nr;
{
	lazy_mmu_mode_enable();
	while (nr--)
		set_pte_batch(pte++);
	lazy_mmu_mode_disable();
	return 0;
}

static void good_scoped(spinlock_t *lock, pte_t *pte)
{
	scoped_guard(spinlock, lock) {
		lazy_mmu_mode_enable();
		set_pte_batch(pte);
		lazy_mmu_mode_disable();
	}
}

static void good_asm_and_attrs(pte_t *pte)
{
	unsigned long flags __maybe_unused;

	asm volatile("" : : : "memory");
	lazy_mmu_mode_enable();
	set_pte_batch(pte);
	if (likely(pte_present(*pte)))
		lazy_mmu_mode_disable();
	else
		lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
kernel_style.c:35:4: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
kernel_style.c:33:3: note: lazy MMU section opened here
kernel_style.c:32:2: note: entering the loop body
kernel_style.c:34:3: note: following the 'true' branch (when '!e->pte')
kernel_style.c:68:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
kernel_style.c:65:2: note: lazy MMU section opened here
kernel_style.c:66:1: note: assuming this preprocessor arm is compiled
kernel_style.c:67:2: note: following the 'true' branch (when 'pte_bad_check(pte)')
kernel_style.c:106:3: warning: closes a lazy MMU section it did not open on some paths only [lazy-mmu-inconsistent-paths]
kernel_style.c:104:2: note: taking 'case 1:'
kernel_style.c:107:3: note: 'break' here
kernel_style.c:112:2: note: another path leaves the function here without that close
 * check-output-end
 */
