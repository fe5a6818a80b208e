/* Crafted inputs: malformed lines are counted and reported with file:line,
 * Zeek headers change mid-file, compressed inputs read transparently with the
 * real gzip and zstd tools, truncated input is an error naming the file. */
#include "telemetry/field.h"
#include "telutil.h"
#include "testutil.h"

static const char *write_file(const char *name, const char *text)
{
	const char *p = test_tmpfile(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static void zeek_header_changes(void **state)
{
	(void)state;
	/* a conn log, then (rotated logs concatenated) a dns log with a
	 * different set separator, without #close, and a junk line */
	const char *p = write_file(
	    "multi.log",
	    "#separator \\x09\n"
	    "#set_separator\t,\n"
	    "#empty_field\t(empty)\n"
	    "#unset_field\t-\n"
	    "#path\tconn\n"
	    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_"
	    "bytes\tresp_bytes\textra\n"
	    "1680098106.5\tC1\t192.0.2.1\t5000\t198.51.100.7\t443\ttcp\t10\t20\tx\n"
	    "1680098107.5\tC2\t192.0.2.1\t5001\t198.51.100.7\n"
	    "#separator \\x7c\n"
	    "#set_separator|;\n"
	    "#path|dns\n"
	    "#fields|ts|id.orig_h|id.orig_p|id.resp_h|id.resp_p|query|answers\n"
	    "1680098108|2001:db8::5|53000|2001:db8::53|53|Evil.Example.|203.0.113.9;"
	    "cname.example;2001:db8::9\n"
	    "1680098109|2001:db8::5|53000|not-an-ip|53|x.example|-\n"
	    "notatime|2001:db8::5|53000|2001:db8::53|53|x.example|-\n");
	struct tfile t;
	assert_int_equal(tf_read(&t, p, NULL), 0);
	assert_int_equal(t.fmt, TEL_FMT_ZEEK_TSV);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.r[0].kind, TEL_FLOW);
	assert_int_equal(t.r[0].bytes, 30);
	assert_int_equal(t.r[1].kind, TEL_DNS);
	assert_string_equal(t.r[1].name, "Evil.Example"); /* trailing dot dropped */
	assert_string_equal(t.r[1].client, "2001:db8::5");
	assert_string_equal(t.r[1].answers, "203.0.113.9 2001:db8::9");
	assert_int_equal(t.st.malformed, 3);
	assert_int_equal(t.nreports, 3);
	char where[600];
	snprintf(where, sizeof(where), "%s:8: 5 fields where #fields declares 10", p);
	assert_string_equal(t.reports[0], where);
	snprintf(where, sizeof(where), "%s:14: ", p);
	assert_memory_equal(t.reports[1], where, strlen(where));
	assert_non_null(strstr(t.reports[1], "not-an-ip"));
	snprintf(where, sizeof(where), "%s:15: ", p);
	assert_memory_equal(t.reports[2], where, strlen(where));
	tf_free(&t);
}

static void malformed_everywhere(void **state)
{
	(void)state;
	struct tfile t;
	const char *p = write_file(
	    "bad.eve", "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
		       "\"src_ip\":\"192.0.2.1\",\"src_port\":1,\"dest_ip\":\"198.51.100."
		       "1\",\"dest_port\":443,\"tls\":{\"sni\":\"a.example\"}}\n"
		       "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"tls\","
		       "\"src_ip\":\"192.0.2.1\"\n"
		       "[1,2]\n"
		       "{\"timestamp\":\"yesterday\",\"event_type\":\"flow\",\"src_ip\":"
		       "\"192.0.2.1\",\"dest_ip\":\"198.51.100.1\"}\n"
		       "{\"timestamp\":\"2023-03-29T13:55:06Z\",\"event_type\":\"flow\","
		       "\"src_ip\":\"192.0.2.300\",\"dest_ip\":\"198.51.100.1\"}\n"
		       "{\"event_type\":\"stats\",\"stats\":{}}\n");
	struct tel_options opt = {.format = TEL_FMT_EVE};
	assert_int_equal(tf_read(&t, p, &opt), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.st.malformed, 4);
	assert_int_equal(t.st.skipped, 1);
	assert_non_null(strstr(t.reports[0], ":2: not valid JSON"));
	assert_non_null(strstr(t.reports[1], ":3: JSON value is not an object"));
	assert_non_null(strstr(t.reports[2], ":4: "));
	assert_non_null(strstr(t.reports[3], ":5: "));
	tf_free(&t);

	p = write_file(
	    "bad.dnsmasq",
	    "Mar 29 13:55:06 dnsmasq[1]: query[A] good.example from 192.0.2.4\n"
	    "Mar 29 13:55:06 dnsmasq[1]: query[A] bad.example from nowhere\n"
	    "Foo 99 13:55:06 dnsmasq[1]: query[A] bad.example from 192.0.2.4\n"
	    "Jan  2 00:00:01 dnsmasq[1]: query[AAAA] next.example from 192.0.2.4\n");
	opt = (struct tel_options){.year = 2022};
	assert_int_equal(tf_read(&t, p, &opt), 0);
	assert_int_equal(t.fmt, TEL_FMT_DNSMASQ);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.st.malformed, 2);
	/* --year puts every line in that year, whatever the line before it
	 * (each line's year is its own, so --range shards agree) */
	assert_int_equal(t.r[1].ts, 1641081601); /* 2022-01-02T00:00:01Z */
	tf_free(&t);

	p = write_file("bad.squid", "1680098106.547 14 127.0.0.13 TCP_MISS/200 365 GET "
				    "http://a.example/x - HIER_DIRECT/192.0.2.1 -\n"
				    "1680098106.547 14 127.0.0.13 TCP_MISS/200 365 GET "
				    "/relative - HIER_NONE/- -\n"
				    "1680098106.547 14\n"
				    "1680098106.547 14 [::1]:80 TCP_MISS/200 365 GET "
				    "http://a.example/x - HIER_NONE/- -\n");
	assert_int_equal(tf_read(&t, p, NULL), 0);
	assert_int_equal(t.fmt, TEL_FMT_SQUID);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.st.malformed, 3);
	tf_free(&t);
}

