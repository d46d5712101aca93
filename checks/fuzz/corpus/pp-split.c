static void pp_split(struct mm_struct *mm, pte_t *pte)
{
	lazy_mmu_mode_enable();
#ifdef CONFIG_X86
	if (pte_none(*pte)) {
#else
	if (!pte) {
#endif
		lazy_mmu_mode_disable();
		return;
	}
#if defined(CONFIG_PPC) || IS_ENABLED(CONFIG_PARAVIRT)
	lazy_mmu_mode_pause();
	flush(mm);
	lazy_mmu_mode_resume();
#elif 0
	arch_flush_lazy_mmu_mode();
#endif
	lazy_mmu_mode_disable();
}
