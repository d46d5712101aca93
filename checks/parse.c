/*
 * Statement-level parser: finds function definitions at file scope and
 * turns their bodies into a tree of statements.  Expressions stay token
 * ranges; cfg.c looks inside them for the calls that matter.
 */
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

struct parser {
	struct unit *u;
	struct token *t;
	int i, end;		/* cursor, index of the body's closing brace */
	int open[64];		/* #if groups whose arms the parser is inside */
	int nopen;
	int depth;
	jmp_buf fail;
	const char *why;
	int why_tok;
};

static void fail(struct parser *p, const char *why)
{
	p->why = why;
	p->why_tok = p->i < p->end ? p->i : p->end;
	longjmp(p->fail, 1);
}

static struct token *cur(struct parser *p)
{
	return &p->t[p->i];
}

static int at(struct parser *p, const char *s)
{
	return p->i < p->end && p->t[p->i].kind == T_PUNCT ? tok_is(cur(p), s) :
	       p->i < p->end && p->t[p->i].kind == T_IDENT && tok_is(cur(p), s);
}

static void expect(struct parser *p, const char *s)
{
	if (!at(p, s))
		fail(p, s[0] == ')' ? "expected ')'" : s[0] == '(' ? "expected '('" :
		     s[0] == ';' ? "expected ';'" : s[0] == ':' ? "expected ':'" :
		     "unexpected token");
	p->i++;
}

static int is_open_group(struct parser *p, const struct token *t)
{
	int k;

	if (t->kind != T_PP_ELSE && t->kind != T_PP_ENDIF)
		return 0;
	for (k = 0; k < p->nopen; k++)
		if (p->open[k] == t->group)
			return 1;
	return 0;
}

/* Index of the token matching the opener at i (or -1). */
static int match(struct token *t, int i, int end)
{
	int depth = 0;

	for (; i < end; i++) {
		if (t[i].kind != T_PUNCT)
			continue;
		if (tok_is(&t[i], "(") || tok_is(&t[i], "[") || tok_is(&t[i], "{"))
			depth++;
		else if (tok_is(&t[i], ")") || tok_is(&t[i], "]") || tok_is(&t[i], "}"))
			if (--depth == 0)
				return i;
	}
	return -1;
}

static struct stmt *new_stmt(struct parser *p, int kind, int tok)
{
	struct stmt *s = arena_alloc(p->u->arena, sizeof(*s));

	s->kind = kind;
	s->tok = tok;
	return s;
}

/* Scan an expression up to 'stop' (";" or ":") at depth 0; returns its
 * end index (exclusive) and leaves the cursor on the stop token. */
static int stmt_keyword(const struct token *t)
{
	static const char *const kw[] = { "if", "for", "while", "switch", "return", "do",
		"goto", "break", "continue", "else", "case", "default", NULL };

	return tok_index(t, kw) >= 0;
}

static int scan_expr(struct parser *p, const char *stop)
{
	int depth = 0, quest = 0, start = p->i;

	for (; p->i < p->end; p->i++) {
		struct token *t = cur(p);

		if (is_open_group(p, t) && depth == 0)
			return p->i;
		/* "MACRO(x)" without ';' before the next statement */
		if (depth == 0 && t->kind == T_IDENT && p->i > start && stmt_keyword(t))
			return p->i;
		if (t->kind != T_PUNCT)
			continue;
		if (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{")) {
			depth++;
		} else if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}")) {
			/* a stray ")" or "]" would stop every statement after it */
			if (depth == 0 && !tok_is(t, "}"))
				fail(p, "unbalanced parentheses");
			if (depth == 0)
				return p->i;
			depth--;
		} else if (depth == 0 && tok_is(t, "?")) {
			quest++;
		} else if (depth == 0 && tok_is(t, ":") && quest) {
			quest--;
		} else if (depth == 0 && tok_is(t, stop)) {
			return p->i;
		}
	}
	fail(p, "unterminated statement");
	return -1;
}

