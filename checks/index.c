/*
 * Where every function and function-like macro of the input is defined.
 * Every file of the walk is scanned once, with memchr() over its bytes
 * rather than the lexer: a function body is a '{' at the start of a line
 * (kernel style) or a one-line 'static inline' body, named by the
 * declarator before it; a macro is a '#define NAME(' whose body calls
 * something, or '#define name other_name' (an alias such as set_ptes).
 * An entry is 12 bytes (name hash, file, offset), so memory grows with
 * the number of definitions, never with file sizes.  Lookups verify the
 * name when the file is read again (callgraph.c).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

struct defent {
	uint32_t hash;
	uint32_t file;		/* file id << 2 | kind */
	uint32_t off;		/* '{' of a function, name of a macro */
};

struct ifile {
	uint32_t path, tpath;	/* offsets in the string pool */
	unsigned char arch;	/* arch id, 0 generic */
	unsigned char local;	/* a .c file: its static functions are its own */
};

struct index {
	struct defent *e;
	size_t n, alloc;
	struct ifile *f;
	int nf, falloc;
	char *pool;
	size_t npool, poolalloc;
	int *byhash;		/* path hash table: file id + 1, 0 free */
	size_t hsize;
	char arch[MAXARCH][24];
	int narch;
	int sealed;
};

/*
 * Does b[0, n) contain the needle?  memchr() on its rarest letter (by
 * their frequency in kernel source: 'j' 0.05%, 'z' 0.16% ... 'e' 6.8%),
 * then the next byte, then a compare: on the tree, 2.5 times as fast as
 * memmem().  A needle without a lowercase letter goes to memmem().
 */
int contains(const char *b, size_t n, const char *needle, size_t nl)
{
	static const char rank[] = "jzqyxwkbvghmfpuldcoansrite";
	const char *p, *e, *r;
	size_t ri = 0, i, best = sizeof(rank);

	if (!nl || nl > n)
		return nl == 0;
	for (i = 0; i + 1 < nl; i++) {
		r = memchr(rank, needle[i], sizeof(rank) - 1);
		if (r && (size_t)(r - rank) < best) {
			best = r - rank;
			ri = i;
		}
	}
	if (best == sizeof(rank))
		return memmem(b, n, needle, nl) != NULL;
	p = b + ri;
	e = b + n - (nl - ri - 1);
	while (p < e && (p = memchr(p, needle[ri], e - p))) {
		if (p[1] == needle[ri + 1] && !memcmp(p - ri, needle, nl))
			return 1;
		p++;
	}
	return 0;
}

uint32_t name_hash(const char *s, int len)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

struct index *index_new(void)
{
	struct index *x = xmalloc(sizeof(*x));

	memset(x, 0, sizeof(*x));
	strcpy(x->arch[0], "generic");
	x->narch = 1;
	return x;
}

void index_free(struct index *x)
{
	if (!x)
		return;
	free(x->e);
	free(x->f);
	free(x->pool);
	free(x->byhash);
	free(x);
}

static uint32_t pool_add(struct index *x, const char *s)
{
	size_t n = strlen(s) + 1;
	uint32_t at = (uint32_t)x->npool;

	if (x->npool + n > x->poolalloc) {
		x->poolalloc = (x->npool + n) * 2 + 4096;
		x->pool = xrealloc(x->pool, x->poolalloc);
	}
	memcpy(x->pool + x->npool, s, n);
	x->npool += n;
	return at;
}

int arch_id(struct index *x, const char *name)
{
	int i;

	if (!name || !*name)
		return 0;
	for (i = 1; i < x->narch; i++)
		if (!strcmp(x->arch[i], name))
			return i;
	if (x->narch == MAXARCH || strlen(name) >= sizeof(x->arch[0]))
		return 0;
	strcpy(x->arch[x->narch], name);
	return x->narch++;
}

const char *arch_name(const struct index *x, int id)
{
	return x->arch[id];
}

int arch_count(const struct index *x)
{
	return x->narch;
}

static void rehash(struct index *x)
{
	size_t i, size = x->hsize ? x->hsize * 2 : 1024;

	free(x->byhash);
	x->byhash = xmalloc(size * sizeof(int));
	memset(x->byhash, 0, size * sizeof(int));
	x->hsize = size;
	for (i = 0; i < (size_t)x->nf; i++) {
		const char *p = x->pool + x->f[i].path;
		size_t h = name_hash(p, (int)strlen(p)) & (size - 1);

		while (x->byhash[h])
			h = (h + 1) & (size - 1);
		x->byhash[h] = (int)i + 1;
	}
}

/* The id of a file of the walk, or -1. */
int index_file_id(const struct index *x, const char *path)
{
	size_t h;

	if (!x->hsize)
		return -1;
	h = name_hash(path, (int)strlen(path)) & (x->hsize - 1);
	for (; x->byhash[h]; h = (h + 1) & (x->hsize - 1))
		if (!strcmp(x->pool + x->f[x->byhash[h] - 1].path, path))
			return x->byhash[h] - 1;
	return -1;
}

