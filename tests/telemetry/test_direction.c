/* Who is the client, whatever the producer's layout (direction.h): EVE
 * alerts on responses, DNS answers in packet and in flow direction,
 * alerts whose direction only a privileged port tells or nothing tells,
 * Zeek conn history (TSV and JSON alike), nfdump reply flows, generic
 * CSV. */
#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telutil.h"
#include "testutil.h"

static void read_text(struct tfile *t, const char *name, const char *text,
		      const struct tel_options *opt)
{
	const char *path = test_tmpfile(name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (tf_read(t, path, opt))
		fail_msg("%s: %s", name, t->err.msg);
	assert_int_equal(t->st.malformed, 0);
}

static void ports_rule(void **state)
{
	(void)state;
	struct tel_record r;
	tel_record_start(&r, 1, TEL_FLOW);
	r.flags = TEL_HAS_CLIENT;
	r.client_port = 443;
	r.server_port = 51000;
	assert_int_equal(tel_dir_ports(&r), -1);
	assert_true(tel_dir_orient_ports(&r));
	assert_int_equal(r.client_port, 51000);
	assert_int_equal(r.server_port, 443);
	assert_int_equal(r.flags, TEL_HAS_SERVER); /* the HAS flags follow */
	assert_int_equal(tel_dir_ports(&r), 1);
	assert_false(tel_dir_orient_ports(&r));
	/* both service ports, a privileged client port, an unknown port: no
	 * evidence */
	r.client_port = 53, r.server_port = 53;
	assert_int_equal(tel_dir_ports(&r), 0);
	r.client_port = 80, r.server_port = 999;
	assert_int_equal(tel_dir_ports(&r), 0);
	r.client_port = 80, r.server_port = 0;
	assert_int_equal(tel_dir_ports(&r), 0);
	r.client_port = 4444, r.server_port = 51000;
	assert_int_equal(tel_dir_ports(&r), 0);
	assert_true(tel_dir_server_port(3128) && tel_dir_server_port(853) &&
		    tel_dir_server_port(8080) && !tel_dir_server_port(123));
}

static void lower_port_rule(void **state)
{
	(void)state;
	struct tel_record r;
	tel_record_start(&r, 1, TEL_TLS);
	/* a privileged port outside the service list against an
	 * unprivileged one: the privileged port is the server's */
	r.client_port = 990, r.server_port = 50041;
	assert_int_equal(tel_dir_ports(&r), 0);
	assert_int_equal(tel_dir_lower_port(&r), -1);
	r.client_port = 50042, r.server_port = 990;
	assert_int_equal(tel_dir_lower_port(&r), 1);
	/* two unprivileged ports: the server's owner (a C2's operator)
	 * picks its port, above or below the client's ephemeral one */
	r.client_port = 4443, r.server_port = 50041;
	assert_int_equal(tel_dir_lower_port(&r), 0);
	r.client_port = 50042, r.server_port = 8081;
	assert_int_equal(tel_dir_lower_port(&r), 0);
	r.client_port = 50001, r.server_port = 60443;
	assert_int_equal(tel_dir_lower_port(&r), 0);
	/* no evidence: a port unknown, both the same, both privileged */
	r.client_port = 0, r.server_port = 990;
	assert_int_equal(tel_dir_lower_port(&r), 0);
	r.client_port = 8081, r.server_port = 8081;
	assert_int_equal(tel_dir_lower_port(&r), 0);
	r.client_port = 100, r.server_port = 990;
	assert_int_equal(tel_dir_lower_port(&r), 0);
}

/* Layouts as Suricata writes them (src/output-json-alert.c,
 * src/output-json-dns.c, OISF/suricata 398687d5): an alert carries the
 * fired packet's addresses, "direction", and the flow's own src/dest in
 * "flow"; a DNS answer over UDP is in packet direction. */
static void eve_alert_on_response(void **state)
{
	(void)state;
	struct tfile t;
	read_text(
	    &t, "alerts.json",
	    /* response packet, no direction field (Suricata < 7) */
	    "{\"timestamp\":\"2023-03-29T13:55:06.000000+0000\",\"event_type\":\"alert\","
	    "\"src_ip\":\"198.51.100.66\",\"src_port\":80,\"dest_ip\":\"10.0.0.41\","
	    "\"dest_port\":50041,\"proto\":\"TCP\",\"alert\":{\"signature_id\":1},"
	    "\"http\":{\"hostname\":\"evil.example\",\"url\":\"/x\",\"status\":200}}\n"
	    /* "direction":"to_client" on ports that tell nothing */
	    "{\"timestamp\":\"2023-03-29T13:55:07.000000+0000\",\"event_type\":\"alert\","
	    "\"src_ip\":\"198.51.100.66\",\"src_port\":4444,\"dest_ip\":\"10.0.0.42\","
	    "\"dest_port\":50042,\"proto\":\"TCP\",\"direction\":\"to_client\","
	    "\"alert\":{\"signature_id\":2}}\n"
	    /* the flow object (Suricata 7+) outranks everything */
	    "{\"timestamp\":\"2023-03-29T13:55:08.000000+0000\",\"event_type\":\"alert\","
	    "\"src_ip\":\"198.51.100.66\",\"src_port\":4444,\"dest_ip\":\"10.0.0.43\","
	    "\"dest_port\":50043,\"proto\":\"TCP\",\"direction\":\"to_client\","
	    "\"alert\":{\"signature_id\":3},\"flow\":{\"pkts_toserver\":3,"
	    "\"src_ip\":\"10.0.0.43\",\"dest_ip\":\"198.51.100.66\",\"src_port\":50043,"
	    "\"dest_port\":4444}}\n"
	    /* to_server: as written even against odd ports */
	    "{\"timestamp\":\"2023-03-29T13:55:09.000000+0000\",\"event_type\":\"alert\","
	    "\"src_ip\":\"10.0.0.44\",\"src_port\":4444,\"dest_ip\":\"198.51.100.66\","
	    "\"dest_port\":50044,\"proto\":\"TCP\",\"direction\":\"to_server\","
	    "\"alert\":{\"signature_id\":4}}\n",
	    NULL);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.r[0].client, "10.0.0.41");
	assert_string_equal(t.r[0].server, "198.51.100.66");
	assert_int_equal(t.r[0].sport, 80);
	assert_int_equal(t.r[0].kind, TEL_HTTP);
	assert_string_equal(t.r[1].client, "10.0.0.42");
	assert_int_equal(t.r[1].sport, 4444);
	assert_string_equal(t.r[2].client, "10.0.0.43");
	assert_int_equal(t.r[2].cport, 50043);
	assert_string_equal(t.r[3].client, "10.0.0.44");
	tf_free(&t);
}

