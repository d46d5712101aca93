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
	int max_depth;		/* calls a chain across functions may have */
	const char *dump;	/* NULL, "tokens", "cfg", "summaries" */
	int all_functions;	/* parse and analyse every function (testing) */
	const char *arch;	/* --arch: the one arch whose definitions chains use */
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

#define MAXPARAMS 8

struct function {
	const char *name;
	int name_tok;
	int body_open, body_close;	/* token indices of { } */
	int is_static;
	struct stmt *body;
	const char *error;		/* parse failure reason */
	int error_tok;
	int params[MAXPARAMS];		/* tokens of the parameter names, -1 unnamed */
	int nparams;
	int gfp_param;			/* takes GFP flags (a gfp_t parameter) */
};

struct unit {
	const char *path;
	const char *buf;
	size_t len;
	int is_arch;
	struct tokens toks;
	struct function *fns;
	int nfns;
	struct arena *arena;
};

int parse_unit(struct unit *u);	/* -1, or an unmatched '{' */
void function_params(struct unit *u, struct function *f);
int decl_start(const struct unit *u, int name_tok);
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
	int summary;		/* OP_CALL: index in the summary table, or -1 */
	int plain;		/* OP_CALL of a function without a summary */
	int cls, lp, rp;	/* OP_CALL: C_* bits, the argument list's ( ) */
	int param;		/* OP_CALL: the callee is parameter N, or -1 */
	int gfp;		/* OP_CALL: GFP flags that allow direct reclaim */
	uint32_t lockh;		/* C_LOCK / C_UNLOCK: hash of the lock's text */
	const char *lockname;
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
int call_arg(const struct token *t, int lp, int rp, int arg, int *a0, int *a1);
int gfp_reclaim(const struct token *t, int lp, int rp);
int skip_call(const struct token *t);

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
void summary_set_place(struct summaries *s, int idx, const char *file, int line, int col,
		       const char *via);
const char *summary_place(const struct summaries *s, int idx, int *line, int *col,
			  const char **via);
int summary_static(const struct summaries *s, int idx);
int effect_equal(const struct effect *a, const struct effect *b);
int effect_empty(const struct effect *e);

/* ---- calls.c ---- */
enum { C_SLEEP = 1, C_LOCK = 2, C_UNLOCK = 4, C_UPDATE = 8, C_ATOMIC = 16, C_STOP = 32 };
int call_class(const char *s, int len, int *arg);
int arch_call_class(const char *arch, const char *name);

/* ---- tree.c ---- */
char *tree_path(const char *path);
int tree_arch(const char *treepath, int in_tree, char *arch, size_t n);

/* ---- index.c ---- */
#define MAXARCH 48
enum { DEF_FUNC, DEF_LOCAL_FUNC, DEF_MACRO, DEF_ALIAS };

struct defref {
	int file, kind;
	unsigned int off;
};

struct index;
uint32_t name_hash(const char *s, int len);
int contains(const char *b, size_t n, const char *needle, size_t nl);
struct index *index_new(void);
void index_free(struct index *x);
int arch_id(struct index *x, const char *name);
const char *arch_name(const struct index *x, int id);
int arch_count(const struct index *x);
int index_file_id(const struct index *x, const char *path);
int index_add_file(struct index *x, const char *path, const char *tpath, int arch);
const char *index_path(const struct index *x, int file);
const char *index_tpath(const struct index *x, int file);
int index_arch(const struct index *x, int file);
int index_nfiles(const struct index *x);
int decl_name(const char *b, size_t q, size_t *name, int *len);
void index_scan(struct index *x, int file, const char *b, size_t n, size_t base);
void index_seal(struct index *x);
int index_lookup(const struct index *x, const char *name, int len, struct defref *out, int max);
size_t index_size(const struct index *x);

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
void print_functions_begin(void);
void print_function_json(int first, const char *file, const char *name, int start, int end);
void print_functions_end(void);
const char *diag_name(int id);
int diag_lookup(const char *name);
const char *path_intern(struct report *r, const char *path);
void report_arg(struct report *r, const char *path, int arg);

/* ---- analyse.c ---- */
/* The mode on a path at a call: the caller's (nothing of this function's
 * own open), active (a section of its own open, none paused), paused
 * (a pause of its own, or a legacy leave in a callee), closed (it closed
 * its caller's section). */
enum { ST_CALLER = 1, ST_ACTIVE = 2, ST_PAUSED = 4, ST_CLOSED = 8 };

struct callsite {
	int node;		/* CFG node of the call */
	int tok;		/* the callee's name */
	unsigned char status;	/* ST_* of the paths that reach it */
	unsigned char legacy;	/* ST_ACTIVE: a legacy section is open there */
	int open_tok;		/* ST_ACTIVE: the innermost section's opening (first path) */
	unsigned char open_via;	/* ... opened by a call of a wrapper */
};

enum { EV_OPEN = 1, EV_UNLOCK };

/* What the function does itself with the caller's mode in effect. */
struct ownevent {
	int kind;
	int tok, lock_tok, upd_tok;	/* EV_UNLOCK: the unlock, the lock, the update */
	unsigned char legacy;		/* EV_OPEN: a legacy section */
	const char *lock;		/* EV_UNLOCK: the lock's text */
};

struct fnout {
	const struct cfg *cfg;	/* the graph the sites' nodes are in */
	int report;		/* its findings were reported (AF_REPORT) */
	struct callsite *site;
	int nsite, sitealloc;
	struct ownevent *ev;
	int nev, evalloc;
	int too_complex;
};

enum { AF_REPORT = 1, AF_SUMMARY = 2 };

int analyse_function(struct unit *u, struct function *f, struct summaries *sum,
		     const struct config *cfg, struct report *rep, struct cfg *g, int generic,
		     int mode, struct fnout *out);
void fnout_free(struct fnout *o);

/* ---- callgraph.c ---- */
struct callgraph;
struct callgraph *cg_new(struct index *x, struct summaries *sum, const struct config *cfg);
void cg_free(struct callgraph *g);
void cg_reset(struct callgraph *g);
void cg_add(struct callgraph *g, int file, struct unit *u, struct function *f,
	    const struct fnout *o, int parsed);
int cg_needles(struct callgraph *g, char ***names, int sealed);
void cg_finish(struct callgraph *g, struct report *rep, const char *mem, size_t memlen);

/* ---- driver.c ---- */
/* What the analysis of one function needs. */
struct checker {
	const struct config *cfg;
	struct summaries *sum;
	struct report *rep;
	struct callgraph *cg;
	int pass;
};

void check_function(struct checker *k, struct unit *u, struct function *f, int file,
		    int closure);
int run(char **paths, int npaths, const struct config *cfg, const char *format);
int run_buffer(const char *path, const char *buf, size_t len,
	       const struct config *cfg, const char *format);

#endif
