#!/bin/sh
# Every commit of the 6.12 series builds (bisectable): the conversion
# and its compile matrix as t3910, then scripts/check-series-builds
# --in-place on the same clone and build directories.
# slow: builds every commit on its configurations (make check-slow)
# uses: no lazy-mmu-check (tests/convert/fake-check: the checker's
# verdict on the conversion is t3900's and t30xx's; the builds are this one's)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-build.sh"

BUILD_TREE=6.12
BUILD_CONFIGS="x86_64 x86_64-nopv powerpc64 sparc64"
build_matrix_tests
build_series_tests
test_done
