# lazy-mmu-tools: static migration and lint toolkit for the kernel's lazy
# MMU mode.  'make help' lists the targets.

# SANITIZE=1 builds the checker with ASan+UBSan (into build/sanitize/) and
# runs the tests that run the checker against that build.
SANITIZE ?=
export SANITIZE

# T=t2000 runs only the test scripts whose name contains t2000.
T ?=
JOBS ?= 2

all: checker

checker:
	@if [ -f checks/Makefile ]; then $(MAKE) -C checks; fi

# A sanitizer abort exits 86, so a test that only looks at the exit status
# cannot mistake it for "findings" (1).
ifneq ($(SANITIZE),)
export ASAN_OPTIONS ?= exitcode=86:detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1:exitcode=86
endif

# With SANITIZE=1 only the scripts that run bin/lazy-mmu-check (a line
# "# uses: lazy-mmu-check" at the top) run again: nothing else changes.
# TEST_TIMEOUT=seconds overrides every script's timeout (tests/run).
check: all
	@tests/run -j $(JOBS) $(if $(SANITIZE),--sanitize) $(T)

# The scripts tagged '# slow:' (too slow for CI's 60-minute budget: the
# builds of every commit of the 6.12 and 6.19 series) run only here.
check-slow: all
	@tests/run -j $(JOBS) --slow $(T)

# Benchmarks print figures; they never assert a time.
bench: all
	@for b in scripts/bench-*; do \
		[ -x "$$b" ] || continue; \
		echo "== $$b"; "$$b" || exit 1; \
	done

# The main job: convert the Debian 6.12 tree and show what changed.
demo: all
	@scripts/demo

clean:
	@if [ -f checks/Makefile ]; then $(MAKE) -C checks clean; fi
	rm -rf build

# Removes the unpacked kernel trees too.
distclean: clean
	rm -rf .cache

help:
	@echo 'make            build bin/lazy-mmu-check'
	@echo 'make check      run every test (T=pattern for some; SANITIZE=1)'
	@echo 'make check-slow the tests too slow for CI (every commit of the series built)'
	@echo 'make bench      print speed figures'
	@echo 'make demo       convert the Debian 6.12 tree, show the diffstat'
	@echo 'make clean      remove build output; distclean also the cache'
	@echo 'make install-cocci KERNEL_TREE=DIR   copy cocci/ into DIR/scripts/coccinelle/api/lazy_mmu'
	@echo 'make uninstall-cocci KERNEL_TREE=DIR remove them again'
	@echo 'make fuzz FUZZ_SECONDS=N            fuzz the checker (clang, libFuzzer/AFL++)'
	@echo 'make check-lint / bench-lint        lazy-mmu-lint'"'"'s tests / speed figures'

.PHONY: all checker check check-slow bench demo clean distclean help

# Each component adds its own targets in mk/<component>.mk.
-include mk/*.mk
