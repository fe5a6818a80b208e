/* The pcap reader on real captures: the loopback 3CX lab (against its
 * ground truth and against tshark's field export of the same file), Zeek's
 * TLS and HTTP traces and wikipedia.pcap (against Zeek's own logs). */
#include "testutil.h"

#include "core/csv.h"
#include "pcap_collect.h"

#define LAB "pcap/lab-3cx-loopback-2023-03-29.pcap"
/* 2023-03-29 13:55:06 and 13:56:22 UTC: the capture's first and last packet */
#define LAB_FIRST 1680098106
#define LAB_LAST 1680098182

static void lab_counts(void **state)
{
	(void)state;
	struct collect *c = collect(test_data(LAB));
	assert_int_equal(c->open_rc, 0);
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	/* tshark: 32 queries + 32 responses (one transaction each), 12
	 * ClientHellos with SNI, 10 HTTP requests */
	assert_int_equal(count_kind(c, TEL_DNS), 32);
	assert_int_equal(count_kind(c, TEL_TLS), 12);
	assert_int_equal(count_kind(c, TEL_HTTP), 10);
	/* the same 44 two-way TCP/UDP flows as softflowd's IPFIX export
	 * (lab_matches_ipfix compares them one by one) */
	assert_int_equal(count_kind(c, TEL_FLOW), 44);
	for (size_t i = 0; i < c->n; i++) {
		assert_true(c->r[i].ts >= LAB_FIRST && c->r[i].ts <= LAB_LAST);
		assert_true(c->r[i].position >= 1 && c->r[i].position <= 401);
		assert_true(c->r[i].flags & TEL_HAS_CLIENT);
		assert_true(c->r[i].flags & TEL_HAS_SERVER);
	}
	collect_free(c);
}