static void eve_dns_answers(void **state)
{
	(void)state;
	struct tfile t;
	read_text(&t, "dns.json",
		  /* packet direction (Suricata 7/8 over UDP) */
		  "{\"timestamp\":\"2023-03-29T13:55:06.000000+0000\",\"flow_id\":11,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.53\",\"src_port\":53,"
		  "\"dest_ip\":\"10.0.0.51\",\"dest_port\":40051,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":1,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\",\"answers\":[{\"rrname\":"
		  "\"evil.example\",\"rrtype\":\"A\",\"rdata\":\"198.51.100.66\"}]}}\n"
		  /* flow direction (older Suricata, other producers) */
		  "{\"timestamp\":\"2023-03-29T13:55:07.000000+0000\",\"flow_id\":12,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.52\",\"src_port\":40052,"
		  "\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":2,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\"}}\n"
		  /* a resolver on port 5300, the answer in flow direction:
		   * two unprivileged ports say nothing, so the answer is read
		   * in packet direction as current Suricata writes it (no
		   * pairing with the query of the same flow_id: each line is
		   * read on its own) */
		  "{\"timestamp\":\"2023-03-29T13:55:08.000000+0000\",\"flow_id\":13,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.54\",\"src_port\":40054,"
		  "\"dest_ip\":\"10.0.0.55\",\"dest_port\":5300,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"query\",\"id\":3,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\"}}\n"
		  "{\"timestamp\":\"2023-03-29T13:55:08.100000+0000\",\"flow_id\":13,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.54\",\"src_port\":40054,"
		  "\"dest_ip\":\"10.0.0.55\",\"dest_port\":5300,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":3,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\"}}\n"
		  /* the same ports, the answer in packet direction */
		  "{\"timestamp\":\"2023-03-29T13:55:09.000000+0000\",\"flow_id\":14,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.55\",\"src_port\":5300,"
		  "\"dest_ip\":\"10.0.0.56\",\"dest_port\":40056,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":4,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\"}}\n"
		  /* a C2's own name server on 60053, above the querier's
		   * port, the answer in packet direction: the querier, not the
		   * C2, is the client */
		  "{\"timestamp\":\"2023-03-29T13:55:10.000000+0000\",\"flow_id\":15,"
		  "\"event_type\":\"dns\",\"src_ip\":\"203.0.113.50\",\"src_port\":60053,"
		  "\"dest_ip\":\"10.0.0.57\",\"dest_port\":50057,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":5,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\"}}\n"
		  /* a resolver on a privileged port outside the service list,
		   * the answer in flow direction: the privileged port is the
		   * resolver's */
		  "{\"timestamp\":\"2023-03-29T13:55:11.000000+0000\",\"flow_id\":16,"
		  "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.58\",\"src_port\":40058,"
		  "\"dest_ip\":\"10.0.0.55\",\"dest_port\":530,\"proto\":\"UDP\","
		  "\"dns\":{\"type\":\"answer\",\"id\":6,\"rrname\":\"evil.example\","
		  "\"rrtype\":\"A\",\"rcode\":\"NOERROR\"}}\n",
		  NULL);
	assert_int_equal(t.n, 7);
	assert_string_equal(t.r[0].client, "10.0.0.51");
	assert_int_equal(t.r[0].sport, 53);
	assert_string_equal(t.r[0].answers, "198.51.100.66");
	assert_string_equal(t.r[1].client, "10.0.0.52");
	assert_string_equal(t.r[2].client, "10.0.0.54");
	/* the cost of not trusting high ports: a flow-direction answer
	 * (Suricata 6) from a resolver on 5300 names the resolver */
	assert_string_equal(t.r[3].client, "10.0.0.55");
	assert_true(t.r[3].flags & TEL_ANSWERED);
	assert_string_equal(t.r[4].client, "10.0.0.56");
	assert_string_equal(t.r[5].client, "10.0.0.57");
	assert_string_equal(t.r[5].server, "203.0.113.50");
	assert_int_equal(t.r[5].sport, 60053);
	assert_string_equal(t.r[6].client, "10.0.0.58");
	assert_int_equal(t.r[6].sport, 530);
	tf_free(&t);
}

