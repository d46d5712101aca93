// SPDX-License-Identifier: GPL-2.0
/*
 * A static function with the same name as one.c's wrapper, unrelated to
 * lazy MMU: its callers here must not get one.c's summary.  The header's
 * static inline wrappers do apply here.
 *
 * check-command: lazy-mmu-check statics
 */
#include "batch.h"

static void begin_update(struct pt *pt)
{
	pt->nr = 0;
}

static int good_two_user(struct pt *pt)
{
	begin_update(pt);
	lazy_mmu_mode_enable();
	pt_update(pt);
	lazy_mmu_mode_disable();
	return 0;
}

static int bad_header_user(struct pt *pt)
{
	pt_lazy_begin();
	if (pt_update(pt))
		return -EIO;
	pt_lazy_end();
	return 0;
}

/*
 * check-exit-value: 1
 *
 * check-output-start
statics/one.c:15:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
statics/one.c:13:2: note: lazy MMU section opened here by begin_update(), which returns with it open
statics/one.c:8:2: note: begin_update() opens it here
statics/one.c:14:2: note: following the 'true' branch (when 'pt_update(pt)')
statics/two.c:29:3: warning: returning with a lazy MMU section still open [lazy-mmu-unbalanced-return]
statics/two.c:27:2: note: lazy MMU section opened here by pt_lazy_begin(), which returns with it open
statics/batch.h:7:2: note: pt_lazy_begin() opens it here
statics/two.c:28:2: note: following the 'true' branch (when 'pt_update(pt)')
 * check-output-end
 */
