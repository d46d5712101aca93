# Shared by the t301x scripts: the conversion's steps driven directly on
# a real tree ($tree, set by the caller), without the driver.

# steps WHAT [TREE [ONLY]]: "status" prints NAME STATUS for each step
# (n/a when not applicable), "apply" NAME N (files changed), "review" the
# sites left for review, "shapes" the shapes the steps find in the tree;
# with ONLY, just the step of that name ("apply-one" is "apply" for it).
steps() {
	PYTHONPATH=$TOP python3 - "$1" "${2:-$tree}" "${3:-}" <<-\EOF
	import sys
	from lazy_mmu_tools import steps
	what, tree, only = sys.argv[1], sys.argv[2], sys.argv[3]
	if what == "shapes":
	    print("\n".join(steps.tree_shapes(tree)))
	    sys.exit(0)
	for s in steps.all_steps():
	    if only and s.name != only:
	        continue
	    if not s.applicable(tree):
	        if what != "review":
	            print(s.name, "n/a")
	        continue
	    if what == "status":
	        print(s.name, s.status(tree))
	    elif what in ("apply", "apply-one"):
	        print(s.name, len(s.apply(tree)))
	    else:
	        for site in s.review_sites(tree):
	            print(site)
	EOF
}

# fn FILE NAME: the definition of function NAME in FILE (of $tree), from
# its first line to its closing brace.
fn() {
	awk -v n="$2" '
		$0 ~ "^(static )?(inline )?(void|bool) " n "\\(" { p = 1 }
		p { print }
		p && (/^}/ || /\{ *\}$/) { exit }' "$tree/$1"
}

# same FILE NAME: the function is as the expected text on stdin says.
same() {
	cat >expected &&
	fn "$1" "$2" >actual &&
	diff -u expected actual
}

# second_run_is_noop: every step says done (or n/a), and applying them
# all again changes no byte of $tree (the same git tree id before and
# after).
second_run_is_noop() {
	(cd "$tree" && git add -A -f . && git write-tree) >before &&
	steps status >status2.out &&
	! grep -v -e " done$" -e " n/a$" status2.out &&
	steps apply >apply2.out &&
	! grep -v -e " 0$" -e " n/a$" apply2.out &&
	(cd "$tree" && git add -A -f . && git write-tree) >after &&
	diff -u before after
}
