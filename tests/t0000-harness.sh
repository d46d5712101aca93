#!/bin/sh
# The harness itself: the real Makefile, tests/run and test libraries are
# copied into a scratch project, and 'make check' runs there on generated
# scripts.  Each way a test could lie (a failure, a "not ok ... # skip", a
# short or long plan, a hang, TAP on stderr, a missing tool in CI, a bare
# assert under python3 -O) must make 'make check' fail; a real skip must
# not.  Then two guards over the real suite: no bare assert in any test,
# and every script that runs the checker says so (SANITIZE=1 reruns it).
# uses: no lazy-mmu-check (generated scripts only)
. "$(dirname "$0")/lib-tap.sh"

P=$TRASH/project
mkdir -p "$P/tests" "$P/scripts"
cp "$TOP/Makefile" "$P/" &&
cp "$TESTS/run" "$TESTS/lib-tap.sh" "$TESTS/libtap.py" "$P/tests/" || exit 1
export P

# script NAME: a generated test script from stdin, executable
script() {
	rm -f "$P"/tests/t9*
	cat >"$P/tests/$1" && chmod +x "$P/tests/$1"
}

# check ARGS...: 'make check' in the scratch project; output in out,
# status in rc, the last line in last.  CI is unset unless ARGS set it.
check() {
	rc=0
	(unset CI MAKELEVEL MAKEFLAGS MFLAGS T SANITIZE JOBS TEST_TIMEOUT
	 env "$@" make -s -C "$P" check \
		>"$TRASH/out" 2>&1) || rc=$?
	grep -Ev "^make(\[[0-9]+\])?: " "$TRASH/out" | tail -n 1 >"$TRASH/last"
	cat "$TRASH/out"
}

# alive PID: the process exists and is not a zombie (nothing may reap
# orphans in a container)
alive() {
	[ -r "/proc/$1/stat" ] && ! sed "s/.*) //" "/proc/$1/stat" | grep -q "^Z"
}

# expect_fail 'N passed, N failed': make check failed with that summary
expect_fail() {
	test "$rc" != 0 && echo "$1" >expect && test_cmp expect "$TRASH/last"
}

expect_pass() {
	test "$rc" = 0 && echo "$1" >expect && test_cmp expect "$TRASH/last"
}

test_expect_success 'a passing script passes make check' '
	printf "%s\n" "#!/bin/sh" "echo 1..2" "echo ok 1 - a" "echo ok 2 - b" |
		script t9001-pass.sh &&
	check && expect_pass "2 passed, 0 failed"
'

test_expect_success 'a failing test_expect_success fails make check' '
	printf "%s\n" "#!/bin/sh" ". \"\$(dirname \"\$0\")/lib-tap.sh\"" \
		"test_expect_success x false" "test_done" | script t9002-fail.sh &&
	check && expect_fail "0 passed, 1 failed" &&
	grep -q "^     | not ok 1 - x$" "$TRASH/out"
'

test_expect_success 'not ok with a skip directive is a failure, not a skip' '
	printf "%s\n" "#!/bin/sh" "echo 1..2" "echo ok 1 - a" \
		"echo \"not ok 2 - lying # skip nothing to see\"" "exit 0" |
		script t9003-lying-skip.sh &&
	check && expect_fail "1 passed, 1 failed" &&
	! grep -q "skipped: nothing to see" "$TRASH/out"
'

test_expect_success 'ok with a SKIP directive is a skip, and says why' '
	printf "%s\n" "#!/bin/sh" "echo 1..2" "echo ok 1 - a" \
		"echo \"ok 2 - b # SKIP no frobnicator\"" |
		script t9004-real-skip.sh &&
	check && expect_pass "1 passed, 0 failed" &&
	grep -q "^1 skipped$" "$TRASH/out" &&
	grep -q "skipped: no frobnicator" "$TRASH/out"
'

