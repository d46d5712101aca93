// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test of the lazy MMU mode helpers of <linux/pgtable.h>:
 * lazy_mmu_mode_enable(), lazy_mmu_mode_disable(), lazy_mmu_mode_pause()
 * and lazy_mmu_mode_resume().
 *
 * Suite lazy_mmu_mode walks the current task through sequences of calls
 * and checks its lazy_mmu_state and is_lazy_mmu_mode_active() after every
 * step.  The sequences are balanced, so a failing expectation never leaves
 * the task in lazy MMU mode.
 *
 * Suite lazy_mmu_mode_batch changes real kernel page tables inside
 * sections and checks what a section promises on the arch it runs on:
 * once a disable (nested or not) or a pause returns, every page table
 * update made before it has taken effect and the arch holds nothing back.
 * It maps pages into a vmalloc area with set_pte_at(), unmaps them with
 * ptep_get_and_clear() and takes the area with get_vm_area(); on powerpc
 * the first two call set_ptes() and hpte_need_flush(), and none of these
 * is exported, so that suite is only built when the test is built in.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/tlbflush.h>

static void expect_lazy_mmu(struct kunit *test, u8 enable_count,
			    u8 pause_count, bool active)
{
	struct lazy_mmu_state *state = &current->lazy_mmu_state;

	KUNIT_EXPECT_EQ(test, state->enable_count, enable_count);
	KUNIT_EXPECT_EQ(test, state->pause_count, pause_count);
	KUNIT_EXPECT_EQ(test, is_lazy_mmu_mode_active(), active);
}

static int lazy_mmu_test_init(struct kunit *test)
{
	/* Every case starts outside any section. */
	KUNIT_ASSERT_EQ(test, current->lazy_mmu_state.enable_count, 0);
	KUNIT_ASSERT_EQ(test, current->lazy_mmu_state.pause_count, 0);
	return 0;
}

/* Nested sections only count; the mode stays active until the last one. */
static void lazy_mmu_test_nesting(struct kunit *test)
{
	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 1, 0, true);

	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 2, 0, true);

	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 3, 0, true);

	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 2, 0, true);

	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 1, 0, true);

	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 0, 0, false);
}

/*
 * Pausing leaves the mode at any depth; while paused, enable and disable
 * are ignored and pauses nest; the last resume restores the same depth.
 */
static void lazy_mmu_test_pause(struct kunit *test)
{
	lazy_mmu_mode_enable();
	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 2, 0, true);

	lazy_mmu_mode_pause();
	expect_lazy_mmu(test, 2, 1, false);

	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 2, 1, false);
	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 2, 1, false);

	lazy_mmu_mode_pause();
	expect_lazy_mmu(test, 2, 2, false);
	lazy_mmu_mode_resume();
	expect_lazy_mmu(test, 2, 1, false);

	lazy_mmu_mode_resume();
	expect_lazy_mmu(test, 2, 0, true);

	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 1, 0, true);
	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 0, 0, false);
}

/* Pause and resume may be used with no section open. */
static void lazy_mmu_test_pause_outside(struct kunit *test)
{
	lazy_mmu_mode_pause();
	expect_lazy_mmu(test, 0, 1, false);

	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 0, 1, false);
	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 0, 1, false);

	lazy_mmu_mode_resume();
	expect_lazy_mmu(test, 0, 0, false);
}

/*
 * With bottom halves disabled, in_interrupt() is true: the helpers must
 * not touch the state and the mode must not look active, even inside a
 * section opened before.
 */
