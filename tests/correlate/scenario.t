#!/bin/bash
# A labelled scenario in text logs written here (Zeek TSV, Zeek JSON,
# Suricata EVE, Squid; plain, gzip and zstd), correlated in parallel by the
# real binary: each client must or must not be sighted.
set -u
: "${SIGHTED:?}" "${TESTS_DATA:?}"
export SIGHTED_NO_PROGRESS=1
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
who() { jq -rs --arg c "$2" '[.[] | select(.client == $c)] | if length == 0 then "none" else
	"\([.[].evidence[]] | unique | join(",")) \([.[].confidence] | if index("high") then "high" elif index("medium") then "medium" else "low" end)" end' "$1"; }

cat >"$T/scen.conf" <<'C'
name = scen
title = test scenario
window_start = 2023-01-01
window_end = 2023-04-30
indicators = ind.txt
indicators = ind.json
C
# plain list, defanged, and a STIX bundle with a validity window
cat >"$T/ind.txt" <<'C'
# C2
evil-c2[.]example
198.51.100[.]66
2001:db8:c2::66
hxxps://raw.githubusercontent[.]com/IconStorages/images/main/
203.0.113.0/28
C
cat >"$T/ind.json" <<'C'
{"type":"bundle","id":"bundle--1","objects":[
 {"type":"indicator","spec_version":"2.1","id":"indicator--late","pattern_type":"stix",
  "pattern":"[domain-name:value = 'late.example']","valid_from":"2023-03-20T00:00:00Z"}]}
C
TAB=$'\t'
zeek_header() { # path fields types
	printf '#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t%s\n#open\t2023-03-15-12-00-00\n#fields\t%s\n#types\t%s\n' "$1" "$2" "$3"
}
{
	zeek_header dns "ts${TAB}uid${TAB}id.orig_h${TAB}id.orig_p${TAB}id.resp_h${TAB}id.resp_p${TAB}proto${TAB}query${TAB}answers" "time${TAB}string${TAB}addr${TAB}port${TAB}addr${TAB}port${TAB}enum${TAB}string${TAB}vector[string]"
	# .21 DNS only; .26 label traps; .28 mixed case + trailing dot
	printf '1678881600.000000\tC1\t10.0.0.21\t40000\t10.0.0.53\t53\tudp\tevil-c2.example\t198.51.100.66\n'
	printf '1678881601.000000\tC2\t10.0.0.26\t40001\t10.0.0.53\t53\tudp\tnotevil-c2.example\t-\n'
	printf '1678881602.000000\tC3\t10.0.0.26\t40002\t10.0.0.53\t53\tudp\tevil-c2.example.attacker.test\t-\n'
	printf '1678881603.000000\tC4\t10.0.0.28\t40003\t10.0.0.53\t53\tudp\tWWW.Evil-C2.Example.\t-\n'
	# .25 before the window
	printf '1667304000.000000\tC5\t10.0.0.25\t40004\t10.0.0.53\t53\tudp\tevil-c2.example\t-\n'
	# .31 late.example before its own validity, .32 after it starts
	printf '1679184000.000000\tC6\t10.0.0.31\t40005\t10.0.0.53\t53\tudp\tlate.example\t-\n'
	printf '1679443200.000000\tC7\t10.0.0.32\t40006\t10.0.0.53\t53\tudp\tlate.example\t-\n'
} >"$T/dns.log"
{
	zeek_header conn "ts${TAB}uid${TAB}id.orig_h${TAB}id.orig_p${TAB}id.resp_h${TAB}id.resp_p${TAB}proto${TAB}service${TAB}duration${TAB}orig_bytes${TAB}resp_bytes${TAB}conn_state" "time${TAB}string${TAB}addr${TAB}port${TAB}addr${TAB}port${TAB}enum${TAB}string${TAB}interval${TAB}count${TAB}count${TAB}string"
	# .22 flow to the C2; .27 inbound from the C2; ::25 IPv6; .29 in the prefix
	printf '1678881610.000000\tC8\t10.0.0.22\t50022\t198.51.100.66\t443\ttcp\tssl\t1.0\t500\t4000\tSF\n'
	printf '1678881620.000000\tC9\t198.51.100.66\t4444\t10.0.0.27\t22\ttcp\t-\t0.1\t10\t10\tSF\n'
	printf '1678881630.000000\tCa\t2001:db8:1::25\t50025\t2001:db8:c2::66\t443\ttcp\t-\t1.0\t100\t100\tSF\n'
	printf '1678881640.000000\tCb\t10.0.0.29\t50029\t203.0.113.9\t80\ttcp\t-\t1.0\t100\t100\tSF\n'
	printf '1678881641.000000\tCc\t10.0.0.30\t50030\t203.0.113.16\t80\ttcp\t-\t1.0\t100\t100\tSF\n'
} >"$T/conn.log"
gzip "$T/conn.log"
{
	zeek_header ssl "ts${TAB}uid${TAB}id.orig_h${TAB}id.orig_p${TAB}id.resp_h${TAB}id.resp_p${TAB}server_name" "time${TAB}string${TAB}addr${TAB}port${TAB}addr${TAB}port${TAB}string"
	# .22 SNI of the C2; .24 HTTPS to the shared host
	printf '1678881610.000000\tC8\t10.0.0.22\t50022\t198.51.100.66\t443\tevil-c2.example\n'
	printf '1678881650.000000\tCd\t10.0.0.24\t50024\t192.0.2.161\t443\traw.githubusercontent.com\n'
} >"$T/ssl.log"
zstd -q --rm "$T/ssl.log"
# .23 plain HTTP to the IconStorages path; .30 another repository
cat >"$T/http.json" <<'C'
{"ts":1678881660.0,"uid":"Ce","id.orig_h":"10.0.0.23","id.orig_p":50023,"id.resp_h":"192.0.2.161","id.resp_p":80,"method":"GET","host":"raw.githubusercontent.com","uri":"/IconStorages/images/main/icon3.ico","status_code":200}
{"ts":1678881661.0,"uid":"Cf","id.orig_h":"10.0.0.30","id.orig_p":50030,"id.resp_h":"192.0.2.161","id.resp_p":80,"method":"GET","host":"raw.githubusercontent.com","uri":"/octocat/Hello-World/master/README","status_code":200}
C
# EVE: .33 DNS with a trailing dot and odd case, .34 TLS SNI with a trailing dot
cat >"$T/eve.json" <<'C'
{"timestamp":"2023-03-15T13:00:00.000000+0100","event_type":"dns","src_ip":"10.0.0.33","src_port":40033,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"type":"query","id":1,"rrname":"Evil-C2.EXAMPLE.","rrtype":"A"}}
{"timestamp":"2023-03-15T13:00:01.000000+0100","event_type":"tls","src_ip":"10.0.0.34","src_port":50034,"dest_ip":"192.0.2.99","dest_port":443,"proto":"TCP","tls":{"sni":"cdn.evil-c2.example."}}
{"timestamp":"2023-03-15T13:00:02.000000+0100","event_type":"stats","stats":{"uptime":1}}
C

