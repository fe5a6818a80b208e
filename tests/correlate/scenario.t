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
echo "1..$n"