static void lazy_mmu_test_interrupt(struct kunit *test)
{
	local_bh_disable();
	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 0, 0, false);
	lazy_mmu_mode_disable();
	lazy_mmu_mode_pause();
	expect_lazy_mmu(test, 0, 0, false);
	lazy_mmu_mode_resume();
	local_bh_enable();

	lazy_mmu_mode_enable();
	expect_lazy_mmu(test, 1, 0, true);

	local_bh_disable();
	expect_lazy_mmu(test, 1, 0, false);
	lazy_mmu_mode_pause();
	expect_lazy_mmu(test, 1, 0, false);
	lazy_mmu_mode_resume();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 1, 0, false);
	local_bh_enable();

	expect_lazy_mmu(test, 1, 0, true);
	lazy_mmu_mode_disable();
	expect_lazy_mmu(test, 0, 0, false);
}

static struct kunit_case lazy_mmu_test_cases[] = {
	KUNIT_CASE(lazy_mmu_test_nesting),
	KUNIT_CASE(lazy_mmu_test_pause),
	KUNIT_CASE(lazy_mmu_test_pause_outside),
	KUNIT_CASE(lazy_mmu_test_interrupt),
	{}
};

static struct kunit_suite lazy_mmu_test_suite = {
	.name = "lazy_mmu_mode",
	.init = lazy_mmu_test_init,
	.test_cases = lazy_mmu_test_cases,
};

#if IS_BUILTIN(CONFIG_LAZY_MMU_MODE_KUNIT_TEST)
/*
 * The batching cases check their results only after the outermost
 * disable: a failed expectation allocates memory, which must not happen
 * where an arch has disabled preemption (powerpc hash does, in
 * arch_enter_lazy_mmu_mode()).  What they see inside a section they keep
 * in local variables until then.
 */

#define NR_TEST_PAGES	4
#define AREA_SIZE	(NR_TEST_PAGES * PAGE_SIZE)

/*
 * A vmalloc area of NR_TEST_PAGES pages and two sets of pages to map in
 * it, each page filled with its own byte.  @ptep are the area's PTEs,
 * found once outside any section; @want is the set the next map
 * installs.
 */
struct lazy_mmu_area {
	struct vm_struct *vm;
	unsigned long start;
	pte_t *ptep[NR_TEST_PAGES];
	struct page *first[NR_TEST_PAGES];
	struct page *second[NR_TEST_PAGES];
	struct page **want;
};

static unsigned long area_end(struct lazy_mmu_area *area)
{
	return area->start + AREA_SIZE;
}

static unsigned int area_index(struct lazy_mmu_area *area, unsigned long addr)
{
	return (addr - area->start) >> PAGE_SHIFT;
}

/* apply_to_page_range() callbacks */
static int lazy_mmu_record_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct lazy_mmu_area *area = data;

	area->ptep[area_index(area, addr)] = ptep;
	return 0;
}

static int lazy_mmu_clear_pte(pte_t *ptep, unsigned long addr, void *data)
{
	ptep_get_and_clear(&init_mm, addr, ptep);
	return 0;
}

static int lazy_mmu_set_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct lazy_mmu_area *area = data;
	struct page *page = area->want[area_index(area, addr)];

	set_pte_at(&init_mm, addr, ptep,
		   pfn_pte(page_to_pfn(page), PAGE_KERNEL));
	return 0;
}

/*
 * Remap the whole area to @set with apply_to_page_range(), which opens a
 * section of its own for each page table: unmap, flush the TLB (kernel
 * style, as vunmap() does), map.  Returns the first error.
 */
static int area_remap_apply(struct lazy_mmu_area *area, struct page **set)
{
	int err;

	err = apply_to_page_range(&init_mm, area->start, AREA_SIZE,
				  lazy_mmu_clear_pte, area);
	if (err)
		return err;
	flush_tlb_kernel_range(area->start, area_end(area));
	area->want = set;
	return apply_to_page_range(&init_mm, area->start, AREA_SIZE,
				   lazy_mmu_set_pte, area);
}

