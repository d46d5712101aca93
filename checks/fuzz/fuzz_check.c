/*
 * Fuzz target for lazy-mmu-check: the lexer, the parser, the CFG builder,
 * the analysis and the report printers, on one in-memory file.
 *
 * The input is the file's text, so that the seed corpus is plain C (the
 * test fixtures).  A few facts of the input that the text does not decide
 * are taken from its length, so that a given input always runs the same
 * way: whether the file is arch code (odd length: arch/x86/mm/fuzz.c, even:
 * mm/fuzz.c) and the output format (length % 3: text, json, sarif).  Every
 * function is parsed and analysed (--all-functions).  The command line
 * that replays an input is in tests/t5100-fuzz-regressions.sh.
 *
 * Built with libFuzzer (clang -fsanitize=fuzzer) or, with afl_main.c, as
 * an AFL++ persistent-mode harness; see mk/fuzz.mk.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../lazy.h"

/* Big enough for any real source file; larger inputs only slow it down. */
#define MAX_INPUT (1 << 20)

/* As -DCONFIG_X86 -DCONFIG_PARAVIRT -UCONFIG_PPC -D__KERNEL__. */
static struct define defs[] = {
	{ "CONFIG_X86", 1, 1 },
	{ "CONFIG_PARAVIRT", 1, 1 },
	{ "CONFIG_PPC", 1, 0 },
	{ "__KERNEL__", 1, 1 },
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY);

	(void)argc;
	(void)argv;
	/* The findings are not what is tested; keep the fuzzer's log readable. */
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *formats[] = { "text", "json", "sarif" };
	struct config cfg;
	char *copy;
	int i;

	if (size > MAX_INPUT)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	for (i = 0; i < D_NR; i++)
		cfg.enabled[i] = 1;
	cfg.max_states = 200000;
	cfg.max_depth = 20;
	cfg.all_functions = 1;
	cfg.defs = defs;
	cfg.ndefs = sizeof(defs) / sizeof(defs[0]);

	/*
	 * The driver's contract: the text is followed by a NUL.  A copy of
	 * exactly that size, so that the sanitizers see any read past it.
	 */
	copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = 0;
	run_buffer(size & 1 ? "arch/x86/mm/fuzz.c" : "mm/fuzz.c", copy, size, &cfg,
		   formats[size % 3]);
	free(copy);
	return 0;
}