/* "( ... )": returns the range inside. */
static void paren_range(struct parser *p, int *a0, int *a1)
{
	int close;

	if (!at(p, "("))
		fail(p, "expected '('");
	close = match(p->t, p->i, p->end);
	if (close < 0)
		fail(p, "unbalanced parentheses");
	*a0 = p->i + 1;
	*a1 = close;
	p->i = close + 1;
}

static struct stmt *statement(struct parser *p);

static void add_kid(struct parser *p, struct stmt *b, struct stmt *k, int *alloc)
{
	if (b->nkids == *alloc) {
		struct stmt **n;

		*alloc = *alloc ? *alloc * 2 : 8;
		n = arena_alloc(p->u->arena, *alloc * sizeof(*n));
		if (b->nkids)
			memcpy(n, b->kids, b->nkids * sizeof(*n));
		b->kids = n;
	}
	b->kids[b->nkids++] = k;
}

/* Statements until '}' or an arm boundary of an open #if group. */
static struct stmt *items(struct parser *p, int tok)
{
	struct stmt *b = new_stmt(p, S_BLOCK, tok);
	int alloc = 0;

	while (p->i < p->end && !at(p, "}") && !is_open_group(p, cur(p)))
		add_kid(p, b, statement(p), &alloc);
	return b;
}

static struct stmt *compound(struct parser *p)
{
	int tok = p->i;
	struct stmt *b;

	expect(p, "{");
	b = items(p, tok);
	if (!at(p, "}"))
		fail(p, "unbalanced braces");
	p->i++;
	return b;
}

static struct stmt *pp_if(struct parser *p)
{
	struct stmt *s = new_stmt(p, S_PPIF, p->i);
	int group = cur(p)->group, alloc = 0;

	if (p->nopen == (int)(sizeof(p->open) / sizeof(p->open[0])))
		fail(p, "#if nesting too deep");
	p->open[p->nopen++] = group;
	p->i++;
	for (;;) {
		add_kid(p, s, items(p, p->i - 1), &alloc);
		if (p->i >= p->end || at(p, "}"))
			fail(p, "#if arm not closed inside the block");
		if (cur(p)->group != group)
			fail(p, "#if arms interleave with another group");
		if (cur(p)->kind == T_PP_ENDIF) {
			s->complete = cur(p)->complete;
			p->i++;
			break;
		}
		p->i++;		/* #else / #elif */
	}
	p->nopen--;
	return s;
}

static int is_loop_macro(const struct token *t)
{
	char name[128];
	int n = t->len < 127 ? t->len : 127;

	memcpy(name, t->s, n);
	name[n] = 0;
	return strstr(name, "for_each") || strstr(name, "foreach") ||
	       !strncmp(name, "for_", 4) || strstr(name, "_for_");
}

static int is_keyword(const struct token *t)
{
	static const char *const kw[] = { "if", "else", "while", "for", "do", "switch",
		"case", "default", "return", "goto", "break", "continue", "sizeof",
		"typeof", "__typeof__", "asm", "__asm__", "volatile", "__volatile__",
		"_Static_assert", "static_assert", NULL };

	return tok_index(t, kw) >= 0;
}

static struct stmt *expr_stmt(struct parser *p, int kind)
{
	struct stmt *s = new_stmt(p, kind, p->i);

	if (kind == S_RETURN)
		p->i++;
	s->a0 = p->i;
	s->a1 = scan_expr(p, ";");
	if (at(p, ";"))
		p->i++;
	return s;
}

static struct stmt *control(struct parser *p, int kind)
{
	struct stmt *s = new_stmt(p, kind, p->i);

	p->i++;
	if (p->i + 1 < p->end && cur(p)->kind == T_IDENT && tok_is(&p->t[p->i + 1], "(")) {
		/* "if time_after(a, b)": a macro that brings its own parentheses */
		int close = match(p->t, p->i + 1, p->end);

		if (close < 0)
			fail(p, "unbalanced parentheses");
		s->a0 = p->i;
		s->a1 = close + 1;
		p->i = close + 1;
	} else {
		paren_range(p, &s->a0, &s->a1);
	}
	s->body = statement(p);
	if (kind == S_IF && at(p, "else")) {
		p->i++;
		s->els = statement(p);
	}
	return s;
}

