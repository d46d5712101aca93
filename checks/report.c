/*
 * Findings, and the only code of the checker that prints: the findings as
 * GCC-style text, one JSON document or SARIF 2.1.0 (a stable contract,
 * see docs/checks.md: other tools parse them), the debug dumps, error
 * messages and the usage text.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

#define TOOL_VERSION "1.0"

static const struct {
	const char *id;
	const char *desc;
} diags[] = {
#define DIAG(name, id, on, desc) { id, desc },
#include "diag.def"
#undef DIAG
};

struct skip {
	const char *file;
	int line, col;
	char *msg;
};

struct report {
	struct finding *f;
	int nf, falloc;
	struct skip *s;
	int ns, salloc;
	char **paths;
	int *args;		/* per path: which command-line argument it is under */
	int npaths;
	char **errors;		/* inputs that could not be read: the run failed */
	int nerrors;
};

const char *diag_name(int id)
{
	return diags[id].id;
}

int diag_lookup(const char *name)
{
	int i;

	if (!strncmp(name, "lazy-mmu-", 9))
		name += 9;
	for (i = 0; i < D_NR; i++)
		if (!strcmp(name, diags[i].id))
			return i;
	return -1;
}

struct report *report_new(void)
{
	struct report *r = xmalloc(sizeof(*r));

	memset(r, 0, sizeof(*r));
	return r;
}

void report_reset(struct report *r)
{
	int i, k;

	for (i = 0; i < r->nf; i++) {
		for (k = 0; k < r->f[i].nnotes; k++)
			free(r->f[i].notes[k].msg);
		free(r->f[i].notes);
		free(r->f[i].msg);
		free(r->f[i].function);
	}
	for (i = 0; i < r->ns; i++)
		free(r->s[i].msg);
	r->nf = r->ns = 0;
}

void report_free(struct report *r)
{
	int i;

	report_reset(r);
	for (i = 0; i < r->nerrors; i++)
		free(r->errors[i]);
	free(r->errors);
	for (i = 0; i < r->npaths; i++)
		free(r->paths[i]);
	free(r->paths);
	free(r->args);
	free(r->f);
	free(r->s);
	free(r);
}

/* Paths of findings outlive the file's arena: keep one copy of each. */
const char *path_intern(struct report *r, const char *path)
{
	int i;

	for (i = r->npaths - 1; i >= 0; i--)
		if (!strcmp(r->paths[i], path))
			return r->paths[i];
	r->paths = xrealloc(r->paths, (r->npaths + 1) * sizeof(*r->paths));
	r->args = xrealloc(r->args, (r->npaths + 1) * sizeof(*r->args));
	r->args[r->npaths] = INT_MAX;
	r->paths[r->npaths] = xstrdup(path);
	return r->paths[r->npaths++];
}

/* Output is sorted as a plain walk would visit the files: by command-line
 * argument, then path (whatever order the analysis took). */
void report_arg(struct report *r, const char *path, int arg)
{
	const char *p = path_intern(r, path);
	int i;

	for (i = r->npaths - 1; i >= 0; i--)
		if (r->paths[i] == p && r->args[i] > arg)
			r->args[i] = arg;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *s;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	s = xmalloc(n + 1);
	vsnprintf(s, n + 1, fmt, ap);
	return s;
}