static void lab_ground_truth(void **state)
{
	(void)state;
	struct collect *c = collect(test_data(LAB));
	assert_int_equal(c->rc, 0);
	const struct crec *r;

	/* 127.0.0.11: three beacons of DNS + TLS to two C2 names */
	assert_int_equal(count_rec(c, TEL_DNS, "127.0.0.11", "raw.githubusercontent.com"), 3);
	assert_int_equal(count_rec(c, TEL_DNS, "127.0.0.11", "akamaicontainer.com"), 3);
	assert_int_equal(count_rec(c, TEL_TLS, "127.0.0.11", "raw.githubusercontent.com"), 3);
	assert_int_equal(count_rec(c, TEL_TLS, "127.0.0.11", "akamaicontainer.com"), 3);
	for (size_t i = 0; i < c->n; i++) {
		r = &c->r[i];
		if (strcmp(r->client, "127.0.0.11") || r->kind == TEL_FLOW)
			continue;
		/* 13:55:11 – 13:55:52 */
		assert_true(r->ts >= 1680098111 && r->ts <= 1680098152);
		if (r->kind == TEL_DNS) {
			assert_string_equal(r->server, "127.0.0.53");
			assert_int_equal(r->sport, 53);
			assert_true(r->flags & TEL_ANSWERED);
			assert_int_equal(r->nanswers, 1);
			assert_string_equal(r->answers[0], !strcmp(r->name, "akamaicontainer.com")
								   ? "127.0.0.101"
								   : "127.0.0.161");
		}
		if (r->kind == TEL_TLS) {
			assert_int_equal(r->sport, 443);
			assert_false(r->flags & TEL_VIA_PROXY);
		}
	}
	r = find_rec(c, TEL_TLS, "127.0.0.11", "akamaicontainer.com");
	assert_non_null(r);
	assert_string_equal(r->server, "127.0.0.101");
	assert_int_equal(r->proto, 6);

	/* ::1 over IPv6: client and server are the same address */
	assert_int_equal(count_rec(c, TEL_DNS, "::1", "msstorageazure.com"), 3);
	assert_int_equal(count_rec(c, TEL_TLS, "::1", "msstorageazure.com"), 3);
	r = find_rec(c, TEL_DNS, "::1", "msstorageazure.com");
	assert_string_equal(r->server, "::1");
	assert_int_equal(r->nanswers, 1);
	assert_string_equal(r->answers[0], "::1");
	r = find_rec(c, TEL_TLS, "::1", "msstorageazure.com");
	assert_string_equal(r->server, "::1");
	assert_int_equal(r->sport, 443);

	/* 127.0.0.12 through Squid: absolute URI, CONNECT, TLS inside the tunnel */
	r = find_rec(c, TEL_HTTP, "127.0.0.12", "raw.githubusercontent.com");
	assert_non_null(r);
	assert_string_equal(r->path, "/IconStorages/images/main/icon15.ico");
	assert_true(r->flags & TEL_VIA_PROXY);
	assert_string_equal(r->server, "127.0.0.1");
	assert_int_equal(r->sport, 3128);
	r = find_rec(c, TEL_HTTP, "127.0.0.12", "msstorageazure.com");
	assert_non_null(r);
	assert_string_equal(r->path, "");
	assert_true(r->flags & TEL_VIA_PROXY);
	r = find_rec(c, TEL_TLS, "127.0.0.12", "msstorageazure.com");
	assert_non_null(r);
	assert_true(r->flags & TEL_VIA_PROXY);
	assert_int_equal(r->sport, 3128);
	assert_non_null(find_rec(c, TEL_HTTP, "127.0.0.12", "officestoragebox.com"));
	r = find_rec(c, TEL_HTTP, "127.0.0.12", "pbxsources.com");
	assert_non_null(r);
	assert_string_equal(r->path, "/exchange");
	assert_int_equal(count_rec(c, TEL_DNS, "127.0.0.12", NULL), 0);

	/* 127.0.0.14: DNS only, one of them over TCP, the name's case kept */
	r = find_rec(c, TEL_DNS, "127.0.0.14", "JournalIDE.org");
	assert_non_null(r);
	assert_string_equal(r->answers[0], "127.0.0.104");
	size_t tcp = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].kind == TEL_DNS && c->r[i].proto == 6) {
			tcp++;
			assert_string_equal(c->r[i].client, "127.0.0.14");
			assert_string_equal(c->r[i].name, "akamaicontainer.com");
			assert_string_equal(c->r[i].answers[0], "127.0.0.101");
		}
	assert_int_equal(tcp, 1);
	assert_int_equal(count_rec(c, TEL_DNS, "127.0.0.14", NULL), 7);
	assert_int_equal(count_rec(c, TEL_TLS, "127.0.0.14", NULL), 0);
	assert_int_equal(count_rec(c, TEL_HTTP, "127.0.0.14", NULL), 0);

	/* 127.0.0.15: the ESET URL, asked directly (no proxy) */
	r = find_rec(c, TEL_HTTP, "127.0.0.15", "journalide.org");
	assert_non_null(r);
	assert_string_equal(r->path, "/djour.php");
	assert_false(r->flags & TEL_VIA_PROXY);
	assert_string_equal(r->server, "127.0.0.104");
	assert_non_null(find_rec(c, TEL_DNS, "127.0.0.15", "journalide.org"));

	/* 127.0.0.13 fetched a different path on the shared host */
	r = find_rec(c, TEL_HTTP, "127.0.0.13", "raw.githubusercontent.com");
	assert_non_null(r);
	assert_string_equal(r->path, "/octocat/Hello-World/master/README");
	assert_non_null(find_rec(c, TEL_TLS, "127.0.0.13", "github.com"));

	/* flows: the three TLS connections of 127.0.0.11 to 127.0.0.101 */
	size_t flows = 0;
	for (size_t i = 0; i < c->n; i++) {
		r = &c->r[i];
		if (r->kind != TEL_FLOW || strcmp(r->client, "127.0.0.11") ||
		    strcmp(r->server, "127.0.0.101"))
			continue;
		flows++;
		assert_int_equal(r->sport, 443);
		assert_int_equal(r->proto, 6);
		assert_true(r->flags & TEL_ANSWERED);
		assert_false(r->flags & TEL_DIR_UNKNOWN);
		assert_true(r->packets >= 10);
		assert_true(r->bytes > 1000);
	}
	assert_int_equal(flows, 3);
	collect_free(c);
}

/* Every DNS query, ClientHello and HTTP request tshark found is a record
 * with the same client, port and name (and the first A/AAAA answer of
 * each response is among the record's answers). */
