/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_X86_PARAVIRT_H
#define _ASM_X86_PARAVIRT_H

static inline void arch_enter_lazy_mmu_mode(void)
{
	pv_lazy_enter();
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	pv_lazy_leave();
}

#endif
