/*
 * lazy-mmu-check: find unbalanced and misnested lazy MMU sections.
 *
 *   lazy-mmu-check [options] PATH...
 *
 * Also usable as kbuild's CHECK: compiler flags it does not know are
 * ignored; -D, -U and -include (autoconf.h, or kconfig.h found through -I)
 * decide #if conditions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lazy.h"

#define MAXINC 16

struct opts {
	struct config cfg;
	const char *format;
	char **paths;
	int npaths;
	const char *inc[MAXINC];
	const char *idirs[64];
	int ninc, nidirs;
	int exit_zero;
	int to_stderr;
};

static void usage(FILE *out)
{
	print_usage(out,
		"usage: lazy-mmu-check [options] PATH...\n"
		"  --format=text|json|sarif   output format (default text)\n"
		"  -W<id>, -Wno-<id>          enable/disable a diagnostic (see docs/checks.md)\n"
		"  -DNAME[=VAL], -UNAME       decide #if conditions\n"
		"  -include FILE              read #defines (autoconf.h; kconfig.h via -I)\n"
		"  --max-states=N             path-state budget per function (default 200000)\n"
		"  --max-depth=N              calls a chain across functions may have (default 20)\n"
		"  --arch=NAME                follow calls into this arch's definitions only\n"
		"                             (default: every arch that has the mode)\n"
		"  --dump=tokens|cfg|summaries  debug output instead of findings\n"
		"  --dump=functions           the function definitions, as JSON\n"
		"  --all-functions            parse and analyse every function (testing)\n"
		"  --exit-zero                exit 0 even with findings (kbuild C=1: CF=--exit-zero)\n"
		"  --stderr                   print findings on stderr (make -s discards stdout)\n"
		"  --docs-url=URL             address of docs/checks.md for SARIF's rule links\n"
		"Other compiler options are ignored, so it can be kbuild's CHECK.\n"
		"Exit status: 0 clean, 1 findings, 2 usage or I/O error.\n");
}

static int takes_arg(const char *a)
{
	static const char *opts[] = { "-o", "-MF", "-MT", "-MQ", "-x", "-isystem",
		"-iquote", "-idirafter", "-imacros", "-include", "-I", "-D", "-U",
		"-Xclang", "-target", "--param", NULL };
	int i;

	for (i = 0; opts[i]; i++)
		if (!strcmp(a, opts[i]))
			return 1;
	return 0;
}

static int option(struct opts *o, char **argv, int *i, int argc)
{
	const char *a = argv[*i], *arg = NULL;
	int id;

	if (takes_arg(a)) {
		if (*i + 1 >= argc) {
			print_error("%s needs an argument", a);
			return -1;
		}
		arg = argv[++*i];
	}
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		usage(stdout);
		exit(0);
	} else if (!strcmp(a, "--version")) {
		print_usage(stdout, "lazy-mmu-check 1.0\n");
		exit(0);
	} else if (!strncmp(a, "--format=", 9)) {
		o->format = a + 9;
		if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "sarif")) {
			print_error("unknown format '%s' (text, json, sarif)", o->format);
			return -1;
		}
	} else if (!strncmp(a, "--dump=", 7)) {
		o->cfg.dump = a + 7;
		if (strcmp(o->cfg.dump, "tokens") && strcmp(o->cfg.dump, "cfg") &&
		    strcmp(o->cfg.dump, "summaries") && strcmp(o->cfg.dump, "functions")) {
			print_error("unknown dump '%s' (tokens, cfg, summaries, functions)", o->cfg.dump);
			return -1;
		}
	} else if (!strncmp(a, "--arch=", 7)) {
		o->cfg.arch = a + 7;
	} else if (!strncmp(a, "--docs-url=", 11)) {
		o->cfg.docs_url = a + 11;
	} else if (!strcmp(a, "--stderr")) {
		o->to_stderr = 1;
	} else if (!strcmp(a, "--exit-zero")) {
		o->exit_zero = 1;
	} else if (!strcmp(a, "--all-functions")) {
		o->cfg.all_functions = 1;
	} else if (!strncmp(a, "--max-depth=", 12)) {
		o->cfg.max_depth = atoi(a + 12);
		if (o->cfg.max_depth <= 0 || o->cfg.max_depth > 60) {
			print_error("bad --max-depth '%s' (1 to 60)", a + 12);
			return -1;
		}
	} else if (!strncmp(a, "--max-states=", 13)) {
		o->cfg.max_states = atoi(a + 13);
		if (o->cfg.max_states <= 0) {
			print_error("bad --max-states '%s'", a + 13);
			return -1;
		}
	} else if (!strncmp(a, "-Wno-", 5) && (id = diag_lookup(a + 5)) >= 0) {
		o->cfg.enabled[id] = 0;
	} else if (!strncmp(a, "-W", 2) && (id = diag_lookup(a + 2)) >= 0) {
		o->cfg.enabled[id] = 1;
	} else if (!strcmp(a, "-D") || !strcmp(a, "-U")) {
		config_define(&o->cfg, arg, a[1] == 'D');
	} else if (!strncmp(a, "-D", 2) || !strncmp(a, "-U", 2)) {
		config_define(&o->cfg, a + 2, a[1] == 'D');
	} else if (!strcmp(a, "-include") || !strcmp(a, "-imacros")) {
		if (o->ninc < MAXINC)
			o->inc[o->ninc++] = arg;
	} else if (!strcmp(a, "-I") || !strncmp(a, "-I", 2)) {
		if (o->nidirs < 64)
			o->idirs[o->nidirs++] = arg ? arg : a + 2;
	}
	return 0;			/* anything else: a compiler flag, ignored */
}