/* EVE layouts the samples do not show: netflow, Suricata 8 dns (queries[]
 * and answers[] with type "response"), alerts carrying http or dns parts,
 * flow.start instead of the logging time, a \u escape and an absolute URL */
static void eve_layouts(void **state)
{
	(void)state;
	const char *p = write_file(
	    "layouts.eve",
	    "{\"timestamp\":\"2023-03-29T13:59:00+0000\",\"event_type\":\"netflow\","
	    "\"src_ip\":\"198.51.100.7\",\"src_port\":443,\"dest_ip\":\"192.0.2.9\","
	    "\"dest_port\":50000,\"proto\":\"TCP\",\"netflow\":{\"pkts\":3,\"bytes\":"
	    "1500,\"start\":\"2023-03-29T13:55:06.5+0000\"}}\n"
	    "{\"timestamp\":\"2023-03-29T13:55:07Z\",\"event_type\":\"dns\",\"src_ip\":"
	    "\"2001:db8::53\",\"src_port\":53,\"dest_ip\":\"2001:db8::9\",\"dest_port\":"
	    "40000,\"proto\":\"UDP\",\"dns\":{\"version\":3,\"type\":\"response\","
	    "\"queries\":[{\"rrname\":\"msstorageazure.com\",\"rrtype\":\"A\"}],"
	    "\"answers\":[{\"rrname\":\"msstorageazure.com\",\"rrtype\":\"A\",\"rdata\":"
	    "\"203.0.113.5\"},{\"rrname\":\"msstorageazure.com\",\"rrtype\":\"CNAME\","
	    "\"rdata\":\"x.example\"}]}}\n"
	    "{\"timestamp\":\"2023-03-29T13:55:08Z\",\"event_type\":\"alert\",\"src_ip\":"
	    "\"192.0.2.9\",\"src_port\":40001,\"dest_ip\":\"203.0.113.5\",\"dest_port\":"
	    "80,\"proto\":6,\"alert\":{\"signature\":\"x\"},\"http\":{\"hostname\":"
	    "\"pbxsources.com\",\"url\":\"http:\\/\\/pbxsources.com\\/"
	    "exchange\",\"status\":503}}\n"
	    "{\"timestamp\":\"2023-03-29T13:55:09Z\",\"event_type\":\"alert\",\"src_ip\":"
	    "\"192.0.2.9\",\"dest_ip\":\"192.0.2.53\",\"dns\":{\"query\":[{\"rrname\":"
	    "\"\\u0061kamaicontainer.com\",\"type\":\"query\"}]}}\n"
	    "{\"timestamp\":\"2023-03-29T13:55:10Z\",\"event_type\":\"flow\",\"src_ip\":"
	    "\"192.0.2.9\",\"dest_ip\":\"203.0.113.5\",\"flow\":{\"start\":\"2023-03-"
	    "29T13:55:01Z\",\"bytes_toserver\":10,\"bytes_toclient\":0,\"pkts_toserver\":"
	    "1,\"pkts_toclient\":0}}\n");
	struct tfile t;
	assert_int_equal(tf_read(&t, p, NULL), 0);
	assert_int_equal(t.fmt, TEL_FMT_EVE);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.st.malformed, 0);
	/* netflow: the server's half (from port 443) turned round to the
	 * client, so the direction is known; time from netflow.start */
	assert_int_equal(t.r[0].kind, TEL_FLOW);
	assert_false(t.r[0].flags & TEL_DIR_UNKNOWN);
	assert_string_equal(t.r[0].client, "192.0.2.9");
	assert_int_equal(t.r[0].bytes, 1500);
	assert_int_equal(t.r[0].ts, 1680098106);
	/* v3 response: turned round to the querier, A answers only */
	assert_int_equal(t.r[1].kind, TEL_DNS);
	assert_string_equal(t.r[1].client, "2001:db8::9");
	assert_string_equal(t.r[1].server, "2001:db8::53");
	assert_string_equal(t.r[1].name, "msstorageazure.com");
	assert_string_equal(t.r[1].answers, "203.0.113.5");
	assert_true(t.r[1].flags & TEL_ANSWERED);
	/* alert with http: escaped absolute URL split, numeric proto */
	assert_int_equal(t.r[2].kind, TEL_HTTP);
	assert_string_equal(t.r[2].name, "pbxsources.com");
	assert_string_equal(t.r[2].path, "/exchange");
	assert_int_equal(t.r[2].proto, 6);
	/* alert with a dns part and a \u escape */
	assert_int_equal(t.r[3].kind, TEL_DNS);
	assert_string_equal(t.r[3].name, "akamaicontainer.com");
	/* flow: time is the flow's start; nothing came back */
	assert_int_equal(t.r[4].ts, 1680098101);
	assert_false(t.r[4].flags & TEL_ANSWERED);
	tf_free(&t);
}