test_expect_success 'fewer results than the plan (a script that dies) fails' '
	printf "%s\n" "#!/bin/sh" "echo 1..3" "echo ok 1 - a" "exit 0" |
		script t9005-short-plan.sh &&
	check && expect_fail "1 passed, 1 failed" &&
	grep -q "planned 3 results, printed 1" "$TRASH/out"
'

test_expect_success 'more results than the plan fails' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - a" "echo ok 2 - b" |
		script t9006-long-plan.sh &&
	check && expect_fail "2 passed, 1 failed" &&
	grep -q "planned 1 results, printed 2" "$TRASH/out"
'

test_expect_success 'no plan at all fails' '
	printf "%s\n" "#!/bin/sh" "echo ok 1 - a" | script t9007-no-plan.sh &&
	check && expect_fail "1 passed, 1 failed" &&
	grep -q "printed no plan" "$TRASH/out"
'

test_expect_success 'a hanging script is killed at TEST_TIMEOUT and fails by name' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "sleep 300 &" "echo \$! >\"\$0.pid\"" \
		"wait" "echo ok 1 - never" | script t9008-hang.sh &&
	start=$(date +%s) &&
	check TEST_TIMEOUT=2 &&
	end=$(date +%s) &&
	expect_fail "0 passed, 2 failed" &&
	grep -q "FAILED: t9008-hang.sh timed out after 2 s" "$TRASH/out" &&
	test $((end - start)) -lt 60 &&
	pid=$(cat "$P/tests/t9008-hang.sh.pid") &&
	! alive "$pid"
'

test_expect_success 'a background process left holding stdout does not hang the run' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - a" \
		"sleep 300 &" "echo \$! >\"\$0.pid\"" "exit 0" |
		script t9009-leftover.sh &&
	start=$(date +%s) &&
	check TEST_TIMEOUT=100 &&
	end=$(date +%s) &&
	expect_pass "1 passed, 0 failed" &&
	test $((end - start)) -lt 60 &&
	pid=$(cat "$P/tests/t9009-leftover.sh.pid") &&
	! alive "$pid"
'

test_expect_success 'a script may ask for its own timeout; TEST_TIMEOUT overrides it' '
	printf "%s\n" "#!/bin/sh" "# timeout: 1" "echo 1..1" "sleep 30" \
		"echo ok 1 - late" | script t9023-own-timeout.sh &&
	check && expect_fail "0 passed, 2 failed" &&
	grep -q "FAILED: t9023-own-timeout.sh timed out after 1 s (TEST_TIMEOUT=unset; killed)" "$TRASH/out" &&
	printf "%s\n" "#!/bin/sh" "# timeout: 1" "echo 1..1" "sleep 2" \
		"echo ok 1 - late" | script t9023-own-timeout.sh &&
	check TEST_TIMEOUT=20 && expect_pass "1 passed, 0 failed"
'

test_expect_success 'TEST_TIMEOUT must be a number of seconds' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - a" |
		script t9010-pass.sh &&
	check TEST_TIMEOUT=soon && test "$rc" != 0 &&
	grep -q "TEST_TIMEOUT=soon is not a number of seconds" "$TRASH/out"
'

test_expect_success 'a non-zero exit after passing results fails' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - a" "exit 3" |
		script t9011-exit.sh &&
	check && expect_fail "1 passed, 1 failed" &&
	grep -q "exited with status 3" "$TRASH/out"
'

test_expect_success 'TAP on stderr is not counted; stderr is shown on failure' '
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo \"ok 1 - on stderr\" >&2" |
		script t9012-stderr.sh &&
	check && expect_fail "0 passed, 1 failed" &&
	grep -q "^     ! ok 1 - on stderr$" "$TRASH/out"
'

test_expect_success 'results out of sequence, a TODO and Bail out! fail' '
	printf "%s\n" "#!/bin/sh" "echo 1..2" "echo ok 2 - a" "echo ok 1 - b" |
		script t9013-order.sh &&
	check && expect_fail "2 passed, 2 failed" &&
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo \"ok 1 - a # TODO later\"" |
		script t9014-todo.sh &&
	check && expect_fail "0 passed, 1 failed" &&
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo \"Bail out! no disk\"" \
		"echo ok 1 - a" | script t9015-bail.sh &&
	check && expect_fail "1 passed, 1 failed"
