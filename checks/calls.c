/*
 * What a call does, by its name (calls.def): sleeps, takes or releases a
 * lock, updates page tables.  The longest matching row wins, so that a
 * general prefix ("ptep_") can have exceptions ("ptep_get").
 */
#define _GNU_SOURCE
#include <string.h>
#include "lazy.h"

static const struct {
	const char *name;
	int prefix, what, arg;
} calls[] = {
#define CALL(n, w, a) { n, 0, w, a },
#define PREFIX(n, w, a) { n, 1, w, a },
#define ARCH(r, n, w)
#include "calls.def"
#undef CALL
#undef PREFIX
#undef ARCH
	{ NULL, 0, 0, 0 }
};

static const struct {
	const char *arch, *name;
	int what;
} arch_calls[] = {
#define CALL(n, w, a)
#define PREFIX(n, w, a)
#define ARCH(r, n, w) { r, n, w },
#include "calls.def"
#undef CALL
#undef PREFIX
#undef ARCH
	{ NULL, NULL, 0 }
};

/* The C_* bits of the definition of 'name' in 'arch' code. */
int arch_call_class(const char *arch, const char *name)
{
	int i;

	for (i = 0; arch_calls[i].arch; i++) {
		const char *n = arch_calls[i].name;
		size_t len = strlen(n);
		int prefix = len > 2 && n[0] != '_' && !strcmp(n + len - 2, "__");

		if (!strcmp(arch_calls[i].arch, arch) &&
		    (prefix ? !strncmp(n, name, len) : !strcmp(n, name)))
			return arch_calls[i].what;
	}
	return 0;
}

/* The C_* bits of a call of s[0, len); *arg the lock argument or -1. */
int call_class(const char *s, int len, int *arg)
{
	int i, best = -1, bestlen = -1;

	*arg = -1;
	if (memmem(s, len, "trylock", 7))
		return 0;
	for (i = 0; calls[i].name; i++) {
		int n;

		if (calls[i].name[0] != s[0])
			continue;
		n = (int)strlen(calls[i].name);
		if (n > len || memcmp(calls[i].name, s, n) || (!calls[i].prefix && n != len))
			continue;
		/* an exact row beats a prefix of the same length */
		if (n > bestlen || (n == bestlen && !calls[i].prefix)) {
			best = i;
			bestlen = n;
		}
	}
	if (best < 0)
		return 0;
	*arg = calls[best].arg;
	return calls[best].what;
}
