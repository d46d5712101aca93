#!/usr/bin/env python3
# uses: no lazy-mmu-check (steps and edits only)
"""Unit tests of lazy_mmu_tools/edits.py, spatch.py and steps.py.

The steps run on a small kernel-shaped tree written below: the files each
step edits, in the shapes Linux 6.12 has them (arm64 in the shape of 6.15
to 6.19), cut down to what the steps look at.  The real 6.12 tree is
t3010's business.  Prints TAP.
"""

import os
import shutil
import subprocess
import sys
import tempfile

TESTS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TESTS)
sys.path.insert(0, TOP)
sys.path.insert(0, TESTS)

from lazy_mmu_tools import edits, spatch, stepkit, steps  # noqa: E402
from lazy_mmu_tools.edits import EditError, FileEditor  # noqa: E402
from lazy_mmu_tools.stepkit import StepError  # noqa: E402
from libtap import Tap, TestFailure, check  # noqa: E402

MINI = {
    "include/linux/pgtable.h": """\
#ifndef _LINUX_PGTABLE_H
#define _LINUX_PGTABLE_H

#include <linux/mm_types.h>
#include <linux/page_table_check.h>

/*
 * Lazy MMU batching: page table updates between enter and leave may be
 * deferred.  (In practice a lock is held). Nesting is not permitted
 * and the mode cannot be used in interrupt context.
 */
#ifndef __HAVE_ARCH_ENTER_LAZY_MMU_MODE
#define arch_enter_lazy_mmu_mode()	do {} while (0)
#define arch_leave_lazy_mmu_mode()	do {} while (0)
#define arch_flush_lazy_mmu_mode()	do {} while (0)
#endif

#endif /* _LINUX_PGTABLE_H */
""",
    # Without <linux/sched.h>, as 6.1's: generic-sched-include applies.
    "include/linux/gfp.h": """\
#ifndef __LINUX_GFP_H
#define __LINUX_GFP_H

#include <linux/mmzone.h>
#include <linux/topology.h>

#endif /* __LINUX_GFP_H */
""",
    "include/linux/sched.h": """\
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

struct task_struct {
	int				pid;

	struct page_frag		task_frag;

	int				prio;
};

#endif
""",
    "include/linux/mm_types_task.h": """\
#ifndef _LINUX_MM_TYPES_TASK_H
#define _LINUX_MM_TYPES_TASK_H

struct page_frag {
	void *page;
};

#endif /* _LINUX_MM_TYPES_TASK_H */
""",
    "mm/Kconfig": """\
menu "Memory Management options"

config ARCH_HAS_PTE_SPECIAL
	bool

config MAPPING_DIRTY_HELPERS
	bool

endmenu
""",
    "mm/Makefile": "obj-y += memory.o\n",
    "mm/internal.h": """\
static inline void flush_range(pte_t *pte)
{
	arch_enter_lazy_mmu_mode();
	pte_clear(pte);
	arch_leave_lazy_mmu_mode();
}
""",
    "mm/memory.c": """\
static void zap_range(pte_t *pte, int n)
{
	int i;

	arch_enter_lazy_mmu_mode();
	for (i = 0; i < n; i++)
		pte_clear(pte + i);
	arch_leave_lazy_mmu_mode();
}
""",
    "arch/x86/Kconfig": """\
config PARAVIRT
	bool "Enable paravirtualization code"

config PARAVIRT_XXL
	bool

config PARAVIRT_DEBUG
	bool "paravirt-ops debugging"
	depends on PARAVIRT
""",
    "arch/x86/include/asm/paravirt.h": """\
#ifdef CONFIG_PARAVIRT_XXL
#define  __HAVE_ARCH_ENTER_LAZY_MMU_MODE
static inline void arch_enter_lazy_mmu_mode(void)
{
	PVOP_VCALL0(mmu.lazy_mode.enter);
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	PVOP_VCALL0(mmu.lazy_mode.leave);
}

static inline void arch_flush_lazy_mmu_mode(void)
{
	PVOP_VCALL0(mmu.lazy_mode.flush);
}
#endif
""",
    "arch/x86/include/asm/pgtable.h": """\
#ifdef CONFIG_PARAVIRT_XXL
#include <asm/paravirt.h>
#else  /* !CONFIG_PARAVIRT_XXL */
#define pte_val(x)	native_pte_val(x)

#define arch_end_context_switch(prev)	do {} while(0)
#endif	/* CONFIG_PARAVIRT_XXL */
""",
    "arch/x86/include/asm/thread_info.h": """\
#define TIF_BLOCKSTEP		25	/* set when we want DEBUGCTLMSR_BTF */
#define TIF_LAZY_MMU_UPDATES	27	/* task is updating the mmu lazily */
#define TIF_ADDR32		29	/* 32-bit address space on 64 bits */

#define _TIF_BLOCKSTEP		(1 << TIF_BLOCKSTEP)
#define _TIF_LAZY_MMU_UPDATES	(1 << TIF_LAZY_MMU_UPDATES)
#define _TIF_ADDR32		(1 << TIF_ADDR32)
""",
    "arch/x86/boot/compressed/misc.h": """\
#undef CONFIG_PARAVIRT
#undef CONFIG_PARAVIRT_XXL
#undef CONFIG_PARAVIRT_SPINLOCKS
""",
    "arch/x86/entry/vdso/vdso32/fake_32bit_build.h": """\
#undef CONFIG_64BIT
#undef CONFIG_PARAVIRT_XXL
""",
    "arch/x86/mm/pat/set_memory.c": """\
void kernel_map_pages(void)
{
	arch_flush_lazy_mmu_mode();
}
""",
    "arch/x86/xen/mmu_pv.c": """\
static void xen_enter_lazy_mmu(void)
{
	enter_lazy(XEN_LAZY_MMU);
}

static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	leave_lazy(XEN_LAZY_MMU);
	preempt_enable();
}

static void xen_flush_lazy_mmu(void)
{
	preempt_disable();

	if (xen_get_lazy_mode() == XEN_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}

	preempt_enable();
}
""",
    "arch/x86/xen/enlighten_pv.c": """\
static void xen_start_context_switch(struct task_struct *prev)
{
	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
	}
	enter_lazy(XEN_LAZY_CPU);
}

static void xen_end_context_switch(struct task_struct *next)
{
	leave_lazy(XEN_LAZY_CPU);
	if (test_and_clear_ti_thread_flag(task_thread_info(next), TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}
""",
    "arch/powerpc/platforms/Kconfig.cputype": """\
config PPC_BOOK3S_64
	bool "Server processors"
	select PPC_FPU
	select IRQ_WORK

config PPC_BOOK3E_64
	bool "Embedded processors"
""",
    "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h": """\
struct ppc64_tlb_batch {
	int			active;
	unsigned long		index;
};

#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE

static inline void arch_enter_lazy_mmu_mode(void)
{
	struct ppc64_tlb_batch *batch;

	if (radix_enabled())
		return;
	preempt_disable();
	batch = this_cpu_ptr(&ppc64_tlb_batch);
	batch->active = 1;
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	struct ppc64_tlb_batch *batch;

	if (radix_enabled())
		return;
	batch = this_cpu_ptr(&ppc64_tlb_batch);

	if (batch->index)
		__flush_tlb_pending(batch);
	batch->active = 0;
	preempt_enable();
}

#define arch_flush_lazy_mmu_mode()      do {} while (0)

extern void hash__tlbiel_all(unsigned int action);
""",
    "arch/powerpc/include/asm/thread_info.h": """\
#define TLF_SLEEPING		1	/* suspend code enabled SLEEP mode */
#define TLF_LAZY_MMU		3	/* tlb_batch is active */
#define TLF_RUNLATCH		4	/* Is the runlatch enabled? */

#define _TLF_SLEEPING		(1 << TLF_SLEEPING)
#define _TLF_LAZY_MMU		(1 << TLF_LAZY_MMU)
#define _TLF_RUNLATCH		(1 << TLF_RUNLATCH)
""",
    "arch/powerpc/kernel/process.c": """\
struct task_struct *__switch_to(struct task_struct *prev,
	struct task_struct *new)
{
	struct task_struct *last;
#ifdef CONFIG_PPC_64S_HASH_MMU
	struct ppc64_tlb_batch *batch;
#endif

	WARN_ON(!irqs_disabled());

#ifdef CONFIG_PPC_64S_HASH_MMU
	batch = this_cpu_ptr(&ppc64_tlb_batch);
	if (batch->active) {
		current_thread_info()->local_flags |= _TLF_LAZY_MMU;
		if (batch->index)
			__flush_tlb_pending(batch);
		batch->active = 0;
	}

	cp_abort_if_needed(new);
#endif

	last = _switch(prev, new);

#ifdef CONFIG_PPC_BOOK3S_64
#ifdef CONFIG_PPC_64S_HASH_MMU
	/*
	 * Re-activate the batch of a task switched out in lazy MMU mode.
	 */
	if (current_thread_info()->local_flags & _TLF_LAZY_MMU) {
		current_thread_info()->local_flags &= ~_TLF_LAZY_MMU;
		batch = this_cpu_ptr(&ppc64_tlb_batch);
		batch->active = 1;
	}
#endif

	restore_math_if_needed();
#endif
	return last;
}
""",
    "arch/powerpc/mm/book3s64/hash_tlb.c": """\
void hpte_need_flush(struct mm_struct *mm, unsigned long addr)
{
	struct ppc64_tlb_batch *batch = &get_cpu_var(ppc64_tlb_batch);

	if (!batch->active) {
		flush_hash_page(addr);
		put_cpu_var(ppc64_tlb_batch);
		return;
	}
	batch->index++;
	put_cpu_var(ppc64_tlb_batch);
}
""",
    "arch/sparc/Kconfig": """\
config SPARC64
	def_bool 64BIT
	select HAVE_NMI
	select SPARSE_IRQ

config ARCH_PROC_KCORE_TEXT
	def_bool y
""",
    "arch/sparc/include/asm/tlbflush_64.h": """\
struct tlb_batch {
	struct mm_struct *mm;
	unsigned long tlb_nr;
	unsigned long active;
};

#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE

void flush_tlb_pending(void);
void arch_enter_lazy_mmu_mode(void);
void arch_leave_lazy_mmu_mode(void);
#define arch_flush_lazy_mmu_mode()      do {} while (0)
""",
    "arch/sparc/mm/tlb.c": """\
void arch_enter_lazy_mmu_mode(void)
{
	struct tlb_batch *tb;

	preempt_disable();
	tb = this_cpu_ptr(&tlb_batch);
	tb->active = 1;
}

void arch_leave_lazy_mmu_mode(void)
{
	struct tlb_batch *tb = this_cpu_ptr(&tlb_batch);

	if (tb->tlb_nr)
		flush_tlb_pending();
	tb->active = 0;
	preempt_enable();
}

static void tlb_add_one(struct mm_struct *mm, unsigned long vaddr)
{
	struct tlb_batch *tb = &get_cpu_var(tlb_batch);

	if (!tb->active) {
		flush_now(mm, vaddr);
		return;
	}
	tb->tlb_nr++;
}
""",
    "arch/arm64/Kconfig": """\
config ARM64
	def_bool y
	select ARCH_HAS_PTE_SPECIAL

config ARM64_PAGE_SHIFT
	int
""",
    "arch/arm64/include/asm/thread_info.h": """\
#define TIF_TSC_SIGSEGV		30	/* SIGSEGV on counter-timer access */
#define TIF_LAZY_MMU		31	/* Task in lazy mmu mode */
#define TIF_LAZY_MMU_PENDING	32	/* Ops pending for lazy mmu mode exit */
""",
    "arch/arm64/include/asm/pgtable.h": """\
static inline void queue_pte_barriers(void)
{
	unsigned long flags;

	if (in_interrupt()) {
		emit_pte_barriers();
		return;
	}

	flags = read_thread_flags();

	if (flags & BIT(TIF_LAZY_MMU)) {
		if (!(flags & BIT(TIF_LAZY_MMU_PENDING)))
			set_thread_flag(TIF_LAZY_MMU_PENDING);
	} else {
		emit_pte_barriers();
	}
}

#define  __HAVE_ARCH_ENTER_LAZY_MMU_MODE
static inline void arch_enter_lazy_mmu_mode(void)
{
	/*
	 * Sections nest in practice, and nesting is tolerated here: the
	 * first leave ends batching for the outer section too.
	 */

	if (in_interrupt())
		return;

	set_thread_flag(TIF_LAZY_MMU);
}

static inline void arch_flush_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;

	if (test_and_clear_thread_flag(TIF_LAZY_MMU_PENDING))
		emit_pte_barriers();
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;

	arch_flush_lazy_mmu_mode();
	clear_thread_flag(TIF_LAZY_MMU);
}
""",
}