static void sniffing(void **state)
{
	(void)state;
	struct tfile t;
	/* nothing recognisable */
	const char *p = write_file("junk.txt", "hello world\nthis is not a log\n");
	assert_int_equal(tf_read(&t, p, NULL), SD_EFORMAT);
	assert_non_null(strstr(t.err.msg, "junk.txt"));
	assert_non_null(strstr(t.err.msg, "--format"));
	p = write_file("empty.txt", "");
	assert_int_equal(tf_read(&t, p, NULL), SD_EFORMAT);
	assert_non_null(strstr(t.err.msg, "empty"));
	/* a pcap magic is recognised: either the pcap backend is linked in,
	 * or the error says this build cannot read it */
	p = test_tmpfile("x.pcap");
	FILE *f = fopen(p, "wb");
	static const unsigned char hdr[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0,
					      0,    0,	  0,	0,    0, 0, 0, 0,
					      0xff, 0xff, 0,	0,    1, 0, 0, 0};
	fwrite(hdr, 1, sizeof(hdr), f);
	fclose(f);
	int rc = tf_read(&t, p, NULL);
	if (rc == SD_EFORMAT)
		assert_non_null(strstr(t.err.msg, "pcap"));
	else
		assert_int_equal(t.fmt, TEL_FMT_PCAP);
	tf_free(&t);
	/* format names */
	assert_int_equal(tel_format_parse("zeek"), TEL_FMT_ZEEK_TSV);
	assert_int_equal(tel_format_parse("suricata"), TEL_FMT_EVE);
	assert_int_equal(tel_format_parse("nope"), SD_EFORMAT);
	for (int i = TEL_FMT_ZEEK_TSV; i <= TEL_FMT_DNSMASQ; i++)
		assert_int_equal(tel_format_parse(tel_format_name((enum tel_format)i)),
				 i);
}

