/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Macro hints for spatch 1.1.1 on kernel code, for the lazy MMU rules.
 *
 * Without them the C parser of spatch gives up on a function whose
 * definition starts with one of these attributes (for example
 * "static noinstr unsigned long f(void)"), and the function is skipped
 * without a word.  lazy_mmu_callers.cocci lists such calls as
 * "kept (not parsed)"; with this file they are converted.
 *
 *   spatch --macro-file cocci/lazy_mmu_macros.h ...
 *   make coccicheck ... SPFLAGS="--macro-file $PWD/cocci/lazy_mmu_macros.h"
 *
 * Each line was checked with spatch 1.1.1: the attribute alone makes the
 * function above unparsable, the hint makes it parse.
 */
#define noinstr
#define nokprobe_inline
#define __cpuidle
#define __flatten
#define __no_kcsan
#define __alloc_size(...)