/* Add a file (or find it again): its path as walked, its path in the
 * tree, its arch. */
int index_add_file(struct index *x, const char *path, const char *tpath, int arch)
{
	size_t n = strlen(path);
	int id = index_file_id(x, path);

	if (id >= 0)
		return id;
	if (x->nf == x->falloc) {
		x->falloc = x->falloc ? x->falloc * 2 : 256;
		x->f = xrealloc(x->f, x->falloc * sizeof(*x->f));
	}
	id = x->nf++;
	x->f[id].path = pool_add(x, path);
	x->f[id].tpath = tpath ? pool_add(x, tpath) : x->f[id].path;
	x->f[id].arch = (unsigned char)arch;
	x->f[id].local = n > 2 && !strcmp(path + n - 2, ".c");
	if ((size_t)x->nf * 2 > x->hsize)
		rehash(x);
	else {
		size_t h = name_hash(path, (int)n) & (x->hsize - 1);

		while (x->byhash[h])
			h = (h + 1) & (x->hsize - 1);
		x->byhash[h] = id + 1;
	}
	return id;
}

const char *index_path(const struct index *x, int file)
{
	return x->pool + x->f[file].path;
}

const char *index_tpath(const struct index *x, int file)
{
	return x->pool + x->f[file].tpath;
}

int index_arch(const struct index *x, int file)
{
	return x->f[file].arch;
}

int index_nfiles(const struct index *x)
{
	return x->nf;
}

static void add(struct index *x, int file, int kind, const char *name, int len, size_t off)
{
	struct defent *e;

	if (off > UINT32_MAX)
		return;
	if (x->n == x->alloc) {
		x->alloc = x->alloc ? x->alloc * 2 : 4096;
		x->e = xrealloc(x->e, x->alloc * sizeof(*x->e));
	}
	e = &x->e[x->n++];
	e->hash = name_hash(name, len);
	e->file = (uint32_t)file << 2 | kind;
	e->off = (uint32_t)off;
}

static int ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Back over blanks, comments and line continuations from i; -1 at start. */
static long back_space(const char *b, long i)
{
	while (i >= 0) {
		if (is_space((unsigned char)b[i]) || b[i] == '\\') {
			i--;
		} else if (b[i] == '/' && i > 0 && b[i - 1] == '*') {
			for (i -= 2; i > 0 && !(b[i - 1] == '/' && b[i] == '*'); i--)
				;
			i -= 2;
		} else {
			break;
		}
	}
	return i;
}

static int keyword(const char *s, int len)
{
	static const char *const kw[] = { "if", "for", "while", "switch", "return", "sizeof",
		"typeof", "__typeof__", "do", "else", "case", NULL };
	int i;

	for (i = 0; kw[i]; i++)
		if ((int)strlen(kw[i]) == len && !memcmp(kw[i], s, len))
			return 1;
	return 0;
}

/*
 * The name of the function whose body opens at b[q], walking back over
 * "NAME(params) __attr(x)"; 0 if this is no function body.
 */
int decl_name(const char *b, size_t q, size_t *name, int *len)
{
	long i = back_space(b, (long)q - 1), end;
	int depth;

	for (;;) {
		if (i < 0 || b[i] != ')')
			return 0;
		for (depth = 0; i >= 0; i--) {
			if (b[i] == ')')
				depth++;
			else if (b[i] == '(' && --depth == 0)
				break;
			else if (b[i] == ';' || b[i] == '{' || b[i] == '}')
				return 0;
		}
		i = back_space(b, i - 1);
		end = i + 1;
		while (i >= 0 && ident_char((unsigned char)b[i]))
			i--;
		if (end - (i + 1) <= 0 || (b[i + 1] >= '0' && b[i + 1] <= '9'))
			return 0;
		*name = (size_t)(i + 1);
		*len = (int)(end - (i + 1));
		if (keyword(b + *name, *len))
			return 0;
		/* "f(x) __acquires(l)": an annotation after the declarator */
		i = back_space(b, i);
		if (i < 0 || b[i] != ')' || b[*name] != '_' || b[*name + 1] != '_')
			return 1;
	}
}

/* Is the word "static" in the declaration that ends at 'name'? */
static int is_static(const char *b, size_t name)
{
	size_t lo = name > 300 ? name - 300 : 0, k = name;

	while (k > lo && b[k - 1] != ';' && b[k - 1] != '}' && b[k - 1] != '#' &&
	       !(b[k - 1] == '\n' && k >= 2 && b[k - 2] == '\n'))
		k--;
	for (; k + 6 <= name; k++)
		if (!memcmp(b + k, "static", 6) && (k == 0 || !ident_char((unsigned char)b[k - 1])) &&
		    !ident_char((unsigned char)b[k + 6]))
			return 1;
	return 0;
}

static void function_at(struct index *x, int file, const char *b, size_t q, size_t base)
{
	size_t name;
	int len, local;

	if (!decl_name(b, q, &name, &len))
		return;
	local = x->f[file].local && is_static(b, name);
	add(x, file, local ? DEF_LOCAL_FUNC : DEF_FUNC, b + name, len, base + q);
}