/* Suricata 6 alerts (no "direction", no "flow" object) on a C2 whose
 * port is no service port and unprivileged: fired on the C2's packet
 * (4443, 8081) or on its client's ClientHello (60443, above the client's
 * port). Two high ports do not say which is the server's (the C2's
 * operator picks its port), so such an alert names nobody rather than
 * the C2 as its own victim; a privileged port (990) is the server's. */
#define ALERT_TLS_4443                                                                   \
	"{\"timestamp\":\"2023-03-15T13:10:00.000000+0000\",\"flow_id\":41,"             \
	"\"event_type\":\"alert\",\"src_ip\":\"203.0.113.50\",\"src_port\":4443,"        \
	"\"dest_ip\":\"10.0.0.41\",\"dest_port\":50041,\"proto\":\"TCP\","               \
	"\"alert\":{\"action\":\"allowed\",\"signature_id\":2000001},"                   \
	"\"tls\":{\"sni\":\"evil.com\",\"subject\":\"CN=evil.com\"}}\n"
#define HTTP_8081                                                                        \
	"{\"timestamp\":\"2023-03-15T13:09:59.000000+0000\",\"flow_id\":42,"             \
	"\"event_type\":\"http\",\"src_ip\":\"10.0.0.42\",\"src_port\":50042,"           \
	"\"dest_ip\":\"203.0.113.50\",\"dest_port\":8081,\"proto\":\"TCP\","             \
	"\"http\":{\"hostname\":\"benign.example\",\"url\":\"/x\",\"status\":200}}\n"
#define ALERT_TLS_60443                                                                  \
	"{\"timestamp\":\"2023-03-15T13:10:00.000000+0000\",\"flow_id\":43,"             \
	"\"event_type\":\"alert\",\"src_ip\":\"10.0.0.41\",\"src_port\":50001,"          \
	"\"dest_ip\":\"203.0.113.50\",\"dest_port\":60443,\"proto\":\"TCP\","            \
	"\"alert\":{\"action\":\"allowed\",\"signature_id\":2000003},"                   \
	"\"tls\":{\"sni\":\"evil.com\"}}\n"
