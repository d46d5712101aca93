# The compile matrix of a real tree's conversion (t391x), and the builds
# of every commit of its series (t396x, make check-slow).  Source after
# lib-tap.sh, with
#   BUILD_TREE      the tree (6.1, 6.12, 6.19: scripts/kernel-tree)
#   BUILD_CONFIGS   the configurations that must be built, in kbuild.py's
#                   order (those of the arches with lazy MMU code there)
# then call build_matrix_tests (and build_series_tests), and add the
# tree's own expectations with expect_built CONFIG OBJECT... before
# test_done.
#
# The flow, one 'make prepare' per configuration: lazy-mmu-convert
# --build all --build-dir $TRASH/build converts a clone and compiles the
# touched objects of each configuration; every touched .c must be
# compiled by one of them; check-series-builds --in-place then builds
# every commit in the same clone, reusing the same build directories.

linux=$TRASH/linux
builddir=$TRASH/build
GIT_CONFIG_NOSYSTEM=1 HOME=$TRASH/home
GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
export GIT_CONFIG_NOSYSTEM HOME GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
unset LAZY_MMU_CONVERT_FAIL_AT LAZY_MMU_CONVERT_STEPS
# The checker's verdict on the converted trees is the conversion tests'
# (t3900, t30xx); here only the builds matter, and a fake checker keeps
# 'make check SANITIZE=1' from building the kernels again.
LAZY_MMU_CHECK=$TESTS/convert/fake-check
export LAZY_MMU_CHECK
mkdir -p "$HOME"

# compilers BUILD_CONFIGS needs (scripts/install-deps provides them)
build_compilers() {
	for c in $BUILD_CONFIGS; do
		case $c in
		x86_64*) echo gcc ;;
		powerpc64) echo powerpc64-linux-gnu-gcc ;;
		sparc64) echo sparc64-linux-gnu-gcc ;;
		arm64) echo aarch64-linux-gnu-gcc ;;
		esac
	done | sort -u
}

# The objects the Verification block of convert.out says CONFIG compiled.
built_by() {
	sed -n "s/^  build $1 (.*): [0-9]* objects\? compiled: //p" \
		"$TRASH/convert.out" | tr ' ' '\n' | sed '/^$/d'
}

# expect_built CONFIG OBJECT...: a test that CONFIG compiled each OBJECT.
expect_built() {
	_config=$1
	shift
	test_expect_success "$_config compiled $*" "
		built_by $_config >objs-$_config &&
		for o in $*; do
			grep -qx \"\$o\" objs-$_config ||
			{ echo \"\$o not compiled by $_config\"; exit 1; }
		done
	"
}

build_matrix_tests() {
	require_kernel_tree repo --git "$BUILD_TREE"
	# shellcheck disable=SC2046
	require_cmd "the touched objects compile" make spatch $(build_compilers)

	test_expect_success "clone the $BUILD_TREE tree" '
		git clone -q --shared "$repo" "$linux" &&
		git -C "$linux" rev-parse HEAD >base &&
		git -C "$linux" symbolic-ref HEAD >branch
	'

	test_expect_success 'lazy-mmu-convert --build all: status 0' '
		lazy-mmu-convert --build all --build-dir "$builddir" "$linux" \
			>convert.out 2>convert.err
		rc=$?; cat convert.out; grep "^build: .* in [0-9]* s$" convert.err
		test $rc = 0
	'

	test_expect_success "the builds are exactly: $BUILD_CONFIGS" '
		sed -n "s/^  build \([^ ]*\) (.*/\1/p" convert.out >configs &&
		echo $BUILD_CONFIGS | tr " " "\n" >configs.expect &&
		test_cmp configs.expect configs &&
		! grep -q "FAILED" convert.out &&
		! grep -q "^  not built" convert.out
	'

	test_expect_success 'every touched .c is compiled by some configuration' '
		git -C "$linux" diff --name-only "$(cat base)" HEAD >touched &&
		grep "\.c$" touched | sed "s/\.c$/.o/" | sort >want &&
		test -s want &&
		for c in $BUILD_CONFIGS; do built_by $c; done | sort -u >have &&
		comm -23 want have >missing &&
		test_must_be_empty missing &&
		! grep -q "compiled by no configuration" convert.out
	'

	test_expect_success 'mm/migrate_device.c is touched and compiled' '
		grep -qx mm/migrate_device.c touched &&
		grep -qx mm/migrate_device.o have
	'

}

build_series_tests() {
	test_expect_success 'check-series-builds: every commit builds' '
		n=$(git -C "$linux" rev-list --count "$(cat base)..HEAD") &&
		"$TOP/scripts/check-series-builds" --in-place \
			--build-dir "$builddir" "$linux" "$(cat base)" \
			>series.out 2>series.err
		rc=$?; cat series.out; tail -n 5 series.err
		test $rc = 0 &&
		tail -n 1 series.out | grep -q "^$n commits, [0-9]* builds, 0 failed$" &&
		! grep -q "^FAILED" series.out &&
		git -C "$linux" symbolic-ref HEAD >branch.after &&
		test_cmp branch branch.after &&
		git -C "$linux" status --porcelain >st && test_must_be_empty st
	'

	test_expect_success 'check-series-builds: each commit on its configurations' '
		for sha in $(git -C "$linux" rev-list "$(cat base)..HEAD"); do
			short=$(git -C "$linux" log -1 --format=%h $sha) &&
			grep -q "^ok  *[a-z0-9_-]*  *$short " series.out ||
			{ echo "no build of $short"; exit 1; }
		done &&
		for c in $BUILD_CONFIGS; do
			grep -q "^ok  *$c .*(matrix: the whole series)" series.out ||
			{ echo "no matrix build for $c"; exit 1; }
		done
	'
}
