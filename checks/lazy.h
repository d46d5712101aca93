/* lazy-mmu-check: shared declarations. */
#ifndef LAZY_H
#define LAZY_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

enum diag_id {
#define DIAG(name, id, on, desc) D_##name,
#include "diag.def"
#undef DIAG
	D_NR
};

/* ---- arena.c: per-file bump allocator ---- */
struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- options shared by every pass ---- */
struct define {
	char *name;
	long value;		/* numeric value, 1 when not a number */
	int defined;		/* 0: -U or known absent */
};

struct config {
	struct define *defs;
	int ndefs;
	int configs_known;	/* an autoconf.h was read: absent CONFIG_* are off */
	int enabled[D_NR];
	int max_states;		/* path-state budget per function */
	const char *dump;	/* NULL, "tokens", "cfg", "summaries" */
	int all_functions;	/* parse and analyse every function (testing) */
	const char *docs_url;	/* --docs-url: SARIF's documentation address */
	char docs_path[4096];	/* else this file's file: URI */
};

/* ---- config.c ---- */
void config_define(struct config *cfg, const char *arg, int defined);
int config_read_defines(struct config *cfg, const char *path, const char **idirs,
			int nidirs, int depth);
void config_free(struct config *cfg);

/* ---- lex.c ---- */
enum tok_kind {
	T_EOF, T_IDENT, T_NUM, T_STR, T_CHAR, T_PUNCT,
	T_PP_IF, T_PP_ELSE, T_PP_ENDIF, T_DEAD
};

struct token {
	const char *s;
	int len;
	int line, col;
	unsigned char kind;
	unsigned char complete;	/* T_PP_ENDIF: the group had a taken #else;
				 * T_PP_IF: PP_IF, PP_IFDEF or PP_IFNDEF, and
				 * s/len is the condition's text */
	int group;		/* PP tokens: conditional group id */
};

enum { PP_IF, PP_IFDEF, PP_IFNDEF };

struct tokens {
	struct token *t;
	int n, alloc;
	/* legacy calls in #define bodies: (macro name, call) pairs */
	struct token *mcalls;
	int nmcalls;
};

/* The first text the lexer could not read as C (what is NULL if none). */
struct lex_issue {
	int line, col;
	const char *what;
};

int lex(const char *buf, size_t len, const struct config *cfg, struct tokens *out,
	struct lex_issue *issue);
int tok_is(const struct token *t, const char *s);
/* Index of t's spelling in the NULL-terminated set, or -1. */
int tok_index(const struct token *t, const char *const *set);
int pp_eval(const struct token *t, int n, const struct config *cfg);

/* ---- parse.c ---- */
enum stmt_kind {
	S_EXPR, S_BLOCK, S_IF, S_WHILE, S_FOR, S_DO, S_MACRO_LOOP, S_ONCE,
	S_SWITCH, S_CASE, S_LABEL, S_GOTO, S_BREAK, S_CONTINUE, S_RETURN,
	S_PPIF
};

struct stmt {
	int kind;
	int tok;		/* first token: the location */
	int a0, a1;		/* expr / condition / macro args token range */
	int i0, i1, s0, s1;	/* for (init; cond; step) */
	struct stmt *body, *els;
	struct stmt **kids;	/* block children, #if arms */
	int nkids;
	int complete;		/* S_PPIF: one arm is always taken */
};

struct function {
	const char *name;
	int name_tok;
	int body_open, body_close;	/* token indices of { } */
	int is_static;
	struct stmt *body;
	const char *error;		/* parse failure reason */
	int error_tok;
};

struct unit {
	const char *path;
	const char *buf;
	int is_arch;
	struct tokens toks;
	struct function *fns;
	int nfns;
	struct arena *arena;
};

int parse_unit(struct unit *u);	/* -1, or an unmatched '{' */
void parse_function(struct unit *u, struct function *f);
void pp_filter(const struct tokens *in, int from, int to, int mode, struct tokens *out);

