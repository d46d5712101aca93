# Fuzzing the checker (checks/fuzz/).
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZER=libfuzzer|afl]
#       build the target, build the seed corpus from the test fixtures,
#       fuzz for FUZZ_SECONDS and print the figures; exit 1 if anything
#       was found (saved in build/fuzz/<fuzzer>/crashes/)
#   make fuzz-build      both fuzz binaries
#   make fuzz-replay     build/fuzz/replay: runs the target on files, no fuzzer
#
# libFuzzer needs clang and Debian's libclang-rt-14-dev; AFL++ needs
# afl-clang-fast.  Both builds have ASan and UBSan, and libFuzzer's LSan
# finds leaks.  The corpus each fuzzer grows is kept in build/fuzz/ and
# reused by the next run.

FUZZ_SECONDS ?= 60
FUZZER ?= libfuzzer
FUZZ_CC ?= clang
AFL_CC ?= afl-clang-fast
FUZZ_DIR := build/fuzz
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Werror
# Every checker source but main.c, and the target.
FUZZ_SRCS = $(filter-out checks/main.c,$(wildcard checks/*.c)) checks/fuzz/fuzz_check.c
FUZZ_DEPS = $(FUZZ_SRCS) checks/lazy.h checks/diag.def checks/calls.def

$(FUZZ_DIR)/libfuzzer/fuzz-check: $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -o $@ $(FUZZ_SRCS)

$(FUZZ_DIR)/afl/fuzz-check: $(FUZZ_DEPS) checks/fuzz/afl_main.c
	@mkdir -p $(dir $@)
	AFL_USE_ASAN=1 AFL_USE_UBSAN=1 AFL_QUIET=1 $(AFL_CC) $(FUZZ_CFLAGS) \
		-o $@ $(FUZZ_SRCS) checks/fuzz/afl_main.c

$(FUZZ_DIR)/replay: $(FUZZ_DEPS) checks/fuzz/afl_main.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined \
		-fno-sanitize-recover=all -o $@ $(FUZZ_SRCS) checks/fuzz/afl_main.c

fuzz-build: $(FUZZ_DIR)/libfuzzer/fuzz-check $(FUZZ_DIR)/afl/fuzz-check

fuzz-replay: $(FUZZ_DIR)/replay

fuzz:
	@case '$(FUZZER)' in \
	libfuzzer|afl) ;; \
	*) echo 'make fuzz: FUZZER=libfuzzer or FUZZER=afl' >&2; exit 2;; \
	esac
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/$(FUZZER)/fuzz-check
	@checks/fuzz/run-fuzz $(FUZZER) $(FUZZ_SECONDS) $(FUZZ_DIR)

.PHONY: fuzz fuzz-build fuzz-replay