static void compressed(void **state)
{
	(void)state;
	const char *src = test_data("samples/zeek/wrccdc-2018-03-24.dns.first3000.log");
	const char *gz = test_tmpfile("dns.log.gz");
	const char *zs = test_tmpfile("dns.log.zst");
	test_sh("gzip -c '%s' > '%s'", src, gz);
	test_sh("zstd -q -c '%s' > '%s'", src, zs);
	struct tfile a, b, c;
	assert_int_equal(tf_read(&a, src, NULL), 0);
	assert_int_equal(tf_read(&b, gz, NULL), 0);
	assert_int_equal(tf_read(&c, zs, NULL), 0);
	assert_int_equal(a.n, 3000);
	assert_int_equal(b.n, 3000);
	assert_int_equal(c.n, 3000);
	assert_int_equal(b.fmt, TEL_FMT_ZEEK_TSV);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.r[i].name, b.r[i].name);
		assert_string_equal(a.r[i].name, c.r[i].name);
		assert_string_equal(a.r[i].client, c.r[i].client);
		assert_int_equal(a.r[i].pos, b.r[i].pos);
	}
	tf_free(&a);
	tf_free(&b);
	tf_free(&c);

	/* EVE gzip made by the real tool, then cut in half */
	src = test_data(
	    "samples/suricata/slips-test6-malicious.eve.part1-lines1-2000.json");
	const char *cut = test_tmpfile("eve.json.gz");
	test_sh("gzip -c '%s' | head -c 30000 > '%s'", src, cut);
	struct tfile t;
	int rc = tf_read(&t, cut, NULL);
	assert_int_equal(rc, SD_ETRUNC);
	assert_non_null(strstr(t.err.msg, "eve.json.gz"));
	assert_non_null(strstr(t.err.msg, "truncated"));
	assert_non_null(strstr(t.err.msg, "30000 compressed bytes"));
	assert_true(t.n > 100); /* what came before is kept */
	tf_free(&t);
	const char *zcut = test_tmpfile("eve.json.zst");
	test_sh("zstd -q -c '%s' | head -c 20000 > '%s'", src, zcut);
	assert_int_equal(tf_read(&t, zcut, NULL), SD_ETRUNC);
	assert_non_null(strstr(t.err.msg, "zstd"));
	tf_free(&t);
}

static void long_line(void **state)
{
	(void)state;
	const char *p = test_tmpfile("long.log");
	FILE *f = fopen(p, "w");
	fputs("#separator "
	      "\\x09\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\n",
	      f);
	fputs("1\t192.0.2.1\t1\t192.0.2.2\t53\t", f);
	for (int i = 0; i < 70000; i++)
		fputc('a', f);
	fputs("\n2\t192.0.2.1\t1\t192.0.2.2\t53\tok.example\n", f);
	fclose(f);
	struct tfile t;
	assert_int_equal(tf_read(&t, p, NULL), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.r[0].name, "ok.example");
	assert_int_equal(t.r[0].pos, 4);
	assert_int_equal(t.st.malformed, 1);
	assert_non_null(strstr(t.reports[0], ":3: line longer than SD_MAX_LINE"));
	tf_free(&t);
}

