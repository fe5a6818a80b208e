#include "server/tokens.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/loadfile.h"

#define TOKENS_MAX_FILE (64u << 20) /* bytes of a tokens file */

static void tokens_destroy(struct srv_ref *r)
{
	struct srv_tokens *t = (struct srv_tokens *)r;
	free(t->v);
	free(t);
}

struct srv_tokens *srv_tokens_empty(void)
{
	struct srv_tokens *t = calloc(1, sizeof(*t));
	if (t)
		srv_ref_init(&t->ref, tokens_destroy);
	return t;
}

void srv_token_hash(const char *s, size_t n, uint8_t out[32])
{
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, n, (const uint8_t *)s);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void srv_token_hash_hex(const uint8_t hash[32], char out[72])
{
	static const char hx[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hx[hash[i] >> 4];
		out[8 + 2 * i] = hx[hash[i] & 15];
	}
	out[71] = 0;
}

int srv_token_generate(char out[44], struct sd_error *err)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t r[33];
	size_t got = 0;
	while (got < sizeof(r)) {
		ssize_t k = getrandom(r + got, sizeof(r) - got, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return sd_error_errno(err, errno, "getrandom");
		}
		got += (size_t)k;
	}
	/* 43 characters of 6 bits each: 258 bits drawn from 264 random ones */
	for (int i = 0; i < 43; i++) {
		unsigned bit = (unsigned)i * 6, byte = bit / 8, sh = bit % 8;
		unsigned v = (unsigned)r[byte] << 8 | r[byte + 1];
		out[i] = b64[(v >> (10 - sh)) & 63];
	}
	out[43] = 0;
	return SD_OK;
}

static int hexval(int c)
{
	static const char digits[] = "0123456789abcdef";
	const char *p = c ? strchr(digits, tolower(c)) : NULL;
	return p ? (int)(p - digits) : -1;
}

static int cmp_token(const void *a, const void *b)
{
	return memcmp(((const struct srv_token *)a)->hash,
		      ((const struct srv_token *)b)->hash, 32);
}

static bool parse_number(const char *v, size_t n, double max, double *out)
{
	char buf[32];
	if (!n || n >= sizeof(buf))
		return false;
	memcpy(buf, v, n);
	buf[n] = 0;
	char *end;
	errno = 0;
	double d = strtod(buf, &end);
	if (errno || *end || !isfinite(d) || d <= 0 || d > max)
		return false;
	*out = d;
	return true;
}

/* One "key=value" field into tok; returns NULL or why it is wrong. */
static const char *parse_field(struct srv_token *tok, const char *f, size_t n)
{
	const char *eq = memchr(f, '=', n);
	if (!eq)
		return "expected key=value after the hash";
	size_t kl = (size_t)(eq - f);
	const char *v = eq + 1;
	size_t vl = n - kl - 1;
	double d;
	if (kl == 4 && !memcmp(f, "name", 4)) {
		if (vl == 0 || vl >= sizeof(tok->name))
			return "name must be 1 to 63 characters";
		memcpy(tok->name, v, vl);
		tok->name[vl] = 0;
	} else if (kl == 5 && !memcmp(f, "scope", 5)) {
		while (vl) {
			const char *comma = memchr(v, ',', vl);
			size_t pl = comma ? (size_t)(comma - v) : vl;
			if (tok->nscope >= SRV_MAX_SCOPES)
				return "too many scope prefixes (limit SRV_MAX_SCOPES, "
				       "64)";
			const char *why = NULL;
			if (net_prefix_parse(v, pl, &tok->scope[tok->nscope], 0, &why))
				return why ? why : "bad scope prefix";
			tok->nscope++;
			if (!comma)
				break;
			v = comma + 1;
			vl -= pl + 1;
			if (!vl)
				return "empty scope prefix after ','";
		}
	} else if (kl == 4 && !memcmp(f, "rate", 4)) {
		if (!parse_number(v, vl, 1e6, &d))
			return "rate must be a number of requests per second, >0 and "
			       "<=1e6";
		tok->rate = d;
	} else if (kl == 5 && !memcmp(f, "burst", 5)) {
		if (!parse_number(v, vl, 1e6, &d) || d < 1)
			return "burst must be a number >=1 and <=1e6";
		tok->burst = d;
	} else if (kl == 4 && !memcmp(f, "bulk", 4)) {
		if (!parse_number(v, vl, SRV_MAX_BULK, &d) || d != floor(d))
			return "bulk must be a whole number from 1 to SRV_MAX_BULK "
			       "(10000)";
		tok->bulk = (unsigned)d;
	} else {
		return "unknown key (expected name, scope, rate, burst or bulk)";
	}
	return NULL;
}

