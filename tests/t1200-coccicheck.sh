#!/bin/sh
# The rules in cocci/ under the kernel's own driver: make coccicheck
# COCCI=... MODE=... [M=...] in (a sparse git clone of) the 6.12 tree.
#
# Every cocci/*.cocci runs in all four modes on a directory where it has
# work to do (the arm64 rule on 6.19, which has arm64's lazy MMU mode):
# the patch must apply and make the change the rule is for, touching only
# that directory; report, org and context must name exactly the sites
# counted below.  lazy_mmu_callers.cocci must give file:line:col-col
# report lines and an applicable whole-tree patch; lazy_mmu_legacy.cocci
# must report the generic calls only.
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'make coccicheck on Linux 6.12' spatch make
require_kernel_tree repo --git 6.12
require_kernel_tree repo619 --git 6.19

callers=$TOP/cocci/lazy_mmu_callers.cocci
legacy=$TOP/cocci/lazy_mmu_legacy.cocci
export callers legacy

# Run make coccicheck in the clone; output (stdout and stderr, which the
# script merges anyway) to $1.
coccicheck() {
	out=$1
	shift
	make -s -C "$TRASH/linux" coccicheck "$@" >"$out" 2>&1
}

spatch_failed() {
	grep -E '^EXN:|Python failure|Fatal error|timeout|coccicheck failed|not supported' "$1"
}

REPORT_LINE='^(\./)?[a-z0-9_/.-]+\.[ch]:[0-9]+:[0-9]+-[0-9]+: '
export REPORT_LINE

test_expect_success 'sparse clone of the 6.12 tree (mm fs arch scripts include)' '
	git clone -q --shared --no-checkout "$repo" linux &&
	git -C linux sparse-checkout set --cone mm fs arch scripts include &&
	git -C linux checkout -q &&
	test -f linux/scripts/coccicheck
'

test_expect_success 'sparse clone of the 6.19 tree (arch/arm64 arch/x86 scripts include)' '
	git clone -q --shared --no-checkout "$repo619" linux619 &&
	git -C linux619 sparse-checkout set --cone arch/arm64 arch/x86 scripts include &&
	git -C linux619 checkout -q &&
	test -f linux619/arch/arm64/include/asm/pgtable.h
'