static struct stmt *for_stmt(struct parser *p)
{
	struct stmt *s = new_stmt(p, S_FOR, p->i);
	int a0, a1, save, k, semi[2], n = 0, depth = 0;

	p->i++;
	paren_range(p, &a0, &a1);
	save = p->i;
	for (k = a0; k < a1 && n < 2; k++) {
		if (p->t[k].kind != T_PUNCT)
			continue;
		if (tok_is(&p->t[k], "(") || tok_is(&p->t[k], "{") || tok_is(&p->t[k], "["))
			depth++;
		else if (tok_is(&p->t[k], ")") || tok_is(&p->t[k], "}") || tok_is(&p->t[k], "]"))
			depth--;
		else if (!depth && tok_is(&p->t[k], ";"))
			semi[n++] = k;
	}
	if (n != 2)
		fail(p, "malformed for statement");
	s->i0 = a0;
	s->i1 = semi[0];
	s->a0 = semi[0] + 1;
	s->a1 = semi[1];
	s->s0 = semi[1] + 1;
	s->s1 = a1;
	p->i = save;
	s->body = statement(p);
	return s;
}

/* do { } while (c); also "do { } while_each_thread(g, t);" and
 * "do { } for_each_vma(vmi, vma);": a macro as the loop tail, whose
 * arguments are the (unknown) condition. */
static struct stmt *do_stmt(struct parser *p)
{
	struct stmt *s = new_stmt(p, S_DO, p->i);

	p->i++;
	s->body = statement(p);
	if (at(p, "while")) {
		p->i++;
		paren_range(p, &s->a0, &s->a1);
		expect(p, ";");
		return s;
	}
	if (p->i >= p->end || cur(p)->kind != T_IDENT)
		fail(p, "expected 'while'");
	p->i++;
	paren_range(p, &s->a0, &s->a1);
	s->a1 = s->a0;		/* opaque: not a condition on those tokens */
	s->kind = S_DO;
	s->complete = 1;	/* marks the macro tail */
	expect(p, ";");
	return s;
}

static struct stmt *case_label(struct parser *p)
{
	struct stmt *s = new_stmt(p, S_CASE, p->i);

	p->i++;
	s->a0 = p->i;
	s->a1 = tok_is(&p->t[s->tok], "default") ? p->i : scan_expr(p, ":");
	expect(p, ":");
	return s;
}

static struct stmt *jump(struct parser *p, int kind)
{
	struct stmt *s = new_stmt(p, kind, p->i);

	p->i++;
	if (kind == S_GOTO) {
		s->a0 = p->i;
		s->a1 = scan_expr(p, ";");
	}
	expect(p, ";");
	return s;
}

/* ident ( ... ) { or a loop macro followed by one statement. */
static struct stmt *macro_block(struct parser *p)
{
	int close = match(p->t, p->i + 1, p->end);
	struct stmt *s;
	int loop;

	if (close < 0)
		fail(p, "unbalanced parentheses");
	loop = is_loop_macro(cur(p));
	if (close + 1 >= p->end || (!tok_is(&p->t[close + 1], "{") && !loop))
		return NULL;
	if (!tok_is(&p->t[close + 1], "{") &&
	    (p->t[close + 1].kind != T_IDENT && !tok_is(&p->t[close + 1], "(") &&
	     !tok_is(&p->t[close + 1], "*")))
		return NULL;
	s = new_stmt(p, loop ? S_MACRO_LOOP : S_ONCE, p->i);
	s->a0 = p->i + 2;
	s->a1 = close;
	p->i = close + 1;
	s->body = statement(p);
	return s;
}

static struct stmt *statement(struct parser *p)
{
	struct token *t;
	struct stmt *s;

