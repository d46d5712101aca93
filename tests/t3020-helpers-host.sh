#!/bin/sh
# The generic helpers that the generic step writes into <linux/pgtable.h>
# and <linux/sched.h>, compiled on the host with stand-ins for current,
# in_interrupt() and the arch callbacks, and driven through the state
# machine of docs/api.md ("Target API") and of upstream's series.
# No kernel build needed; the KUnit test covers the same rules in-kernel.
# uses: no lazy-mmu-check (compiles the helpers only)
. "$(dirname "$0")/lib-tap.sh"

tpl=$TOP/lazy_mmu_tools/templates
export tpl

require_cmd 'generic helpers on the host' cc

# A program that runs the operations given as arguments (enable, disable,
# pause, resume, irq-on, irq-off) and prints after each one the arch
# callbacks it made (E enter, L leave, F flush, - none), enable_count,
# pause_count, is_lazy_mmu_mode_active() and the VM_WARN count.
test_expect_success 'the helper templates compile on the host' '
	{
		cat <<-\EOF
		#include <stdbool.h>
		#include <stdint.h>
		#include <stdio.h>
		#include <string.h>
		typedef uint8_t u8;
		#define U8_MAX 255
		static int irq, warned;
		#define in_interrupt() (irq)
		#define VM_WARN_ON_ONCE(c) do { if (c) warned++; } while (0)
		static char calls[16];
		static void arch_enter_lazy_mmu_mode(void) { strcat(calls, "E"); }
		static void arch_leave_lazy_mmu_mode(void) { strcat(calls, "L"); }
		static void arch_flush_lazy_mmu_mode(void) { strcat(calls, "F"); }
		EOF
		cat "$tpl/mm_types_task.h"
		cat <<-\EOF
		struct task_struct { struct lazy_mmu_state lazy_mmu_state; };
		static struct task_struct task;
		#define current (&task)
		#define CONFIG_ARCH_HAS_LAZY_MMU_MODE 1
		EOF
		cat "$tpl/sched_helpers.h" "$tpl/pgtable_helpers.h"
		echo "#endif"
		cat <<-\EOF
		int main(int argc, char **argv)
		{
			for (int i = 1; i < argc; i++) {
				const char *op = argv[i];
				calls[0] = 0;
				if (!strcmp(op, "enable")) lazy_mmu_mode_enable();
				else if (!strcmp(op, "disable")) lazy_mmu_mode_disable();
				else if (!strcmp(op, "pause")) lazy_mmu_mode_pause();
				else if (!strcmp(op, "resume")) lazy_mmu_mode_resume();
				else if (!strcmp(op, "irq-on")) irq = 1;
				else if (!strcmp(op, "irq-off")) irq = 0;
				else return 2;
				printf("%s %s %d %d %d %d\n", op, *calls ? calls : "-",
				       task.lazy_mmu_state.enable_count,
				       task.lazy_mmu_state.pause_count,
				       is_lazy_mmu_mode_active(), warned);
			}
			return 0;
		}
		EOF
	} >helpers.c &&
	cc -std=gnu11 -Wall -Werror -o helpers helpers.c
'

# run OPS... ; compare with the expected lines on stdin
check() {
	./helpers "$@" >actual &&
	cat >expected &&
	diff -u expected actual
}

test_expect_success 'the worked example: outermost, nested, pause, resume' '
	check enable enable pause resume disable disable <<-\EOF
	enable E 1 0 1 0
	enable - 2 0 1 0
	pause L 2 1 0 0
	resume E 2 0 1 0
	disable F 1 0 1 0
	disable L 0 0 0 0
	EOF
'

test_expect_success 'while paused, enable and disable are ignored; pauses nest' '
	check enable pause enable disable pause resume resume disable <<-\EOF
	enable E 1 0 1 0
	pause L 1 1 0 0
	enable - 1 1 0 0
	disable - 1 1 0 0
	pause - 1 2 0 0
	resume - 1 1 0 0
	resume E 1 0 1 0
	disable L 0 0 0 0
	EOF
'

test_expect_success 'pause and resume with no section open call nothing' '
	check pause enable resume <<-\EOF
	pause - 0 1 0 0
	enable - 0 1 0 0
	resume - 0 0 0 0
	EOF
'

test_expect_success 'interrupt context: no effect, never active' '
	check enable irq-on disable pause enable irq-off disable <<-\EOF
	enable E 1 0 1 0
	irq-on - 1 0 0 0
	disable - 1 0 0 0
	pause - 1 0 0 0
	enable - 1 0 0 0
	irq-off - 1 0 1 0
	disable L 0 0 0 0
	EOF