'

test_expect_success 'a whole-script skip (plan 1..0 with a SKIP) is one skip' '
	printf "%s\n" "#!/bin/sh" "echo \"1..0 # SKIP nothing here\"" |
		script t9016-skip-all.sh &&
	check && expect_pass "0 passed, 0 failed" &&
	grep -q "^1 skipped$" "$TRASH/out"
'

cat >"$TRASH/missing.sh" <<\EOF
#!/bin/sh
. "$(dirname "$0")/lib-tap.sh"
test_expect_success 'runs' 'true'
test_have no-such-tool-here || test_skip_missing 'needs a tool' 'no-such-tool-here'
require_cmd 'the rest' no-such-tool-either
test_expect_success 'never reached' 'true'
test_done
EOF

test_expect_success 'shell: a missing tool is a skip on a developer machine' '
	script t9017-missing.sh <"$TRASH/missing.sh" &&
	check && expect_pass "1 passed, 0 failed" &&
	grep -q "^2 skipped$" "$TRASH/out" &&
	grep -q "skipped: missing: no-such-tool-either" "$TRASH/out"
'

test_expect_success 'shell: ... and a failure in CI (CI=true)' '
	script t9017-missing.sh <"$TRASH/missing.sh" &&
	check CI=true && expect_fail "1 passed, 2 failed" &&
	grep -q "not ok 2 - needs a tool # missing in CI: no-such-tool-here" "$TRASH/out"
'

test_expect_success 'shell: a kernel tree that cannot be had: skip, or fail in CI' '
	printf "%s\n" "#!/bin/sh" "echo \"kernel-tree: no such tree\" >&2" \
		"exit 1" >"$P/scripts/kernel-tree" && chmod +x "$P/scripts/kernel-tree" &&
	printf "%s\n" "#!/bin/sh" ". \"\$(dirname \"\$0\")/lib-tap.sh\"" \
		"require_kernel_tree K 6.12" \
		"test_expect_success \"uses \$K\" \"test -d \\\"\\\$K\\\"\"" \
		"test_done" | script t9018-tree.sh &&
	check && expect_pass "0 passed, 0 failed" &&
	grep -q "skipped: missing: the tree (kernel-tree: no such tree)" "$TRASH/out" &&
	check CI=true && expect_fail "0 passed, 1 failed"
'

cat >"$TRASH/py.py" <<\EOF
#!/usr/bin/env python3
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libtap

def wrong():
    libtap.check_equal(1 + 1, 3, "arithmetic")

def bare():
    exec("assert 1 + 1 == 3")   # what a bare assert does under -O

tap = libtap.Tap()
tap.case("check() fails even under python3 -O", wrong)
if os.environ.get("WITH_BARE"):
    tap.case("a bare assert", bare)
tap.skip_missing("needs a tool", "no-such-tool-here")
sys.exit(tap.done())
EOF

cat >"$TRASH/ut.py" <<\EOF
#!/usr/bin/env python3
import os, sys, unittest
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libtap

class T(unittest.TestCase):
    def test_passes(self):
        libtap.check(True)

    def test_tool(self):
        libtap.require(libtap.have("no-such-tool-here"), "no-such-tool-here")

sys.exit(libtap.run_unittest(sys.modules[__name__]))
EOF

test_expect_success 'python: check() fails with PYTHONOPTIMIZE=1, a bare assert does not' '
	script t9019-py.py <"$TRASH/py.py" &&
	check PYTHONOPTIMIZE=1 && expect_fail "0 passed, 1 failed" &&
	check PYTHONOPTIMIZE=1 WITH_BARE=1 && expect_fail "1 passed, 1 failed"
'

test_expect_success 'python: a missing tool is a skip, a failure in CI' '
	script t9019-py.py <"$TRASH/py.py" &&
	check && grep -q "^1 skipped$" "$TRASH/out" &&
	grep -q "^0 passed, 1 failed$" "$TRASH/last" &&
	check CI=true && expect_fail "0 passed, 2 failed"