/* The same through the PTEs found at init: no section of its own. */
static void area_remap_direct(struct lazy_mmu_area *area, struct page **set)
{
	unsigned long addr;
	unsigned int i;

	for (i = 0; i < NR_TEST_PAGES; i++) {
		addr = area->start + i * PAGE_SIZE;
		ptep_get_and_clear(&init_mm, addr, area->ptep[i]);
	}
	flush_tlb_kernel_range(area->start, area_end(area));
	for (i = 0; i < NR_TEST_PAGES; i++) {
		addr = area->start + i * PAGE_SIZE;
		set_pte_at(&init_mm, addr, area->ptep[i],
			   pfn_pte(page_to_pfn(set[i]), PAGE_KERNEL));
	}
}

/*
 * Index of the first page of the area that does not show @set, or -1.
 * Each page is read back twice: through the page tables in software
 * (vmalloc_to_page()) and through the MMU (the vmalloc address), whose
 * bytes must be those of the page as the linear map shows it.  Reading
 * also makes the MMU cache the translation (a hash PTE on powerpc), which
 * the next remap has to invalidate.
 */
static int area_mismatch(struct lazy_mmu_area *area, struct page **set)
{
	unsigned int i;
	void *va;

	for (i = 0; i < NR_TEST_PAGES; i++) {
		va = (void *)(area->start + i * PAGE_SIZE);
		if (vmalloc_to_page(va) != set[i] ||
		    memcmp(va, page_address(set[i]), PAGE_SIZE))
			return i;
	}
	return -1;
}

/*
 * How much work the arch has batched on this CPU and not yet made
 * visible, or -1 where it keeps no batch this test can see.  powerpc's
 * hash MMU queues the invalidation of hash PTEs in ppc64_tlb_batch;
 * arm64 defers the barriers that complete kernel PTE updates
 * (TIF_LAZY_MMU_PENDING).  x86 batches only under Xen PV, in multicalls;
 * sparc64 batches only user address spaces, in a batch private to
 * arch/sparc/mm/tlb.c; radix powerpc does not batch.
 */
static long lazy_mmu_pending(void)
{
#if defined(CONFIG_PPC_64S_HASH_MMU)
	long index;

	if (radix_enabled())
		return -1;
	index = get_cpu_ptr(&ppc64_tlb_batch)->index;
	put_cpu_ptr(&ppc64_tlb_batch);
	return index;
#elif defined(CONFIG_ARM64) && defined(TIF_LAZY_MMU_PENDING)
	return test_thread_flag(TIF_LAZY_MMU_PENDING);
#else
	return -1;
#endif
}

static void area_free(void *data)
{
	struct lazy_mmu_area *area = data;
	unsigned int i;

	/* Unmaps what is mapped there and flushes, as vunmap() does. */
	if (area->vm)
		free_vm_area(area->vm);
	for (i = 0; i < NR_TEST_PAGES; i++) {
		if (area->first[i])
			__free_page(area->first[i]);
		if (area->second[i])
			__free_page(area->second[i]);
	}
}

/*
 * A test resource, so that KUnit frees the area however the case ends
 * (kunit_add_action_or_reset() would do, but only exists from 6.5 on).
 */
static void area_free_resource(struct kunit_resource *res)
{
	area_free(res->data);
}

static int area_alloc_pages(struct lazy_mmu_area *area)
{
	unsigned int i;

	for (i = 0; i < NR_TEST_PAGES; i++) {
		area->first[i] = alloc_page(GFP_KERNEL);
		area->second[i] = alloc_page(GFP_KERNEL);
		if (!area->first[i] || !area->second[i])
			return -ENOMEM;
		memset(page_address(area->first[i]), 0x10 + i, PAGE_SIZE);
		memset(page_address(area->second[i]), 0x80 + i, PAGE_SIZE);
	}
	return 0;
}

/*
 * Every case starts with the area mapped to @first and read once, so
 * that the MMU holds translations a remap must invalidate.  The page
 * tables are made here, outside any section: allocating them may sleep.
 */
