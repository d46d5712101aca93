/* Unused unsigned long variables that have nothing to do with the lazy
 * MMU flags: the rule that drops queue_pte_barriers()'s local must leave
 * them alone (it once deleted file-scope statics all over arch/arm64). */
static unsigned long max_pinned_asids;
static unsigned long nr_pinned_asids;

static void cpu_enable_thing(void)
{
	unsigned long flags;

	if (test_thread_flag(TIF_SINGLESTEP))
		do_thing(BIT(3));
}
