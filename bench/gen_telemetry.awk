# Generates realistic telemetry for bench/telemetry.sh (mawk).
#   mawk -v kind=conn -v n=1000000 -v seed=1 -f bench/gen_telemetry.awk
#   kind: conn (Zeek TSV conn.log) or eve (Suricata EVE: flow, dns, tls, http)
function ip4() { return "10." int(rand() * 256) "." int(rand() * 256) "." int(1 + rand() * 254) }
function pub4() { return int(11 + rand() * 180) "." int(rand() * 256) "." int(rand() * 256) "." int(1 + rand() * 254) }
function ip6() { return sprintf("2001:db8:%x:%x::%x", int(rand() * 65536), int(rand() * 65536), int(1 + rand() * 65535)) }
function uid(  s, i) { s = "C"; for (i = 0; i < 17; i++) s = s substr(chars, 1 + int(rand() * 62), 1); return s }
function host() { return substr(chars, 1 + int(rand() * 26), 1) int(rand() * 100000) "." tld[1 + int(rand() * 5)] }
BEGIN {
	srand(seed ? seed : 1)
	chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	split("com net org io example", tld, " ")
	split("SF S0 REJ RSTO RSTR SH OTH S1", states, " ")
	split("ShADadFf S ShADadfF Sr ShAdDaFf D Dd", hist, " ")
	split("dns ssl http - - ssl", svc, " ")
	t = 1680000000
	if (kind == "conn") {
		print "#separator \\x09"
		print "#set_separator\t,"
		print "#empty_field\t(empty)"
		print "#unset_field\t-"
		print "#path\tconn"
		print "#open\t2023-03-28-10-40-00"
		print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents"
		print "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]"
		for (i = 0; i < n; i++) {
			t += rand() * 0.01
			v6 = rand() < 0.1
			o = v6 ? ip6() : ip4(); r = v6 ? ip6() : pub4()
			ob = int(rand() * 5000); rb = int(rand() * 90000); op = 1 + int(ob / 500); rp = int(rb / 1400)
			printf "%.6f\t%s\t%s\t%d\t%s\t%d\t%s\t%s\t%.6f\t%d\t%d\t%s\tT\tF\t0\t%s\t%d\t%d\t%d\t%d\t-\n", t, uid(), o, 1024 + int(rand() * 64000), r, (rand() < 0.7 ? 443 : 80), (rand() < 0.9 ? "tcp" : "udp"), svc[1 + int(rand() * 6)], rand() * 30, ob, rb, states[1 + int(rand() * 8)], hist[1 + int(rand() * 7)], op, ob + op * 40, rp, rb + rp * 40
		}
	} else {
		for (i = 0; i < n; i++) {
			t += rand() * 0.01
			ts = strftime("%Y-%m-%dT%H:%M:%S", int(t), 1) sprintf(".%06d+0000", int((t - int(t)) * 1000000))
			o = ip4(); r = pub4(); sp = 1024 + int(rand() * 64000); fid = int(rand() * 2^50)
			k = rand()
			pre = sprintf("{\"timestamp\":\"%s\",\"flow_id\":%d,\"in_iface\":\"eth0\",\"event_type\":", ts, fid)
			if (k < 0.5)
				printf "%s\"flow\",\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"flow\":{\"pkts_toserver\":%d,\"pkts_toclient\":%d,\"bytes_toserver\":%d,\"bytes_toclient\":%d,\"start\":\"%s\",\"end\":\"%s\",\"age\":1,\"state\":\"closed\",\"reason\":\"timeout\",\"alerted\":false},\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\",\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,\"ack\":true,\"state\":\"closed\"}}\n", pre, o, sp, r, 5 + int(rand() * 20), 5 + int(rand() * 30), int(rand() * 4000), int(rand() * 90000), ts, ts
			else if (k < 0.8)
				printf "%s\"dns\",\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":%d,\"rrname\":\"%s\",\"rrtype\":\"A\",\"tx_id\":0}}\n", pre, o, sp, int(rand() * 65536), host()
			else if (k < 0.95)
				printf "%s\"tls\",\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\",\"tls\":{\"subject\":\"CN=%s\",\"issuerdn\":\"C=US, O=Let's Encrypt, CN=R3\",\"serial\":\"04:A1:9C\",\"fingerprint\":\"3a:9f:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11\",\"sni\":\"%s\",\"version\":\"TLS 1.2\",\"notbefore\":\"2023-01-01T00:00:00\",\"notafter\":\"2023-04-01T00:00:00\",\"ja3\":{\"hash\":\"e7d705a3286e19ea42f587b344ee6865\"}}}\n", pre, o, sp, r, h = host(), h
			else
				printf "%s\"http\",\"src_ip\":\"%s\",\"src_port\":%d,\"dest_ip\":\"%s\",\"dest_port\":80,\"proto\":\"TCP\",\"tx_id\":0,\"http\":{\"hostname\":\"%s\",\"url\":\"\\/images\\/%d.png\",\"http_user_agent\":\"Mozilla\\/5.0 (Windows NT 10.0; Win64; x64)\",\"http_content_type\":\"image\\/png\",\"http_method\":\"GET\",\"protocol\":\"HTTP\\/1.1\",\"status\":200,\"length\":%d}}\n", pre, o, sp, r, host(), int(rand() * 10000), int(rand() * 90000)
		}
	}
}
