// SPDX-License-Identifier: GPL-2.0
/*
 * Sections or pauses opened by a function and still open when one of its
 * paths leaves it: return, end of function, goto past the close, break out
 * of the loop that holds the close, a switch case that skips it.
 */
#include <linux/pgtable.h>

struct batch {
	int nr;
	int err;
	unsigned long addr[16];
};

static int good_balanced(struct batch *b)
{
	int i;

	lazy_mmu_mode_enable();
	for (i = 0; i < b->nr; i++)
		set_pte_at_addr(b->addr[i]);
	lazy_mmu_mode_disable();
	return 0;
}

static int bad_early_return(struct batch *b)
{
	lazy_mmu_mode_enable();
	if (b->err)
		return -EINVAL;
	flush_batch(b);
	lazy_mmu_mode_disable();
	return 0;
}

static void bad_end_of_function(struct batch *b)
{
	lazy_mmu_mode_enable();
	flush_batch(b);
	if (b->nr)
		lazy_mmu_mode_disable();
}

static int bad_goto_past_close(struct batch *b)
{
	int ret = 0;

	lazy_mmu_mode_enable();
	if (b->err) {
		ret = b->err;
		goto out;
	}
	flush_batch(b);
	lazy_mmu_mode_disable();
out:
	return ret;
}

static void bad_break_out_of_loop(struct batch *b)
{
	int i;

	for (i = 0; i < b->nr; i++) {
		lazy_mmu_mode_enable();
		if (!b->addr[i])
			break;
		set_pte_at_addr(b->addr[i]);
		lazy_mmu_mode_disable();
	}
}

static int bad_switch_case(struct batch *b, int mode)
{
	lazy_mmu_mode_enable();
	switch (mode) {
	case 0:
		flush_batch(b);
		break;
	case 1:
		return -EAGAIN;
	default:
		break;
	}
	lazy_mmu_mode_disable();
	return 0;
}

static void bad_pause_left(struct batch *b)
{
	lazy_mmu_mode_pause();
	if (b->err)
		return;
	wait_for_batch(b);
	lazy_mmu_mode_resume();
}

static int bad_inner_level_left(struct batch *b)
{
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	flush_batch(b);
	lazy_mmu_mode_disable();
	if (b->err)
		return b->err;
	lazy_mmu_mode_disable();
	return 0;
}

static int good_nested(struct batch *b)
{
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	flush_batch(b);
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable();
	return 0;
}

static int good_continue(struct batch *b)
{
	int i;

	for (i = 0; i < b->nr; i++) {
		lazy_mmu_mode_enable();
		if (!b->addr[i]) {
			lazy_mmu_mode_disable();
			continue;
		}
		set_pte_at_addr(b->addr[i]);
		lazy_mmu_mode_disable();
	}
	return 0;
}

/*
 * check-exit-value: 1
 *
 * check-output-start
unbalanced.c:30:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:28:2: note: lazy MMU section opened here
unbalanced.c:29:2: note: following the 'true' branch (when 'b->err')
unbalanced.c:42:1: warning: reaching the end of the function with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:38:2: note: lazy MMU section opened here
unbalanced.c:40:2: note: following the 'false' branch (when 'b->nr' is false)
unbalanced.c:51:3: warning: jumping to 'out' skips the close: the function returns with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:48:2: note: lazy MMU section opened here
unbalanced.c:49:2: note: following the 'true' branch (when 'b->err')
unbalanced.c:56:2: note: returning here
unbalanced.c:66:4: warning: 'break' skips the close: the function returns with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:64:3: note: lazy MMU section opened here
unbalanced.c:63:2: note: following the 'true' branch (when 'i < b->nr')
unbalanced.c:65:3: note: following the 'true' branch (when '!b->addr[i]')
unbalanced.c:70:1: note: the function ends here
unbalanced.c:80:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:74:2: note: lazy MMU section opened here
unbalanced.c:79:2: note: taking 'case 1:'
unbalanced.c:92:3: warning: returning with lazy MMU mode still paused [lazy-mmu-unbalanced-return]
unbalanced.c:90:2: note: lazy MMU mode paused here
unbalanced.c:91:2: note: following the 'true' branch (when 'b->err')
unbalanced.c:104:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
unbalanced.c:99:2: note: lazy MMU section opened here
unbalanced.c:103:2: note: following the 'true' branch (when 'b->err')
 * check-output-end
 */
