/*
 * main() for the fuzz target without libFuzzer.
 *
 * Built with afl-clang-fast it is an AFL++ persistent-mode harness: the
 * test cases come through shared memory, many per process.  Given files
 * as arguments it runs each of them once and exits (a replay, e.g. of a
 * crash that AFL++ saved).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "../lazy.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, alloc = 0, n;

	if (!f) {
		perror(path);
		return 1;
	}
	do {
		if (len == alloc) {
			alloc = alloc ? alloc * 2 : 65536;
			buf = xrealloc(buf, alloc);
		}
		n = fread(buf + len, 1, alloc - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(buf);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	return 0;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

int main(int argc, char **argv)
{
	int i, bad = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			bad |= replay(argv[i]);
		return bad;
	}
#ifdef __AFL_FUZZ_TESTCASE_LEN
	__AFL_INIT();
	{
		unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;

		while (__AFL_LOOP(10000))
			LLVMFuzzerTestOneInput(buf, __AFL_FUZZ_TESTCASE_LEN);
	}
	return 0;
#else
	fprintf(stderr, "usage: %s FILE... (built without AFL++: replay only)\n", argv[0]);
	return 2;
#endif
}
