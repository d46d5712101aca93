// SPDX-License-Identifier: GPL-2.0
/*
 * Summaries of summaries, in the worst file order: this file calls
 * walk_begin() (b_walk.c), which calls batch_begin() (c_batch.c), and
 * neither this file nor b_walk.c mentions the lazy MMU API by name.  The
 * checker has to learn batch_begin() first, then walk_begin(), then check
 * the callers here.
 *
 * check-command: lazy-mmu-check chain
 */

static int bad_walk_user(struct walk *w)
{
	walk_begin(w);
	if (walk_step(w))
		return -EAGAIN;
	walk_end(w);
	return 0;
}

static int good_walk_user(struct walk *w)
{
	int err;

	walk_begin(w);
	err = walk_step(w);
	walk_end(w);
	return err;
}

/*
 * check-exit-value: 1
 *
 * check-output-start
chain/a_user.c:16:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
chain/a_user.c:14:2: note: lazy MMU section opened here by walk_begin(), which returns with it open
chain/b_walk.c:7:2: note: walk_begin() opens it here, by a call of batch_begin(), which returns with it open
chain/c_batch.c:8:2: note: batch_begin() opens it here
chain/a_user.c:15:2: note: following the 'true' branch (when 'walk_step(w)')
 * check-output-end
 */