static void csv_tabs_and_flows(void **state)
{
	(void)state;
	/* with a UTF-8 byte-order mark, as Windows tools write */
	const char *p = write_file(
	    "flows.tsv",
	    "\xef\xbb\xbfwhen\tsrc\tdst\tsport\tdport\tproto\tbytes\n"
	    "2023-03-29T13:55:06Z\t192.0.2.1\t198.51.100.7\t5000\t443\ttcp\t1234\n"
	    "2023-03-29T13:55:07Z\t192.0.2.1\n"
	    "2023-03-29T13:55:08Z\t192.0.2.1\t198.51.100.7\t99999\t443\ttcp\t1\n");
	struct tel_options opt = {
	    .format = TEL_FMT_CSV,
	    .column_map = "time=when,client=src,server=dst,sport=sport,dport=dport,proto="
			  "proto,bytes=bytes",
	};
	struct tfile t;
	assert_int_equal(tf_read(&t, p, &opt), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.r[0].kind, TEL_FLOW);
	assert_int_equal(t.r[0].ts, 1680098106);
	assert_int_equal(t.r[0].proto, 6);
	assert_int_equal(t.r[0].sport, 443);
	assert_int_equal(t.r[0].bytes, 1234);
	assert_int_equal(t.st.malformed, 2);
	tf_free(&t);
}

/* "file:N: " followed by why, among the reports */
static bool reported(const struct tfile *t, const char *path, int line, const char *why)
{
	char want[700];
	snprintf(want, sizeof(want), "%s:%d: %s", path, line, why);
	for (size_t i = 0; i < t->nreports && i < 8; i++)
		if (!strcmp(t->reports[i], want))
			return true;
	return false;
}

/* A port out of 0-65535 or not a number is a malformed line, reported with
 * file:line and why, in every reader: never cut to 16 bits (65979 would
 * read as 443 and turn the flow round) nor taken as 0. */
