/* A labelled scenario in packets: a capture crafted here (Ethernet, VLAN,
 * QinQ, IPv4 and IPv6; DNS, TLS ClientHello, HTTP, TCP flows) is given to
 * the real `sighted correlate` binary ($SIGHTED), and each client must or
 * must not come out, with the right evidence and confidence. */
#include "testutil.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <jansson.h>
#include <sys/wait.h>

#include "telemetry/pcap_craft.h"

#define DAY 1678881600u    /* 2023-03-15T12:00:00Z, inside the window */
#define BEFORE 1667304000u /* 2022-11-01T12:00:00Z, before it */

static json_t *sightings; /* client -> array of sighting objects */
static char dir[512];

static void v6(uint8_t a[16], const char *s)
{
	if (inet_pton(AF_INET6, s, a) != 1)
		abort();
}

static struct craft_pkt pkt(int is6, const char *src, const char *dst, int proto,
			    uint16_t sport, uint16_t dport, uint8_t flags)
{
	struct craft_pkt p;
	memset(&p, 0, sizeof(p));
	p.v6 = is6;
	p.proto = proto;
	p.sport = sport;
	p.dport = dport;
	p.tcp_flags = flags;
	if (is6) {
		v6(p.src, src);
		v6(p.dst, dst);
	} else {
		unsigned a, b, c, d;
		sscanf(src, "%u.%u.%u.%u", &a, &b, &c, &d);
		craft_v4(p.src, a, b, c, d);
		sscanf(dst, "%u.%u.%u.%u", &a, &b, &c, &d);
		craft_v4(p.dst, a, b, c, d);
	}
	return p;
}

static void dns(struct craft_file *cf, enum craft_link l, uint32_t t, int is6,
		const char *cli, const char *res, const char *name)
{
	struct craft_buf b = {.n = 0};
	cb_dns(&b, 7, 0, name, is6 ? 28 : 1, 0);
	struct craft_pkt q = pkt(is6, cli, res, 17, 40000, 53, 0);
	cf_ip(cf, l, t, &q, b.b, b.n);
	b.n = 0;
	cb_dns(&b, 7, 1, name, 1, 0xc6336442 /* 198.51.100.66 */);
	struct craft_pkt r = pkt(is6, res, cli, 17, 53, 40000, 0);
	cf_ip(cf, l, t, &r, b.b, b.n);
}

/* A TCP exchange: handshake, one client payload, server data, FIN. */
static void tcp(struct craft_file *cf, enum craft_link l, uint32_t t, int is6,
		const char *cli, const char *srv, uint16_t sport, uint16_t dport,
		const void *payload, size_t plen)
{
	struct craft_pkt c = pkt(is6, cli, srv, 6, sport, dport, PKT_SYN_);
	struct craft_pkt s = pkt(is6, srv, cli, 6, dport, sport, PKT_SYN_ | PKT_ACK_);
	cf_ip(cf, l, t, &c, "", 0);
	s.seq = 1000;
	cf_ip(cf, l, t, &s, "", 0);
	c.tcp_flags = PKT_ACK_;
	c.seq = 1;
	cf_ip(cf, l, t, &c, "", 0);
	if (plen) {
		c.tcp_flags = PKT_ACK_ | 0x08;
		cf_ip(cf, l, t, &c, payload, plen);
		c.seq += (uint32_t)plen;
	}
	s.tcp_flags = PKT_ACK_ | 0x08;
	s.seq = 1001;
	cf_ip(cf, l, t, &s, "ok", 2);
	c.tcp_flags = PKT_FIN_ | PKT_ACK_;
	cf_ip(cf, l, t + 1, &c, "", 0);
	s.tcp_flags = PKT_FIN_ | PKT_ACK_;
	s.seq = 1003;
	cf_ip(cf, l, t + 1, &s, "", 0);
}

static void tls(struct craft_file *cf, enum craft_link l, uint32_t t, int is6,
		const char *cli, const char *srv, uint16_t sport, const char *sni)
{
	struct craft_buf b = {.n = 0};
	cb_client_hello(&b, sni, 0);
	tcp(cf, l, t, is6, cli, srv, sport, 443, b.b, b.n);
}

