/*
 * What decides #if conditions: -D/-U and the #defines of -include'd
 * headers (autoconf.h directly, or through kconfig.h and the -I path).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

void config_define(struct config *cfg, const char *arg, int defined)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
	struct define *d;
	char *end;

	cfg->defs = xrealloc(cfg->defs, (cfg->ndefs + 1) * sizeof(*cfg->defs));
	d = &cfg->defs[cfg->ndefs++];
	d->name = xmalloc(n + 1);
	memcpy(d->name, arg, n);
	d->name[n] = 0;
	d->defined = defined;
	d->value = 1;
	if (eq && eq[1]) {
		long v = strtol(eq + 1, &end, 0);

		if (!*end)
			d->value = v;
	}
}

/* #define lines of an -include'd header; follows generated/autoconf.h. */
int config_read_defines(struct config *cfg, const char *path, const char **idirs,
			int nidirs, int depth)
{
	char line[1024], name[256], val[256], inc[512];
	FILE *f = fopen(path, "r");
	int i;

	if (!f) {
		print_error("-include %s: cannot open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		int n = sscanf(line, "#define %255s %255s", name, val);

		if (n >= 1 && !strchr(name, '(')) {
			char buf[600];

			snprintf(buf, sizeof(buf), "%s=%s", name, n == 2 ? val : "1");
			config_define(cfg, buf, 1);
			if (!strncmp(name, "CONFIG_", 7))
				cfg->configs_known = 1;
		} else if (depth == 0 && sscanf(line, "#include <%511[^>]>", inc) == 1 &&
			   strstr(inc, "autoconf.h")) {
			for (i = 0; i < nidirs; i++) {
				char full[1200];
				FILE *t;

				snprintf(full, sizeof(full), "%s/%s", idirs[i], inc);
				if ((t = fopen(full, "r"))) {
					fclose(t);
					config_read_defines(cfg, full, idirs, nidirs, 1);
					break;
				}
			}
		}
	}
	fclose(f);
	return 0;
}


void config_free(struct config *cfg)
{
	int k;

	for (k = 0; k < cfg->ndefs; k++)
		free(cfg->defs[k].name);
	free(cfg->defs);
}