#define ALERT_TLS_990                                                                    \
	"{\"timestamp\":\"2023-03-15T13:10:00.000000+0000\",\"flow_id\":44,"             \
	"\"event_type\":\"alert\",\"src_ip\":\"203.0.113.50\",\"src_port\":990,"         \
	"\"dest_ip\":\"10.0.0.44\",\"dest_port\":50044,\"proto\":\"TCP\","               \
	"\"alert\":{\"action\":\"allowed\",\"signature_id\":2000004},"                   \
	"\"tls\":{\"sni\":\"evil.com\"}}\n"
#define ALERT_HTTP_8081                                                                  \
	"{\"timestamp\":\"2023-03-15T13:10:00.000000+0000\",\"flow_id\":42,"             \
	"\"event_type\":\"alert\",\"src_ip\":\"203.0.113.50\",\"src_port\":8081,"        \
	"\"dest_ip\":\"10.0.0.42\",\"dest_port\":50042,\"proto\":\"TCP\","               \
	"\"alert\":{\"action\":\"allowed\",\"signature_id\":2000002},"                   \
	"\"http\":{\"hostname\":\"evil.com\",\"url\":\"/gate.php\","                     \
	"\"http_method\":\"GET\",\"status\":200}}\n"

static void eve_alert_unknown_direction(void **state)
{
	(void)state;
	struct tfile t;
	read_text(&t, "c2alerts.json",
		  ALERT_TLS_4443 ALERT_HTTP_8081 ALERT_TLS_60443 ALERT_TLS_990
		  /* equal ports: nothing in the record tells */
		  "{\"timestamp\":\"2023-03-15T13:10:01.000000+0000\",\"event_type\":"
		  "\"alert\",\"src_ip\":\"203.0.113.50\",\"src_port\":5000,\"dest_ip\":"
		  "\"10.0.0.43\",\"dest_port\":5000,\"proto\":\"TCP\",\"alert\":"
		  "{\"signature_id\":3},\"tls\":{\"sni\":\"evil.com\"}}\n"
		  /* a bare flow alert (a scan's SYN): as the packet was written */
		  "{\"timestamp\":\"2023-03-15T13:10:02.000000+0000\",\"event_type\":"
		  "\"alert\",\"src_ip\":\"203.0.113.51\",\"src_port\":40648,"
		  "\"dest_ip\":\"10.0.0.44\",\"dest_port\":50995,\"proto\":\"TCP\","
		  "\"alert\":{\"signature_id\":4}}\n",
		  NULL);
	assert_int_equal(t.n, 6);
	/* two high ports, and equal ports: counted, but naming no client
	 * and no server */
	assert_int_equal(t.r[0].kind, TEL_TLS);
	assert_int_equal(t.r[1].kind, TEL_HTTP);
	assert_int_equal(t.r[2].kind, TEL_TLS);
	assert_int_equal(t.r[4].kind, TEL_TLS);
	for (size_t i = 0; i < 5; i++) {
		if (i == 3)
			continue;
		assert_false(t.r[i].flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER));
		assert_true(t.r[i].flags & TEL_DIR_UNKNOWN);
		assert_string_equal(t.r[i].name, "evil.com");
	}
	/* a privileged port against an unprivileged one: settled */
	assert_string_equal(t.r[3].client, "10.0.0.44");
	assert_string_equal(t.r[3].server, "203.0.113.50");
	assert_int_equal(t.r[3].sport, 990);
	assert_false(t.r[3].flags & TEL_DIR_UNKNOWN);
	assert_string_equal(t.r[5].client, "203.0.113.51");
	assert_false(t.r[5].flags & TEL_DIR_UNKNOWN);
	tf_free(&t);
	/* the alert alone and after an http event of its flow_id: the same
	 * record, so --range shards agree with the whole file */
	read_text(&t, "paired.json", HTTP_8081 ALERT_HTTP_8081, NULL);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.r[0].client, "10.0.0.42");
	assert_false(t.r[1].flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER));
	tf_free(&t);
	read_text(&t, "alone.json", ALERT_HTTP_8081, NULL);
	assert_int_equal(t.n, 1);
	assert_false(t.r[0].flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER));
	tf_free(&t);
}