struct finding *report_add(struct report *r, int id, const char *file, int line,
			   int col, const char *fn, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (r->nf == r->falloc) {
		r->falloc = r->falloc ? r->falloc * 2 : 16;
		r->f = xrealloc(r->f, r->falloc * sizeof(*r->f));
	}
	f = &r->f[r->nf++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->file = path_intern(r, file);
	f->line = line;
	f->col = col;
	f->function = xstrdup(fn ? fn : "");
	va_start(ap, fmt);
	f->msg = vformat(fmt, ap);
	va_end(ap);
	return f;
}

void report_note(struct report *r, struct finding *f, const char *file, int line,
		 int col, const char *fmt, ...)
{
	struct note *n;
	va_list ap;

	f->notes = xrealloc(f->notes, (f->nnotes + 1) * sizeof(*f->notes));
	n = &f->notes[f->nnotes++];
	n->file = path_intern(r, file);
	n->line = line;
	n->col = col;
	va_start(ap, fmt);
	n->msg = vformat(fmt, ap);
	va_end(ap);
}

void report_skip(struct report *r, const char *file, int line, int col, const char *fmt, ...)
{
	struct skip *s;
	va_list ap;

	if (r->ns == r->salloc) {
		r->salloc = r->salloc ? r->salloc * 2 : 16;
		r->s = xrealloc(r->s, r->salloc * sizeof(*r->s));
	}
	s = &r->s[r->ns++];
	s->file = path_intern(r, file);
	s->line = line;
	s->col = col;
	va_start(ap, fmt);
	s->msg = vformat(fmt, ap);
	va_end(ap);
}

/* An error about the run (an input that cannot be read): printed on
 * stderr at once, and kept for SARIF's failed invocation. */
void report_error(struct report *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	print_error("%s", msg);
	r->errors = xrealloc(r->errors, (r->nerrors + 1) * sizeof(*r->errors));
	r->errors[r->nerrors++] = msg;
}

int report_errors(const struct report *r)
{
	return r->nerrors;
}

/* ---- output ---- */

void print_usage(FILE *out, const char *text)
{
	fputs(text, out);
}

void print_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lazy-mmu-check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Length of the valid UTF-8 sequence at s (2-4), or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 (a Latin-1 source) become U+FFFD. */
static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;
		int n;

		if (c >= 0x80) {
			n = utf8_len((const unsigned char *)s);
			if (n) {
				fwrite(s, 1, n, out);
				s += n - 1;
			} else {
				fputs("\\ufffd", out);
			}
		} else if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void print_text(struct report *r, const struct config *cfg)
{
	int i, k;

	for (i = 0; i < r->nf; i++) {
		struct finding *f = &r->f[i];

		if (!cfg->enabled[f->id])
			continue;
		printf("%s:%d:%d: warning: %s [lazy-mmu-%s]\n", f->file, f->line, f->col,
		       f->msg, diags[f->id].id);
		for (k = 0; k < f->nnotes; k++)
			printf("%s:%d:%d: note: %s\n", f->notes[k].file, f->notes[k].line,
			       f->notes[k].col, f->notes[k].msg);
	}
	if (!cfg->enabled[D_PARSE])
		return;
	for (i = 0; i < r->ns; i++)
		printf("%s:%d:%d: note: %s [lazy-mmu-parse]\n", r->s[i].file, r->s[i].line,
		       r->s[i].col, r->s[i].msg);
}

static void json_loc(FILE *out, const char *file, int line, int col)
{
	fputs("\"file\": ", out);
	json_str(out, file);
	fprintf(out, ", \"line\": %d, \"column\": %d", line, col);
}

static void print_json(struct report *r, const struct config *cfg)
{
	const char *sep = "";
	int i, k;

	printf("{\"version\": 1, \"tool\": \"lazy-mmu-check\", \"findings\": [");
	for (i = 0; i < r->nf; i++) {
		struct finding *f = &r->f[i];

		if (!cfg->enabled[f->id])
			continue;
		printf("%s\n  {\"id\": \"lazy-mmu-%s\", \"severity\": \"warning\", ", sep,
		       diags[f->id].id);
		sep = ",";
		json_loc(stdout, f->file, f->line, f->col);
		printf(", \"function\": ");
		json_str(stdout, f->function);
		printf(", \"message\": ");
		json_str(stdout, f->msg);
		printf(", \"notes\": [");
		for (k = 0; k < f->nnotes; k++) {
			printf("%s{", k ? ", " : "");
			json_loc(stdout, f->notes[k].file, f->notes[k].line, f->notes[k].col);
			printf(", \"message\": ");
			json_str(stdout, f->notes[k].msg);
			printf("}");
		}
		printf("]}");
	}
	printf("\n], \"skipped\": [");
	for (i = 0; cfg->enabled[D_PARSE] && i < r->ns; i++) {
		printf("%s\n  {\"file\": ", i ? "," : "");
		json_str(stdout, r->s[i].file);
		printf(", \"line\": %d, \"message\": ", r->s[i].line);
		json_str(stdout, r->s[i].msg);
		printf("}");
	}
	printf("\n]}\n");
}

/*
 * A path as a URI reference (RFC 3986): bytes other than unreserved
 * characters and '/' are percent-encoded ("weird name \xc3\xa9.c" becomes
 * "weird%20name%20%C3%A9.c"); an absolute path becomes a file: URI.
 */
static void uri_str(FILE *out, const char *path, const char *fragment)
{
	const unsigned char *p = (const unsigned char *)path;

	fputc('"', out);
	if (*p == '/')
		fputs("file://", out);
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			fputc(*p, out);
		else
			fprintf(out, "%%%02X", *p);
	}
	if (fragment)
		fprintf(out, "#%s", fragment);
	fputc('"', out);
}