static int parse_args(struct opts *o, int argc, char **argv)
{
	int i, only_dashdash = 0;

	for (i = 1; i < argc; i++) {
		if (!only_dashdash && !strcmp(argv[i], "--")) {
			only_dashdash = 1;
		} else if (!only_dashdash && argv[i][0] == '-' && argv[i][1]) {
			if (option(o, argv, &i, argc) < 0)
				return -1;
		} else {
			o->paths[o->npaths++] = argv[i];
		}
	}
	for (i = 0; i < o->ninc; i++)
		if (config_read_defines(&o->cfg, o->inc[i], o->idirs, o->nidirs, 0) < 0)
			return -1;
	if (!o->npaths) {
		usage(stderr);
		return -1;
	}
	if (o->to_stderr && dup2(2, 1) < 0) {
		print_error("dup2: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* docs/checks.md beside the bin/ directory of this executable, for
 * SARIF's absolute rule links (--docs-url overrides it). */
static void find_docs(struct config *cfg)
{
	char exe[4000];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;
	int up;

	if (n <= 0)
		n = snprintf(exe, sizeof(exe), "/usr/local/bin/lazy-mmu-check");
	exe[n] = 0;
	for (up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
		*slash = 0;
	snprintf(cfg->docs_path, sizeof(cfg->docs_path), "%s/docs/checks.md", exe);
}

int main(int argc, char **argv)
{
	struct opts o;
	int i, ret = 2;

	memset(&o, 0, sizeof(o));
	o.format = "text";
	o.cfg.max_states = 200000;
	o.cfg.max_depth = 20;
	for (i = 0; i < D_NR; i++)
		o.cfg.enabled[i] = 1;
	o.paths = xmalloc(argc * sizeof(*o.paths));
	find_docs(&o.cfg);
	if (!parse_args(&o, argc, argv)) {
		ret = run(o.paths, o.npaths, &o.cfg, o.format);
		if (ret == 1 && o.exit_zero)
			ret = 0;
	}
	config_free(&o.cfg);
	free(o.paths);
	return ret;
}