	if (p->i >= p->end)
		fail(p, "unexpected end of function body");
	if (++p->depth > 400)
		fail(p, "statements nested too deeply");
	t = cur(p);
	s = NULL;
	if (t->kind == T_PP_IF)
		s = pp_if(p);
	else if (t->kind == T_PP_ELSE || t->kind == T_PP_ENDIF)
		fail(p, "#else/#endif splits a statement");
	else if (at(p, "{"))
		s = compound(p);
	else if (at(p, ";")) {
		s = new_stmt(p, S_BLOCK, p->i++);
	} else if (t->kind == T_IDENT) {
		if (at(p, "if"))
			s = control(p, S_IF);
		else if (at(p, "while"))
			s = control(p, S_WHILE);
		else if (at(p, "switch"))
			s = control(p, S_SWITCH);
		else if (at(p, "for"))
			s = for_stmt(p);
		else if (at(p, "do"))
			s = do_stmt(p);
		else if (at(p, "case") || at(p, "default"))
			s = case_label(p);
		else if (at(p, "return"))
			s = expr_stmt(p, S_RETURN);
		else if (at(p, "goto"))
			s = jump(p, S_GOTO);
		else if (at(p, "break"))
			s = jump(p, S_BREAK);
		else if (at(p, "continue"))
			s = jump(p, S_CONTINUE);
		else if (at(p, "else"))
			fail(p, "'else' without 'if'");
		else if (p->i + 1 < p->end && tok_is(&p->t[p->i + 1], ":") &&
			 p->t[p->i + 1].kind == T_PUNCT) {
			s = new_stmt(p, S_LABEL, p->i);
			p->i += 2;
		} else if (p->i + 1 < p->end && tok_is(&p->t[p->i + 1], "(") && !is_keyword(t))
			s = macro_block(p);
	}
	if (!s)
		s = expr_stmt(p, S_EXPR);
	p->depth--;
	return s;
}

/* ---- file scope ---- */

/* Drop every arm but the first of #if groups whose arms do not balance
 * their brackets on their own. */
struct grp {
	int if_tok, first_else, net0, min0, net, min, balanced, narms;
};

static void close_arm(struct grp *g)
{
	if (g->net || g->min < 0)
		g->balanced = 0;
	if (g->narms++ == 0) {
		g->net0 = g->net;
		g->min0 = g->min;
	}
	g->net = g->min = 0;
}

static void balance_groups(struct tokens *ts)
{
	struct grp stack[256];
	int depth = 0, i, j, k;

	for (i = 0; i < ts->n; i++) {
		struct token *t = &ts->t[i];
		struct grp *g = depth ? &stack[depth - 1] : NULL;

		if (t->kind == T_PP_IF && depth < 256) {
			g = &stack[depth++];
			memset(g, 0, sizeof(*g));
			g->if_tok = i;
			g->first_else = -1;
			g->balanced = 1;
		} else if (t->kind == T_PP_ELSE && g && t->group == ts->t[g->if_tok].group) {
			close_arm(g);
			if (g->first_else < 0)
				g->first_else = i;
		} else if (t->kind == T_PP_ENDIF && g && t->group == ts->t[g->if_tok].group) {
			int net, min;

			close_arm(g);
			if (!g->balanced) {
				k = g->first_else < 0 ? i : g->first_else;
				for (j = k; j <= i; j++)
					ts->t[j].kind = T_DEAD;
				ts->t[g->if_tok].kind = T_DEAD;
			}
			net = g->balanced ? 0 : g->net0;
			min = g->balanced ? 0 : g->min0;
			depth--;
			if (depth) {
				g = &stack[depth - 1];
				if (g->net + min < g->min)
					g->min = g->net + min;
				g->net += net;
			}
		} else if (g && t->kind == T_PUNCT) {
			if (tok_is(t, "(") || tok_is(t, "[") || tok_is(t, "{"))
				g->net++;
			else if (tok_is(t, ")") || tok_is(t, "]") || tok_is(t, "}"))
				if (--g->net < g->min)
					g->min = g->net;
		}
	}
	for (i = j = 0; i < ts->n; i++)
		if (ts->t[i].kind != T_DEAD)
			ts->t[j++] = ts->t[i];
	ts->n = j;
}

/* K&R definition: "f(a, b) int a; long b; {": the ')' before the
 * parameter declarations, or -1. */
