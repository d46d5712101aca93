// SPDX-License-Identifier: GPL-2.0-only
/*
 * spatch 1.1.1 cannot parse a definition that starts with "noinstr"
 * followed by a two-word type, and skips the whole function without a
 * word.  The rule finds the calls it did not see in the text of the file
 * and lists them as "kept (not parsed)"; the other function is converted.
 * parse_failure_macros.c is the same code run with the macro file.
 */

static noinstr unsigned long demo_noinstr_update(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
	return 0;
}

static void demo_plain_update(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();	/* arch_leave_lazy_mmu_mode() below */
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
}