/* ---- cfg.c ---- */
enum op_kind { OP_NONE, OP_ENABLE, OP_DISABLE, OP_PAUSE, OP_RESUME, OP_FLUSH, OP_CALL };

enum node_kind {
	N_NOP, N_OP, N_COND, N_MULTI, N_ASSIGN, N_RET, N_EXIT, N_JUMP
};

enum fact_val { F_UNKNOWN, F_ZERO, F_NONZERO };

struct node {
	int kind;
	int tok;
	int nsucc;
	int *succ;
	int s2[2];
	/* N_OP */
	int op, legacy;
	const char *callee;
	int summary;		/* OP_CALL: index in the summary table */
	/* N_COND: condition range; N_ASSIGN: lvalue range */
	int a0, a1;
	int val;		/* N_ASSIGN */
	int guards;		/* N_COND: 2 a branch calls what matters, 1 it exits */
	const char *what;	/* N_JUMP / N_MULTI arm notes */
};

struct cfg {
	struct node *n;
	int nn, alloc;
	int entry;
};

struct summaries;
int is_api_name(const char *s, int len, int *op, int *legacy);
int build_cfg(struct unit *u, struct function *f, const struct summaries *sum,
	      int legacy_active, struct cfg *g);

/* ---- summary.c ---- */
#define MAXFRAMES 6
#define MAXUNDER 4

struct effect {
	unsigned char nunder, under[MAXUNDER];	/* closes of caller frames */
	unsigned char nopen, open[MAXFRAMES];	/* kinds left open, in order */
	unsigned char count[MAXFRAMES];
};

struct summaries;
struct summaries *summaries_new(void);
void summaries_free(struct summaries *s);
int summary_lookup(const struct summaries *s, const char *name, int len, const char *path);
int summary_global(const struct summaries *s, int idx);
const struct effect *summary_effect(const struct summaries *s, int idx);
const char *summary_where(const struct summaries *s, int idx);
int summary_update(struct summaries *s, const char *name, const struct effect *e,
		   const char *where, const char *file);
int summary_generation(const struct summaries *s);
int summary_count(const struct summaries *s);
const char *summary_name(const struct summaries *s, int idx);
int summary_ambiguous(const struct summaries *s, int idx);
int summary_static(const struct summaries *s, int idx);
int effect_equal(const struct effect *a, const struct effect *b);
int effect_empty(const struct effect *e);

/* ---- report.c ---- */
struct note {
	const char *file;
	int line, col;
	char *msg;
};

struct finding {
	int id;
	const char *file;
	int line, col;
	char *function;
	char *msg;
	struct note *notes;
	int nnotes;
};

struct report;
struct report *report_new(void);
void report_free(struct report *r);
void report_reset(struct report *r);
struct finding *report_add(struct report *r, int id, const char *file, int line,
			   int col, const char *fn, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
void report_note(struct report *r, struct finding *f, const char *file, int line,
		 int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void report_skip(struct report *r, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int report_print(struct report *r, const char *format, const struct config *cfg);
void report_error(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int report_errors(const struct report *r);
void print_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_usage(FILE *out, const char *text);
void print_tokens(const struct unit *u);
void print_cfg(const struct unit *u, const struct function *f, const struct cfg *g);
void print_summaries(const struct summaries *s);
const char *diag_name(int id);
int diag_lookup(const char *name);
const char *path_intern(struct report *r, const char *path);

/* ---- analyse.c ---- */
int analyse_function(struct unit *u, struct function *f, struct summaries *sum,
		     const struct config *cfg, struct report *rep, struct cfg *g, int generic);

/* ---- driver.c ---- */
int run(char **paths, int npaths, const struct config *cfg, const char *format);
int run_buffer(const char *path, const char *buf, size_t len,
	       const struct config *cfg, const char *format);

#endif