static void eve_flows(void **state)
{
	(void)state;
	struct tfile t;
	read_text(
	    &t, "flows.json",
	    /* a flow Suricata picked up from the server's side, and both
	     * netflow halves of one exchange */
	    "{\"timestamp\":\"2023-03-29T13:56:00.000000+0000\",\"event_type\":\"flow\","
	    "\"src_ip\":\"198.51.100.66\",\"src_port\":443,\"dest_ip\":\"10.0.0.61\","
	    "\"dest_port\":50061,\"proto\":\"TCP\",\"flow\":{\"pkts_toserver\":2,"
	    "\"pkts_toclient\":2,\"bytes_toserver\":100,\"bytes_toclient\":100}}\n"
	    "{\"timestamp\":\"2023-03-29T13:56:01.000000+0000\",\"event_type\":"
	    "\"netflow\",\"src_ip\":\"10.0.0.62\",\"src_port\":50062,\"dest_ip\":"
	    "\"198.51.100.66\",\"dest_port\":443,\"proto\":\"TCP\",\"netflow\":"
	    "{\"pkts\":2,\"bytes\":100}}\n"
	    "{\"timestamp\":\"2023-03-29T13:56:01.000000+0000\",\"event_type\":"
	    "\"netflow\",\"src_ip\":\"198.51.100.66\",\"src_port\":443,\"dest_ip\":"
	    "\"10.0.0.62\",\"dest_port\":50062,\"proto\":\"TCP\",\"netflow\":"
	    "{\"pkts\":2,\"bytes\":100}}\n"
	    "{\"timestamp\":\"2023-03-29T13:56:02.000000+0000\",\"event_type\":"
	    "\"netflow\",\"src_ip\":\"198.51.100.66\",\"src_port\":4444,\"dest_ip\":"
	    "\"10.0.0.63\",\"dest_port\":50063,\"proto\":\"TCP\",\"netflow\":"
	    "{\"pkts\":2,\"bytes\":100}}\n",
	    NULL);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.r[0].client, "10.0.0.61");
	assert_string_equal(t.r[1].client, "10.0.0.62");
	assert_false(t.r[1].flags & TEL_DIR_UNKNOWN);
	assert_string_equal(t.r[2].client, "10.0.0.62");
	assert_int_equal(t.r[2].sport, 443);
	/* ports that say nothing: still unknown, the matcher tries both */
	assert_true(t.r[3].flags & TEL_DIR_UNKNOWN);
	tf_free(&t);
}

static void zeek_history(void **state)
{
	(void)state;
	struct tfile t;
	read_text(&t, "conn.log",
		  "#separator \\x09\n#path\tconn\n"
		  "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
		  "history\n"
		  "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\n"
		  /* Zeek turned it already ('^'): as written */
		  "1680098106.0\tC1\t10.0.0.71\t50071\t198.51.100.66\t443\ttcp\t^hADad\n"
		  /* the "originator" sent the SYN-ACK: it is the server */
		  "1680098107.0\tC2\t198.51.100.66\t4444\t10.0.0.72\t50072\ttcp\tHaDd\n"
		  /* the originator's SYN: as written, even from port 80 */
		  "1680098108.0\tC3\t10.0.0.73\t80\t198.51.100.66\t50073\ttcp\tShAD\n"
		  /* mid-stream, no SYN seen: the ports decide */
		  "1680098109.0\tC4\t198.51.100.66\t443\t10.0.0.74\t50074\ttcp\tDd\n"
		  /* UDP answer seen alone, no history */
		  "1680098110.0\tC5\t10.0.0.53\t53\t10.0.0.75\t40075\tudp\t-\n"
		  /* 'H' against ports that say it is forward: the ports win */
		  "1678881660.0\tC6\t10.0.0.76\t50001\t198.51.100.66\t443\ttcp\tHaDd\n",
		  NULL);
	assert_int_equal(t.n, 6);
	assert_string_equal(t.r[0].client, "10.0.0.71");
	assert_string_equal(t.r[1].client, "10.0.0.72");
	assert_int_equal(t.r[1].sport, 4444);
	assert_string_equal(t.r[2].client, "10.0.0.73");
	assert_string_equal(t.r[3].client, "10.0.0.74");
	assert_string_equal(t.r[4].client, "10.0.0.75");
	assert_string_equal(t.r[5].client, "10.0.0.76");
	tf_free(&t);
	/* history left of the other columns, and a conn.log without it */
	read_text(&t, "conn2.log",
		  "#separator \\x09\n#path\tconn\n"
		  "#fields\tts\thistory\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\n"
		  "#types\ttime\tstring\taddr\tport\taddr\tport\n"
		  "1680098107.0\tHaDd\t198.51.100.66\t4444\t10.0.0.72\t50072\n"
		  "1680098107.0\tSaDd\t198.51.100.66\t4444\t10.0.0.72\t50072\n",
		  NULL);
	assert_int_equal(t.n, 2);
	assert_string_equal(t.r[0].client, "10.0.0.72");
	assert_string_equal(t.r[1].client, "198.51.100.66");
	tf_free(&t);
	/* the same records in Zeek JSON: the same clients (one rule) */
	read_text(&t, "conn.json",
		  "{\"ts\":1680098107.0,\"uid\":\"C2\",\"id.orig_h\":\"198.51.100.66\","
		  "\"id.orig_p\":4444,\"id.resp_h\":\"10.0.0.72\",\"id.resp_p\":50072,"
		  "\"proto\":\"tcp\",\"conn_state\":\"OTH\",\"history\":\"HaDd\"}\n"
		  "{\"ts\":1678881660.0,\"uid\":\"C6\",\"id.orig_h\":\"10.0.0.76\","
		  "\"id.orig_p\":50001,\"id.resp_h\":\"198.51.100.66\",\"id.resp_p\":443,"
		  "\"proto\":\"tcp\",\"history\":\"HaDd\"}\n"
		  "{\"ts\":1680098108.0,\"uid\":\"C3\",\"id.orig_h\":\"10.0.0.73\","
		  "\"id.orig_p\":80,\"id.resp_h\":\"198.51.100.66\",\"id.resp_p\":50073,"
		  "\"proto\":\"tcp\",\"history\":\"ShAD\"}\n"
		  "{\"ts\":1680098109.0,\"uid\":\"C4\",\"id.orig_h\":\"198.51.100.66\","
		  "\"id.orig_p\":443,\"id.resp_h\":\"10.0.0.74\",\"id.resp_p\":50074,"
		  "\"proto\":\"tcp\",\"conn_state\":\"OTH\"}\n",
		  NULL);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.r[0].client, "10.0.0.72");
	assert_string_equal(t.r[1].client, "10.0.0.76");
	assert_int_equal(t.r[1].sport, 443);
	assert_string_equal(t.r[2].client, "10.0.0.73");
	assert_string_equal(t.r[3].client, "10.0.0.74");
	tf_free(&t);
}

