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
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, TOP)

from lazy_mmu_tools import edits, spatch, stepkit, steps  # noqa: E402
from lazy_mmu_tools.edits import EditError, FileEditor  # noqa: E402
from lazy_mmu_tools.stepkit import StepError  # noqa: E402

MINI = {
    "include/linux/pgtable.h": """\
#ifndef _LINUX_PGTABLE_H
#define _LINUX_PGTABLE_H

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


def case(desc):
    def wrap(fn):
        results.append((desc, fn))
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


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def raises(exc, fn, *args, **kw):
    try:
        fn(*args, **kw)
    except exc as e:
        return e
    raise AssertionError("%s not raised" % exc.__name__)


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
def _():
    out = edits.kconfig_add_select(KCONFIG, "A", "NEW")
    expect("\tselect Y if Z\n\tselect NEW\n\nconfig B" in out, out)
    expect(edits.kconfig_add_select(out, "A", "NEW") == out, "not idempotent")


@case("kconfig_add_select: after the type line when there is no select")
def _():
    out = edits.kconfig_add_select(KCONFIG, "B", "NEW", cond="W")
    expect("config B\n\tdef_bool y\n\tselect NEW if W\n" in out, out)


@case("kconfig_add_select: a missing entry is an error")
def _():
    e = raises(EditError, edits.kconfig_add_select, KCONFIG, "NOPE", "NEW")
    expect("NOPE" in str(e), str(e))


@case("kconfig_add_entry: after the named entry, once")
def _():
    block = "config NEW\n\tbool\n\n"
    out = edits.kconfig_add_entry(KCONFIG, block, "B")
    expect("config B\n\tdef_bool y\n\nconfig NEW\n\tbool\n\nconfig C" in out,
           out)
    expect(edits.kconfig_add_entry(out, block, "B") == out, "not idempotent")


@case("remove_lines: no doubled blank line left behind")
def _():
    out, n = edits.remove_lines("a\n\n#define X 1\n\nb\n", r"#define\s+X\b")
    expect((out, n) == ("a\n\nb\n", 1), repr(out))
    out, n = edits.remove_lines("a\n#define X 1\n#define XY 2\n",
                                r"#define\s+X\b")
    expect((out, n) == ("a\n#define XY 2\n", 1), repr(out))


@case("insert_after/insert_before: idempotent, error on a missing anchor")
def _():
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
def _():
    expect(edits.replace_block("new\n", r"^old\n", "new\n", "old",
                               done=r"^new$") == "new\n", "done")
    raises(EditError, edits.replace_block, "other\n", r"^old\n", "new\n",
           "old", done=r"^new$")


@case("FileEditor: writes changed and new files only, at commit()")
def _():
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
def _():
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


@case("run_spatch: edits in place, lists changed files and reports")
def _():
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


@case("run_spatch: the tree's .cocciconfig is not read")
def _():
    with Scratch() as root:
        write_tree(root, {"r.cocci": RENAME,
                          ".cocciconfig": "[spatch]\n\toptions = --no-such-option\n",
                          "a.c": "void f(void)\n{\n\told_call();\n}\n"})
        res = spatch.run_spatch(os.path.join(root, "r.cocci"), ["a.c"], root)
        expect(res.changed == ["a.c"], res.stderr)


@case("run_spatch: a per-file exception is an error, not a skip")
def _():
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
def _():
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
def _():
    names = [s.name for s in steps.all_steps()]
    expect(len(set(names)) == len(names), names)
    order = ["arch-powerpc-switch", "arch-x86-flush", "arch-x86-nested",
             "arch-powerpc-flush", "arch-sparc-flush", "generic", "callers", "generic-fallbacks",
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


@case("mini tree: every step is todo, applies, then is done")
def _():
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
def _():
    with Scratch() as root:
        mini_tree(root)
        got = [(s.name, s.status(root)) for s in steps.all_steps()]
        expect(all(st == "todo" for _, st in got), got)
        e = raises(StepError, step("generic-fallbacks").apply, root)
        expect("generic step must come first" in str(e), str(e))


@case("mini tree: a second run changes nothing")
def _():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        before = snapshot(root)
        for s in steps.all_steps():
            expect(s.status(root) == "done", s.name)
            expect(s.apply(root) == [], s.name)
        expect(snapshot(root) == before, "files changed on the second run")


@case("mini tree: the converted tree has the generic layer everywhere")
def _():
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


@case("mini tree: arch rewrites give the upstream shapes")
def _():
    with Scratch() as root:
        mini_tree(root)
        run_until(root, "arch-x86")
        mmu = text(root, "arch/x86/xen/mmu_pv.c")
        expect("static void xen_flush_lazy_mmu(void)\n{\n\tpreempt_disable();"
               "\n\n\txen_mc_flush();\n\n\tpreempt_enable();\n}" in mmu, mmu)
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


@case("review sites: the Xen context switch calls, after the conversion")
def _():
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
def _():
    with Scratch() as root:
        mini_tree(root, {"arch/foo/include/asm/lazy.h":
                         "#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE\n"})
        before = snapshot(root)
        e = raises(StepError, step("generic").apply, root)
        expect("arch/foo/include/asm/lazy.h" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("generic: refuses a pgtable.h of unknown shape, writes nothing")
def _():
    with Scratch() as root:
        mini_tree(root, {"include/linux/pgtable.h": "/* nothing here */\n"})
        before = snapshot(root)
        e = raises(StepError, step("generic").apply, root)
        expect("pgtable.h" in str(e), str(e))
        expect(snapshot(root) == before, "tree changed")


@case("generic: a half-done generic layer is 'partial', then completed")
def _():
    with Scratch() as root:
        mini_tree(root)
        g = step("generic")
        g.apply(root)
        with open(os.path.join(root, "include/linux/sched.h"), "w") as f:
            f.write(MINI["include/linux/sched.h"])
        expect(g.status(root) == "partial", g.status(root))
        expect(g.apply(root) == ["include/linux/sched.h"], "re-apply")
        expect(g.status(root) == "done", g.status(root))


@case("generic: a tree converted upstream-style is left alone")
def _():
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


@case("generic: review lists arches whose flush step was skipped")
def _():
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
def _():
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
def _():
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


@case("a tree converted with other spellings of the stubs is done")
def _():
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
def _():
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
def _():
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


@case("arch step: a semantic patch that does nothing is caught")
def _():
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


@case("arch-x86: keeps TIF_LAZY_MMU_UPDATES while another user remains")
def _():
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
def _():
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
def _():
    with Scratch() as root:
        mini_tree(root, drop=("arch/arm64/include/asm/pgtable.h",
                              "arch/x86/xen/mmu_pv.c"))
        expect(not step("arch-arm64").applicable(root), "arm64")
        expect(not step("arch-x86-flush").applicable(root), "xen flush")
        expect(step("arch-x86").applicable(root), "x86 state")


# ---------------------------------------------------------------------------

def main():
    if not shutil.which(os.environ.get("SPATCH") or "spatch"):
        # in CI (CI=true) a missing spatch fails (tests/libtap.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import libtap
        tap = libtap.Tap()
        tap.skip_missing("steps and edits", "spatch")
        return tap.done()
    failed = 0
    for n, (desc, fn) in enumerate(results, 1):
        try:
            fn()
            print("ok %d - %s" % (n, desc))
        except Exception:
            failed += 1
            print("not ok %d - %s" % (n, desc))
            for line in traceback.format_exc().splitlines():
                print("#   " + line)
    print("1..%d" % len(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