static int lazy_mmu_batch_init(struct kunit *test)
{
	struct lazy_mmu_area *area;
	void *res;
	int err;

	err = lazy_mmu_test_init(test);
	if (err)
		return err;
	area = kunit_kzalloc(test, sizeof(*area), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, area);
	res = kunit_alloc_resource(test, NULL, area_free_resource, GFP_KERNEL,
				   area);
	KUNIT_ASSERT_NOT_NULL(test, res);
	KUNIT_ASSERT_EQ(test, area_alloc_pages(area), 0);

	area->vm = get_vm_area(AREA_SIZE, VM_MAP);
	KUNIT_ASSERT_NOT_NULL(test, area->vm);
	area->start = (unsigned long)area->vm->addr;
	area->want = area->first;
	err = apply_to_page_range(&init_mm, area->start, AREA_SIZE,
				  lazy_mmu_record_pte, area);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = apply_to_page_range(&init_mm, area->start, AREA_SIZE,
				  lazy_mmu_set_pte, area);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, area_mismatch(area, area->first), -1);
	test->priv = area;
	return 0;
}

/*
 * (a) A section around apply_to_page_range(), whose own sections nest
 * inside it: remap the area from @first to @second, close the outer
 * section, and the area must show @second.  Catches an arch whose
 * arch_leave_lazy_mmu_mode() does not complete what the section batched
 * (powerpc hash: the hash PTEs of @first left valid, so @first is read
 * back; arm64: the deferred barriers never emitted) and a generic layer
 * that loses the outer section when the nested ones end (the depth must
 * still be 1 after apply_to_page_range()).
 */
static void lazy_mmu_test_apply_nested(struct kunit *test)
{
	struct lazy_mmu_area *area = test->priv;
	u8 depth;
	bool active;
	int err;

	lazy_mmu_mode_enable();
	err = area_remap_apply(area, area->second);
	depth = current->lazy_mmu_state.enable_count;
	active = is_lazy_mmu_mode_active();
	lazy_mmu_mode_disable();

	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, depth, 1);
	KUNIT_EXPECT_TRUE(test, active);
	KUNIT_EXPECT_EQ(test, area_mismatch(area, area->second), -1);
	expect_lazy_mmu(test, 0, 0, false);
}

/*
 * A nested disable flushes: when apply_to_page_range() returns, its
 * sections have ended while the test's is still open, and the pgtable.h
 * contract says the updates made so far have taken effect.  Read the
 * area back before closing the outer section.  Catches a generic
 * lazy_mmu_mode_disable() that does not call arch_flush_lazy_mmu_mode()
 * when nested, and an arch flush that does not flush (powerpc hash, the
 * arch that gained a real one in this series: the stale hash PTEs of
 * @first still translate the area; arm64: the barriers stay pending).
 */
static void lazy_mmu_test_nested_disable_flushes(struct kunit *test)
{
	struct lazy_mmu_area *area = test->priv;
	long pending;
	int err, bad;

	lazy_mmu_mode_enable();
	err = area_remap_apply(area, area->second);
	pending = lazy_mmu_pending();
	bad = area_mismatch(area, area->second);
	lazy_mmu_mode_disable();

	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ_MSG(test, bad, -1, "page %d is stale", bad);
	if (pending >= 0)
		KUNIT_EXPECT_EQ(test, pending, 0);
}

/*
 * (b) Inside a section, remap the area in the section itself (no nested
 * section flushes it), pause, and use the new mapping as code that must
 * not run batched would: read it back through the MMU and the linear
 * map, with preemption as it was outside the section.  Resume, close.
 * Catches a pause that does not leave the arch's lazy mode at depth 1
 * (powerpc hash: stale hash PTEs, and preemption still disabled, where
 * kasan's pause/resume callback allocates with GFP_KERNEL; arm64: the
 * barriers still deferred) and a resume that does not enter it again.
 */