static void http(struct craft_file *cf, uint32_t t, const char *cli,
		 const char *srv, uint16_t sport, const char *host, const char *path)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: t\r\n\r\n", path, host);
	tcp(cf, CL_ETH, t, 0, cli, srv, sport, 80, req, (size_t)n);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s", test_tmpfile("scenario"));
	char p[1024];
	snprintf(p, sizeof(p), "mkdir -p %s", dir);
	if (system(p) != 0)
		return -1;
	snprintf(p, sizeof(p), "%s/scen.conf", dir);
	write_file(p, "name = scen\n"
		      "window_start = 2022-12-01\n"
		      "window_end = 2023-04-30\n"
		      "indicators = ind.csv\n");
	snprintf(p, sizeof(p), "%s/ind.csv", dir);
	write_file(p, "type,value,campaign\n"
		      "domain,evil-c2[.]example,scen\n"
		      "ipv4,198.51.100.66,scen\n"
		      "ipv6,2001:db8:c2::66,scen\n"
		      "url,hxxps://raw.githubusercontent[.]com/IconStorages/images/main/,scen\n"
		      "sha256,aa124a4b4df12b34e74ee7f6c683b2ebec4ce9a8edcf9be345823b4fdcf5d868,scen\n");

	struct craft_file cf;
	snprintf(p, sizeof(p), "%s/scen.pcap", dir);
	cf_open(&cf, p, 1, 0);
	const char *res = "192.0.2.53";
	/* .21 DNS only */
	dns(&cf, CL_ETH, DAY, 0, "192.0.2.21", res, "evil-c2.example");
	/* .22 DNS, then TLS with the C2 name to the C2 address, VLAN-tagged */
	dns(&cf, CL_VLAN, DAY + 10, 0, "192.0.2.22", res, "evil-c2.example");
	tls(&cf, CL_VLAN, DAY + 11, 0, "192.0.2.22", "198.51.100.66", 50022, "evil-c2.example");
	/* .23 plain HTTP for an IconStorages file on the shared host */
	http(&cf, DAY + 20, "192.0.2.23", "192.0.2.161", 50023, "raw.githubusercontent.com",
	     "/IconStorages/images/main/icon3.ico");
	/* .24 HTTPS to the shared host: DNS + SNI, path invisible */
	dns(&cf, CL_ETH, DAY + 30, 0, "192.0.2.24", res, "raw.githubusercontent.com");
	tls(&cf, CL_ETH, DAY + 31, 0, "192.0.2.24", "192.0.2.161", 50024,
	    "raw.githubusercontent.com");
	/* .30 plain HTTP to another repository on the shared host */
	http(&cf, DAY + 35, "192.0.2.30", "192.0.2.161", 50030, "raw.githubusercontent.com",
	     "/octocat/Hello-World/master/README");
	/* .25 the same C2 exchange, but before the window */
	dns(&cf, CL_ETH, BEFORE, 0, "192.0.2.25", res, "evil-c2.example");
	tls(&cf, CL_ETH, BEFORE + 1, 0, "192.0.2.25", "198.51.100.66", 50025, "evil-c2.example");
	/* IPv6 client to the IPv6 C2 address, no SNI */
	tls(&cf, CL_ETH, DAY + 40, 1, "2001:db8:1::25", "2001:db8:c2::66", 50026, NULL);
	/* .26 label-boundary traps */
	dns(&cf, CL_ETH, DAY + 50, 0, "192.0.2.26", res, "notevil-c2.example");
	dns(&cf, CL_ETH, DAY + 51, 0, "192.0.2.26", res, "evil-c2.example.attacker.test");
	/* .27 inbound: the C2 connects to the client's port 22 */
	tcp(&cf, CL_ETH, DAY + 60, 0, "198.51.100.66", "192.0.2.27", 4444, 22, "x", 1);
	/* .28 a subdomain in mixed case */
	dns(&cf, CL_ETH, DAY + 70, 0, "192.0.2.28", res, "CDN.Evil-C2.EXAMPLE");
	/* .29 a bare flow to the C2 address, QinQ-tagged */
	tcp(&cf, CL_QINQ, DAY + 80, 0, "192.0.2.29", "198.51.100.66", 50029, 8443, "hi", 2);
	cf_close(&cf);

	const char *bin = getenv("SIGHTED");
	if (!bin)
		return -1;
	char cmd[4096];
	snprintf(cmd, sizeof(cmd),
		 "SIGHTED_NO_PROGRESS=1 '%s' correlate --campaigns '%s/scen.conf' -c scen -j 1 "
		 "-o '%s/out.sdb' --sightings '%s/out.jsonl' '%s/scen.pcap' 2>'%s/err'",
		 bin, dir, dir, dir, dir, dir);
	if (system(cmd) != 0) {
		snprintf(cmd, sizeof(cmd), "cat '%s/err'", dir);
		if (system(cmd)) {
		}
		return -1;
	}
	sightings = json_object();
	snprintf(p, sizeof(p), "%s/out.jsonl", dir);
	FILE *f = fopen(p, "r");
	if (!f)
		return -1;
	char line[8192];
	while (fgets(line, sizeof(line), f)) {
		json_t *o = json_loads(line, 0, NULL);
		if (!o)
			return -1;
		const char *c = json_string_value(json_object_get(o, "client"));
		json_t *arr = json_object_get(sightings, c);
		if (!arr) {
			arr = json_array();
			json_object_set_new(sightings, c, arr);
		}
		json_array_append_new(arr, o);
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(sightings);
	return 0;
}