static void sarif_loc(const char *file, int line, int col, const char *msg)
{
	printf("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
	uri_str(stdout, file, NULL);
	printf("}, \"region\": {\"startLine\": %d, \"startColumn\": %d}}", line, col);
	if (msg) {
		printf(", \"message\": {\"text\": ");
		json_str(stdout, msg);
		printf("}");
	}
	printf("}");
}

/* Stable across line moves: rule, function and message, not the line. */
static unsigned long fingerprint(const struct finding *f)
{
	unsigned long h = 1469598103934665603UL;
	const char *parts[3] = { diags[f->id].id, f->function, f->msg };
	const char *s;
	int i;

	for (i = 0; i < 3; i++) {
		for (s = parts[i]; *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211UL;
		h = (h ^ 0xff) * 1099511628211UL;
	}
	h = (h ^ strlen(f->file)) * 1099511628211UL;
	return h;
}

static void sarif_result(const struct finding *f)
{
	int k;

	printf("{\"ruleId\": \"lazy-mmu-%s\", \"level\": \"warning\", \"message\": {\"text\": ",
	       diags[f->id].id);
	json_str(stdout, f->msg);
	printf("},\n     \"locations\": [");
	sarif_loc(f->file, f->line, f->col, NULL);
	printf("],\n     \"relatedLocations\": [");
	for (k = 0; k < f->nnotes; k++) {
		printf("%s", k ? ", " : "");
		sarif_loc(f->notes[k].file, f->notes[k].line, f->notes[k].col, f->notes[k].msg);
	}
	printf("],\n     \"codeFlows\": [{\"threadFlows\": [{\"locations\": [");
	for (k = 0; k < f->nnotes; k++) {
		printf("{\"location\": ");
		sarif_loc(f->notes[k].file, f->notes[k].line, f->notes[k].col, f->notes[k].msg);
		printf("}, ");
	}
	printf("{\"location\": ");
	sarif_loc(f->file, f->line, f->col, f->msg);
	printf(", \"importance\": \"essential\"}]}]}],\n     \"partialFingerprints\": "
	       "{\"lazyMmuFingerprint/v1\": \"%016lx\"}}", fingerprint(f));
}

/* The documentation's address: an absolute URI (SARIF requires one),
 * --docs-url or the file: URI of the docs/checks.md beside bin/. */
static void docs_uri(const struct config *cfg, const char *anchor)
{
	char buf[4200];

	if (cfg->docs_url) {
		snprintf(buf, sizeof(buf), "%s%s%s", cfg->docs_url, anchor ? "#" : "",
			 anchor ? anchor : "");
		json_str(stdout, buf);
		return;
	}
	uri_str(stdout, cfg->docs_path, anchor);
}

static void print_sarif(struct report *r, const struct config *cfg)
{
	const char *sep = "";
	char anchor[64];
	int i;

	printf("{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
	       " \"version\": \"2.1.0\",\n \"runs\": [{\n  \"tool\": {\"driver\": "
	       "{\"name\": \"lazy-mmu-check\", \"version\": \"" TOOL_VERSION "\", "
	       "\"informationUri\": ");
	docs_uri(cfg, NULL);
	printf(", \"rules\": [");
	for (i = 0; i < D_NR; i++) {
		printf("%s\n   {\"id\": \"lazy-mmu-%s\", \"shortDescription\": {\"text\": ",
		       i ? "," : "", diags[i].id);
		json_str(stdout, diags[i].desc);
		printf("}, \"helpUri\": ");
		snprintf(anchor, sizeof(anchor), "lazy-mmu-%s", diags[i].id);
		docs_uri(cfg, anchor);
		printf("}");
	}
	printf("]}},\n  \"results\": [");
	for (i = 0; i < r->nf; i++) {
		if (!cfg->enabled[r->f[i].id])
			continue;
		printf("%s\n    ", sep);
		sep = ",";
		sarif_result(&r->f[i]);
	}
	/* a run that exits 2 (an input could not be read) did not succeed */
	printf("],\n  \"invocations\": [{\"executionSuccessful\": %s, "
	       "\"toolExecutionNotifications\": [", r->nerrors ? "false" : "true");
	sep = "";
	for (i = 0; i < r->nerrors; i++) {
		printf("%s\n   {\"level\": \"error\", \"message\": {\"text\": ", sep);
		json_str(stdout, r->errors[i]);
		printf("}}");
		sep = ",";
	}
	for (i = 0; cfg->enabled[D_PARSE] && i < r->ns; i++) {
		printf("%s\n   {\"level\": \"note\", \"descriptor\": {\"id\": \"lazy-mmu-parse\"}, "
		       "\"message\": {\"text\": ", sep);
		sep = ",";
		json_str(stdout, r->s[i].msg);
		printf("}, \"locations\": [");
		sarif_loc(r->s[i].file, r->s[i].line, r->s[i].col, NULL);
		printf("]}");
	}
	printf("]}]\n }]\n}\n");
}

static int path_index(struct report *r, const char *p)
{
	int i;

	for (i = 0; i < r->npaths; i++)
		if (r->paths[i] == p)
			return i;
	return -1;
}

/* Paths in walk order: component by component ('/' before any byte). */
static int cmp_paths(struct report *r, const char *a, const char *b)
{
	int ia = path_index(r, a), ib = path_index(r, b);

	if (ia == ib)
		return 0;
	if (r->args[ia] != r->args[ib])
		return r->args[ia] < r->args[ib] ? -1 : 1;
	for (; *a && *a == *b; a++, b++)
		;
	if (*a == '/' || *b == '/')
		return *a == '/' ? -1 : 1;
	return (unsigned char)*a - (unsigned char)*b;
}

static int cmp_findings(const void *x, const void *y, void *r)
{
	const struct finding *a = x, *b = y;
	int c = cmp_paths(r, a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line - b->line;
	if (a->col != b->col)
		return a->col - b->col;
	return a->id - b->id;
}

static int cmp_skips(const void *x, const void *y, void *r)
{
	const struct skip *a = x, *b = y;
	int c = cmp_paths(r, a->file, b->file);

	if (c)
		return c;
	if (a->line != b->line)
		return a->line - b->line;
	return a->col - b->col;
}

/* Prints everything; returns the number of warnings and skips printed. */
int report_print(struct report *r, const char *format, const struct config *cfg)
{
	int i, n = 0;

	if (r->nf)	/* r->f is NULL until the first finding */
		qsort_r(r->f, r->nf, sizeof(*r->f), cmp_findings, r);
	if (r->ns)
		qsort_r(r->s, r->ns, sizeof(*r->s), cmp_skips, r);
	for (i = 0; i < r->nf; i++)
		n += cfg->enabled[r->f[i].id];
	if (cfg->enabled[D_PARSE])
		n += r->ns;	/* a skipped function is an incomplete check */
	if (!strcmp(format, "json"))
		print_json(r, cfg);
	else if (!strcmp(format, "sarif"))
		print_sarif(r, cfg);
	else
		print_text(r, cfg);
	fflush(stdout);
	return n;
}

/* ---- debug dumps (--dump=) ---- */

void print_tokens(const struct unit *u)
{
	int i;

	for (i = 0; i < u->toks.n; i++) {
		const struct token *t = &u->toks.t[i];
		static const char *k[] = { "eof", "ident", "number", "string", "char", "punct",
			"pp-if", "pp-else", "pp-endif", "dead" };

		printf("%s:%d:%d: %s", u->path, t->line, t->col, k[t->kind]);
		if (t->kind >= T_PP_IF)
			printf(" group %d%s\n", t->group,
			       t->kind == T_PP_ENDIF && t->complete ? " complete" : "");
		else
			printf(" %.*s\n", t->len, t->s);
	}
}

void print_cfg(const struct unit *u, const struct function *f, const struct cfg *g)
{
	static const char *kinds[] = { "nop", "op", "cond", "multi", "assign", "return", "exit", "jump" };
	int i, k;

	printf("function %s: %d nodes, entry %d\n", f->name, g->nn, g->entry);
	for (i = 0; i < g->nn; i++) {
		const struct node *n = &g->n[i];

		printf("  %d: %s line %d", i, kinds[n->kind], u->toks.t[n->tok].line);
		if (n->callee)
			printf(" '%s'", n->callee);
		if (n->what)
			printf(" [%s]", n->what);
		if (n->kind == N_ASSIGN)
			printf(" = %s", n->val == F_ZERO ? "zero" : n->val == F_NONZERO ? "nonzero" : "?");
		printf(" ->");
		for (k = 0; k < n->nsucc; k++)
			printf(" %d", (n->succ ? n->succ : n->s2)[k]);
		printf("\n");
	}
}

static const char *kind_name(int op)
{
	return op == OP_ENABLE ? "enable" : op == OP_PAUSE ? "pause" :
	       op == OP_DISABLE ? "disable" : "resume";
}

void print_summaries(const struct summaries *s)
{
	int i, k;

	for (i = 0; i < summary_count(s); i++) {
		const struct effect *e = summary_effect(s, i);

		printf("%s%s %s:", summary_static(s, i) ? "static " : "", summary_name(s, i),
		       summary_where(s, i));
		if (summary_ambiguous(s, i)) {
			printf(" ambiguous\n");
			continue;
		}
		for (k = 0; k < e->nunder; k++)
			printf(" closes-caller-%s", kind_name(e->under[k]));
		for (k = 0; k < e->nopen; k++)
			printf(" leaves-open-%s*%d", kind_name(e->open[k]), e->count[k]);
		printf("\n");
	}
}

/* --dump=functions: one JSON object, {"version": 1, "functions": [...]} */
void print_functions_begin(void)
{
	printf("{\"version\": 1, \"functions\": [");
}

void print_function_json(int first, const char *file, const char *name, int start, int end)
{
	printf("%s\n  {\"file\": ", first ? "" : ",");
	json_str(stdout, file);
	printf(", \"name\": ");
	json_str(stdout, name);
	printf(", \"start\": %d, \"end\": %d}", start, end);
}

void print_functions_end(void)
{
	printf("\n]}\n");
	fflush(stdout);
}
