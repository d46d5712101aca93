
/*
 * Lazy MMU mode state of a task (see lazy_mmu_mode_enable() in
 * <linux/pgtable.h>): how many sections it has open, and how many
 * pauses.  The mode is active while enable_count > 0 and pause_count == 0.
 */
struct lazy_mmu_state {
	u8 enable_count;
	u8 pause_count;
};