static void ports_never_cut(void **state)
{
	(void)state;
	struct tfile t;
	const char *nf = write_file(
	    "ports.csv",
	    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.81,198.51.100.66,"
	    "65979,50000,TCP,.AP.SF,0,0,5,500,0,0\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.82,198.51.100.66,"
	    "50082,4x3,TCP,.AP.SF,0,0,5,500,0,0\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.83,198.51.100.66,"
	    "   50083,  443,TCP,.AP.SF,0,0,5,500,0,0\n");
	assert_int_equal(tf_read(&t, nf, NULL), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.r[0].client, "10.0.0.83");
	assert_int_equal(t.r[0].cport, 50083);
	assert_int_equal(t.st.malformed, 2);
	assert_true(reported(&t, nf, 2, "sp '65979' is not a port number 0-65535"));
	assert_true(reported(&t, nf, 3, "dp '4x3' is not a port number 0-65535"));
	tf_free(&t);

#define EVE_FLOW(sp, dp, proto)                                                          \
	"{\"timestamp\":\"2023-03-15T13:10:00.000000+0000\",\"event_type\":\"flow\","    \
	"\"src_ip\":\"10.0.0.91\",\"src_port\":" sp ",\"dest_ip\":\"198.51.100.66\","    \
	"\"dest_port\":" dp ",\"proto\":" proto ",\"flow\":{\"pkts_toserver\":1}}\n"
	const char *eve = write_file(
	    "ports.json",
	    EVE_FLOW("65979", "50000", "\"TCP\"")
		EVE_FLOW("50000", "\"99999\"", "\"TCP\"")
		    EVE_FLOW("50000", "443.5", "\"TCP\"") EVE_FLOW(
			"50000", "443", "300") "{\"timestamp\":\"2023-03-15T13:10:00."
					       "000000+0000\",\"event_type\":"
					       "\"alert\",\"src_ip\":\"198.51.100.66\","
					       "\"src_port\":443,\"dest_ip\":"
					       "\"10.0.0.92\",\"dest_port\":50092,"
					       "\"alert\":{\"signature_id\":1},"
					       "\"flow\":{\"src_ip\":\"10.0.0.92\","
					       "\"dest_ip\":\"198.51.100.66\","
					       "\"src_port\":115628,\"dest_port\":443}}\n"
	    /* digits in a string, a null port: as before */
	    EVE_FLOW("\"50000\"", "443", "6") EVE_FLOW("null", "443", "null"));
	assert_int_equal(tf_read(&t, eve, NULL), 0);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.r[0].cport, 50000);
	assert_int_equal(t.r[0].sport, 443);
	assert_int_equal(t.r[0].proto, 6);
	assert_int_equal(t.r[1].cport, 0);
	assert_int_equal(t.r[1].sport, 443);
	assert_int_equal(t.st.malformed, 5);
	const char *bad_port = "\"src_port\"/\"dest_port\" is not a port number 0-65535";
	assert_true(reported(&t, eve, 1, bad_port));
	assert_true(reported(&t, eve, 2, bad_port));
	assert_true(reported(&t, eve, 3, bad_port));
	assert_true(reported(&t, eve, 4,
			     "\"proto\" is neither a protocol name nor a number 0-255"));
	assert_true(
	    reported(&t, eve, 5,
		     "\"flow\" \"src_port\"/\"dest_port\" is not a port number 0-65535"));
	tf_free(&t);

	const char *zj = write_file(
	    "ports.zeek.json",
	    "{\"_path\":\"conn\",\"ts\":1678881660.0,\"id.orig_h\":\"10.0.0.71\","
	    "\"id.orig_p\":65979,\"id.resp_h\":\"198.51.100.66\",\"id.resp_p\":50000}\n"
	    "{\"_path\":\"conn\",\"ts\":1678881660.0,\"id.orig_h\":\"10.0.0.72\","
	    "\"id.orig_p\":50000,\"id.resp_h\":\"198.51.100.66\",\"id.resp_p\":443}\n");
	assert_int_equal(tf_read(&t, zj, NULL), 0);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.r[0].client, "10.0.0.72");
	assert_true(reported(&t, zj, 1,
			     "\"id.orig_p\"/\"id.resp_p\" is not a port number 0-65535"));
	tf_free(&t);

	const char *dm = write_file(
	    "ports.dnsmasq.log",
	    "Mar 15 10:00:00 gw dnsmasq[811]: 1 10.0.0.61/99999 query[A] evil.com from "
	    "10.0.0.61\n"
	    "Mar 15 10:00:01 gw dnsmasq[811]: 2 10.0.0.62/40062 query[A] evil.com from "
	    "10.0.0.62\n");
	struct tel_options y = {.year = 2023};
	assert_int_equal(tf_read(&t, dm, &y), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.r[0].cport, 40062);
	assert_true(
	    reported(&t, dm, 1, "port after ADDRESS/ is not a port number 0-65535"));
	tf_free(&t);

	const char *sq = write_file(
	    "ports.squid.log",
	    "1678881660.000     14 10.0.0.3 TCP_TUNNEL/200 39 CONNECT evil.com:99999 - "
	    "HIER_DIRECT/198.51.100.66 -\n"
	    "1678881661.000     14 10.0.0.4 TCP_TUNNEL/200 39 CONNECT evil.com:443 - "
	    "HIER_DIRECT/198.51.100.66 -\n");
	assert_int_equal(tf_read(&t, sq, NULL), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.r[0].sport, 443);
	assert_true(reported(&t, sq, 1, "CONNECT port is not a port number 0-65535"));
	tf_free(&t);
}

/* An nfdump row is never answered by its opkt/obyt: they are the
 * "output" counters, a reverse direction for a bidirectional exporter but
 * a NetFlow v9 exporter's egress counters of the same one-way flow for
 * another. They still count in packets and bytes. */
static void nfdump_two_way(void **state)
{
	(void)state;
	struct tfile t;
	const char *nf = write_file(
	    "twoway.csv",
	    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.81,198.51.100.66,"
	    "50081,443,TCP,.AP.SF,0,0,5,500,5,6000\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.82,198.51.100.66,"
	    "50082,443,TCP,.AP.SF,0,0,5,500,0,0\n"
	    "2023-03-15 13:10:00,2023-03-15 13:10:01,1.0,10.0.0.83,198.51.100.66,"
	    "50083,443,TCP,.AP.SF,0,0,5,500,0,40\n");
	assert_int_equal(tf_read(&t, nf, NULL), 0);
	assert_int_equal(t.n, 3);
	assert_false(t.r[0].flags & TEL_ANSWERED);
	assert_int_equal(t.r[0].packets, 10);
	assert_int_equal(t.r[0].bytes, 6500);
	assert_false(t.r[1].flags & TEL_ANSWERED);
	assert_false(t.r[2].flags & TEL_ANSWERED);
	tf_free(&t);
}