# ---------------------------------------------------------------------------

results = []


def case(desc, spatch=False):
    """Register a case; spatch=True: it runs spatch (a skip without it,
    a failure in CI), the others run everywhere."""
    def wrap(fn):
        results.append((desc, fn, spatch))
        return fn
    return wrap


def write_tree(root, files):
    for path, text in files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


def text(root, path):
    with open(os.path.join(root, path)) as f:
        return f.read()


class Scratch:
    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="t3000.")
        return self.dir

    def __exit__(self, *exc):
        shutil.rmtree(self.dir)


def mini_tree(root, extra=None, drop=()):
    files = dict(MINI)
    files.update(extra or {})
    for d in drop:
        files.pop(d)
    write_tree(root, files)
    return root


expect = check


def raises(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        return e
    raise TestFailure("%s not raised" % exc.__name__)


def step(name):
    for s in steps.all_steps():
        if s.name == name:
            return s
    raise KeyError(name)


def run_until(root, last):
    """Apply every step up to and including last."""
    for s in steps.all_steps():
        s.apply(root)
        if s.name == last:
            return


# --- edits.py --------------------------------------------------------------

KCONFIG = """\
config A
	bool "a"
	select X
	select Y if Z

config B
	def_bool y

config C
	bool
"""


@case("kconfig_add_select: after the entry's last select, once")
def test_kconfig_add_select_after_the_entry_s_last_select_once():
    out = edits.kconfig_add_select(KCONFIG, "A", "NEW")
    expect("\tselect Y if Z\n\tselect NEW\n\nconfig B" in out, out)
    expect(edits.kconfig_add_select(out, "A", "NEW") == out, "not idempotent")


@case("kconfig_add_select: after the type line when there is no select")
def test_kconfig_add_select_after_the_type_line_when_there_is_no_sele():
    out = edits.kconfig_add_select(KCONFIG, "B", "NEW", cond="W")
    expect("config B\n\tdef_bool y\n\tselect NEW if W\n" in out, out)


@case("kconfig_add_select: a missing entry is an error")
def test_kconfig_add_select_a_missing_entry_is_an_error():
    e = raises(EditError, edits.kconfig_add_select, KCONFIG, "NOPE", "NEW")
    expect("NOPE" in str(e), str(e))


@case("kconfig_add_entry: after the named entry, once")
def test_kconfig_add_entry_after_the_named_entry_once():
    block = "config NEW\n\tbool\n\n"
    out = edits.kconfig_add_entry(KCONFIG, block, "B")
    expect("config B\n\tdef_bool y\n\nconfig NEW\n\tbool\n\nconfig C" in out,
           out)
    expect(edits.kconfig_add_entry(out, block, "B") == out, "not idempotent")


@case("remove_lines: no doubled blank line left behind")
def test_remove_lines_no_doubled_blank_line_left_behind():
    out, n = edits.remove_lines("a\n\n#define X 1\n\nb\n", r"#define\s+X\b")
    expect((out, n) == ("a\n\nb\n", 1), repr(out))
    out, n = edits.remove_lines("a\n#define X 1\n#define XY 2\n",
                                r"#define\s+X\b")
    expect((out, n) == ("a\n#define XY 2\n", 1), repr(out))


@case("insert_after/insert_before: idempotent, error on a missing anchor")
def test_insert_after_insert_before_idempotent_error_on_a_missing_anc():
    t = "one\ntwo\n"
    out = edits.insert_after(t, r"^one\n", "new\n", "one")
    expect(out == "one\nnew\ntwo\n", out)
    expect(edits.insert_after(out, r"^one\n", "new\n", "one") == out, "twice")
    out = edits.insert_before(t, r"^two", "new\n", "two")
    expect(out == "one\nnew\ntwo\n", out)
    e = raises(EditError, edits.insert_after, t, r"^three", "x\n",
               "the third line")
    expect("the third line not found" in str(e), str(e))


@case("replace_block: done-pattern means nothing to do, else an error")
def test_replace_block_done_pattern_means_nothing_to_do_else_an_error():
    expect(edits.replace_block("new\n", r"^old\n", "new\n", "old",
                               done=r"^new$") == "new\n", "done")
    raises(EditError, edits.replace_block, "other\n", r"^old\n", "new\n",
           "old", done=r"^new$")


@case("FileEditor: writes changed and new files only, at commit()")
def test_fileeditor_writes_changed_and_new_files_only_at_commit():
    with Scratch() as root:
        write_tree(root, {"a": "1\n", "b": "2\n"})
        ed = FileEditor(root)
        ed.edit("a", lambda t: t + "x\n")
        ed.edit("b", lambda t: t)
        ed.set("d/new", "n\n")
        expect(text(root, "a") == "1\n", "written before commit")
        expect(ed.commit() == ["a", "d/new"], ed.changed())
        expect(text(root, "a") == "1\nx\n" and text(root, "d/new") == "n\n",
               "content")
        raises(EditError, FileEditor(root).get, "missing")


KCONFIG_61 = """\
config ARCH_HAS_PTE_SPECIAL
	bool

#
# Some architectures require a special hugepage directory format.
#
config ARCH_HAS_HUGEPD
	bool

source "mm/damon/Kconfig"

endmenu
"""


@case("kconfig_entry: the comment above the next entry is not part of it")
def test_kconfig_entry_stops_before_the_next_entry_s_comment():
    start, end = edits.kconfig_entry(KCONFIG_61, "ARCH_HAS_PTE_SPECIAL")
    expect(KCONFIG_61[start:end] == "config ARCH_HAS_PTE_SPECIAL\n\tbool\n",
           repr(KCONFIG_61[start:end]))
    out = edits.kconfig_add_entry(KCONFIG_61, "config NEW\n\tbool\n\n",
                                  "ARCH_HAS_PTE_SPECIAL")
    expect("config ARCH_HAS_PTE_SPECIAL\n\tbool\n\nconfig NEW\n\tbool\n\n#\n"
           "# Some architectures" in out, out)


@case("kconfig_add_entry: before the last line matching 'before'")
def test_kconfig_add_entry_before_the_damon_menu():
    out = edits.kconfig_add_entry(KCONFIG_61, "config NEW\n\tbool\n\n",
                                  before=r'^source "mm/damon/Kconfig"')
    expect(out.endswith('config ARCH_HAS_HUGEPD\n\tbool\n\nconfig NEW\n'
                        '\tbool\n\nsource "mm/damon/Kconfig"\n\nendmenu\n'),
           out)
    raises(EditError, edits.kconfig_add_entry, KCONFIG_61,
           "config NEW\n\tbool\n\n", before=r"^no such line")


@case("kconfig_add_select: in its alphabetical place in a sorted list")
def test_kconfig_add_select_alphabetical_in_a_sorted_list():
    many = "".join("\tselect ARCH_HAS_T%02d\n" % i for i in range(20))
    sorted_kc = ("config ARM64\n\tdef_bool y\n\tselect ARCH_HAS_A\n"
                 "\tselect ARCH_HAS_ZZ\n\tselect ARCH_HAS_B\n"
                 "\tselect ARCH_HAS_KEEPINITRD\n"
                 "\tselect ARCH_HAS_MEMBARRIER_SYNC_CORE\n"
                 "\tselect ARCH_HAS_PTE_SPECIAL\n\tselect ARCH_HAS_SET_MEMORY\n"
                 + many + "\n")
    out = edits.kconfig_add_select(sorted_kc, "ARM64",
                                   "ARCH_HAS_LAZY_MMU_MODE")
    expect("\tselect ARCH_HAS_KEEPINITRD\n\tselect ARCH_HAS_LAZY_MMU_MODE\n"
           "\tselect ARCH_HAS_MEMBARRIER_SYNC_CORE\n" in out, out)
    short = "config P\n\tbool\n\tselect B\n\tselect C\n\tselect D\n\n"
    out = edits.kconfig_add_select(short, "P", "A")
    expect(out == short.replace("D\n\n", "D\n\tselect A\n\n"), out)


@case("kconfig_add_select: after the depends line of an entry without select")
def test_kconfig_add_select_at_the_end_of_an_entry_without_select():
    kc = ("config PARAVIRT_XXL\n\tbool\n\tdepends on X86_64\n\n"
          "config PARAVIRT_DEBUG\n\tbool\n")
    out = edits.kconfig_add_select(kc, "PARAVIRT_XXL", "NEW")
    expect(out.startswith("config PARAVIRT_XXL\n\tbool\n\tdepends on X86_64\n"
                          "\tselect NEW\n\nconfig PARAVIRT_DEBUG"), out)


FLAGS = """\
#define TIF_BLOCKSTEP		26	/* set when we want DEBUGCTLMSR_BTF */
#define TIF_LAZY_MMU_UPDATES	27	/* task is updating the mmu lazily */
#define TIF_ADDR32		28	/* 32-bit address space on 64 bits */

#define _TIF_BLOCKSTEP		BIT(TIF_BLOCKSTEP)
#define _TIF_LAZY_MMU_UPDATES	BIT(TIF_LAZY_MMU_UPDATES)
#define _TIF_ADDR32		BIT(TIF_ADDR32)
"""


@case("remove_flag: the last flag takes the freed number, masks go too")
def test_remove_flag_renumbers_the_last_flag():
    out = edits.remove_flag(FLAGS, "TIF_LAZY_MMU_UPDATES")
    expect(out == FLAGS.replace(
        "#define TIF_LAZY_MMU_UPDATES\t27\t/* task is updating the mmu "
        "lazily */\n#define TIF_ADDR32\t\t28", "#define TIF_ADDR32\t\t27"
    ).replace("#define _TIF_LAZY_MMU_UPDATES\tBIT(TIF_LAZY_MMU_UPDATES)\n",
              ""), out)
    expect(edits.remove_flag(out, "TIF_LAZY_MMU_UPDATES") == out, "twice")


@case("remove_flag: no renumbering across a hole or before another flag")
def test_remove_flag_keeps_numbers_across_a_hole():
    holed = FLAGS.replace("TIF_ADDR32\t\t28", "TIF_ADDR32\t\t29")
    out = edits.remove_flag(holed, "TIF_LAZY_MMU_UPDATES")
    expect("#define TIF_ADDR32\t\t29\t" in out and "UPDATES" not in out, out)
    more = FLAGS.replace("/* 32-bit address space on 64 bits */\n",
                         "/* 32-bit address space on 64 bits */\n"
                         "#define TIF_OTHER\t\t29\n")
    out = edits.remove_flag(more, "TIF_LAZY_MMU_UPDATES")
    expect("#define TIF_ADDR32\t\t28\t" in out, out)


@case("ShapeSet: the first known form, or an error naming every form")
def test_shapeset_names_the_forms_it_knows():
    from lazy_mmu_tools.shapes import Shape, ShapeSet
    shapes = ShapeSet("the thing", Shape("old", r"^old$"),
                      Shape("new", r"^new$"))
    expect(shapes.name("x\nnew\n") == "new", "new")
    expect(shapes.name("x\n") is None and shapes.name(None) is None, "none")
    try:
        shapes.require("x\n", "f.h")
    except ValueError as e:
        expect(str(e) == "f.h: the thing not found (known shapes: old, new)",
               str(e))
    else:
        raise TestFailure("no error")


# --- spatch.py -------------------------------------------------------------

RENAME = """\
// Options: --no-includes --include-headers
virtual patch
virtual report
@depends on patch@
@@
- old_call();
+ new_call();
@r depends on report@
position p;
@@
old_call@p();
@script:python depends on report@
p << r.p;
@@
coccilib.report.print_report(p[0], "old call")
"""


@case("prefilter: whole words, chosen extensions; grep and walk agree")
def test_prefilter_whole_words_chosen_extensions_grep_and_walk_agree():
    with Scratch() as root:
        write_tree(root, {"mm/a.c": "x old_call();\n",
                          "mm/b.c": "x old_call_2();\n",
                          "mm/c.h": "old_call\n",
                          "mm/d.S": "old_call\n",
                          "fs/e.c": "nothing\n"})
        got = spatch.prefilter(root, ("mm", "fs", "nodir"), ("old_call",))
        expect(got == ["mm/a.c", "mm/c.h"], got)
        real = spatch.shutil.which
        spatch.shutil.which = lambda name: None if name == "grep" else \
            real(name)
        try:
            walked = spatch.prefilter(root, ("mm", "fs"), ("old_call",))
        finally:
            spatch.shutil.which = real
        expect(walked == got, walked)


@case("run_spatch: edits in place, lists changed files and reports", spatch=True)
def test_run_spatch_edits_in_place_lists_changed_files_and_reports():
    with Scratch() as root:
        write_tree(root, {"r.cocci": RENAME,
                          "t/a.c": "void f(void)\n{\n\told_call();\n}\n",
                          "t/b.c": "void g(void)\n{\n}\n"})
        rep = spatch.run_spatch(os.path.join(root, "r.cocci"),
                                ["t/a.c", "t/b.c"], root, mode="report",
                                in_place=False)
        expect(rep.reports == ["t/a.c:3: old call"], rep.reports)
        res = spatch.run_spatch(os.path.join(root, "r.cocci"),
                                ["t/a.c", "t/b.c"], root)
        expect(res.changed == ["t/a.c"], res.changed)
        expect("\tnew_call();" in text(root, "t/a.c"), text(root, "t/a.c"))


@case("run_spatch: the tree's .cocciconfig is not read", spatch=True)
def test_run_spatch_the_tree_s_cocciconfig_is_not_read():
    with Scratch() as root:
        write_tree(root, {"r.cocci": RENAME,
                          ".cocciconfig": "[spatch]\n\toptions = --no-such-option\n",
                          "a.c": "void f(void)\n{\n\told_call();\n}\n"})
        res = spatch.run_spatch(os.path.join(root, "r.cocci"), ["a.c"], root)
        expect(res.changed == ["a.c"], res.stderr)


@case("run_spatch: a per-file exception is an error, not a skip", spatch=True)
def test_run_spatch_a_per_file_exception_is_an_error_not_a_skip():
    bad = RENAME.replace('coccilib.report.print_report(p[0], "old call")',
                         'raise RuntimeError("boom")')
    with Scratch() as root:
        write_tree(root, {"r.cocci": bad,
                          "a.c": "void f(void)\n{\n\told_call();\n}\n",
                          "b.c": "void g(void)\n{\n\told_call();\n}\n"})
        raises(spatch.SpatchError, spatch.run_spatch,
               os.path.join(root, "r.cocci"), ["a.c", "b.c"], root,
               mode="report", in_place=False)


@case("run_spatch: a missing spatch or rule is a clear error")
def test_run_spatch_a_missing_spatch_or_rule_is_a_clear_error():
    with Scratch() as root:
        write_tree(root, {"r.cocci": RENAME, "a.c": "int x;\n"})
        old = os.environ.get("SPATCH")
        os.environ["SPATCH"] = "/nonexistent/spatch"
        try:
            e = raises(spatch.SpatchError, spatch.run_spatch,
                       os.path.join(root, "r.cocci"), ["a.c"], root)
            expect("spatch not found" in str(e), str(e))
        finally:
            if old is None:
                del os.environ["SPATCH"]
            else:
                os.environ["SPATCH"] = old
        e = raises(spatch.SpatchError, spatch.run_spatch,
                   os.path.join(root, "none.cocci"), ["a.c"], root)
        expect("missing" in str(e), str(e))


# --- steps.py --------------------------------------------------------------

@case("all_steps: order, unique names, arch tags, kernel-style subjects")
def test_all_steps_order_unique_names_arch_tags_kernel_style_subjects():
    names = [s.name for s in steps.all_steps()]
    expect(len(set(names)) == len(names), names)
    order = ["arch-powerpc-switch", "arch-x86-flush", "arch-x86-nested",
             "arch-powerpc-flush", "arch-sparc-flush", "generic-sched-include",
             "generic", "callers", "generic-fallbacks",
             "arch-arm64", "arch-powerpc", "arch-sparc", "arch-x86"]
    expect(names == order, names)
    for s in steps.all_steps():
        expect(s.subject and len(s.subject) <= 75 and ": " in s.subject,
               s.subject)
        expect(not s.subject.endswith("."), s.subject)
        expect(all(len(l) <= 75 for l in s.body.splitlines()), s.name)
        if s.name.startswith("arch-"):
            expect(s.arch == s.name.split("-")[1], s.name)
        else:
            expect(s.arch is None, s.name)
        cocci = getattr(s, "cocci_name", None) or getattr(s, "cocci", None)
        if cocci:
            expect("cocci/" + cocci in s.body.replace("\n", " "), s.name)


@case("mini tree: every step is todo, applies, then is done", spatch=True)
def test_mini_tree_every_step_is_todo_applies_then_is_done():
    with Scratch() as root:
        mini_tree(root)
        for s in steps.all_steps():
            expect(s.applicable(root), s.name + " not applicable")
            expect(s.status(root) == "todo", "%s: %s" % (s.name,
                                                         s.status(root)))
            changed = s.apply(root)
            expect(changed, s.name + " changed nothing")
            expect(s.status(root) == "done", "%s after: %s"
                   % (s.name, s.status(root)))


@case("mini tree: status of every step before any is applied")
def test_mini_tree_status_of_every_step_before_any_is_applied():
    with Scratch() as root:
        mini_tree(root)
        got = [(s.name, s.status(root)) for s in steps.all_steps()]
        expect(all(st == "todo" for _, st in got), got)
        e = raises(StepError, step("generic-fallbacks").apply, root)
        expect("generic step must come first" in str(e), str(e))


@case("mini tree: a second run changes nothing", spatch=True)
def test_mini_tree_a_second_run_changes_nothing():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        before = snapshot(root)
        for s in steps.all_steps():
            expect(s.status(root) == "done", s.name)
            expect(s.apply(root) == [], s.name)
        expect(snapshot(root) == before, "files changed on the second run")


@case("mini tree: the converted tree has the generic layer everywhere", spatch=True)
def test_mini_tree_the_converted_tree_has_the_generic_layer_everywher():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        pg = text(root, "include/linux/pgtable.h")
        for want in ("static inline void lazy_mmu_mode_enable(void)\n{",
                     "static inline void lazy_mmu_mode_resume(void) {}",
                     "#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE",
                     "arch_flush_lazy_mmu_mode();",
                     "in_interrupt()",
                     " *\tlazy_mmu_mode_pause();"):
            expect(want in pg, want)
        expect("#define arch_enter_lazy_mmu_mode()" not in pg, "fallbacks")
        expect("__HAVE_ARCH_ENTER_LAZY_MMU_MODE" not in pg, "old opt-in")
        expect("Nesting is not permitted" not in pg, "old comment")
        sched = text(root, "include/linux/sched.h")
        expect("\tstruct lazy_mmu_state\t\tlazy_mmu_state;" in sched, sched)
        expect("static inline bool is_lazy_mmu_mode_active(void)" in sched,
               sched)
        expect(sched.rstrip().endswith("#endif"), "sched.h end")
        expect("struct lazy_mmu_state {" in
               text(root, "include/linux/mm_types_task.h"), "state type")
        kc = text(root, "mm/Kconfig")
        expect("config ARCH_HAS_LAZY_MMU_MODE\n\tbool\n" in kc, kc)
        expect("depends on ARCH_HAS_LAZY_MMU_MODE && KUNIT=y" in kc, kc)
        expect("tests/lazy_mmu_mode_kunit.o" in text(root, "mm/Makefile"),
               "Makefile")
        expect("kunit_test_suite(" in
               text(root, "mm/tests/lazy_mmu_mode_kunit.c"), "test")
        for kconfig, sym in (("arch/x86/Kconfig", "PARAVIRT_XXL"),
                             ("arch/powerpc/platforms/Kconfig.cputype",
                              "PPC_BOOK3S_64"),
                             ("arch/sparc/Kconfig", "SPARC64"),
                             ("arch/arm64/Kconfig", "ARM64")):
            t = text(root, kconfig)
            entry = t[t.index("config %s\n" % sym):]
            entry = entry[:entry.index("\n\n")]
            expect("\tselect ARCH_HAS_LAZY_MMU_MODE" in entry, kconfig)
        for hdr in ("arch/x86/include/asm/paravirt.h",
                    "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h",
                    "arch/sparc/include/asm/tlbflush_64.h",
                    "arch/arm64/include/asm/pgtable.h"):
            expect("__HAVE_ARCH_ENTER_LAZY_MMU_MODE" not in text(root, hdr),
                   hdr)
        expect("#undef CONFIG_PARAVIRT_SPINLOCKS\n"
               "#undef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n"
               in text(root, "arch/x86/boot/compressed/misc.h"), "undef")
        expect(text(root, "arch/x86/entry/vdso/vdso32/fake_32bit_build.h") ==
               MINI["arch/x86/entry/vdso/vdso32/fake_32bit_build.h"], "vdso32")
        expect("static inline void arch_flush_lazy_mmu_mode(void) {}\n"
               "#endif\t/* CONFIG_PARAVIRT_XXL */" in
               text(root, "arch/x86/include/asm/pgtable.h"), "x86 stub")
        for path in ("mm/memory.c", "mm/internal.h"):
            mem = text(root, path)
            expect("lazy_mmu_mode_enable();" in mem and
                   "lazy_mmu_mode_disable();" in mem and "arch_" not in mem,
                   mem)


@case("mini tree: arch rewrites give the upstream shapes", spatch=True)
def test_mini_tree_arch_rewrites_give_the_upstream_shapes():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        mmu = text(root, "arch/x86/xen/mmu_pv.c")
        expect("static void xen_flush_lazy_mmu(void)\n{\n\tpreempt_disable();"
               "\n\txen_mc_flush();\n\tpreempt_enable();\n}" in mmu, mmu)
        expect("\tif (this_cpu_read(xen_lazy_mode) != XEN_LAZY_MMU)\n"
               "\t\tenter_lazy(XEN_LAZY_MMU);\n" in mmu and
               "\tif (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU)\n"
               "\t\tleave_lazy(XEN_LAZY_MMU);\n" in mmu, mmu)
        en = text(root, "arch/x86/xen/enlighten_pv.c")
        expect("if (__task_lazy_mmu_mode_active(next))\n\t\t"
               "arch_enter_lazy_mmu_mode();" in en, en)
        expect("TIF_LAZY_MMU_UPDATES" not in en + text(
            root, "arch/x86/include/asm/thread_info.h"), "TIF flag left")
        expect("#define TIF_ADDR32" in text(
            root, "arch/x86/include/asm/thread_info.h"), "neighbour lost")
        ph = text(root, "arch/powerpc/include/asm/book3s/64/tlbflush-hash.h")
        expect("static inline void arch_flush_lazy_mmu_mode(void)\n{" in ph, ph)
        expect("active" not in ph and "do {} while (0)" not in ph, ph)
        expect("if (!is_lazy_mmu_mode_active()) {" in
               text(root, "arch/powerpc/mm/book3s64/hash_tlb.c"), "ppc reader")
        proc = text(root, "arch/powerpc/kernel/process.c")
        expect("batch" not in proc and "TLF_LAZY_MMU" not in proc, proc)
        expect("cp_abort_if_needed(new);" in proc and
               "restore_math_if_needed();" in proc, proc)
        expect("TLF_LAZY_MMU" not in text(
            root, "arch/powerpc/include/asm/thread_info.h"), "TLF")
        sh = text(root, "arch/sparc/include/asm/tlbflush_64.h")
        expect("void arch_flush_lazy_mmu_mode(void);" in sh and
               "active" not in sh, sh)
        st = text(root, "arch/sparc/mm/tlb.c")
        expect("void arch_flush_lazy_mmu_mode(void)\n{" in st and
               "if (!is_lazy_mmu_mode_active()) {" in st and
               "->active" not in st, st)
        ap = text(root, "arch/arm64/include/asm/pgtable.h")
        expect("if (is_lazy_mmu_mode_active()) {" in ap, ap)
        expect("TIF_LAZY_MMU)" not in ap and "in_interrupt" not in ap and
               "tolerated" not in ap, ap)
        ti = text(root, "arch/arm64/include/asm/thread_info.h")
        expect("TIF_LAZY_MMU\t" not in ti and "TIF_LAZY_MMU_PENDING" in ti, ti)


@case("review sites: the Xen context switch calls, after the conversion", spatch=True)
def test_review_sites_the_xen_context_switch_calls_after_the_conversi():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        sites = []
        for s in steps.all_steps():
            sites += s.review_sites(root)
        paths = sorted(set(x.split(":")[0] for x in sites))
        expect(paths == ["arch/x86/xen/enlighten_pv.c"], sites)
        lines = sorted(set(int(x.split(":")[1]) for x in sites))
        expect(lines == [4, 12], sites)
        expect(all("split across functions" in x for x in sites), sites)


@case("generic: refuses an arch whose opt-in it does not know")
def test_generic_refuses_an_arch_whose_opt_in_it_does_not_know():
    with Scratch() as root:
        mini_tree(root, {"arch/foo/include/asm/lazy.h":
                         "#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n"})
        before = snapshot(root)
        e = raises(StepError, step("generic").apply, root)
        expect("arch/foo/include/asm/lazy.h" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("generic: refuses a pgtable.h of unknown shape, writes nothing")
def test_generic_refuses_a_pgtable_h_of_unknown_shape_writes_nothing():
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": "/* nothing here */\n"})
        before = snapshot(root)
        e = raises(StepError, step("generic").apply, root)
        expect("pgtable.h" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("generic: a half-done generic layer is 'partial', then completed")
def test_generic_a_half_done_generic_layer_is_partial_then_completed():
    with Scratch() as root:
        mini_tree(root)
        g = step("generic")
        g.apply(root)
        with open(os.path.join(root, "include/linux/sched.h"), "w") as f:
            f.write(MINI["include/linux/sched.h"])
        expect(g.status(root) == "partial", g.status(root))
        expect(g.apply(root) == ["include/linux/sched.h"], "re-apply")
        expect(g.status(root) == "done", g.status(root))


@case("generic: a tree converted upstream-style is left alone", spatch=True)
def test_generic_a_tree_converted_upstream_style_is_left_alone():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        # Another wording of the comment and of the Makefile line, as a
        # tree converted by hand or by upstream may have.
        pg = text(root, "include/linux/pgtable.h").replace(
            " *\tlazy_mmu_mode_pause();\n", " *   lazy_mmu_mode_pause();\n")
        mk = text(root, "mm/Makefile").replace(" += tests/", " +=  tests/")
        write_tree(root, {"include/linux/pgtable.h": pg, "mm/Makefile": mk})
        before = snapshot(root)
        g = step("generic")
        expect(g.status(root) == "done", g.status(root))
        expect(g.apply(root) == [], "changed")
        expect(snapshot(root) == before, "tree changed")


@case("generic: review lists arches whose flush step was skipped", spatch=True)
def test_generic_review_lists_arches_whose_flush_step_was_skipped():
    with Scratch() as root:
        mini_tree(root)
        for s in steps.all_steps():
            if s.arch != "sparc":
                s.apply(root)
        sites = step("generic").review_sites(root)
        expect(len(sites) == 1 and sites[0].startswith(
            "arch/sparc/include/asm/tlbflush_64.h:10: "
            "arch_flush_lazy_mmu_mode() is still empty"), sites)


@case("generic: finishes a tree that has only the Kconfig symbol")
def test_generic_finishes_a_tree_that_has_only_the_kconfig_symbol():
    # The shape upstream had after its Kconfig patch and before the
    # helpers: the opt-in moved to Kconfig, the fallbacks keyed on the new
    # symbol, the rule sentence on one comment line.
    pg = MINI["include/linux/pgtable.h"].replace(
        " * deferred.  (In practice a lock is held). Nesting is not permitted\n"
        " * and the mode cannot be used in interrupt context.\n",
        " * deferred.  (In practice a lock is held).\n *\n"
        " * Nesting is not permitted and the mode cannot be used in interrupt context.\n"
    ).replace("#ifndef __HAVE_ARCH_ENTER_LAZY_MMU_MODE",
              "#ifndef CONFIG_ARCH_HAS_LAZY_MMU_MODE")
    kc = MINI["mm/Kconfig"].replace(
        "config MAPPING_DIRTY_HELPERS",
        "config ARCH_HAS_LAZY_MMU_MODE\n\tbool\n\nconfig MAPPING_DIRTY_HELPERS")
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": pg, "mm/Kconfig": kc})
        g = step("generic")
        expect(g.status(root) == "partial", g.status(root))
        g.apply(root)
        out = text(root, "include/linux/pgtable.h")
        expect("static inline void lazy_mmu_mode_enable(void)\n{" in out, out)
        expect("Nesting is not permitted" not in out, out)
        expect(" *\tlazy_mmu_mode_pause();" in out, out)
        kc = text(root, "mm/Kconfig")
        expect(kc.count("config ARCH_HAS_LAZY_MMU_MODE\n") == 1 and
               "config LAZY_MMU_MODE_KUNIT_TEST" in kc, kc)
        sites = [x for x in g.review_sites(root) if "pgtable.h" in x]
        expect(sites == [], sites)


@case("generic: a comment in unknown words is kept and listed for review")
def test_generic_a_comment_in_unknown_words_is_kept_and_listed_for_re():
    pg = MINI["include/linux/pgtable.h"].replace(
        "Nesting is not permitted\n * and the mode cannot be used in interrupt context.",
        "Do not nest sections.")
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": pg})
        g = step("generic")
        g.apply(root)
        out = text(root, "include/linux/pgtable.h")
        expect("Do not nest sections." in out and
               "lazy_mmu_mode_enable(void)\n{" in out, out)
        sites = [x for x in g.review_sites(root) if "pgtable.h" in x]
        expect(len(sites) == 1 and sites[0].startswith(
            "include/linux/pgtable.h:") and "comment" in sites[0], sites)


@case("a tree converted with other spellings of the stubs is done", spatch=True)
def test_a_tree_converted_with_other_spellings_of_the_stubs_is_done():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        for path in ("include/linux/pgtable.h",
                     "arch/x86/include/asm/pgtable.h"):
            write_tree(root, {path: text(root, path).replace(
                "(void) {}", "(void) { }")})
        before = snapshot(root)
        for s in steps.all_steps():
            expect(s.status(root) == "done", "%s: %s" % (s.name,
                                                         s.status(root)))
            expect(s.apply(root) == [], s.name)
        expect(snapshot(root) == before, "tree changed")


@case("generic-fallbacks: refuses while a generic caller is legacy")
def test_generic_fallbacks_refuses_while_a_generic_caller_is_legacy():
    with Scratch() as root:
        mini_tree(root)
        step("generic").apply(root)
        before = snapshot(root)
        f = step("generic-fallbacks")
        e = raises(StepError, f.apply, root)
        expect("mm/internal.h:3: arch_enter_lazy_mmu_mode() still called: "
               "convert the callers first (4 call(s) left)" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")
        sites = f.review_sites(root)
        expect(len(sites) == 4 and sites[2].startswith("mm/memory.c:5:"),
               sites)


@case("callers: a missing semantic patch is a clear error")
def test_callers_a_missing_semantic_patch_is_a_clear_error():
    with Scratch() as root:
        mini_tree(root)
        empty = os.path.join(root, "no-cocci")
        os.mkdir(empty)
        old = stepkit.COCCI_DIR
        stepkit.COCCI_DIR = empty
        try:
            e = raises(StepError, step("callers").apply, root)
        finally:
            stepkit.COCCI_DIR = old
        expect(str(e) == "cocci/lazy_mmu_callers.cocci missing", str(e))


@case("arch step: a semantic patch that does nothing is caught", spatch=True)
def test_arch_step_a_semantic_patch_that_does_nothing_is_caught():
    with Scratch() as root:
        mini_tree(root)
        fake = os.path.join(root, "fake-cocci")
        os.mkdir(fake)
        with open(os.path.join(fake, "lazy_mmu_arch_sparc.cocci"), "w") as f:
            f.write("virtual patch\nvirtual flush\nvirtual state\n"
                    "@depends on patch@\n@@\n- no_such_call();\n")
        old = stepkit.COCCI_DIR
        stepkit.COCCI_DIR = fake
        try:
            e = raises(StepError, step("arch-sparc-flush").apply, root)
        finally:
            stepkit.COCCI_DIR = old
        expect("arch/sparc/mm/tlb.c does not have the expected result"
               in str(e), str(e))


@case("arch-x86: keeps TIF_LAZY_MMU_UPDATES while another user remains", spatch=True)
def test_arch_x86_keeps_tif_lazy_mmu_updates_while_another_user_remai():
    extra = {"arch/x86/kernel/other.c":
             "int f(void)\n{\n\treturn test_thread_flag(TIF_LAZY_MMU_UPDATES);\n}\n"}
    with Scratch() as root:
        mini_tree(root, extra)
        run_until(root, "arch-x86")
        expect("TIF_LAZY_MMU_UPDATES" in
               text(root, "arch/x86/include/asm/thread_info.h"), "removed")
        x = step("arch-x86")
        expect(x.status(root) == "partial", x.status(root))
        sites = x.review_sites(root)
        expect(any(s.startswith("arch/x86/kernel/other.c:3:") and
                   "TIF_LAZY_MMU_UPDATES" in s for s in sites), sites)


@case("arch-powerpc-switch: an unknown __switch_to() is refused untouched")
def test_arch_powerpc_switch_an_unknown_switch_to_is_refused_untouche():
    odd = MINI["arch/powerpc/kernel/process.c"].replace(
        "\t\tbatch->active = 1;\n", "\t\tbatch->active = 1;\n\t\tnote();\n")
    odd = odd.replace("#ifdef CONFIG_PPC_BOOK3S_64\n#ifdef CONFIG_PPC_64S_HASH_MMU\n",
                      "#ifdef CONFIG_PPC_BOOK3S_64\n#if defined(CONFIG_PPC_64S_HASH_MMU)\n")
    with Scratch() as root:
        mini_tree(root, {"arch/powerpc/kernel/process.c": odd})
        before = snapshot(root)
        e = raises(StepError, step("arch-powerpc-switch").apply, root)
        expect("re-activation" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("applicable: arm64 and Xen steps only where the tree has them")
def test_applicable_arm64_and_xen_steps_only_where_the_tree_has_them():
    with Scratch() as root:
        mini_tree(root, drop=("arch/arm64/include/asm/pgtable.h",
                              "arch/x86/xen/mmu_pv.c"))
        expect(not step("arch-arm64").applicable(root), "arm64")
        expect(not step("arch-x86-flush").applicable(root), "xen flush")
        expect(step("arch-x86").applicable(root), "x86 state")


# --- the shapes of other trees ----------------------------------------------

PGTABLE_619 = MINI["include/linux/pgtable.h"].replace(
    "#define arch_enter_lazy_mmu_mode()\tdo {} while (0)\n"
    "#define arch_leave_lazy_mmu_mode()\tdo {} while (0)\n"
    "#define arch_flush_lazy_mmu_mode()\tdo {} while (0)\n",
    "static inline void arch_enter_lazy_mmu_mode(void) {}\n"
    "static inline void arch_leave_lazy_mmu_mode(void) {}\n"
    "static inline void arch_flush_lazy_mmu_mode(void) {}\n")

PGTABLE_61 = MINI["include/linux/pgtable.h"].replace(
    " * deferred.  (In practice a lock is held). Nesting is not permitted\n"
    " * and the mode cannot be used in interrupt context.\n",
    " * deferred.  This mode can only be entered and left under the\n"
    " * protection of the page table locks for all page tables which may be\n"
    " * modified.  In the UP case, this is required so that preemption is\n"
    " * disabled.\n")


@case("generic: the static inline fallbacks of 6.19 stay in the #else")
def test_generic_keeps_the_inline_fallbacks_of_619():
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": PGTABLE_619})
        step("generic").apply(root)
        pg = text(root, "include/linux/pgtable.h")
        expect("static inline void lazy_mmu_mode_enable(void)\n{" in pg, pg)
        expect("#else /* !CONFIG_ARCH_HAS_LAZY_MMU_MODE */\n" in pg and
               "\nstatic inline void arch_flush_lazy_mmu_mode(void) {}\n"
               "#endif /* CONFIG_ARCH_HAS_LAZY_MMU_MODE */\n" in pg, pg)
        expect("__HAVE_ARCH_ENTER_LAZY_MMU_MODE" not in pg, pg)
        write_tree(root, {"mm/memory.c": "", "mm/internal.h": ""})
        step("generic-fallbacks").apply(root)
        pg = text(root, "include/linux/pgtable.h")
        expect("arch_enter_lazy_mmu_mode(void) {}" not in pg and
               "lazy_mmu_mode_resume(void) {}" in pg, pg)


@case("generic: 6.1's comment (sections under the page table locks)")
def test_generic_rewrites_the_comment_of_61():
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": PGTABLE_61})
        step("generic").apply(root)
        pg = text(root, "include/linux/pgtable.h")
        expect("page table locks" not in pg and "UP case" not in pg, pg)
        expect(" * No lock is guaranteed to be held between entering and "
               "leaving the mode:" in pg and " *\tlazy_mmu_mode_pause();" in pg,
               pg)
        sites = [x for x in step("generic").review_sites(root)
                 if "pgtable.h" in x]
        expect(sites == [], sites)


PGTABLE_THIN = MINI["include/linux/pgtable.h"].replace(
    "#ifndef __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n"
    "#define arch_enter_lazy_mmu_mode()\tdo {} while (0)\n"
    "#define arch_leave_lazy_mmu_mode()\tdo {} while (0)\n"
    "#define arch_flush_lazy_mmu_mode()\tdo {} while (0)\n"
    "#endif\n",
    "#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n"
    "static inline void lazy_mmu_mode_enable(void)\n{\n"
    "\tarch_enter_lazy_mmu_mode();\n}\n\n"
    "static inline void lazy_mmu_mode_disable(void)\n{\n"
    "\tarch_leave_lazy_mmu_mode();\n}\n"
    "#else\n"
    "static inline void lazy_mmu_mode_enable(void) {}\n"
    "static inline void lazy_mmu_mode_disable(void) {}\n"
    "#endif\n")


@case("generic: upstream's thin helpers (patch 07 alone) become nestable")
def test_generic_replaces_the_thin_helpers_of_upstream_patch_07():
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": PGTABLE_THIN})
        g = step("generic")
        expect("pgtable.h lazy MMU layer: thin helpers" in
               steps.tree_shapes(root), steps.tree_shapes(root))
        expect(g.status(root) == "todo", g.status(root))
        g.apply(root)
        pg = text(root, "include/linux/pgtable.h")
        expect(pg.count("static inline void lazy_mmu_mode_enable(void)\n{")
               == 1 and "state->enable_count++ == 0" in pg, pg)
        expect("arch_enter_lazy_mmu_mode()\tdo" not in pg and
               "Empty arch callbacks" not in pg, pg)
        expect(g.status(root) == "done", g.status(root))


KUNIT_VISIBILITY = """\
#define EXPORT_SYMBOL_IF_KUNIT(symbol) EXPORT_SYMBOL_NS(symbol, \\
	    EXPORTED_FOR_KUNIT_TESTING)
"""
MODULE_H_STRINGIFY = ("#define MODULE_IMPORT_NS(ns)\t"
                      "MODULE_INFO(import_ns, __stringify(ns))\n")
MODULE_H_STRING = "#define MODULE_IMPORT_NS(ns)\tMODULE_INFO(import_ns, ns)\n"
HASH_TLB_EXPORTED = """\
#include <linux/mm.h>
#include <asm/tlbflush.h>

DEFINE_PER_CPU(struct ppc64_tlb_batch, ppc64_tlb_batch);

void __flush_tlb_pending(struct ppc64_tlb_batch *batch)
{
	batch->index = 0;
}
""" + MINI["arch/powerpc/mm/book3s64/hash_tlb.c"]


@case("generic: a KUnit module where the tree has EXPORT_SYMBOL_IF_KUNIT()")
def test_generic_kunit_module_with_exports():
    for module_h, ns in ((MODULE_H_STRINGIFY,
                          "MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);"),
                         (MODULE_H_STRING,
                          'MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");')):
        with Scratch() as root:
            mini_tree(root, {"include/kunit/visibility.h": KUNIT_VISIBILITY,
                             "include/linux/module.h": module_h,
                             "arch/powerpc/mm/book3s64/hash_tlb.c":
                             HASH_TLB_EXPORTED,
                             "arch/sparc/mm/tlb.c": "#include <linux/mm.h>\n\n"
                             + MINI["arch/sparc/mm/tlb.c"]})
            step("arch-sparc-flush").apply(root)
            step("generic").apply(root)
            kc = text(root, "mm/Kconfig")
            expect("\ttristate \"KUnit test" in kc and
                   "depends on ARCH_HAS_LAZY_MMU_MODE && KUNIT\n" in kc, kc)
            test = text(root, "mm/tests/lazy_mmu_mode_kunit.c")
            expect("\n" + ns + "\n" in test, ns)
            ppc = text(root, "arch/powerpc/mm/book3s64/hash_tlb.c")
            expect("#include <asm/tlbflush.h>\n#include <kunit/visibility.h>\n"
                   in ppc, ppc)
            expect("ppc64_tlb_batch);\nEXPORT_SYMBOL_IF_KUNIT(ppc64_tlb_batch);"
                   "\n" in ppc and "\tbatch->index = 0;\n}\n"
                   "EXPORT_SYMBOL_IF_KUNIT(__flush_tlb_pending);\n" in ppc, ppc)
            tlb = text(root, "arch/sparc/mm/tlb.c")
            for fn in ("arch_enter_lazy_mmu_mode", "arch_flush_lazy_mmu_mode",
                       "arch_leave_lazy_mmu_mode"):
                expect("}\nEXPORT_SYMBOL_IF_KUNIT(%s);\n" % fn in tlb, tlb)


@case("generic: a built-in KUnit test where the tree cannot export to it")
def test_generic_kunit_builtin_without_exports():
    with Scratch() as root:
        mini_tree(root)
        step("generic").apply(root)
        kc = text(root, "mm/Kconfig")
        expect("\tbool \"KUnit test" in kc and "KUNIT=y" in kc, kc)
        expect("MODULE_IMPORT_NS" not in
               text(root, "mm/tests/lazy_mmu_mode_kunit.c"), "import")
        expect("EXPORT_SYMBOL" not in text(root, "arch/sparc/mm/tlb.c"),
               "sparc export")


@case("generic: Kconfig entries at the end of the mm menu, not mid-entry")
def test_generic_kconfig_entries_go_before_the_damon_menu():
    with Scratch() as root:
        mini_tree(root, {"mm/Kconfig": "menu \"mm\"\n\n" + KCONFIG_61})
        step("generic").apply(root)
        kc = text(root, "mm/Kconfig")
        expect(kc.index("config ARCH_HAS_HUGEPD") <
               kc.index("config ARCH_HAS_LAZY_MMU_MODE") <
               kc.index("config LAZY_MMU_MODE_KUNIT_TEST") <
               kc.index('source "mm/damon/Kconfig"'), kc)
        expect("#\nconfig ARCH_HAS_HUGEPD" in kc, kc)


@case("generic-sched-include: only where gfp.h does not include sched.h")
def test_sched_include_only_where_needed():
    with Scratch() as root:
        mini_tree(root)
        s = step("generic-sched-include")
        expect(s.applicable(root) and s.status(root) == "todo", "todo")
        expect(s.apply(root) == ["include/linux/pgtable.h"], "apply")
        pg = text(root, "include/linux/pgtable.h")
        expect("#include <linux/page_table_check.h>\n"
               "#include <linux/sched.h>\n" in pg, pg)
        expect(s.status(root) == "done", "done")
    with Scratch() as root:
        gfp = MINI["include/linux/gfp.h"].replace(
            "#include <linux/mmzone.h>\n",
            "#include <linux/mmzone.h>\n#include <linux/sched.h>\n")
        mini_tree(root, {"include/linux/gfp.h": gfp})
        expect(not step("generic-sched-include").applicable(root), "6.12")
        expect("task_struct in <linux/pgtable.h>: gfp.h includes sched.h"
               in steps.tree_shapes(root), steps.tree_shapes(root))


PARAVIRT_C_61 = """\
static DEFINE_PER_CPU(enum paravirt_lazy_mode, paravirt_lazy_mode) = PARAVIRT_LAZY_NONE;

void paravirt_enter_lazy_mmu(void)
{
	enter_lazy(PARAVIRT_LAZY_MMU);
}

void paravirt_leave_lazy_mmu(void)
{
	leave_lazy(PARAVIRT_LAZY_MMU);
}

void paravirt_flush_lazy_mmu(void)
{
	preempt_disable();

	if (paravirt_get_lazy_mode() == PARAVIRT_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}

	preempt_enable();
}

#ifdef CONFIG_PARAVIRT_XXL
void paravirt_start_context_switch(struct task_struct *prev)
{
	BUG_ON(preemptible());

	if (this_cpu_read(paravirt_lazy_mode) == PARAVIRT_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
	}
	enter_lazy(PARAVIRT_LAZY_CPU);
}

void paravirt_end_context_switch(struct task_struct *next)
{
	BUG_ON(preemptible());

	leave_lazy(PARAVIRT_LAZY_CPU);

	if (test_and_clear_ti_thread_flag(task_thread_info(next), TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}
#endif
"""
MMU_PV_61 = """\
static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	paravirt_leave_lazy_mmu();
	preempt_enable();
}

static const typeof(pv_ops) xen_mmu_ops __initconst = {
	.mmu = {
		.lazy_mode = {
			.enter = paravirt_enter_lazy_mmu,
			.leave = xen_leave_lazy_mmu,
			.flush = paravirt_flush_lazy_mmu,
		},
	},
};
"""
X86_61 = {
    "arch/x86/kernel/paravirt.c": PARAVIRT_C_61,
    "arch/x86/xen/mmu_pv.c": MMU_PV_61,
    "arch/x86/include/asm/paravirt_types.h":
        "void paravirt_leave_lazy_mmu(void);\n"
        "void paravirt_flush_lazy_mmu(void);\n",
}


@case("x86, 6.1 shape: Xen's own flush, tolerant paravirt mode, switch",
      spatch=True)
def test_x86_steps_on_the_paravirt_lazy_mode_of_61():
    with Scratch() as root:
        mini_tree(root, X86_61, drop=("arch/x86/xen/enlighten_pv.c",))
        expect("x86 Xen PV lazy MMU mode: paravirt, nested enter BUG()s" in
               steps.tree_shapes(root), steps.tree_shapes(root))
        run_until(root, "arch-x86")
        pv = text(root, "arch/x86/kernel/paravirt.c")
        expect("paravirt_flush_lazy_mmu" not in pv, pv)
        expect("\tif (this_cpu_read(paravirt_lazy_mode) != PARAVIRT_LAZY_MMU)\n"
               "\t\tenter_lazy(PARAVIRT_LAZY_MMU);\n" in pv and
               "\tif (this_cpu_read(paravirt_lazy_mode) == PARAVIRT_LAZY_MMU)\n"
               "\t\tleave_lazy(PARAVIRT_LAZY_MMU);\n" in pv, pv)
        expect("if (__task_lazy_mmu_mode_active(next))\n"
               "\t\tarch_enter_lazy_mmu_mode();" in pv, pv)
        mmu = text(root, "arch/x86/xen/mmu_pv.c")
        expect("static void xen_flush_lazy_mmu(void)\n{\n\tpreempt_disable();\n"
               "\txen_mc_flush();\n\tpreempt_enable();\n}\n" in mmu and
               ".flush = xen_flush_lazy_mmu," in mmu, mmu)
        expect("paravirt_flush_lazy_mmu" not in
               text(root, "arch/x86/include/asm/paravirt_types.h"), "proto")
        for s in steps.all_steps():
            expect(s.status(root) == "done", "%s: %s" % (s.name,
                                                         s.status(root)))


@case("arch-x86: the context switch is refused while Xen's enter is strict")
def test_x86_state_refuses_a_strict_xen_lazy_mode():
    with Scratch() as root:
        mini_tree(root)
        before = snapshot(root)
        e = raises(StepError, step("arch-x86").apply, root)
        expect("arch/x86/xen/mmu_pv.c does not tolerate a nested lazy MMU "
               "enter" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("arch-arm64: TIF_LAZY_MMU_PENDING takes the freed number", spatch=True)
def test_arm64_pending_flag_renumbered():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-arm64")
        ti = text(root, "arch/arm64/include/asm/thread_info.h")
        expect("#define TIF_LAZY_MMU_PENDING\t31\t" in ti and
               "TIF_LAZY_MMU\t" not in ti, ti)
        ap = text(root, "arch/arm64/include/asm/pgtable.h")
        expect("static inline void arch_enter_lazy_mmu_mode(void) {}\n" in ap,
               ap)


@case("tree_shapes: the forms the mini tree has, by name")
def test_tree_shapes_of_the_mini_tree():
    with Scratch() as root:
        mini_tree(root)
        got = steps.tree_shapes(root)
        for want in ("pgtable.h lazy MMU layer: empty macros",
                     "pgtable.h lazy MMU comment: no nesting, no interrupts",
                     "KUnit test: built-in",
                     "x86 Xen PV lazy MMU mode: xen, nested enter BUG()s",
                     "x86 Xen PV flush callback: xen, flush idiom",
                     "arm64 lazy MMU tracking: TIF_LAZY_MMU"):
            expect(want in got, got)


# ---------------------------------------------------------------------------

def main():
    have_spatch = shutil.which(os.environ.get("SPATCH") or "spatch")
    tap = Tap()
    for desc, fn, needs_spatch in results:
        if needs_spatch and not have_spatch:
            tap.skip_missing(desc, "spatch")
        else:
            tap.case(desc, fn)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
