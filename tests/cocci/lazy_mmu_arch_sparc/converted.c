/* Already converted: nothing to do. */
void arch_enter_lazy_mmu_mode(void)
{
	preempt_disable();
}

void arch_flush_lazy_mmu_mode(void)
{
	struct tlb_batch *tb = this_cpu_ptr(&tlb_batch);

	if (tb->tlb_nr)
		flush_tlb_pending();
}

void arch_leave_lazy_mmu_mode(void)
{
	arch_flush_lazy_mmu_mode();
	preempt_enable();
}