static int knr_params(struct token *t, int brace)
{
	int i, low = brace > 64 ? brace - 64 : 0;

	for (i = brace - 1; i > low; i--) {
		if (tok_is(&t[i], "{") || tok_is(&t[i], "}") || tok_is(&t[i], "=") ||
		    t[i].kind >= T_PP_IF)
			return -1;
		if (tok_is(&t[i], ")"))
			break;
	}
	if (i <= low || t[i + 1].kind != T_IDENT)
		return -1;
	for (i--; i > low && (t[i].kind == T_IDENT || tok_is(&t[i], ",")); i--)
		;
	return i > 0 && tok_is(&t[i], "(") && t[i - 1].kind == T_IDENT ? i - 1 : -1;
}

/* Walk back from the '{' at 'brace' to the function name, or -1. */
static int function_name(struct token *t, int start, int brace)
{
	int i = brace - 1;

	if (brace < 2)
		return -1;
	if (tok_is(&t[i], ";"))
		return knr_params(t, brace);

	while (i > start) {
		while (i > start && t[i].kind == T_IDENT && !tok_is(&t[i], "struct") &&
		       !tok_is(&t[i], "union") && !tok_is(&t[i], "enum"))
			i--;
		if (i < 0 || !tok_is(&t[i], ")"))	/* start is -1 at the top */
			return -1;
		{
			int depth = 0;

			for (; i > start; i--) {
				if (tok_is(&t[i], ")"))
					depth++;
				else if (tok_is(&t[i], "(") && --depth == 0)
					break;
			}
		}
		if (i <= start || i == 0 || t[i - 1].kind != T_IDENT)
			return -1;
		i--;
		if (t[i].len < 2 || memcmp(t[i].s, "__", 2))
			return is_keyword(&t[i]) ? -1 : i;
		if (i - 1 <= start || i == 0 || !tok_is(&t[i - 1], ")"))
			return i;	/* e.g. a function named __foo */
		i--;
	}
	return -1;
}

static void add_function(struct unit *u, int name, int open, int close, int *alloc)
{
	struct function *f;
	int k;

	if (u->nfns == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 16;
		u->fns = xrealloc(u->fns, *alloc * sizeof(*u->fns));
	}
	f = &u->fns[u->nfns++];
	memset(f, 0, sizeof(*f));
	f->name = arena_strndup(u->arena, u->toks.t[name].s, u->toks.t[name].len);
	for (k = name - 1; k >= 0 && k > name - 32; k--) {
		const struct token *t = &u->toks.t[k];

		if (t->kind >= T_PP_IF || tok_is(t, ";") || tok_is(t, "}") || tok_is(t, "{"))
			break;
		if (t->kind == T_IDENT && tok_is(t, "static"))
			f->is_static = 1;
	}
	f->name_tok = name;
	f->body_open = open;
	f->body_close = close;
}

/* The names of the parameters: the last identifier of each one, or the
 * one after '*' in "int (*fn)(...)". */
void function_params(struct unit *u, struct function *f)
{
	struct token *t = u->toks.t;
	int i = f->name_tok + 1, end, depth = 0, last = -1, star = -1;

	f->nparams = 0;
	f->gfp_param = 0;
	if (i >= u->toks.n || !tok_is(&t[i], "("))
		return;
	end = match(t, i, f->body_open);
	for (i++; end > 0 && i <= end && f->nparams < MAXPARAMS; i++) {
		if (tok_is(&t[i], "gfp_t"))
			f->gfp_param = 1;
		if (depth == 0 && (tok_is(&t[i], ",") || i == end)) {
			if (last >= 0 || star >= 0 || i != end || f->nparams)
				f->params[f->nparams++] = star >= 0 ? star : last;
			last = star = -1;
			continue;
		}
		if (tok_is(&t[i], "(") || tok_is(&t[i], "["))
			depth++;
		else if (tok_is(&t[i], ")") || tok_is(&t[i], "]"))
			depth--;
		else if (t[i].kind == T_IDENT && depth == 0)
			last = i;
		else if (t[i].kind == T_IDENT && depth == 1 && i > 0 && tok_is(&t[i - 1], "*") &&
			 star < 0 && tok_is(&t[i - 2], "("))
			star = i;
	}
	if (f->nparams == 1 && f->params[0] >= 0 && tok_is(&t[f->params[0]], "void"))
		f->nparams = 0;
}

