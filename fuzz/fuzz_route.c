/* Request routing and query parsing on arbitrary requests: srv_handle
 * always answers, with a status a client can act on, and every JSON answer
 * parses. The input is split on newlines into method, path, ?ip=,
 * Authorization, Content-Type and X-Forwarded-For, the rest is the body;
 * the first byte picks the policy and detail. The snapshot is built once
 * with the real builder. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/builder.h"
#include "server/routes.h"
#include "server/snapshot.h"
#include "server/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the secret whose hash the fuzzer's tokens file holds */
#define SECRET "fuzz-secret-token-0123456789"

static struct srv_ctx ctx;
static struct net_prefix trust[1];

static void add(struct db_builder *b, const char *p, uint16_t camp, uint32_t set,
		uint32_t t0, uint8_t ev)
{
	struct net_prefix pf;
	net_prefix_parse(p, strlen(p), &pf, 0, NULL);
	struct db_sighting s = {t0, t0 + 86400, 3, camp, ev, DB_CONF_HIGH, set};
	db_builder_add(b, &pf, &s, NULL);
}

static void setup(void)
{
	struct db_builder *b = db_builder_new();
	struct db_campaign_meta m1 = {"3cx-2023", "Trojanized <3CX> & app",
				      "https://example.org/advisory?a=1&b=\"2\"",
				      "Uninstall <it>.", 1669852800, 1682899199};
	struct db_campaign_meta m2 = {"gopuram-2023", "Gopuram", "javascript:alert(1)", "",
				      0, 0};
	uint16_t c1, c2;
	uint32_t set;
	const char *src[] = {"sensor-<a>", "cert"};
	db_builder_campaign(b, &m1, &c1, NULL);
	db_builder_campaign(b, &m2, &c2, NULL);
	db_builder_sourceset(b, src, 2, &set, NULL);
	add(b, "192.0.2.10", c1, set, 1679300000, DB_EV_DNS | DB_EV_TLS);
	add(b, "192.0.2.0/26", c2, set, 1679400000, DB_EV_LIST);
	add(b, "2001:db8::5", c1, set, 1679500000, DB_EV_HTTP);
	add(b, "198.51.100.0/24", c1, set, 1679600000, DB_EV_FLOW);
	char path[] = "/tmp/fuzz-route-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
	struct db *db;
	struct srv_snap *snap;
	if (db_builder_write(b, path, 1700000000, NULL) || db_open(path, &db, NULL) ||
	    srv_snap_from_db(db, &snap, NULL))
		abort();
	unlink(path); /* the mapping stays valid */
	db_builder_free(b);
	uint8_t h[32];
	char hex[72], line[256];
	srv_token_hash(SECRET, strlen(SECRET), h);
	srv_token_hash_hex(h, hex);
	snprintf(line, sizeof(line), "%s name=fuzz scope=192.0.2.0/24,2001:db8::/32 bulk=50\n", hex);
	struct srv_tokens *tok;
	if (srv_tokens_parse(line, strlen(line), "fuzz", &tok, NULL))
		abort();
	srv_slot_init(&ctx.snap, &snap->ref);
	srv_slot_init(&ctx.tokens, &tok->ref);
	net_prefix_parse("127.0.0.0/8", 11, &trust[0], 0, NULL);
	ctx.trust = (struct srv_trust){trust, 1};
	ctx.rl = srv_ratelimit_new();
	ctx.anon_rate = 1000;
	ctx.anon_burst = 1000;
}

/* Next newline-terminated field as a NUL-terminated copy (NULL if the
 * field is "-", meaning absent). */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	char *s = malloc(n + 1);
	memcpy(s, *p, n);
	s[n] = 0;
	*p = nl ? nl + 1 : end;
	if (n == 1 && s[0] == '-') {
		free(s);
		return NULL;
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctx.rl)
		setup();
	if (size < 1)
		return 0;
	ctx.policy.mode = data[0] & 1 ? SRV_POLICY_OPEN : SRV_POLICY_SELF;
	ctx.policy.anon_detail = data[0] & 2 ? REPORT_FULL : REPORT_VERDICT;
	const uint8_t *p = data + 1, *end = data + size;
	char *method = field(&p, end), *path = field(&p, end), *ip = field(&p, end),
	     *auth = field(&p, end), *ctype = field(&p, end), *xff = field(&p, end);
	struct net_addr peer;
	net_addr_from_v4(&peer, 0x7f000001);
	struct srv_request rq = {
		.method = method ? method : "GET",
		.path = path ? path : "/",
		.arg_ip = ip,
		.authorization = auth,
		.content_type = ctype,
		.body = (const char *)p,
		.body_len = (size_t)(end - p),
		.now_ms = 1000000,
	};
	const char *why = NULL;
	struct srv_response rs;
	if (srv_client_addr(&peer, xff, xff ? strlen(xff) : 0, &ctx.trust, &rq.client, &why))
		srv_refuse(&ctx, &rq, 400, "bad_forwarded", why, &rs);
	else if (!strcmp(rq.method, "POST") && srv_preflight(&ctx, &rq, &rs))
		; /* answered from the header alone */
	else {
		rq.admitted = !strcmp(rq.method, "POST");
		srv_handle(&ctx, &rq, &rs);
	}
	if (srv_response_collect(&rs) != 0 && rs.status != 500)
		abort();
	if (rs.status < 200 || rs.status > 599 || !rs.type || (!rs.body && rs.len))
		abort();
	if (!strncmp(rs.type, "application/json", 16) && strcmp(rq.path, "/api/v1/openapi.json")) {
		json_error_t je;
		json_t *j = json_loadb(rs.body, rs.len, JSON_ALLOW_NUL, &je);
		if (!j)
			abort(); /* every JSON answer is valid JSON */
		if (rs.status >= 400 && !json_is_string(json_object_get(json_object_get(j, "error"), "code")))
			abort(); /* every error has a code */
		json_decref(j);
	}
	if (!strncmp(rs.type, "text/html", 9) && ip && strstr(rs.body, "<script>alert"))
		abort(); /* the query never becomes markup */
	srv_response_free(&rs);
	free(method);
	free(path);
	free(ip);
	free(auth);
	free(ctype);
	free(xff);
	return 0;
}