# rule, clone, M=, how many sites report, org and context name (counted
# by reading each directory against the rule's header), and a line the
# patch must add ("-" when the rule changes nothing in patch mode).
cat >"$TRASH/smoke" <<'EOF'
lazy_mmu_callers linux mm 29 +	lazy_mmu_mode_enable();
lazy_mmu_legacy linux mm 29 -
lazy_mmu_arch_x86 linux arch/x86 5 +	xen_mc_flush();
lazy_mmu_arch_powerpc linux arch/powerpc 4 +static inline void arch_flush_lazy_mmu_mode(void)
lazy_mmu_arch_sparc linux arch/sparc 4 +void arch_flush_lazy_mmu_mode(void)
lazy_mmu_arch_arm64 linux619 arch/arm64 6 +	if (is_lazy_mmu_mode_active()) {
EOF

test_expect_success 'every rule in cocci/ has a smoke row' '
	ls "$TOP"/cocci/*.cocci | sed "s|.*/||; s|\.cocci\$||" | sort >rules &&
	cut -d" " -f1 smoke | sort >rows &&
	diff -u rules rows
'

while IFS= read -r row; do
	rule=${row%% *}; rest=${row#* }
	clone=${rest%% *}; rest=${rest#* }
	dir=${rest%% *}; rest=${rest#* }
	count=${rest%% *}; added=${rest#* }
	sp=$TOP/cocci/$rule.cocci
	export sp rule clone dir count added
	test_expect_success "$rule: MODE=patch M=$dir makes its change" '
		make -s -C "$clone" coccicheck COCCI="$sp" MODE=patch M=$dir >p.$rule 2>&1 ||
		{ cat p.$rule; exit 1; }
		! spatch_failed p.$rule &&
		if [ "$added" = "-" ]; then
			! grep -q "^+++ " p.$rule
		else
			grep -qxF -- "$added" p.$rule &&
			! grep "^+++ " p.$rule | grep -v "^+++ b/$dir/" &&
			git -C "$clone" apply --check "$TRASH/p.$rule"
		fi
	'
	test_expect_success "$rule: MODE=report M=$dir names its $count sites" '
		make -s -C "$clone" coccicheck COCCI="$sp" MODE=report M=$dir >r.$rule 2>&1 &&
		! spatch_failed r.$rule &&
		grep -E "$REPORT_LINE" r.$rule >r.lines &&
		test "$(wc -l <r.lines)" -eq "$count" &&
		# 6.19'"'"'s coccicheck names the files from M= (./include/...)
		! grep -v -e "^$dir/" -e "^\./" r.lines
	'
	test_expect_success "$rule: MODE=org M=$dir gives $count TODO items" '
		make -s -C "$clone" coccicheck COCCI="$sp" MODE=org M=$dir >o.$rule 2>&1 &&
		! spatch_failed o.$rule &&
		test "$(grep -c "^\* TODO \[\[view:\($dir\|\.\)/" o.$rule)" -eq "$count"
	'
	test_expect_success "$rule: MODE=context M=$dir marks $count lines" '
		make -s -C "$clone" coccicheck COCCI="$sp" MODE=context M=$dir >c.$rule 2>&1 &&
		! spatch_failed c.$rule &&
		test "$(grep -c "^-[^-]" c.$rule)" -eq "$count"
	'
done <"$TRASH/smoke"

test_expect_success 'lazy_mmu_callers: MODE=report M=mm lists the 29 mm calls' '
	coccicheck rep.mm COCCI="$callers" MODE=report M=mm &&
	grep -E "$REPORT_LINE" rep.mm >lines &&
	test "$(wc -l <lines)" -eq 29 &&
	test "$(grep -c "^mm/[a-z_]*\.c:[0-9]*:[0-9]*-[0-9]*: WARNING: legacy arch_" lines)" -eq 29 &&
	grep -q "^mm/madvise.c:505:4-28: WARNING: legacy arch_enter_lazy_mmu_mode(): use lazy_mmu_mode_enable()$" lines
'

test_expect_success 'lazy_mmu_callers: whole-tree MODE=report gives 39 + 4 kept' '
	coccicheck rep.all COCCI="$callers" MODE=report &&
	! spatch_failed rep.all &&
	grep -E "$REPORT_LINE" rep.all >lines &&
	test "$(wc -l <lines)" -eq 43 &&
	test "$(grep -c ": WARNING: legacy " lines)" -eq 39 &&
	grep ": kept (" lines | cut -d: -f1,2 | sort >kept &&
	printf "%s\n" ./arch/x86/xen/enlighten_pv.c:428 ./arch/x86/xen/enlighten_pv.c:441 \
		./arch/x86/xen/mmu_pv.c:2145 ./arch/x86/xen/mmu_pv.c:2146 >kept-expected &&
	diff -u kept-expected kept
'

test_expect_success 'lazy_mmu_callers: MODE=org M=fs gives 4 TODO items' '
	coccicheck org.fs COCCI="$callers" MODE=org M=fs &&
	test "$(grep -c "^\* TODO \[\[view:fs/proc/task_mmu.c::" org.fs)" -eq 4
'

test_expect_success 'lazy_mmu_callers: MODE=context M=fs marks the 4 calls' '
	coccicheck ctx.fs COCCI="$callers" MODE=context M=fs &&
	test "$(grep -cE "^-[[:space:]]+arch_(enter|leave)_lazy_mmu_mode\(\);" ctx.fs)" -eq 4
'

test_expect_success 'lazy_mmu_callers: MODE=patch output applies and converts 39 calls' '
	coccicheck patch.all COCCI="$callers" MODE=patch &&
	! spatch_failed patch.all &&
	git -C linux apply --check "$TRASH/patch.all" &&
	git -C linux apply "$TRASH/patch.all" &&
	git -C linux diff --numstat >numstat &&
	awk "{ a += \$1; d += \$2 } END { exit !(NR == 9 && a == 39 && d == 39) }" numstat &&
	test "$(grep -c ": kept (" patch.all)" -eq 4
'

test_expect_success 'lazy_mmu_callers: MODE=patch again gives no diff' '
	coccicheck patch.again COCCI="$callers" MODE=patch &&
	! grep -q "^diff " patch.again &&
	! grep -q "^+++ " patch.again
'

test_expect_success 'lazy_mmu_legacy: after the conversion only arch/ calls remain, none reported' '
	coccicheck legacy.after COCCI="$legacy" MODE=report &&
	! spatch_failed legacy.after &&
	! grep -E "$REPORT_LINE" legacy.after
'

test_expect_success 'restore the pristine sources in the clone' '
	git -C linux checkout -q -- . &&
	test -z "$(git -C linux status --porcelain --untracked-files=no)"
'

test_expect_success 'lazy_mmu_legacy: whole tree reports the 33 generic calls, no arch/' '
	coccicheck legacy.all COCCI="$legacy" MODE=report &&
	grep -E "$REPORT_LINE" legacy.all >lines &&
	test "$(wc -l <lines)" -eq 33 &&
	! grep "^\./arch/" lines &&
	test "$(grep -c "^\./mm/" lines)" -eq 29 &&
	test "$(grep -c "^\./fs/proc/task_mmu.c:" lines)" -eq 4 &&
	grep -q "^\./fs/proc/task_mmu.c:2508:2-26: WARNING: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable()" lines
'

test_expect_success 'lazy_mmu_legacy: M=arch reports nothing' '
	coccicheck legacy.arch COCCI="$legacy" MODE=report M=arch &&
	! spatch_failed legacy.arch &&
	! grep -E "$REPORT_LINE" legacy.arch
'

test_expect_success 'lazy_mmu_legacy: MODE=patch changes nothing' '
	coccicheck legacy.patch COCCI="$legacy" MODE=patch &&
	! spatch_failed legacy.patch &&
	! grep -q "^+++ " legacy.patch
'

test_done