/* "static inline T f(args) { ... }" on one line: the '{' is not at the
 * start of a line. */
static void one_liners(struct index *x, int file, const char *b, size_t n, size_t base)
{
	const char *p, *e = b + n, *q;

	for (p = b; (p = memmem(p, e - p, "\nstatic ", 8)); p += 8) {
		q = p + 8;
		if (e - q > 16 && !memcmp(q, "__always_inline ", 16))
			q += 16;
		else if (e - q > 7 && !memcmp(q, "inline ", 7))
			q += 7;
		else
			continue;
		for (; q < e && q < p + 600 && *q != '{' && *q != ';' && *q != '\n'; q++)
			;
		if (q < e && *q == '\n') {
			/* the declarator goes on: find the body on the next lines */
			for (; q < e && q < p + 600 && *q != '{' && *q != ';'; q++)
				;
			if (q < e && *q == '{' && q[-1] == '\n')
				continue;	/* a '{' at line start: seen already */
		}
		if (q < e && *q == '{')
			function_at(x, file, b, q - b, base);
	}
}

/* Does a macro body [p, e) call something ("name(" with a lowercase
 * letter in the name)? */
static int body_calls(const char *p, const char *e)
{
	const char *s;

	while (p < e) {
		if (!ident_char((unsigned char)*p)) {
			p++;
			continue;
		}
		for (s = p; p < e && ident_char((unsigned char)*p); p++)
			;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		if (p < e && *p == '(' && !keyword(s, (int)(p - s))) {
			for (; s < p; s++)
				if (*s >= 'a' && *s <= 'z')
					return 1;
		}
	}
	return 0;
}

/* The end of the line at p, following backslash continuations. */
static const char *line_end(const char *p, const char *e)
{
	const char *nl;

	while ((nl = memchr(p, '\n', e - p))) {
		if (nl > p && nl[-1] == '\\')
			p = nl + 1;
		else if (nl > p + 1 && nl[-1] == '\r' && nl[-2] == '\\')
			p = nl + 1;
		else
			return nl;
	}
	return e;
}

static void macro_at(struct index *x, int file, const char *b, const char *p, const char *e,
		     size_t base)
{
	const char *name, *q, *end;
	int len;

	for (p++; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	if (e - p < 7 || memcmp(p, "define", 6) || (p[6] != ' ' && p[6] != '\t'))
		return;
	for (p += 7; p < e && (*p == ' ' || *p == '\t'); p++)
		;
	for (name = p; p < e && ident_char((unsigned char)*p); p++)
		;
	len = (int)(p - name);
	if (!len)
		return;
	if (p < e && *p == '(') {
		end = line_end(p, e);
		for (q = p; q < end && *q != ')'; q++)
			;
		if (q < end && body_calls(q + 1, end))
			add(x, file, DEF_MACRO, name, len, base + (name - b));
		return;
	}
	/* "#define set_ptes __set_ptes": an alias of a function name */
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	for (q = p; q < e && ident_char((unsigned char)*q); q++)
		;
	if (q == p || (*p >= '0' && *p <= '9'))
		return;
	end = q;
	while (end < e && (*end == ' ' || *end == '\t' || *end == '\r'))
		end++;
	if ((end < e && *end != '\n') || (q - p == len && !memcmp(p, name, len)))
		return;
	for (; p < q; p++)
		if (*p >= 'a' && *p <= 'z') {
			add(x, file, DEF_ALIAS, name, len, base + (name - b));
			return;
		}
}

/* Scan buf (the bytes of 'file' from offset 'base' on) for definitions. */
void index_scan(struct index *x, int file, const char *b, size_t n, size_t base)
{
	const char *p, *e = b + n;

	for (p = b; (p = memchr(p, '{', e - p)); p++)
		if (p == b || p[-1] == '\n')
			function_at(x, file, b, p - b, base);
	one_liners(x, file, b, n, base);
	for (p = b; (p = memchr(p, '#', e - p)); p++)
		if ((p == b || p[-1] == '\n') && p + 1 < e && (p[1] == 'd' || p[1] == ' ' || p[1] == '\t'))
			macro_at(x, file, b, p, e, base);
}

static int cmp_ent(const void *a, const void *b)
{
	const struct defent *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

void index_seal(struct index *x)
{
	if (x->n)
		qsort(x->e, x->n, sizeof(*x->e), cmp_ent);
	x->sealed = 1;
}

/* Definitions whose name hashes like name[0, len): up to max into out;
 * returns how many there are. */
int index_lookup(const struct index *x, const char *name, int len, struct defref *out, int max)
{
	uint32_t h = name_hash(name, len);
	size_t lo = 0, hi = x->n;
	int n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->e[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < x->n && x->e[lo].hash == h; lo++, n++) {
		if (n >= max)
			continue;
		out[n].file = (int)(x->e[lo].file >> 2);
		out[n].kind = (int)(x->e[lo].file & 3);
		out[n].off = x->e[lo].off;
	}
	return n;
}

size_t index_size(const struct index *x)
{
	return x->n;
}