static void lab_matches_tshark(void **state)
{
	(void)state;
	struct collect *c = collect(test_data(LAB));
	FILE *f = fopen(test_data("pcap/lab-3cx-loopback.tshark-fields.csv"), "r");
	assert_non_null(f);
	char line[4096];
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	size_t rows = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		struct sd_field fl[16];
		const char *why;
		assert_int_equal(sd_csv_split(line, strlen(line), ',', fl, 16, &why), 16);
		for (int i = 0; i < 16; i++)
			fl[i].s[fl[i].len] = '\0';
		const char *src = fl[1].len ? fl[1].s : fl[2].s;
		const char *dst = fl[3].len ? fl[3].s : fl[4].s;
		unsigned port = (unsigned)atoi(fl[5].len ? fl[5].s : fl[6].s);
		const char *resp = fl[7].s, *qname = fl[8].s, *a = fl[10].s, *aaaa = fl[11].s;
		const char *sni = fl[12].s, *host = fl[13].s, *method = fl[14].s,
			   *uri = fl[15].s;
		bool found = false;
		rows++;
		for (size_t i = 0; i < c->n && !found; i++) {
			const struct crec *r = &c->r[i];
			if (*resp == '0') {
				found = r->kind == TEL_DNS && !strcmp(r->client, src) &&
					r->cport == port && !strcmp(r->name, qname);
			} else if (*resp == '1') {
				const char *ans = *a ? a : aaaa;
				found = r->kind == TEL_DNS && !strcmp(r->client, dst) &&
					!strcmp(r->name, qname) && (r->flags & TEL_ANSWERED);
				if (found && *ans) {
					found = false;
					for (size_t k = 0; k < r->nanswers; k++)
						found |= !strcmp(r->answers[k], ans);
				}
			} else if (*sni) {
				found = r->kind == TEL_TLS && !strcmp(r->client, src) &&
					r->cport == port && !strcmp(r->name, sni);
			} else {
				assert_true(*method);
				if (r->kind != TEL_HTTP || strcmp(r->client, src) || r->cport != port)
					continue;
				char want[4096];
				if (!strcmp(method, "CONNECT"))
					snprintf(want, sizeof(want), "%s:443", r->name);
				else if (r->flags & TEL_VIA_PROXY)
					snprintf(want, sizeof(want), "http://%s%s", r->name, r->path);
				else
					snprintf(want, sizeof(want), "%s", r->path);
				found = !strcmp(want, uri) && !strncmp(host, r->name, strlen(r->name));
			}
		}
		if (!found)
			fail_msg("no record for tshark row %zu: %s %s %s %s %s", rows, src, qname,
				 sni, host, uri);
	}
	fclose(f);
	assert_int_equal(rows, 86);
	collect_free(c);
}

/* softflowd's IPFIX export of the same capture, through nfdump: its
 * one-way flows, joined in pairs, are our two-way flows, packet for packet
 * and byte for byte. */
static void lab_matches_ipfix(void **state)
{
	(void)state;
	struct collect *c = collect(test_data(LAB));
	FILE *f = fopen(test_data("pcap/lab-3cx-loopback.ipfix.csv"), "r");
	assert_non_null(f);
	uint64_t *pk = calloc(c->n, sizeof(*pk)), *by = calloc(c->n, sizeof(*by));
	char line[4096];
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	size_t used = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		struct sd_field fl[48];
		const char *why;
		long n = sd_csv_split(line, strlen(line), ',', fl, 48, &why);
		if (n < 13)
			continue; /* nfdump's summary lines */
		for (int i = 0; i < 13; i++)
			fl[i].s[fl[i].len] = '\0';
		/* ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt */
		const char *sa = fl[3].s, *da = fl[4].s, *pr = fl[7].s;
		unsigned sp = (unsigned)atoi(fl[5].s), dp = (unsigned)atoi(fl[6].s);
		if (strcmp(pr, "TCP") && strcmp(pr, "UDP"))
			continue;
		bool found = false;
		for (size_t i = 0; i < c->n && !found; i++) {
			const struct crec *r = &c->r[i];
			if (r->kind != TEL_FLOW || r->proto != (strcmp(pr, "TCP") ? 17u : 6u))
				continue;
			if ((!strcmp(r->client, sa) && r->cport == sp && !strcmp(r->server, da) &&
			     r->sport == dp) ||
			    (!strcmp(r->client, da) && r->cport == dp && !strcmp(r->server, sa) &&
			     r->sport == sp)) {
				found = true;
				pk[i] += strtoull(fl[11].s, NULL, 10);
				by[i] += strtoull(fl[12].s, NULL, 10);
			}
		}
		if (!found)
			fail_msg("no flow for IPFIX %s:%u -> %s:%u %s", sa, sp, da, dp, pr);
		used++;
	}
	fclose(f);
	assert_int_equal(used, 88); /* 44 flows, one IPFIX record each way */
	for (size_t i = 0; i < c->n; i++) {
		if (c->r[i].kind != TEL_FLOW)
			continue;
		assert_int_equal(c->r[i].packets, pk[i]);
		assert_int_equal(c->r[i].bytes, by[i]);
	}
	free(pk);
	free(by);
	collect_free(c);
}