'

test_expect_success 'python unittest: require() skips, fails in CI' '
	script t9020-ut.py <"$TRASH/ut.py" &&
	check && expect_pass "1 passed, 0 failed" &&
	grep -q "^1 skipped$" "$TRASH/out" &&
	check CI=true && expect_fail "1 passed, 1 failed" &&
	grep -q "test_tool # missing in CI: no-such-tool-here" "$TRASH/out"
'

test_expect_success 'make check SANITIZE=1 runs only the scripts that run the checker' '
	rm -f "$P"/tests/t9* &&
	printf "%s\n" "#!/bin/sh" "# uses: lazy-mmu-check" "echo 1..1" \
		"echo ok 1 - checker" >"$P/tests/t9021-checker.sh" &&
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - other" \
		>"$P/tests/t9022-other.sh" &&
	chmod +x "$P"/tests/t902* &&
	check && expect_pass "2 passed, 0 failed" &&
	check SANITIZE=1 && expect_pass "1 passed, 0 failed" &&
	grep -q "t9021-checker.sh" "$TRASH/out" &&
	! grep -q "t9022-other.sh" "$TRASH/out"
'

test_expect_success 'a script tagged "# slow:" runs in make check-slow only' '
	rm -f "$P"/tests/t9* &&
	printf "%s\n" "#!/bin/sh" "# slow: too slow for CI" "echo 1..1" \
		"echo ok 1 - slow" >"$P/tests/t9023-slow.sh" &&
	printf "%s\n" "#!/bin/sh" "echo 1..1" "echo ok 1 - quick" \
		>"$P/tests/t9024-quick.sh" &&
	chmod +x "$P"/tests/t902* &&
	check && expect_pass "1 passed, 0 failed" &&
	! grep -q "t9023-slow.sh" "$TRASH/out" &&
	(unset CI MAKELEVEL MAKEFLAGS MFLAGS T SANITIZE JOBS TEST_TIMEOUT
	 make -s -C "$P" check-slow) >slow.out 2>&1 &&
	cat slow.out && tail -n 1 slow.out >last &&
	echo "1 passed, 0 failed" >expect && test_cmp expect last &&
	grep -q "t9023-slow.sh" slow.out && ! grep -q "t9024-quick.sh" slow.out
'

# The guards over the real suite.

test_expect_success 'no test uses a bare assert (python3 -O drops them)' '
	python3 - "$TESTS" <<-\EOF
	import ast, os, re, sys
	tests = sys.argv[1]
	bad = []
	for root, dirs, files in os.walk(tests):
	    dirs[:] = [d for d in dirs if d not in ("checks", "cocci")]
	    for name in sorted(files):
	        path = os.path.join(root, name)
	        rel = os.path.relpath(path, tests)
	        text = open(path, encoding="utf-8", errors="replace").read()
	        if name.endswith(".py"):
	            for node in ast.walk(ast.parse(text, rel)):
	                if isinstance(node, ast.Assert):
	                    bad.append("%s:%d" % (rel, node.lineno))
	        elif re.match(r"t\d{4}-.*\.sh$", name) or name.endswith(".sh"):
	            for n, line in enumerate(text.splitlines(), 1):
	                if re.match(r"\s*assert\b(?!_)", line):
	                    bad.append("%s:%d" % (rel, n))
	for b in bad:
	    print("bare assert: " + b)
	sys.exit(1 if bad else 0)
	EOF
'

test_expect_success 'a script that runs a tool using the checker says whether it does' '
	for f in "$TESTS"/t[0-9][0-9][0-9][0-9]-*; do
		grep -Eq "lazy-mmu-(check|lint|convert)|lazy_mmu_tools" "$f" || continue
		head -n 40 "$f" | grep -Eq "^# uses: (no )?lazy-mmu-check" ||
			{ echo "$f: no \"# uses: [no ]lazy-mmu-check\" line"; exit 1; }
	done
'

test_done