/* The inline dotted-quad parser must agree with net_addr_parse on
 * everything: tricky forms, then random strings over digits and dots. */
static void fast_ipv4_agrees(void **state)
{
	(void)state;
	static const char *const tricky[] = {
	    "1.2.3.4",	    "01.2.3.4", "1.2.3.04",   "256.1.1.1",     "1.2.3",
	    "1.2.3.4.5",    "1.2.3.4 ", "1..2.3",     "0.0.0.0",       "255.255.255.255",
	    "1.2.3.",	    ".1.2.3",	"1.2.3.400",  "100.200.300.1", "::ffff:1.2.3.4",
	    "1.2.3.4a",	    "12345678", "1.2.3.0000", "1.2.3.255",     "00.0.0.0",
	    "9.99.199.249",
	};
	struct net_addr a, b;
	const char *why;
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		size_t n = strlen(tricky[i]);
		bool fast = tel_addr(tricky[i], n, &a);
		bool ref = net_addr_parse(tricky[i], n, &b, &why) == 0;
		assert_int_equal(fast, ref);
		if (ref)
			assert_memory_equal(&a, &b, sizeof(a));
	}
	srand(7);
	char buf[16];
	for (int k = 0; k < 300000; k++) {
		size_t n = 7 + (size_t)(rand() % 9);
		for (size_t i = 0; i < n; i++)
			buf[i] = "0123456789.."[rand() % 12];
		bool fast = tel_addr(buf, n, &a);
		bool ref = net_addr_parse(buf, n, &b, &why) == 0;
		if (fast != ref)
			fail_msg("'%.*s': fast %d, net_addr_parse %d", (int)n, buf, fast,
				 ref);
		if (ref)
			assert_memory_equal(&a, &b, sizeof(a));
	}
	/* and the epoch parser on its edge cases */
	int64_t t;
	assert_true(tel_parse_epoch("1680000000.008402", 17, &t) && t == 1680000000);
	assert_true(tel_parse_epoch("12345678", 8, &t) && t == 12345678);
	assert_true(tel_parse_epoch("123456789012.5", 14, &t) && t == 123456789012);
	assert_false(tel_parse_epoch("1234567890123", 13, &t));
	assert_false(tel_parse_epoch("16800000a0.1", 12, &t));
	/* the 10.6 layout has its own path: every byte still checked */
	assert_true(tel_parse_epoch("1680000099.999999", 17, &t) && t == 1680000099);
	assert_false(tel_parse_epoch("168000009x.999999", 17, &t));
	assert_false(tel_parse_epoch("16800000x9.999999", 17, &t));
	assert_false(tel_parse_epoch("1680000099.99999x", 17, &t));
	assert_false(tel_parse_epoch("1680000099.x99999", 17, &t));
	assert_false(tel_parse_epoch("1680000099:999999", 17, &t));
	assert_false(tel_parse_epoch("1680000099.99/999", 17, &t));
	assert_true(tel_parse_epoch("16800000991999999", 17, &t) == false);
	assert_false(tel_parse_epoch("1680000000.00x", 14, &t));
	assert_false(tel_parse_epoch("", 0, &t));
	assert_true(tel_parse_epoch("XXXXXXXXXX.XXXXXX", 17, &t) && t == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(zeek_header_changes),
	    cmocka_unit_test(malformed_everywhere),
	    cmocka_unit_test(sniffing),
	    cmocka_unit_test(compressed),
	    cmocka_unit_test(long_line),
	    cmocka_unit_test(csv_tabs_and_flows),
	    cmocka_unit_test(fast_ipv4_agrees),
	    cmocka_unit_test(ports_never_cut),
	    cmocka_unit_test(nfdump_two_way),
	    cmocka_unit_test(eve_layouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
