#!/bin/sh
# Every semantic patch against its fixtures.
#
# For each directory tests/cocci/<rule>/ the rule is cocci/<rule>.cocci,
# and every NAME.c below that directory (subdirectories too, so that a
# fixture can live at arch/x86/NAME.c when a rule looks at the path) is
# one case:
#
#   NAME.res     expected result of -D patch (required; a copy of NAME.c
#                when nothing may change)
#   NAME.stderr  expected stderr of -D patch (default: empty)
#   NAME.report  expected stdout of -D report (optional)
#   NAME.org     expected stdout of -D org (optional)
#   NAME.spflags extra spatch options for this case, in every mode;
#                @COCCI@ stands for the directory of the rules
#
# Each case is also run a second time on its own output (nothing may
# change), and in context and org mode (no failure allowed).  spatch gets
# the rule's own "// Options:" line, as under make coccicheck, and runs in
# a copy of the fixture directory so that file names are relative.
#
# COCCI_RULES and COCCI_FIXTURES override cocci/ and tests/cocci/ (the
# harness tests itself that way).
. "$(dirname "$0")/lib-tap.sh"

rules=${COCCI_RULES:-$TOP/cocci}
fixtures=${COCCI_FIXTURES:-$TESTS/cocci}

require_cmd 'semantic patch fixtures' spatch

# spatch prints these for per-file failures and still exits 0 in some
# modes; a fixture run must never show one.
spatch_failed() {
	grep -E '^EXN:|Python failure|Fatal error|timeout \(we abort\)' "$1"
}

# Run spatch on fixture $2 (relative to the current directory) with rule
# $1 in mode $3; stdout to $4, stderr to $5.  Extra options follow.
run_spatch() {
	sp=$1 input=$2 mode=$3 out=$4 err=$5
	shift 5
	opts=$(grep 'Options:' "$sp" | cut -d':' -f2)
	# shellcheck disable=SC2086 # the Options line is a word list
	rc=0
	spatch --very-quiet -D "$mode" $opts ${spflags:-} --sp-file "$sp" \
		"$@" "$input" \
		>"$out" 2>"$err" || rc=$?
	no_change_is_a_copy "$input" "$err" "$rc" "$@" &&
	! spatch_failed "$err"
}

# With -o FILE, spatch writes nothing, says so on stderr and exits 255
# when no rule changed the input: the result is then the input itself.
# Any other failure is one.
no_change_is_a_copy() {
	input=$1 err=$2 rc=$3
	shift 3
	nochange="-o can not be applied because there are no modified files"
	if [ "$rc" -eq 255 ] && [ "${1:-}" = -o ] && [ ! -e "$2" ] &&
	   grep -qxF -- "$nochange" "$err"; then
		cp "$input" "$2" &&
		grep -vxF -- "$nochange" "$err" >"$err.rest"
		mv "$err.rest" "$err"
		return 0
	fi
	return "$rc"
}

# Compare expected file $1 with actual $2; a missing $1 means "empty".
same_as() {
	if [ -f "$1" ]; then
		diff -u "$1" "$2"
	else
		diff -u /dev/null "$2"
	fi
}

