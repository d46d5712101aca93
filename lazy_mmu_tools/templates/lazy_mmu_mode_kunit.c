// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test of the nesting rules of the lazy MMU mode helpers of
 * <linux/pgtable.h>: lazy_mmu_mode_enable(), lazy_mmu_mode_disable(),
 * lazy_mmu_mode_pause() and lazy_mmu_mode_resume().
 *
 * Each case walks the current task through a sequence of calls and checks
 * its lazy_mmu_state and is_lazy_mmu_mode_active() after every step.  The
 * sequences are balanced, so a failing expectation never leaves the task
 * in lazy MMU mode.
 */
#include <kunit/test.h>
#include <linux/bottom_half.h>
#include <linux/pgtable.h>
#include <linux/sched.h>

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
kunit_test_suite(lazy_mmu_test_suite);

MODULE_DESCRIPTION("KUnit test of the lazy MMU mode helpers");
MODULE_LICENSE("GPL");
