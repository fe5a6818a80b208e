#include "correlate/roles.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "core/atomic_file.h"
#include "core/limits.h"
#include "io/source.h"

struct slot {
	struct net_addr a;
	unsigned roles; /* 0: empty */
};

struct corr_roles {
	pthread_mutex_t lock;
	struct slot *slots;
	size_t nslots, n; /* power of two; used */
};

static const struct {
	unsigned role;
	const char *name;
} role_names[] = {{CORR_ROLE_PROXY, "proxy"}, {CORR_ROLE_RESOLVER, "resolver"}};

struct corr_roles *corr_roles_new(void)
{
	struct corr_roles *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nslots = 64;
	r->slots = calloc(r->nslots, sizeof(*r->slots));
	if (!r->slots) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	return r;
}

void corr_roles_free(struct corr_roles *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->slots);
	free(r);
}

static size_t find(const struct slot *slots, size_t nslots, const struct net_addr *a)
{
	size_t mask = nslots - 1, i = XXH3_64bits(a, sizeof(*a)) & mask;
	while (slots[i].roles && memcmp(&slots[i].a, a, sizeof(*a)))
		i = (i + 1) & mask;
	return i;
}

static int grow(struct corr_roles *r)
{
	size_t ns = r->nslots * 2;
	struct slot *s = calloc(ns, sizeof(*s));
	if (!s)
		return SD_ENOMEM;
	for (size_t i = 0; i < r->nslots; i++)
		if (r->slots[i].roles)
			s[find(s, ns, &r->slots[i].a)] = r->slots[i];
	free(r->slots);
	r->slots = s;
	r->nslots = ns;
	return 0;
}

int corr_roles_add(struct corr_roles *r, const struct net_addr *a, unsigned roles)
{
	if (!roles)
		return 0;
	int rc = 0;
	pthread_mutex_lock(&r->lock);
	size_t i = find(r->slots, r->nslots, a);
	if (r->slots[i].roles) {
		r->slots[i].roles |= roles;
	} else if (r->n >= CORR_MAX_ROLES) {
		rc = SD_ELIMIT;
	} else if ((r->n + 1) * 2 > r->nslots && (rc = grow(r))) {
		/* out of memory */
	} else {
		i = find(r->slots, r->nslots, a);
		r->slots[i].a = *a;
		r->slots[i].roles = roles;
		r->n++;
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

unsigned corr_roles_of(const struct corr_roles *r, const struct net_addr *a)
{
	if (!r || !r->n)
		return 0;
	return r->slots[find(r->slots, r->nslots, a)].roles;
}

bool corr_roles_none(const struct corr_roles *r)
{
	return !r || !r->n;
}

size_t corr_roles_count(const struct corr_roles *r, unsigned role)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nslots; i++)
		n += (r->slots[i].roles & role) != 0;
	return n;
}

unsigned corr_roles_taught(const struct tel_record *rec, enum tel_format fmt,
			   struct net_addr *who)
{
	if (!(rec->flags & TEL_HAS_SERVER) || !(rec->flags & TEL_HAS_CLIENT))
		return 0;
	/* a proxy's or a resolver's own log names the upstream server, not
	 * itself: only records seen from outside the server teach a role */
	if (fmt == TEL_FMT_SQUID || fmt == TEL_FMT_BIND || fmt == TEL_FMT_DNSMASQ)
		return 0;
	/* a host asking itself forwards for nobody (::1 querying ::1) */
	if (!memcmp(&rec->client, &rec->server, sizeof(rec->client)))
		return 0;
	*who = rec->server;
	if (rec->flags & TEL_VIA_PROXY)
		return CORR_ROLE_PROXY;
	/* only a query to the DNS port: a record written the wrong way round
	 * (an answer event with the resolver as "client") must not make the
	 * querier a resolver */
	if (rec->kind == TEL_DNS && rec->server_port == 53)
		return CORR_ROLE_RESOLVER;
	return 0;
}

bool corr_roles_forwarded(unsigned roles, enum corr_exchange ex)
{
	switch (ex) {
	case CORR_EX_OWN:
		return false;
	case CORR_EX_DNS:
		return (roles & (CORR_ROLE_PROXY | CORR_ROLE_RESOLVER)) != 0;
	case CORR_EX_DIRECT:
		return (roles & CORR_ROLE_PROXY) != 0;
	}
	return false;
}

int corr_roles_load(struct corr_roles *r, const char *path, struct sd_error *err)
{
	struct io_source *src;
	int rc = io_open(path, &src, err);
	if (rc)
		return rc;
	const char *line;
	size_t len;
	while ((rc = io_getline(src, &line, &len, err)) == 1) {
		unsigned long long ln = (unsigned long long)io_lineno(src);
		while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			len--;
		if (!len || line[0] == '#')
			continue;
		const char *sp = memchr(line, ' ', len);
		unsigned role = 0;
		for (size_t k = 0; sp && k < sizeof(role_names) / sizeof(role_names[0]);
		     k++)
			if ((size_t)(sp - line) == strlen(role_names[k].name) &&
			    !memcmp(line, role_names[k].name, (size_t)(sp - line)))
				role = role_names[k].role;
		if (!role) {
			rc = sd_error_set(err, SD_EPARSE,
					  "%s:%llu: expected \"proxy ADDR\" or "
					  "\"resolver ADDR\"",
					  path, ln);
			break;
		}
		struct net_addr a;
		const char *why;
		size_t off = (size_t)(sp - line) + 1;
		if (net_addr_parse(line + off, len - off, &a, &why)) {
			rc = sd_error_set(err, SD_EPARSE, "%s:%llu: %s", path, ln, why);
			break;
		}
		if ((rc = corr_roles_add(r, &a, role))) {
			rc = sd_error_set(
			    err, rc, "%s:%llu: %s", path, ln,
			    rc == SD_ELIMIT
				? "more than CORR_MAX_ROLES addresses with a role"
				: "out of memory");
			break;
		}
	}
	io_close(src);
	return rc < 0 ? rc : 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int corr_roles_write(const struct corr_roles *r, const char *path, struct sd_error *err)
{
	size_t nroles = sizeof(role_names) / sizeof(role_names[0]);
	size_t n = 0, cap = r->n * nroles + 1;
	char **lines = calloc(cap, sizeof(*lines));
	char *text = malloc(cap * (NET_ADDR_STRLEN + 16));
	if (!lines || !text) {
		free(lines);
		free(text);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->nslots; i++) {
		for (size_t k = 0; k < nroles; k++) {
			if (!(r->slots[i].roles & role_names[k].role))
				continue;
			char a[NET_ADDR_STRLEN];
			net_addr_format(&r->slots[i].a, a, sizeof(a));
			lines[n] = text + n * (NET_ADDR_STRLEN + 16);
			snprintf(lines[n], NET_ADDR_STRLEN + 16, "%s %s",
				 role_names[k].name, a);
			n++;
		}
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	struct sd_atomic_file af;
	int rc = sd_atomic_open(&af, path, err);
	if (!rc) {
		fputs("# sighted roles 1: proxy/resolver ADDR (docs/correlate.md)\n",
		      af.fp);
		for (size_t i = 0; i < n; i++)
			fprintf(af.fp, "%s\n", lines[i]);
		rc = sd_atomic_commit(&af, err);
	}
	free(lines);
	free(text);
	return rc;
}