/* The union of evidence and the best confidence over a client's lines. */
static void client(const char *addr, const char *evidence, const char *conf)
{
	json_t *arr = json_object_get(sightings, addr);
	if (!evidence) {
		if (arr)
			fail_msg("%s must not be sighted", addr);
		return;
	}
	if (!arr)
		fail_msg("%s must be sighted", addr);
	char ev[64] = "";
	int best = 0;
	static const char *const kinds[] = {"dns", "flow", "tls", "http"};
	static const char *const confs[] = {"unknown", "low", "medium", "high"};
	for (size_t k = 0; k < 4; k++) {
		size_t i;
		json_t *o;
		bool has = false;
		json_array_foreach(arr, i, o) {
			size_t j;
			json_t *e;
			json_array_foreach(json_object_get(o, "evidence"), j, e)
				has |= !strcmp(json_string_value(e), kinds[k]);
			for (int c = 0; c < 4; c++)
				if (!strcmp(json_string_value(json_object_get(o, "confidence")), confs[c]) &&
				    c > best)
					best = c;
		}
		if (has) {
			if (ev[0])
				strcat(ev, ",");
			strcat(ev, kinds[k]);
		}
	}
	assert_string_equal(ev, evidence);
	assert_string_equal(confs[best], conf);
}

static void test_dns_only_is_low(void **s) { (void)s; client("192.0.2.21", "dns", "low"); }
static void test_vlan_dns_tls_is_high(void **s) { (void)s; client("192.0.2.22", "dns,flow,tls", "high"); }
static void test_shared_host_url_path(void **s) { (void)s; client("192.0.2.23", "http", "high"); }
static void test_shared_host_https_not(void **s) { (void)s; client("192.0.2.24", NULL, NULL); }
static void test_shared_host_other_path_not(void **s) { (void)s; client("192.0.2.30", NULL, NULL); }
static void test_before_window_not(void **s) { (void)s; client("192.0.2.25", NULL, NULL); }
static void test_ipv6(void **s) { (void)s; client("2001:db8:1::25", "flow", "high"); }
static void test_label_traps_not(void **s) { (void)s; client("192.0.2.26", NULL, NULL); }
static void test_mixed_case_subdomain(void **s) { (void)s; client("192.0.2.28", "dns", "low"); }
static void test_qinq_flow(void **s) { (void)s; client("192.0.2.29", "flow", "high"); }

static void test_inbound_from_c2(void **s)
{
	(void)s;
	client("192.0.2.27", "flow", "medium");
	json_t *o = json_array_get(json_object_get(sightings, "192.0.2.27"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "direction")), "inbound");
	/* the C2 itself is never a client */
	client("198.51.100.66", NULL, NULL);
}

static void test_resolver_not(void **s) { (void)s; client("192.0.2.53", NULL, NULL); }

static void test_snapshot_checks(void **s)
{
	(void)s;
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "'%s' check --db '%s/out.sdb' -q 192.0.2.22 2001:db8:1::25", getenv("SIGHTED"), dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 0);
	snprintf(cmd, sizeof(cmd), "'%s' check --db '%s/out.sdb' -q 192.0.2.24 192.0.2.25",
		 getenv("SIGHTED"), dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_only_is_low),
		cmocka_unit_test(test_vlan_dns_tls_is_high),
		cmocka_unit_test(test_shared_host_url_path),
		cmocka_unit_test(test_shared_host_https_not),
		cmocka_unit_test(test_shared_host_other_path_not),
		cmocka_unit_test(test_before_window_not),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_label_traps_not),
		cmocka_unit_test(test_mixed_case_subdomain),
		cmocka_unit_test(test_qinq_flow),
		cmocka_unit_test(test_inbound_from_c2),
		cmocka_unit_test(test_resolver_not),
		cmocka_unit_test(test_snapshot_checks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