/* The first token of the declaration whose name is at name_tok: after
 * the previous ';', '}' or preprocessor line. */
int decl_start(const struct unit *u, int name_tok)
{
	const struct token *t = u->toks.t;
	int i = name_tok;

	while (i > 0 && !tok_is(&t[i - 1], ";") && !tok_is(&t[i - 1], "}") &&
	       !tok_is(&t[i - 1], "{") && t[i - 1].kind < T_PP_IF)
		i--;
	return i;
}

void parse_function(struct unit *u, struct function *f)
{
	struct parser *p = arena_alloc(u->arena, sizeof(*p));

	p->u = u;
	p->t = u->toks.t;
	p->i = f->body_open;
	p->end = f->body_close + 1;
	if (setjmp(p->fail)) {
		f->body = NULL;
		f->error = p->why;
		f->error_tok = p->why_tok;
		return;
	}
	f->body = compound(p);
	function_params(u, f);
	if (p->i != p->end) {
		p->i = p->end - 1;
		fail(p, "trailing tokens after the body");
	}
}

/* Finds the functions.  Returns -1, or the index of a '{' that has no '}':
 * the tokens from there on are not split into functions. */
int parse_unit(struct unit *u)
{
	struct tokens *ts = &u->toks;
	struct token *t;
	int i, start = -1, saw_eq = 0, paren = 0, alloc = 0;

	balance_groups(ts);
	t = ts->t;
	for (i = 0; i < ts->n && t[i].kind != T_EOF; i++) {
		if (t[i].kind != T_PUNCT)
			continue;
		if (tok_is(&t[i], "(")) {
			paren++;
		} else if (tok_is(&t[i], ")")) {
			paren -= paren > 0;
		} else if (paren) {
			continue;
		} else if (tok_is(&t[i], ";") || tok_is(&t[i], "}")) {
			start = i;
			saw_eq = 0;
		} else if (tok_is(&t[i], "=")) {
			saw_eq = 1;
		} else if (tok_is(&t[i], "{")) {
			int close = match(t, i, ts->n), name;

			if (close < 0)
				return i;	/* the rest cannot be split */
			name = saw_eq ? -1 : function_name(t, start, i);
			if (name >= 0)
				add_function(u, name, i, close, &alloc);
			i = close;
			start = i;
			saw_eq = 0;
		}
	}
	return -1;
}

/*
 * Fallback for a body whose #if arms split statements ("} else\n#endif"):
 * a copy of tokens [from, to] keeping one arm of every conditional group,
 * the first (mode 0) or the last (mode 1, nothing when there is no #else).
 */
void pp_filter(const struct tokens *in, int from, int to, int mode, struct tokens *out)
{
	int arm[256], keep[256], depth = 0, i, k, j;

	out->n = 0;
	out->alloc = to - from + 2;
	out->t = xmalloc(out->alloc * sizeof(*out->t));
	for (i = from; i <= to; i++) {
		const struct token *t = &in->t[i];
		int live = 1;

		if (t->kind == T_PP_IF && depth < 256) {
			int d = 0, n = 1;

			for (j = i + 1; j <= to; j++) {
				if (in->t[j].kind == T_PP_IF)
					d++;
				else if (in->t[j].kind == T_PP_ENDIF && d-- == 0)
					break;
				else if (in->t[j].kind == T_PP_ELSE && d == 0)
					n++;
			}
			keep[depth] = mode == 0 ? 0 :
				      (j <= to && in->t[j].complete ? n - 1 : -1);
			arm[depth++] = 0;
			continue;
		}
		if (t->kind == T_PP_ELSE && depth) {
			arm[depth - 1]++;
			continue;
		}
		if (t->kind == T_PP_ENDIF && depth) {
			depth--;
			continue;
		}
		for (k = 0; k < depth; k++)
			if (arm[k] != keep[k])
				live = 0;
		if (live)
			out->t[out->n++] = *t;
	}
	out->t[out->n] = in->t[in->n - 1];	/* T_EOF */
	out->t[out->n].kind = T_EOF;
}