static const char *parse_line(struct srv_token *tok, const char *s, size_t n)
{
	*tok = (struct srv_token){
	    .rate = SRV_TOKEN_RATE, .burst = SRV_TOKEN_BURST, .bulk = SRV_MAX_BULK};
	size_t i = 0, field = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		size_t b = i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		if (b == i)
			break;
		const char *f = s + b;
		size_t fl = i - b;
		if (field++ == 0) {
			if (fl != 71 || memcmp(f, "sha256:", 7))
				return "expected sha256: and 64 hex digits first";
			for (int k = 0; k < 32; k++) {
				int hi = hexval(f[7 + 2 * k]), lo = hexval(f[8 + 2 * k]);
				if (hi < 0 || lo < 0)
					return "the hash has a character that is not hex";
				tok->hash[k] = (uint8_t)(hi << 4 | lo);
			}
			continue;
		}
		const char *why = parse_field(tok, f, fl);
		if (why)
			return why;
	}
	if (!tok->nscope)
		return "a token needs scope=PREFIX[,PREFIX...]";
	if (!tok->name[0])
		return "a token needs name=LABEL (it names the holder in logs)";
	if (tok->burst < 1)
		return "burst must be >= 1";
	return NULL;
}

int srv_tokens_parse(const char *text, size_t len, const char *name,
		     struct srv_tokens **out, struct sd_error *err)
{
	*out = NULL;
	struct srv_tokens *t = srv_tokens_empty();
	if (!t)
		return sd_error_set(err, SD_ENOMEM, "%s: out of memory", name);
	size_t cap = 0, pos = 0, line = 0;
	int rc = SD_OK;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		const char *s = text + pos;
		size_t n = end - pos;
		pos = end + 1;
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		size_t k = 0;
		while (k < n && (s[k] == ' ' || s[k] == '\t'))
			k++;
		if (k == n || s[k] == '#')
			continue;
		if (memchr(s, 0, n)) {
			rc = sd_error_set(err, SD_EPARSE, "%s:%zu: NUL byte in line",
					  name, line);
			goto fail;
		}
		if (t->n >= SRV_MAX_TOKENS) {
			rc = sd_error_set(err, SD_ELIMIT,
					  "%s:%zu: more than SRV_MAX_TOKENS (%d) tokens",
					  name, line, SRV_MAX_TOKENS);
			goto fail;
		}
		if (t->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct srv_token *v = realloc(t->v, nc * sizeof(*v));
			if (!v) {
				rc = sd_error_set(err, SD_ENOMEM, "%s: out of memory",
						  name);
				goto fail;
			}
			t->v = v;
			cap = nc;
		}
		const char *why = parse_line(&t->v[t->n], s + k, n - k);
		if (why) {
			rc = sd_error_set(err, SD_EPARSE, "%s:%zu: %s", name, line, why);
			goto fail;
		}
		t->n++;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), cmp_token);
	for (size_t i = 1; i < t->n; i++)
		if (!memcmp(t->v[i].hash, t->v[i - 1].hash, 32)) {
			rc = sd_error_set(
			    err, SD_EPARSE,
			    "%s: the same token hash appears twice (%s and %s)", name,
			    t->v[i - 1].name, t->v[i].name);
			goto fail;
		}
	*out = t;
	return SD_OK;
fail:
	srv_ref_put(&t->ref);
	return rc;
}

int srv_tokens_load(const char *path, struct srv_tokens **out, struct sd_error *err)
{
	*out = NULL;
	int fd;
	struct stat st;
	int rc = srv_loadfile_open(path, "tokens file", &fd, &st, err);
	if (rc)
		return rc;
	/* whoever may write the file may grant themselves any scope */
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		close(fd);
		return sd_error_set(err, SD_EFORMAT,
				    "%s: writable by %s; refusing a tokens file others "
				    "can change (chmod go-w)",
				    path, st.st_mode & S_IWOTH ? "others" : "its group");
	}
	if (st.st_size > (off_t)TOKENS_MAX_FILE) {
		close(fd);
		return sd_error_set(err, SD_ELIMIT, "%s: larger than 64 MiB", path);
	}
	size_t size = (size_t)st.st_size;
	char *buf = malloc(size + 1);
	if (!buf) {
		close(fd);
		return sd_error_set(err, SD_ENOMEM, "%s: out of memory", path);
	}
	rc = srv_loadfile_read(fd, &st, buf, path, "tokens file", err);
	close(fd);
	if (rc == SD_OK)
		rc = srv_tokens_parse(buf, size, path, out, err);
	free(buf);
	return rc;
}

const struct srv_token *srv_tokens_find(const struct srv_tokens *t, const char *s,
					size_t n)
{
	if (!t || !t->n || n == 0 || n > SRV_MAX_TOKEN)
		return NULL;
	struct srv_token key = {0};
	srv_token_hash(s, n, key.hash);
	return bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_token);
}

bool srv_token_covers(const struct srv_token *t, const struct net_prefix *q)
{
	for (unsigned i = 0; i < t->nscope; i++)
		if (net_prefix_contains_prefix(&t->scope[i], q))
			return true;
	return false;
}
