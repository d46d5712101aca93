/* A TLB batch with out-of-line lazy MMU callbacks, as a .c file has them. */
struct tlb_batch {
	unsigned int hugepage_shift;
	struct mm_struct *mm;
	unsigned long tlb_nr;
	unsigned long active;
	unsigned long vaddrs[TLB_BATCH_NR];
};

void arch_enter_lazy_mmu_mode(void)
{
	struct tlb_batch *tb;

	preempt_disable();
	tb = this_cpu_ptr(&tlb_batch);
	tb->active = 1;
}

void arch_leave_lazy_mmu_mode(void)
{
	struct tlb_batch *tb = this_cpu_ptr(&tlb_batch);

	if (tb->tlb_nr)
		flush_tlb_pending();
	tb->active = 0;
	preempt_enable();
}

static void tlb_add_one(struct mm_struct *mm, unsigned long vaddr)
{
	struct tlb_batch *tb = &get_cpu_var(tlb_batch);
	unsigned long nr = tb->tlb_nr;

	if (!tb->active) {
		flush_one_page(mm, vaddr);
		goto out;
	}

	tb->vaddrs[nr] = vaddr;
	tb->tlb_nr = ++nr;
out:
	put_cpu_var(tlb_batch);
}