static void zeek_tls(void **state)
{
	(void)state;
	struct collect *c = collect(test_data("pcap/zeek-tls-conn-with-extensions.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_TLS), 1);
	const struct crec *r = find_rec(c, TEL_TLS, "192.168.1.105", "ssl.gstatic.com");
	assert_non_null(r);
	assert_string_equal(r->server, "74.125.224.79");
	assert_int_equal(r->sport, 443);
	assert_int_equal(count_kind(c, TEL_FLOW), 1);
	collect_free(c);

	c = collect(test_data("pcap/zeek-tls-chrome-34-google.pcap"));
	assert_int_equal(c->rc, 0);
	r = find_rec(c, TEL_TLS, "192.168.4.149", "google.de");
	assert_non_null(r);
	assert_string_equal(r->server, "74.125.239.152");
	assert_int_equal(r->cport, 55881);
	r = find_rec(c, TEL_FLOW, "192.168.4.149", NULL);
	assert_non_null(r);
	assert_int_equal(r->packets, 42); /* every packet of the trace */
	collect_free(c);
}

static void zeek_http(void **state)
{
	(void)state;
	struct collect *c = collect(test_data("pcap/zeek-http-get.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(count_kind(c, TEL_HTTP), 1);
	const struct crec *r = find_rec(c, TEL_HTTP, "141.142.228.5", "bro.org");
	assert_non_null(r);
	assert_string_equal(r->path, "/download/CHANGES.bro-aux.txt");
	assert_string_equal(r->server, "192.150.187.43");
	assert_false(r->flags & TEL_VIA_PROXY);
	r = find_rec(c, TEL_FLOW, NULL, NULL);
	assert_int_equal(r->packets, 14);
	collect_free(c);

	c = collect(test_data("pcap/zeek-http-bro.org.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	/* keep-alive: several requests per connection, each its own record */
	assert_int_equal(count_kind(c, TEL_HTTP), 31);
	assert_int_equal(count_rec(c, TEL_HTTP, "10.0.2.15", "bro.org"), 29);
	assert_int_equal(count_rec(c, TEL_HTTP, "10.0.2.15", "www.bro.org"), 2);
	size_t on_55079 = 0;
	for (size_t i = 0; i < c->n; i++)
		on_55079 += c->r[i].kind == TEL_HTTP && c->r[i].cport == 55079;
	assert_true(on_55079 >= 5);
	collect_free(c);
}

/* wikipedia.pcap against Zeek's baseline logs of it: conn 34, dns 14 on
 * port 53, plus mDNS/LLMNR queries (also over IPv6 link-local), http 14
 * plus one request on a connection that began before the capture (Zeek's
 * HTTP analyser waits for a handshake; the request line is there). */
static void zeek_wikipedia(void **state)
{
	(void)state;
	struct collect *c = collect(test_data("pcap/zeek-wikipedia.pcap"));
	assert_int_equal(c->rc, 0);
	assert_int_equal(c->stats.malformed, 0);
	assert_int_equal(count_kind(c, TEL_FLOW), 34);
	assert_int_equal(count_kind(c, TEL_HTTP), 15);
	size_t dns53 = 0, answered = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct crec *r = &c->r[i];
		if (r->kind != TEL_DNS || r->sport != 53)
			continue;
		dns53++;
		assert_string_equal(r->client, "141.142.220.118");
		assert_string_equal(r->server, "141.142.2.2");
		answered += r->nanswers > 0;
	}
	assert_int_equal(dns53, 14);
	/* the A queries got answers (Zeek: rtt set on 6), AAAA / search suffix did not */
	assert_int_equal(answered, 5);
	const struct crec *r = find_rec(c, TEL_DNS, "141.142.220.118", "meta.wikimedia.org");
	assert_non_null(r);
	/* LLMNR over IPv6 link-local */
	r = find_rec(c, TEL_DNS, "fe80::3074:17d5:2052:c324", "BRWC0CB383D1F42");
	assert_non_null(r);
	assert_string_equal(r->server, "ff02::1:3");
	assert_int_equal(r->sport, 5355);
	assert_int_equal(count_rec(c, TEL_DNS, "fe80::3074:17d5:2052:c324", NULL), 4);
	r = find_rec(c, TEL_HTTP, "141.142.220.118", "bits.wikimedia.org");
	assert_non_null(r);
	assert_string_equal(r->path, "/skins-1.5/monobook/main.css");
	collect_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lab_counts),     cmocka_unit_test(lab_ground_truth),
		cmocka_unit_test(lab_matches_tshark), cmocka_unit_test(lab_matches_ipfix),
		cmocka_unit_test(zeek_tls),
		cmocka_unit_test(zeek_http),      cmocka_unit_test(zeek_wikipedia),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