found_rule=0
for dir in "$fixtures"/*/; do
	[ -d "$dir" ] || continue
	rule=$(basename "$dir")
	sp=$rules/$rule.cocci
	found_rule=1
	export sp rule dir

	test_expect_success "$rule: cocci/$rule.cocci has the four modes and a grep query" '
		test -f "$sp" &&
		for m in patch context org report; do
			grep -q "^virtual $m\$" "$sp" || { echo "no virtual $m"; exit 1; }
		done &&
		for m in patch context org report; do
			spatch --parse-cocci "$sp" -D $m >parse.out 2>&1 &&
			sed -n "/^Grep query/{n;p;}" parse.out >query &&
			test -s query &&
			! grep -q "No grep query" parse.out ||
			{ cat parse.out; exit 1; }
		done
	'

	work=$TRASH/$rule
	rm -rf "$work"
	mkdir -p "$work"
	cp -R "$dir". "$work/"
	cases=$(cd "$work" && find . -name '*.c' | sed 's|^\./||' | sort)
	if [ -z "$cases" ]; then
		test_expect_success "$rule: has fixtures" 'false'
		continue
	fi
	for c in $cases; do
		base=${c%.c}
		spflags=""
		if [ -f "$dir/$base.spflags" ]; then
			spflags=$(sed "s|@COCCI@|$rules|g" "$dir/$base.spflags")
		fi
		export c base work spflags
		test_expect_success "$rule/$c: patch gives $base.res" '
			cd "$work" &&
			test -f "$base.res" &&
			run_spatch "$sp" "$c" patch "$base.patch.out" "$base.patch.err" \
				-o "$base.out" &&
			diff -u "$base.res" "$base.out"
		'
		test_expect_success "$rule/$c: patch-mode stderr" '
			cd "$work" &&
			test -f "$base.patch.err" &&
			same_as "$base.stderr" "$base.patch.err"
		'
		test_expect_success "$rule/$c: a second run changes nothing" '
			cd "$work" &&
			mkdir -p again &&
			cp "$base.res" "again/$(basename "$c")" &&
			cd again &&
			run_spatch "$sp" "$(basename "$c")" patch second.diff err &&
			same_as /dev/null second.diff
		'
		if [ -f "$dir/$base.report" ]; then
			test_expect_success "$rule/$c: report gives $base.report" '
				cd "$work" &&
				run_spatch "$sp" "$c" report "$base.rep.out" "$base.rep.err" \
					--no-show-diff &&
				diff -u "$base.report" "$base.rep.out"
			'
		fi
		if [ -f "$dir/$base.org" ]; then
			test_expect_success "$rule/$c: org gives $base.org" '
				cd "$work" &&
				run_spatch "$sp" "$c" org "$base.org.out" "$base.org.err" \
					--no-show-diff &&
				diff -u "$base.org" "$base.org.out"
			'
		else
			test_expect_success "$rule/$c: org mode runs" '
				cd "$work" &&
				run_spatch "$sp" "$c" org org.out org.err --no-show-diff
			'
		fi
		test_expect_success "$rule/$c: context mode runs" '
			cd "$work" &&
			run_spatch "$sp" "$c" context ctx.out ctx.err
		'
	done
done

if [ "$found_rule" = 0 ]; then
	test_expect_success "fixture directories under $fixtures" 'false'
fi

# The harness must be able to fail: a wrong expected result, an
# unexpected stderr line and a missing .res each give "not ok".
if [ -z "${COCCI_FIXTURES:-}" ]; then
	test_expect_success 'harness: a wrong .res, stray stderr or missing .res fails' '
		mkdir -p self/cocci self/fx/rename &&
		cat >self/cocci/rename.cocci <<-\EOF &&
		// Options: --no-includes
		virtual patch
		virtual context
		virtual org
		virtual report
		@r depends on patch@
		position p;
		@@
		old_call@p();
		@script:python@
		p << r.p;
		@@
		import sys
		sys.stderr.write("stray\n")
		@depends on patch@
		@@
		- old_call();
		+ new_call();
		@depends on context@
		@@
		* old_call();
		@o depends on org || report@
		position p;
		@@
		old_call@p();
		@script:python depends on org@
		p << o.p;
		@@
		coccilib.org.print_todo(p[0], "old")
		@script:python depends on report@
		p << o.p;
		@@
		coccilib.report.print_report(p[0], "old")
		EOF
		printf "void f(void)\n{\n\told_call();\n}\n" >self/fx/rename/a.c &&
		sed "s/old_call/wrong_call/" self/fx/rename/a.c >self/fx/rename/a.res &&
		cp self/fx/rename/a.c self/fx/rename/b.c &&
		COCCI_RULES=$PWD/self/cocci COCCI_FIXTURES=$PWD/self/fx \
			"$TESTS/t1000-cocci-fixtures.sh" >self.out 2>&1;
		cat self.out &&
		grep -q "^not ok .* rename/a.c: patch gives a.res" self.out &&
		grep -q "^not ok .* rename/a.c: patch-mode stderr" self.out &&
		grep -q "^not ok .* rename/b.c: patch gives b.res" self.out &&
		grep -q "^not ok .* rename/b.c: a second run changes nothing" self.out &&
		grep -q "^ok .* rename: cocci/rename.cocci has the four modes" self.out &&
		grep -q "^ok .* rename/a.c: org mode runs" self.out
	'
fi

test_done