static void lazy_mmu_test_pause_reads_back(struct kunit *test)
{
	struct lazy_mmu_area *area = test->priv;
	int outside, paused, bad;
	bool active_paused, active_resumed;

	outside = preempt_count();
	lazy_mmu_mode_enable();
	area_remap_direct(area, area->second);
	lazy_mmu_mode_pause();
	paused = preempt_count();
	active_paused = is_lazy_mmu_mode_active();
	bad = area_mismatch(area, area->second);
	lazy_mmu_mode_resume();
	active_resumed = is_lazy_mmu_mode_active();
	lazy_mmu_mode_disable();

	KUNIT_EXPECT_EQ_MSG(test, bad, -1, "page %d is stale", bad);
	KUNIT_EXPECT_EQ(test, paused, outside);
	KUNIT_EXPECT_FALSE(test, active_paused);
	KUNIT_EXPECT_TRUE(test, active_resumed);
	expect_lazy_mmu(test, 0, 0, false);
}

/*
 * (c) The arch's batch is empty after a nested disable, a pause and the
 * outermost disable, and not empty just before each, which shows that
 * the updates really were batched.  Each round reads the area (so that
 * powerpc hash has hash PTEs to invalidate) and remaps it within the
 * section.  Catches flushes that are missed or come too late (powerpc
 * hash: ppc64_tlb_batch.index; arm64: TIF_LAZY_MMU_PENDING) and an arch
 * that does not batch at all while is_lazy_mmu_mode_active() is true.
 */
static void lazy_mmu_test_batch_empty(struct kunit *test)
{
	struct lazy_mmu_area *area = test->priv;
	long before[3], after[3];
	int bad[3];

	if (lazy_mmu_pending() < 0)
		kunit_skip(test, "no batch this test can see on this arch");

	lazy_mmu_mode_enable();
	area_remap_direct(area, area->second);
	before[0] = lazy_mmu_pending();
	lazy_mmu_mode_enable();
	lazy_mmu_mode_disable();
	after[0] = lazy_mmu_pending();

	bad[0] = area_mismatch(area, area->second);
	area_remap_direct(area, area->first);
	before[1] = lazy_mmu_pending();
	lazy_mmu_mode_pause();
	after[1] = lazy_mmu_pending();
	lazy_mmu_mode_resume();

	bad[1] = area_mismatch(area, area->first);
	area_remap_direct(area, area->second);
	before[2] = lazy_mmu_pending();
	lazy_mmu_mode_disable();
	after[2] = lazy_mmu_pending();
	bad[2] = area_mismatch(area, area->second);

	/* [0] nested disable, [1] pause, [2] outermost disable */
	KUNIT_EXPECT_GT(test, before[0], 0);
	KUNIT_EXPECT_EQ(test, after[0], 0);
	KUNIT_EXPECT_GT(test, before[1], 0);
	KUNIT_EXPECT_EQ(test, after[1], 0);
	KUNIT_EXPECT_GT(test, before[2], 0);
	KUNIT_EXPECT_EQ(test, after[2], 0);
	KUNIT_EXPECT_EQ(test, bad[0], -1);
	KUNIT_EXPECT_EQ(test, bad[1], -1);
	KUNIT_EXPECT_EQ(test, bad[2], -1);
}

static struct kunit_case lazy_mmu_batch_cases[] = {
	KUNIT_CASE(lazy_mmu_test_apply_nested),
	KUNIT_CASE(lazy_mmu_test_nested_disable_flushes),
	KUNIT_CASE(lazy_mmu_test_pause_reads_back),
	KUNIT_CASE(lazy_mmu_test_batch_empty),
	{}
};

static struct kunit_suite lazy_mmu_batch_suite = {
	.name = "lazy_mmu_mode_batch",
	.init = lazy_mmu_batch_init,
	.test_cases = lazy_mmu_batch_cases,
};

kunit_test_suites(&lazy_mmu_test_suite, &lazy_mmu_batch_suite);
#else
kunit_test_suite(lazy_mmu_test_suite);
#endif

MODULE_DESCRIPTION("KUnit test of the lazy MMU mode helpers");
MODULE_LICENSE("GPL");
