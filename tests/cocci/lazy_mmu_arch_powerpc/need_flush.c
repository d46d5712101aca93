/* Readers of the batch's active flag. */
void hash_need_flush(struct mm_struct *mm, unsigned long addr, int huge)
{
	struct ppc64_tlb_batch *batch = &get_cpu_var(ppc64_tlb_batch);
	unsigned long i;

	i = batch->index;

	/* not batching: flush this one now */
	if (!batch->active) {
		flush_hash_page(addr, huge);
		put_cpu_var(ppc64_tlb_batch);
		return;
	}

	batch->mm = mm;
	batch->index = ++i;
	put_cpu_var(ppc64_tlb_batch);
}

static bool hash_batching(void)
{
	struct ppc64_tlb_batch *b = this_cpu_ptr(&ppc64_tlb_batch);

	return b->active && b->index < 8;
}

/* Another struct's 'active' is not ours. */
static int other_active(struct other_batch *ob)
{
	ob->active = 1;
	return ob->active;
}

/* Outside the callbacks an unused local is not this rule's business. */
static void other_user(void)
{
	struct ppc64_tlb_batch *batch;

	batch = this_cpu_ptr(&ppc64_tlb_batch);
}