'

test_expect_success 'misuse warns: disable at 0, resume at 0' '
	check disable resume <<-\EOF
	disable F 255 0 1 1
	resume - 255 255 0 2
	EOF
'

# The KUnit test source, against stand-ins for <kunit/test.h> and the
# kernel headers it includes: every expectation must hold, and a helper
# with a wrong rule must make some of them fail.  Only the state suite is
# built here (IS_BUILTIN() is 0): the batching suite needs a kernel, and
# scripts/check-boot runs it under QEMU.
kunit_build() {
	mkdir -p fake/kunit fake/linux fake/asm &&
	for h in linux/gfp.h linux/mm.h linux/preempt.h linux/string.h \
		linux/vmalloc.h asm/tlbflush.h; do
		: >fake/$h || return 1
	done &&
	{
		cat <<-\EOF
		#include <stdbool.h>
		#include <stdint.h>
		#include <stdio.h>
		typedef uint8_t u8;
		#define U8_MAX 255
		struct kunit { int failed; };
		#define KUNIT_EXPECT_EQ(t, a, b) do { if ((a) != (b)) { \
			printf("# line %d: %s != %s\n", __LINE__, #a, #b); \
			(t)->failed++; } } while (0)
		#define KUNIT_ASSERT_EQ(t, a, b) do { if ((a) != (b)) { \
			(t)->failed++; return -1; } } while (0)
		struct kunit_case { void (*run)(struct kunit *); const char *name; };
		#define KUNIT_CASE(f) { f, #f }
		struct kunit_suite { const char *name; int (*init)(struct kunit *);
			struct kunit_case *test_cases; };
		#define kunit_test_suite(s) struct kunit_suite *the_suite = &(s)
		#define IS_BUILTIN(option) 0
		#define MODULE_DESCRIPTION(x)
		#define MODULE_LICENSE(x)
		EOF
	} >fake/kunit/test.h &&
	cat >fake/linux/bottom_half.h <<-\EOF
	static int irq;
	#define in_interrupt() (irq)
	static inline void local_bh_disable(void) { irq++; }
	static inline void local_bh_enable(void) { irq--; }
	EOF
	{
		echo "#define VM_WARN_ON_ONCE(c) do { } while (0)"
		echo "static void arch_enter_lazy_mmu_mode(void) {}"
		echo "static void arch_leave_lazy_mmu_mode(void) {}"
		echo "static void arch_flush_lazy_mmu_mode(void) {}"
		cat "$tpl/mm_types_task.h"
		echo "struct task_struct { struct lazy_mmu_state lazy_mmu_state; };"
		echo "static struct task_struct task;"
		echo "#define current (&task)"
		echo "#define CONFIG_ARCH_HAS_LAZY_MMU_MODE 1"
		cat "$tpl/sched_helpers.h" "$tpl/pgtable_helpers.h"
		echo "#endif"
	} >fake/linux/pgtable.h &&
	: >fake/linux/sched.h &&
	sed "$1" "$tpl/lazy_mmu_mode_kunit.c" >kunit.c &&
	cat >>kunit.c <<-\EOF
	int main(void)
	{
		int bad = 0;
		for (struct kunit_case *c = the_suite->test_cases; c->run; c++) {
			struct kunit t = { 0 };
			if (the_suite->init(&t) == 0)
				c->run(&t);
			printf("%s %s\n", t.failed ? "FAIL" : "PASS", c->name);
			bad += t.failed != 0;
		}
		return bad != 0;
	}
	EOF
	cc -std=gnu11 -Wall -Werror -Ifake -o kunit kunit.c
}

test_expect_success 'the KUnit test passes against the helpers' '
	kunit_build "" &&
	./kunit >kunit.out &&
	cat kunit.out &&
	test "$(grep -c "^PASS" kunit.out)" = 4
'

test_expect_success 'the KUnit test fails when the helpers ignore pause' '
	kunit_build "s|#include <linux/pgtable.h>|&\n#define lazy_mmu_mode_pause() do { } while (0)\n#define lazy_mmu_mode_resume() do { } while (0)|" &&
	! ./kunit >kunit.out &&
	cat kunit.out &&
	grep -q "^FAIL lazy_mmu_test_pause$" kunit.out &&
	grep -q "^PASS lazy_mmu_test_nesting$" kunit.out
'

test_expect_success 'the check can fail: a wrong expectation is caught' '
	! check enable <<-\EOF
	enable - 1 0 1 0
	EOF
'

test_done