static void nfdump_halves(void **state)
{
	(void)state;
	struct tfile t;
	read_text(&t, "nf.csv",
		  "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt\n"
		  "2023-03-29 13:55:06,2023-03-29 13:55:07,1.0,10.0.0.81,198.51.100.66,"
		  "50081,443,TCP,.AP.SF,0,0,5,500,0,0\n"
		  "2023-03-29 13:55:06,2023-03-29 13:55:07,1.0,198.51.100.66,10.0.0.81,"
		  "443,50081,TCP,.AP.SF,0,0,5,4000,0,0\n",
		  NULL);
	assert_int_equal(t.n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(t.r[i].client, "10.0.0.81");
		assert_string_equal(t.r[i].server, "198.51.100.66");
		assert_int_equal(t.r[i].sport, 443);
		assert_false(t.r[i].flags & TEL_DIR_UNKNOWN);
	}
	tf_free(&t);
}

static void csv_packet_direction(void **state)
{
	(void)state;
	struct tfile t;
	struct tel_options o = {
	    .format = TEL_FMT_CSV,
	    .column_map = "time=t,client=src,server=dst,client_port=sp,server_port=dp,"
			  "dns=q,response=r"};
	read_text(&t, "tshark.csv",
		  "t,src,dst,sp,dp,q,r\n"
		  /* a response in packet direction, and one a tool wrote in
		   * flow direction */
		  "1680098106,10.0.0.53,10.0.0.91,53,40091,evil.example,1\n"
		  "1680098107,10.0.0.92,10.0.0.53,40092,53,evil.example,1\n"
		  /* an HTTP reply row from the server */
		  "1680098108,198.51.100.66,10.0.0.93,80,50093,,0\n",
		  &o);
	assert_int_equal(t.n, 3);
	assert_string_equal(t.r[0].client, "10.0.0.91");
	assert_string_equal(t.r[1].client, "10.0.0.92");
	assert_string_equal(t.r[2].client, "10.0.0.93");
	tf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ports_rule),
	    cmocka_unit_test(lower_port_rule),
	    cmocka_unit_test(eve_alert_on_response),
	    cmocka_unit_test(eve_dns_answers),
	    cmocka_unit_test(eve_alert_unknown_direction),
	    cmocka_unit_test(eve_flows),
	    cmocka_unit_test(zeek_history),
	    cmocka_unit_test(nfdump_halves),
	    cmocka_unit_test(csv_packet_direction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
