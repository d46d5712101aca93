/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_SPARC_TLBFLUSH_H
#define _ASM_SPARC_TLBFLUSH_H

void arch_enter_lazy_mmu_mode(void);
void arch_leave_lazy_mmu_mode(void);

#endif
