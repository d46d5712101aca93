// SPDX-License-Identifier: GPL-2.0
/*
 * The arch rule, run on arch/x86/xen/lazy_arch.c: only the owner section
 * in hv_update_range() is reported; callback definitions, the flush idiom,
 * the split context switch and direct flush calls are not.
 *
 * check-command: lazy-mmu-check arch/x86/xen/lazy_arch.c
 */

/*
 * check-exit-value: 1
 *
 * check-output-start
arch/x86/xen/lazy_arch.c:50:2: warning: legacy arch_enter_lazy_mmu_mode() outside the arch callbacks: use lazy_mmu_mode_enable() [lazy-mmu-legacy-call]
arch/x86/xen/lazy_arch.c:53:2: warning: legacy arch_leave_lazy_mmu_mode() outside the arch callbacks: use lazy_mmu_mode_disable() [lazy-mmu-legacy-call]
arch/x86/xen/lazy_arch.c:50:2: note: the section it closes was opened here
 * check-output-end
 */
