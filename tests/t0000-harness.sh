#!/bin/sh
# The harness itself: a failing assertion must be counted as a failure.
. "$(dirname "$0")/lib-tap.sh"

test_expect_success 'a true command passes' 'true'

test_expect_success 'a failing script is counted as failed by tests/run' '
	mkdir -p fake &&
	cp "$TESTS/run" "$TESTS/lib-tap.sh" fake/ &&
	printf "#!/bin/sh\n. \"\$(dirname \"\$0\")/lib-tap.sh\"\ntest_expect_success x false\ntest_done\n" >fake/t9999-fail.sh &&
	chmod +x fake/t9999-fail.sh &&
	! fake/run >out &&
	tail -n 1 out >last &&
	echo "0 passed, 1 failed" >expect &&
	cmp expect last
'

test_expect_success 'a script that dies before its plan is counted as failed' '
	mkdir -p fake2 &&
	cp "$TESTS/run" fake2/ &&
	printf "#!/bin/sh\necho 1..3\necho ok 1 - a\nexit 0\n" >fake2/t9998-short.sh &&
	chmod +x fake2/t9998-short.sh &&
	! fake2/run >out2 &&
	tail -n 1 out2 | grep -q "^1 passed, 1 failed$"
'

test_done