"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen -j 2 -o "$T/out.sdb" --sightings "$T/out.jsonl" \
	"$T/dns.log" "$T/conn.log.gz" "$T/ssl.log.zst" "$T/http.json" "$T/eve.json" >"$T/stdout" 2>"$T/err"
rc=$?
ok "correlate exits 0" '[ $rc -eq 0 ]'
ok "indicator summary names the sources' unusable parts" 'grep -q "^scen: 6 network indicators" "$T/err"'
ok "DNS only: low" '[ "$(who "$T/out.jsonl" 10.0.0.21)" = "dns low" ]'
ok "flow + TLS to the C2: high" '[ "$(who "$T/out.jsonl" 10.0.0.22)" = "flow,tls high" ]'
ok "HTTP with the IconStorages path on the shared host: high" '[ "$(who "$T/out.jsonl" 10.0.0.23)" = "http high" ]'
ok "HTTPS (SNI only) to the shared host: not sighted" '[ "$(who "$T/out.jsonl" 10.0.0.24)" = none ]'
ok "another repository on the shared host: not sighted" '[ "$(who "$T/out.jsonl" 10.0.0.30)" = none ]'
ok "before the campaign window: not sighted" '[ "$(who "$T/out.jsonl" 10.0.0.25)" = none ]'
ok "label-boundary traps: not sighted" '[ "$(who "$T/out.jsonl" 10.0.0.26)" = none ]'
ok "inbound from the C2: the responder, medium" '[ "$(who "$T/out.jsonl" 10.0.0.27)" = "flow medium" ]'
ok "the C2 is never a client" '[ "$(who "$T/out.jsonl" 198.51.100.66)" = none ]'
ok "IPv6 flow to the IPv6 C2" '[ "$(who "$T/out.jsonl" 2001:db8:1::25)" = "flow high" ]'
ok "inside the indicator prefix /28 (10.0.0.30 just outside it is covered above)" '[ "$(who "$T/out.jsonl" 10.0.0.29)" = "flow high" ]'
ok "mixed case + trailing dot (Zeek): subdomain sighted" '[ "$(who "$T/out.jsonl" 10.0.0.28)" = "dns low" ]'
ok "mixed case + trailing dot (EVE DNS)" '[ "$(who "$T/out.jsonl" 10.0.0.33)" = "dns low" ]'
ok "TLS SNI with a trailing dot (EVE)" '[ "$(who "$T/out.jsonl" 10.0.0.34)" = "tls high" ]'
ok "indicator validity: before valid_from not sighted, after it sighted" '[ "$(who "$T/out.jsonl" 10.0.0.31)" = none ] && [ "$(who "$T/out.jsonl" 10.0.0.32)" = "dns low" ]'
ok "the resolver is never a client" '[ "$(who "$T/out.jsonl" 10.0.0.53)" = none ]'
ok "example server endpoint kept" '[ "$(jq -r "select(.client == \"10.0.0.22\") | \"\(.server):\(.server_port)\"" "$T/out.jsonl" | sort -u)" = "198.51.100.66:443" ]'
ok "gzip and zstd inputs read" 'grep -q "conn.log.gz: zeek, 5 records" "$T/err" && grep -q "ssl.log.zst: zeek, 2 records" "$T/err"'
ok "--source labels every sighting" '"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen -s sensor-7 --sightings "$T/s.jsonl" "$T/dns.log" 2>/dev/null && [ "$(jq -r ".sources[]" "$T/s.jsonl" | sort -u)" = sensor-7 ]'
ok "check on the snapshot" '"$SIGHTED" check --db "$T/out.sdb" -q 10.0.0.22 && ! "$SIGHTED" check --db "$T/out.sdb" -q 10.0.0.24'
# ad-hoc indicators without a campaign file
"$SIGHTED" correlate -c adhoc --indicators "$T/ind.txt" --sightings "$T/a.jsonl" "$T/dns.log" 2>/dev/null
rc=$?
ok "ad-hoc campaign from --indicators (no window)" '[ $rc -eq 0 ] && [ "$(who "$T/a.jsonl" 10.0.0.25)" = "dns low" ]'

