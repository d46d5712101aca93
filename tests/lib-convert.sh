# Helpers for the lazy-mmu-convert driver tests (t3100-t3899).  Source
# after lib-tap.sh.  The driver runs with the fake steps of
# tests/convert/fake_steps.py and the fake checker tests/convert/fake-check
# unless a test says otherwise.

LAZY_MMU_CONVERT_STEPS=fake_steps:all_steps
PYTHONPATH=$TESTS/convert${PYTHONPATH:+:$PYTHONPATH}
LAZY_MMU_CHECK=$TESTS/convert/fake-check
export LAZY_MMU_CONVERT_STEPS PYTHONPATH LAZY_MMU_CHECK
unset LAZY_MMU_CONVERT_FAIL_AT FAKE_STEP_FAIL FAKE_STEP_WAIT FAKE_STEP_TOUCH
# A fixed identity: tests must not depend on the caller's git config.
GIT_CONFIG_NOSYSTEM=1
HOME=$TRASH/home
GIT_AUTHOR_NAME='A U Thor'
GIT_AUTHOR_EMAIL=author@example.com
GIT_COMMITTER_NAME='C O Mitter'
GIT_COMMITTER_EMAIL=committer@example.com
export GIT_CONFIG_NOSYSTEM HOME GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
mkdir -p "$HOME"

# make_fixture_tree DIR: a minimal "kernel tree" in a new git repository,
# one commit, with a Debian-style .gitignore that ignores everything.
make_fixture_tree() {
	mkdir -p "$1" && (
	cd "$1" &&
	git init -q -b master . &&
	mkdir -p mm arch/x86/include/asm arch/x86/xen arch/powerpc/mm \
		include/linux &&
	printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n' >Makefile &&
	printf 'mainmenu "fake"\nsource "mm/Kconfig"\n' >Kconfig &&
	printf 'menu "mm"\n# lazy mmu here\nendmenu\n' >mm/Kconfig &&
	printf '/*\n' >.gitignore &&
	cat >mm/memory.c <<-\EOC &&
	void zap_range(void)
	{
		arch_enter_lazy_mmu_mode();
		zap_one();
		arch_leave_lazy_mmu_mode();
	}
	EOC
	printf '#define _FAKE_PGTABLE_H\n/* legacy fallbacks */\n' \
		>include/linux/pgtable.h &&
	printf 'config X86\n\tselect PARAVIRT_FAKE\n\t# lazy opt-in\n' >arch/x86/Kconfig &&
	printf '#define __HAVE_ARCH_ENTER_LAZY_MMU_MODE\nvoid pv(void);\n' \
		>arch/x86/include/asm/paravirt.h &&
	cat >arch/x86/xen/enlighten.c <<-\EOC &&
	void xen_start_context_switch(void)
	{
		arch_leave_lazy_mmu_mode();
	}
	EOC
	printf 'void flush(void)\n{\n\tif (!batch->active)\n\t\tflush_now();\n}\n' \
		>arch/powerpc/mm/tlb.c &&
	git add -f . &&
	git commit -q -m "Linux 6.12 (fixture)"
	)
}

# tree_state DIR: everything "the tree as it was" means, as text: HEAD and
# its branch, every ref, the index, git status (ignored files included),
# the diff, and every file and directory with its mode and content hash.
tree_state() {
	(
	cd "$1" &&
	git rev-parse HEAD &&
	{ git symbolic-ref -q HEAD || echo "(detached)"; } &&
	git for-each-ref --format='%(refname) %(objectname)' &&
	git ls-files -s &&
	git status --porcelain=v1 --ignored --untracked-files=all &&
	git diff HEAD &&
	git stash list &&
	find . -path ./.git -prune -o -printf '%y %m %p\n' | LC_ALL=C sort &&
	find . -path ./.git -prune -o -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha1sum &&
	ls .git/lazy-mmu-convert.lock 2>/dev/null || true
	)
}

# wait_for FILE: wait until FILE exists, at most WAIT_SECONDS (default
# 60): a background run that dies before it gets there fails the test,
# with a message, instead of hanging it.  The caller releases the run.
wait_for() {
	_waited=0
	while ! test -e "$1"; do
		if [ "$_waited" -ge "$((${WAIT_SECONDS:-60} * 10))" ]; then
			echo "waited ${WAIT_SECONDS:-60} s for $1: the background run never got there" >&2
			return 1
		fi
		_waited=$((_waited + 1))
		sleep 0.1
	done
}

# convert ARGS...: run the driver, stdout in out, stderr in err, status in rc
convert() {
	lazy-mmu-convert "$@" >out 2>err
	echo $? >rc
}

# expect_rc N: the last convert() exited with N
expect_rc() {
	echo "$1" >rc.expect && test_cmp rc.expect rc
}

test_cmp() {
	diff -u "$@"
}

test_must_be_empty() {
	test ! -s "$1" || { cat "$1"; false; }
}
