
#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE
	struct lazy_mmu_state		lazy_mmu_state;
#endif