# --- issue 13: verdicts you can stand behind (direction, clocks, broad
# prefixes, STIX unknowns); own inputs, same campaign and indicators ---
# Direction. EVE as Suricata writes it (output-json-alert.c, -dns.c):
# .41 alert on the C2's HTTP response (src_port 80, no "direction"), .42 a
# DNS answer in packet direction (the resolver in src_ip), .43 an answer in
# flow direction, .51 an alert with "direction":"to_client" on odd ports.
cat >"$T/dir-eve.json" <<'C'
{"timestamp":"2023-03-15T13:10:00.000000+0000","flow_id":41,"event_type":"alert","src_ip":"198.51.100.66","src_port":80,"dest_ip":"10.0.0.41","dest_port":50041,"proto":"TCP","alert":{"action":"allowed","signature_id":2000001,"signature":"C2 response"},"http":{"hostname":"evil-c2.example","url":"/gate.php","http_method":"GET","status":200}}
{"timestamp":"2023-03-15T13:10:01.000000+0000","flow_id":42,"event_type":"dns","src_ip":"10.0.0.53","src_port":53,"dest_ip":"10.0.0.42","dest_port":40042,"proto":"UDP","dns":{"version":2,"type":"answer","id":42,"rrname":"evil-c2.example","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"evil-c2.example","rrtype":"A","ttl":60,"rdata":"198.51.100.66"}]}}
{"timestamp":"2023-03-15T13:10:02.000000+0000","flow_id":43,"event_type":"dns","src_ip":"10.0.0.43","src_port":40043,"dest_ip":"10.0.0.53","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":43,"rrname":"evil-c2.example","rrtype":"A","rcode":"NOERROR"}}
{"timestamp":"2023-03-15T13:10:03.000000+0000","flow_id":51,"event_type":"alert","src_ip":"198.51.100.66","src_port":4444,"dest_ip":"10.0.0.51","dest_port":50051,"proto":"TCP","direction":"to_client","alert":{"action":"allowed","signature_id":2000002,"signature":"C2 beacon reply"},"flow":{"pkts_toserver":3,"pkts_toclient":3,"bytes_toserver":300,"bytes_toclient":300,"start":"2023-03-15T13:10:02.900000+0000"}}
C
{
	zeek_header conn "ts${TAB}uid${TAB}id.orig_h${TAB}id.orig_p${TAB}id.resp_h${TAB}id.resp_p${TAB}proto${TAB}history${TAB}orig_bytes${TAB}resp_bytes" "time${TAB}string${TAB}addr${TAB}port${TAB}addr${TAB}port${TAB}enum${TAB}string${TAB}count${TAB}count"
	# .44: Zeek missed the SYN and took the C2's SYN-ACK as the originator
	printf '1678882000.000000\tCz1\t198.51.100.66\t4444\t10.0.0.44\t50044\ttcp\tHaDd\t100\t100\n'
} >"$T/dir-conn.log"
# .46: an HTTP request the C2 made to a local web server (Zeek http.log)
cat >"$T/dir-http.json" <<'C'
{"ts":1678882001.0,"uid":"Cz2","id.orig_h":"198.51.100.66","id.orig_p":50046,"id.resp_h":"10.0.0.46","id.resp_p":8000,"method":"GET","host":"10.0.0.46","uri":"/","status_code":404}
C
# .45: only the C2's reply half of a flow (nfdump flows are one-way)
cat >"$T/dir-nf.csv" <<'C'
ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt
2023-03-15 13:20:00,2023-03-15 13:20:01,1.000,198.51.100.66,10.0.0.45,443,50045,TCP,.AP.SF,0,0,4,3000,0,0
C
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen -j 2 --sightings "$T/dir.jsonl" \
	"$T/dir-eve.json" "$T/dir-conn.log" "$T/dir-http.json" "$T/dir-nf.csv" >/dev/null 2>"$T/dir.err"
rc=$?
ok "direction: correlate exits 0" '[ $rc -eq 0 ]'
ok "direction: EVE alert on the C2 response names the local client (must flag .41)" '[ "$(who "$T/dir.jsonl" 10.0.0.41)" = "http high" ]'
ok "direction: EVE DNS answer in packet direction gives the querier (must flag .42)" '[ "$(who "$T/dir.jsonl" 10.0.0.42)" = "dns low" ]'
ok "direction: EVE DNS answer in flow direction gives the querier (must flag .43)" '[ "$(who "$T/dir.jsonl" 10.0.0.43)" = "dns low" ]'
ok "direction: EVE alert direction to_client (must flag .51)" '[ "$(who "$T/dir.jsonl" 10.0.0.51)" = "flow high" ]'
ok "direction: Zeek conn with the C2 SYN-ACK first (must flag .44)" '[ "$(who "$T/dir.jsonl" 10.0.0.44)" = "flow high" ]'
ok "direction: nfdump reply half from the C2 (must flag .45)" '[ "$(who "$T/dir.jsonl" 10.0.0.45)" = "flow medium" ]'
ok "direction: HTTP from the C2 to a local server: the local side, inbound (must flag .46)" '[ "$(who "$T/dir.jsonl" 10.0.0.46)" = "http medium" ]'
ok "direction: neither the C2 nor the resolver is ever a client (must not flag)" '[ "$(who "$T/dir.jsonl" 198.51.100.66)" = none ] && [ "$(who "$T/dir.jsonl" 10.0.0.53)" = none ]'

# Clocks. nfdump writes local time: 01:30 in Berlin on the day after the
# window (it ends with 2023-04-30) is 23:30Z inside it (.47 inside the
# window only with --tz).
cat >"$T/tz-nf.csv" <<'C'
ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt
2023-05-01 01:30:00,2023-05-01 01:30:01,1.000,10.0.0.47,198.51.100.66,50047,443,TCP,.AP.SF,0,0,4,300,0,0
C
# dnsmasq leaves the year out: a 2023 log copied in 2026 (.48)
printf 'Mar 15 13:30:00 gw dnsmasq[811]: query[A] evil-c2.example from 10.0.0.48\n' >"$T/dnsmasq.log"
touch -d 2026-11-01T00:00:00Z "$T/dnsmasq.log"
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen --tz Europe/Berlin --sightings "$T/clk.jsonl" \
	"$T/tz-nf.csv" "$T/dnsmasq.log" >/dev/null 2>"$T/clk.err"
ok "clocks: --tz Europe/Berlin puts the local nfdump time inside the window (must flag .47)" '[ "$(who "$T/clk.jsonl" 10.0.0.47)" = "flow medium" ]'
ok "clocks: the per-file summary names the zone" 'grep -q "tz-nf.csv: nfdump, 1 records, 1 matched.*; local times read as Europe/Berlin" "$T/clk.err"'
ok "clocks: year from the campaign window when the file time is outside it (must flag .48)" '[ "$(who "$T/clk.jsonl" 10.0.0.48)" = "dns low" ]'
ok "clocks: the assumed year is in the summary" 'grep -q "dnsmasq.log: .*year 2023 assumed (the campaign window; the file.s time says 2026)" "$T/clk.err"'
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen --year 2022 --sightings "$T/clk2.jsonl" \
	"$T/tz-nf.csv" "$T/dnsmasq.log" >/dev/null 2>"$T/clk2.err"
ok "clocks: UTC by default, and --year overrides (must not flag .47, .48)" '[ "$(who "$T/clk2.jsonl" 10.0.0.47)" = none ] && [ "$(who "$T/clk2.jsonl" 10.0.0.48)" = none ] && grep -q "local times read as UTC" "$T/clk2.err"'
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen --tz Mars/Olympus --sightings "$T/x.jsonl" "$T/tz-nf.csv" >/dev/null 2>&1
rc=$?
ok "clocks: an unknown zone is a usage error" '[ $rc -eq 2 ]'

# Broad prefixes: 0.0.0.0/0 among the indicators must not flag .49
printf '0.0.0.0/0\n::/0\n' >"$T/broad.txt"
cat >"$T/broad-nf.csv" <<'C'
ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt
2023-03-15 13:40:00,2023-03-15 13:40:01,1.000,10.0.0.49,192.0.2.200,50049,443,TCP,.AP.SF,0,0,4,300,0,0
C
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen -i "$T/broad.txt" --sightings "$T/br.jsonl" "$T/broad-nf.csv" >/dev/null 2>"$T/br.err"
ok "broad: 0.0.0.0/0 refused with file:line and a reason (must not flag .49)" '[ "$(who "$T/br.jsonl" 10.0.0.49)" = none ] && grep -q "broad.txt:1: broad: 0.0.0.0/0: prefix broader than /8" "$T/br.err" && grep -q "2 too broad" "$T/br.err"'
"$SIGHTED" correlate --campaigns "$T/scen.conf" -c scen -i "$T/broad.txt" --allow-broad --sightings "$T/br2.jsonl" "$T/broad-nf.csv" >/dev/null 2>"$T/br2.err"
ok "broad: --allow-broad takes them" 'grep -q "^scen: 8 network indicators (2 addresses, 3 prefixes.*0 too broad" "$T/br2.err"'
printf '10.0.0.50\n0.0.0.0/0\n' >"$T/victims.txt"
"$SIGHTED" import -c scen --campaigns "$T" -o "$T/imp.sdb" "$T/victims.txt" >/dev/null 2>"$T/imp.err"
ok "broad: import refuses 0.0.0.0/0 as a victim entry" 'grep -q "victims.txt:2: prefix broader than /8" "$T/imp.err" && "$SIGHTED" check --db "$T/imp.sdb" -q 10.0.0.50 && ! "$SIGHTED" check --db "$T/imp.sdb" -q 192.0.2.1'
"$SIGHTED" export -f ipset --indicators "$T/broad.txt" "$T/ind.txt" -o "$T/block.ipset" >/dev/null 2>&1
ok "broad: the ipset export never blocks everything" 'grep -q "198.51.100.66" "$T/block.ipset" && ! grep -qE " (0\.0\.0\.0/0|::/0) " "$T/block.ipset"'

# STIX: a list entry with no time and no confidence (.50): nothing invented
"$SIGHTED" export -f stix --campaigns "$T" -o "$T/imp.stix.json" "$T/imp.sdb" >/dev/null 2>&1
ok "stix: no first_seen/last_seen and no confidence for the unknowns of .50" '[ "$(jq "[.objects[] | select(.type == \"sighting\") | select(has(\"first_seen\") or has(\"last_seen\") or has(\"confidence\"))] | length" "$T/imp.stix.json")" = 0 ] && [ "$(jq "[.objects[] | select(.type == \"sighting\")] | length" "$T/imp.stix.json")" = 1 ]'
echo "1..$n"
