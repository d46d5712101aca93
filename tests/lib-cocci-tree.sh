# Shared by t1100 (6.12) and t1110 (v6.19): cocci/lazy_mmu_callers.cocci on
# a real tree, call site by call site.  The calling script writes two
# files in $TRASH, then calls callers_tree_tests:
#   table              file, original line, enclosing function, and what
#                      the call must become (enable, disable, pause,
#                      resume; keep-flush or keep-split: the arch call
#                      stays and is reported with that tag)
#   residual-expected  file:line of what may still name the hooks after
#                      the conversion besides the kept calls (callback
#                      definitions and declarations, comments)
#
# callers_tree_tests VERSION CALLS FILES LINES FLUSH SPLIT
#   VERSION  the tree (scripts/kernel-tree name)
#   CALLS    legacy enter/leave calls in mm/ fs/ arch/ (the table's rows)
#   FILES    files the patch run changes; LINES lines it changes in them
#   FLUSH    file:line of Xen's flush idiom, SPLIT of its context switch
#            leave (both kept, and said so on stderr)

sp=$TOP/cocci/lazy_mmu_callers.cocci

spatch_failed() {
	grep -E '^EXN:|Python failure|Fatal error|timeout' "$1"
}

callers_tree_tests() {
	version=$1 ncalls=$2 nfiles=$3 nlines=$4 flush=$5 split=$6
	require_cmd "lazy_mmu_callers.cocci on Linux $version" spatch
	require_kernel_tree repo --git "$version"

	# A git work tree with mm/ fs/ arch/ (and the top-level files) of the
	# pristine tree: sparse, so that cloning takes seconds.
	test_expect_success "sparse clone of the $version tree (mm fs arch)" '
		git clone -q --shared --no-checkout "$repo" linux &&
		git -C linux sparse-checkout set --cone mm fs arch &&
		git -C linux checkout -q &&
		test -f linux/mm/madvise.c
	'

	test_expect_success "the table covers every legacy enter/leave call of $version" '
		(cd linux && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode" -- mm fs arch) |
			grep -E "^[^:]+:[0-9]+:[[:space:]]+arch_(enter|leave)_lazy_mmu_mode\(\);" |
			cut -d: -f1,2 | sort >calls &&
		awk "{ print \$1 \":\" \$2 }" table | sort >table-sites &&
		test "$(wc -l <calls)" -eq "$ncalls" &&
		diff -u table-sites calls
	'

	test_expect_success 'every table row names the function the call is in' '
		while read -r file line fn what; do
			got=$(head -n "$line" "linux/$file" |
				grep -E "^[A-Za-z_].*\(" | grep -v ";" | tail -n 1)
			case "$got" in
			*"$fn("*) ;;
			*) echo "$file:$line: expected $fn, found: $got"; exit 1 ;;
			esac
		done <table
	'

	# Report mode, before converting: one line per call, saying what it
	# becomes or why it stays.
	test_expect_success "report mode lists all $ncalls calls with their fate" '
		(cd linux &&
		 spatch --very-quiet --no-show-diff -D report --no-includes \
			--include-headers -j 2 --sp-file "$sp" --dir . \
			>../report 2>../report.err) &&
		! spatch_failed report.err &&
		test "$(wc -l <report)" -eq "$ncalls" &&
		while read -r file line fn what; do
			case $what in
			keep-flush) want="kept (flush idiom): arch_" ;;
			keep-split) want="kept (split across functions): arch_" ;;
			*) want="WARNING: legacy arch_.*: use lazy_mmu_mode_$what()" ;;
			esac
			grep -q "^\./$file:$line:[0-9]*-[0-9]*: $want" report ||
			{ echo "$file:$line: no \"$want\" line"; exit 1; }
		done <table
	'

	test_expect_success 'one patch run over mm/ fs/ arch/ converts in place' '
		(cd linux &&
		 spatch --very-quiet -D patch --no-includes --include-headers -j 2 \
			--sp-file "$sp" --in-place --dir . >../patch.out 2>../patch.err) &&
		cat patch.err &&
		! spatch_failed patch.err
	'

	test_expect_success 'each call site became what the table says' '
		while read -r file line fn what; do
			text=$(sed -n "${line}p" "linux/$file")
			case $what in
			keep-*) want="arch_(enter|leave)_lazy_mmu_mode\(\);" ;;
			*) want="^[[:space:]]*lazy_mmu_mode_$what\(\);\$" ;;
			esac
			echo "$text" | grep -Eq "$want" ||
			{ echo "$file:$line ($fn): want $what, got: $text"; exit 1; }
		done <table
	'

	test_expect_success "nothing else changed ($nlines lines in $nfiles files)" '
		git -C linux diff --numstat >numstat &&
		cat numstat &&
		test "$(wc -l <numstat)" -eq "$nfiles" &&
		awk -v n="$nlines" "{ a += \$1; d += \$2 } END { exit !(a == n && d == n) }" numstat
	'

	test_expect_success 'patch mode listed the four kept calls on stderr' '
		grep ": kept (" patch.err | sed "s/:[0-9]*-[0-9]*: .*//; s|^\./||" |
			sort >kept &&
		grep keep- table | awk "{ print \$1 \":\" \$2 }" | sort >kept-expected &&
		diff -u kept-expected kept &&
		grep -q "^\./$flush:[0-9]*-[0-9]*: kept (flush idiom)" patch.err &&
		grep -q "^\./$split:[0-9]*-[0-9]*: kept (split across functions)" patch.err
	'

	# A function that fails to parse is skipped without a word, so the real
	# proof is what still names the hooks.
	test_expect_success 'no unexpected legacy name remains' '
		(cd linux && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode" -- mm fs arch) |
			cut -d: -f1,2 | sort >residual &&
		sort residual-expected >residual-sorted &&
		diff -u residual-sorted residual
	'

	test_expect_success 'a second run changes nothing' '
		(cd linux &&
		 spatch --very-quiet -D patch --no-includes --include-headers -j 2 \
			--sp-file "$sp" --dir . >../second.diff 2>../second.err) &&
		! spatch_failed second.err &&
		test ! -s second.diff &&
		git -C linux diff --numstat >numstat2 &&
		cmp numstat numstat2
	'
}
