#!/bin/bash
# Proxy and resolver roles must never remove a victim (docs/correlate.md,
# "Proxies and resolvers"): a learnt role leaves out a host's forwarded
# sighting of an indicator only when a record shows another host asking it
# for that indicator, and the asker is then listed. Scanners' requests (an
# absolute URI to any host, a version.bind query to any port 53) explain
# nothing. Declared roles (--proxy, hand-written role files) keep their
# unconditional meaning. HTTP CONNECT in Zeek and EVE logs is a proxied
# request. Shards learning apart give the same answer.
. "$(dirname "$0")/../lib.sh"
export SIGHTED_CAMPAIGNS="$TESTS_DATA/../../data/campaigns"
export SOURCE_DATE_EPOCH=1767225600 LC_ALL=C
C="correlate -q -c t -i $T/ind.txt --build-time 2026-01-01T00:00:00Z"
# "indicator client" per line of a --sightings file, sorted
pairs() { jq -r '"\(.indicator) \(.client)"' "$1" | sort | tr '\n' ';'; }

printf 'evil.com\n198.51.100.66\nhttp://dl.example.net/a\n' >"$T/ind.txt"
# the victims: 10.0.0.9's TLS hello naming evil.com, 10.0.0.8's lookup of it
cat >"$T/v.json" <<'J'
{"ts":1678881660.0,"uid":"C1","id.orig_h":"10.0.0.9","id.orig_p":50001,"id.resp_h":"198.51.100.7","id.resp_p":443,"server_name":"evil.com","_path":"ssl"}
{"ts":1678881661.0,"uid":"C2","id.orig_h":"10.0.0.8","id.orig_p":50002,"id.resp_h":"10.0.0.53","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}
J
# an open-proxy and DNS scanner probing both victims
cat >"$T/scan.json" <<'J'
{"ts":1678881700.0,"uid":"S1","id.orig_h":"203.0.113.200","id.orig_p":40001,"id.resp_h":"10.0.0.9","id.resp_p":80,"method":"GET","host":"www.google.com","uri":"http://www.google.com/","status_code":400,"_path":"http"}
{"ts":1678881700.0,"uid":"S2","id.orig_h":"203.0.113.200","id.orig_p":40002,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"version.bind","_path":"dns"}
J

# --- finding 1: scanners do not remove victims ---------------------------------
check "the victims alone" "$SIGHTED" $C -o "$T/v.sdb" --sightings "$T/v.jsonl" "$T/v.json"
equals "…both listed" "$(pairs "$T/v.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;"
"$SIGHTED" $C -o "$T/vs.sdb" --sightings "$T/vs.jsonl" "$T/v.json" "$T/scan.json" 2>"$T/err"
equals "with the scanner's probes: both still listed" "$(pairs "$T/vs.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;"
lacks "…and nothing is said to be left out" "$T/err" "left out"
check "two phases: learn" "$SIGHTED" $C --learn-proxies "$T/vs.roles" "$T/v.json" "$T/scan.json"
equals "…the probes teach nothing: only the victim's own resolver is there" "$(grep -v '^#' "$T/vs.roles")" "asked resolver 10.0.0.53 by 10.0.0.8 domain evil.com"
check "two phases: match with the roles" "$SIGHTED" $C --proxies "$T/vs.roles" -o "$T/vs2.sdb" "$T/v.json" "$T/scan.json"
check "…the snapshot is the one-run snapshot (cmp)" cmp "$T/vs.sdb" "$T/vs2.sdb"
"$SIGHTED" check --db "$T/vs.sdb" -q 10.0.0.8 10.0.0.9
equals "check: both victims are in the snapshot" "$?" 0

# --- stop 19 review finding 2: only an exchange the asked host served teaches ------
# a forged query "from" the real resolver to the victim's port 53, never
# answered: it made the victim a resolver asked for evil.com, and with the
# victim asking the resolver, a loop listed nobody
printf '%s\n' '{"ts":1678881662.0,"uid":"F1","id.orig_h":"10.0.0.53","id.orig_p":40020,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"evil.com","_path":"dns"}' >"$T/spoof.json"
"$SIGHTED" $C --sightings "$T/sp.jsonl" "$T/v.json" "$T/spoof.json" 2>"$T/err"
equals "a forged unanswered query does not hide the victim" "$(pairs "$T/sp.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;"
# the forged record is a lookup "by" 10.0.0.53, which the victim asked (and
# which answered it) for evil.com: forwarding, rightly left out
contains "…only the real resolver's forged lookup is left out" "$T/err" "1 sighting of proxies left out: exchanges that 0 proxies and 1 resolver forwarded"
"$SIGHTED" $C --learn-proxies "$T/sp.roles" "$T/spoof.json"
equals "…it teaches nothing" "$(grep -cv '^#' "$T/sp.roles")" 0
for rc in 2 4 5; do
	printf '%s\n' '{"ts":1678881662.0,"uid":"F2","id.orig_h":"10.0.0.53","id.orig_p":40020,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"evil.com","rcode":'$rc',"_path":"dns"}' >"$T/refused.json"
	"$SIGHTED" $C --sightings "$T/rf.jsonl" "$T/v.json" "$T/refused.json" 2>/dev/null
	equals "a query answered with rcode $rc (SERVFAIL/NOTIMP/REFUSED) teaches nothing" "$(pairs "$T/rf.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;"
done
printf '#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tquery\trcode\n1678881662.0\tF3\t10.0.0.53\t40020\t10.0.0.8\t53\tevil.com\t5\n1678881662.0\tF4\t10.0.0.53\t40021\t10.0.0.8\t53\tevil.com\t-\n' >"$T/spoof.log"
"$SIGHTED" $C --sightings "$T/st.jsonl" "$T/v.json" "$T/spoof.log" 2>/dev/null
equals "Zeek TSV: a REFUSED or unanswered query teaches nothing" "$(pairs "$T/st.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;"
# --- stop 19 loops: hosts that only ask one another hide nobody --------------------
# the reviewer's repro: the forged record is *answered* (rcode 0), so it
# teaches 10.0.0.8 "asked by 10.0.0.53"; with the victim asking 10.0.0.53,
# each asked the other. Neither is asked by a root (an asker nobody asked),
# so neither sighting is left out
printf '%s\n' '{"ts":1678881662.0,"uid":"F5","id.orig_h":"10.0.0.53","id.orig_p":40020,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}' >"$T/loop.json"
"$SIGHTED" $C -o "$T/lp.sdb" --sightings "$T/lp.jsonl" "$T/v.json" "$T/loop.json" 2>"$T/err"
equals "an answered forged query back to the victim's resolver: both listed" "$(pairs "$T/lp.jsonl")" "evil.com 10.0.0.53;evil.com 10.0.0.8;evil.com 10.0.0.9;"
lacks "…and nothing is said to be left out" "$T/err" "left out"
"$SIGHTED" $C --learn-proxies "$T/lp.roles" "$T/v.json" "$T/loop.json" 2>/dev/null
equals "…the role file names each asker" "$(grep -v '^#' "$T/lp.roles" | tr '\n' ';')" "asked resolver 10.0.0.53 by 10.0.0.8 domain evil.com;asked resolver 10.0.0.8 by 10.0.0.53 domain evil.com;"
# shards: each file learns one side of the loop; the union settles the same
"$SIGHTED" $C --learn-proxies "$T/lp1.roles" "$T/v.json" 2>/dev/null
"$SIGHTED" $C --learn-proxies "$T/lp2.roles" "$T/loop.json" 2>/dev/null
cat "$T/lp1.roles" "$T/lp2.roles" | grep -v '^#' | LC_ALL=C sort -u >"$T/lpu.roles"
for f in v loop; do "$SIGHTED" $C --proxies "$T/lpu.roles" -o "$T/lp-$f.sdb" "$T/$f.json" 2>/dev/null; done
"$SIGHTED" merge -o "$T/lpm.sdb" "$T/lp-v.sdb" "$T/lp-loop.sdb" 2>/dev/null
check "…shards with the union of their role files, merged: the one-run snapshot (cmp)" cmp "$T/lp.sdb" "$T/lpm.sdb"
# a host from outside the loop asking one of them is a root: from it both
# are reached, left out, and it is listed (what a forger of a fake root
# can still do: docs/correlate.md)
printf '%s\n' '{"ts":1678881663.0,"uid":"R1","id.orig_h":"10.0.0.21","id.orig_p":40030,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}' >"$T/root.json"
"$SIGHTED" $C --sightings "$T/lr.jsonl" "$T/v.json" "$T/loop.json" "$T/root.json" 2>/dev/null
equals "a loop asked from outside: the outside asker is listed for it" "$(pairs "$T/lr.jsonl")" "evil.com 10.0.0.21;evil.com 10.0.0.9;"
# a real chain: client 10.0.0.30, asked by nobody, asks resolver 10.0.0.31,
# which asks upstream 10.0.0.32, which asks 192.0.2.53: the client is listed
cat >"$T/chain.json" <<'J'
{"ts":1678881670.0,"uid":"H1","id.orig_h":"10.0.0.30","id.orig_p":40040,"id.resp_h":"10.0.0.31","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}
{"ts":1678881670.1,"uid":"H2","id.orig_h":"10.0.0.31","id.orig_p":40041,"id.resp_h":"10.0.0.32","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}
{"ts":1678881670.2,"uid":"H3","id.orig_h":"10.0.0.32","id.orig_p":40042,"id.resp_h":"192.0.2.53","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}
J
"$SIGHTED" $C --sightings "$T/ch.jsonl" "$T/chain.json" 2>"$T/err"
equals "a chain of forwarders: only the first asker is listed" "$(pairs "$T/ch.jsonl")" "evil.com 10.0.0.30;"
contains "…the resolver and the upstream are left out" "$T/err" "2 sightings of proxies left out"

# a scanner's proxied request naming the indicator, refused with a 400 (and
# a CONNECT answered 407): the asked web server served nothing
cat >"$T/probe.json" <<'J'
{"ts":1678881700.0,"uid":"S3","id.orig_h":"203.0.113.200","id.orig_p":40003,"id.resp_h":"10.0.0.9","id.resp_p":80,"method":"GET","host":"evil.com","uri":"http://evil.com/","status_code":400,"_path":"http"}
{"ts":1678881700.0,"uid":"S4","id.orig_h":"203.0.113.200","id.orig_p":40004,"id.resp_h":"10.0.0.9","id.resp_p":443,"method":"CONNECT","host":"evil.com:443","uri":"evil.com:443","status_code":407,"_path":"http"}
{"ts":1678881700.0,"uid":"S5","id.orig_h":"203.0.113.200","id.orig_p":40005,"id.resp_h":"10.0.0.9","id.resp_p":8080,"method":"GET","host":"evil.com","uri":"http://evil.com/","_path":"http"}
J
"$SIGHTED" $C --sightings "$T/pr.jsonl" "$T/v.json" "$T/probe.json" 2>"$T/err"
equals "an HTTP 400 / CONNECT 407 / unanswered probe does not hide the victim" "$(pairs "$T/pr.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;evil.com 203.0.113.200;"
lacks "…and nothing is said to be left out" "$T/err" "left out"
printf '#separator \\x09\n#path\thttp\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tmethod\thost\turi\tstatus_code\n1678881700.0\tS6\t203.0.113.200\t40006\t10.0.0.9\t80\tGET\tevil.com\thttp://evil.com/\t400\n1678881700.0\tS7\t203.0.113.200\t40007\t10.0.0.9\t443\tCONNECT\t-\tevil.com:443\t302\n' >"$T/probe.log"
"$SIGHTED" $C --sightings "$T/pt.jsonl" "$T/v.json" "$T/probe.log" 2>/dev/null
equals "Zeek TSV: a 400 probe and a CONNECT answered 302 teach nothing" "$(pairs "$T/pt.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;evil.com 203.0.113.200;"
"$SIGHTED" $C --learn-proxies "$T/pr.roles" "$T/probe.json" "$T/probe.log"
equals "…they teach nothing" "$(grep -cv '^#' "$T/pr.roles")" 0
# EVE: a 400 to a proxied request, a REFUSED answer; a NOERROR answer teaches
cat >"$T/probe.eve" <<'J'
{"timestamp":"2023-03-15T12:01:40.000+0000","event_type":"http","src_ip":"203.0.113.200","src_port":40008,"dest_ip":"10.0.0.9","dest_port":80,"proto":"TCP","http":{"hostname":"evil.com","url":"http://evil.com/","http_method":"GET","status":400}}
{"timestamp":"2023-03-15T12:01:02.000+0000","event_type":"dns","src_ip":"10.0.0.53","src_port":40020,"dest_ip":"10.0.0.8","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":1,"rrname":"evil.com","rrtype":"A","rcode":"REFUSED"}}
J
"$SIGHTED" $C --sightings "$T/pv.jsonl" "$T/v.json" "$T/probe.eve" 2>/dev/null
equals "EVE: a 400 probe and a REFUSED answer do not hide the victims" "$(pairs "$T/pv.jsonl")" "evil.com 10.0.0.8;evil.com 10.0.0.9;evil.com 203.0.113.200;"
sed 's/"status":400/"status":200/; s/REFUSED/NOERROR/' "$T/probe.eve" >"$T/served.eve"
"$SIGHTED" $C --learn-proxies "$T/pv.roles" "$T/probe.eve" "$T/served.eve"
equals "…served, they teach" "$(grep -v '^#' "$T/pv.roles" | tr '\n' ';')" "asked proxy 10.0.0.9 by 203.0.113.200 domain evil.com;asked resolver 10.0.0.8 by 10.0.0.53 domain evil.com;"

# --- an explained forwarding is still left out, and the asker listed --------------
cat >"$T/ask.json" <<'J'
{"ts":1678881650.0,"uid":"A1","id.orig_h":"10.0.0.20","id.orig_p":40010,"id.resp_h":"10.0.0.9","id.resp_p":3128,"method":"GET","host":"evil.com","uri":"http://evil.com/x","status_code":200,"_path":"http"}
{"ts":1678881650.0,"uid":"A2","id.orig_h":"10.0.0.21","id.orig_p":40011,"id.resp_h":"10.0.0.8","id.resp_p":53,"query":"evil.com","rcode":0,"_path":"dns"}
J
"$SIGHTED" $C -o "$T/va.sdb" --sightings "$T/va.jsonl" "$T/v.json" "$T/scan.json" "$T/ask.json" 2>"$T/err"
equals "asked for evil.com: the proxy and the resolver give way to their clients" "$(pairs "$T/va.jsonl")" "evil.com 10.0.0.20;evil.com 10.0.0.21;"
contains "…and the summary says so" "$T/err" "2 sightings of proxies left out: exchanges that 1 proxy and 2 resolvers forwarded"
"$SIGHTED" $C --learn-proxies "$T/va.roles" "$T/v.json" "$T/scan.json" "$T/ask.json" 2>/dev/null
equals "the role file carries the requests that explain the roles" "$(grep -v '^#' "$T/va.roles" | tr '\n' ';')" "asked proxy 10.0.0.9 by 10.0.0.20 domain evil.com;asked resolver 10.0.0.53 by 10.0.0.8 domain evil.com;asked resolver 10.0.0.8 by 10.0.0.21 domain evil.com;"
contains "…in format 2" "$T/va.roles" "^# sighted roles 2"
# shards learn apart: one file each, joined by a union of lines
for f in v scan ask; do "$SIGHTED" $C --learn-proxies "$T/$f.roles" "$T/$f.json" 2>/dev/null; done
cat "$T"/v.roles "$T"/scan.roles "$T"/ask.roles | grep -v '^#' | sort -u >"$T/union.roles"
equals "the union of the shards' role files is the file learnt from all" "$(cat "$T/union.roles")" "$(grep -v '^#' "$T/va.roles")"
for f in v scan ask; do "$SIGHTED" $C --proxies "$T/union.roles" -o "$T/$f.sdb" "$T/$f.json" 2>/dev/null; done
"$SIGHTED" merge -o "$T/merged.sdb" "$T/v.sdb" "$T/scan.sdb" "$T/ask.sdb" 2>/dev/null
check "one by one with the union, merged: the one-run snapshot (cmp)" cmp "$T/va.sdb" "$T/merged.sdb"
# another indicator is not explained by a request for evil.com
printf '%s\n' '{"ts":1678881662.0,"uid":"C4","id.orig_h":"10.0.0.9","id.orig_p":50004,"id.resp_h":"192.0.2.1","id.resp_p":80,"method":"GET","host":"dl.example.net","uri":"/a","status_code":200,"_path":"http"}' >"$T/own.json"
"$SIGHTED" $C --sightings "$T/vo.jsonl" "$T/v.json" "$T/ask.json" "$T/own.json" 2>/dev/null
equals "the proxy's fetch of a URL nobody asked it for stays its own" "$(pairs "$T/vo.jsonl")" "evil.com 10.0.0.20;evil.com 10.0.0.21;http://dl.example.net/a 10.0.0.9;"

# --- declared roles keep their meaning --------------------------------------------
"$SIGHTED" $C --proxy 10.0.0.9 --sightings "$T/d.jsonl" "$T/v.json" 2>/dev/null
equals "--proxy declares: the proxy's exchanges are left out" "$(pairs "$T/d.jsonl")" "evil.com 10.0.0.8;"
printf '# by hand\nresolver 10.0.0.8\n' >"$T/hand.roles"
"$SIGHTED" $C --proxies "$T/hand.roles" --sightings "$T/h.jsonl" "$T/v.json" 2>/dev/null
equals "a hand-written resolver line declares" "$(pairs "$T/h.jsonl")" "evil.com 10.0.0.9;"
printf '# sighted roles 1: proxy/resolver ADDR (docs/correlate.md)\nproxy 10.0.0.9\n' >"$T/old.roles"
expect_status 3 "a format 1 role file: exit 3" "$SIGHTED" $C --proxies "$T/old.roles" --sightings "$T/x.jsonl" "$T/v.json"
contains "…naming file:line and what to do" "$T/.out" "old.roles:1: a role file of format 1: .*learn them again with --learn-proxies"
printf 'asked proxy 10.0.0.9 by 10.0.0.20 domain\n' >"$T/bad.roles"
expect_status 3 "an asked line without a value: exit 3" "$SIGHTED" $C --proxies "$T/bad.roles" --sightings "$T/x.jsonl" "$T/v.json"
contains "…with file:line" "$T/.out" "bad.roles:1: expected an indicator"
printf 'asked router 10.0.0.9 by 10.0.0.20 domain evil.com\n' >"$T/bad.roles"
expect_status 3 "an asked line with an unknown role: exit 3" "$SIGHTED" $C --proxies "$T/bad.roles" --sightings "$T/x.jsonl" "$T/v.json"
contains "…with file:line" "$T/.out" 'bad.roles:1: expected "asked proxy.resolver ADDR by ASKER KIND VALUE"'
printf 'asked proxy 10.0.0.9 domain evil.com\n' >"$T/bad.roles"
expect_status 3 "an asked line without its asker (format 2 before stop 19's loops fix): exit 3" "$SIGHTED" $C --proxies "$T/bad.roles" --sightings "$T/x.jsonl" "$T/v.json"
contains "…with file:line" "$T/.out" 'bad.roles:1: expected "asked proxy.resolver ADDR by ASKER KIND VALUE"'

# --- finding 2: CONNECT in Zeek and EVE is a proxied request -----------------------
cat >"$T/connect.json" <<'J'
{"ts":1678881660.0,"uid":"P1","id.orig_h":"10.0.0.19","id.orig_p":50010,"id.resp_h":"10.0.0.3","id.resp_p":3128,"method":"CONNECT","host":"evil.com:443","uri":"evil.com:443","status_code":200,"_path":"http"}
J
cat >"$T/px.json" <<'J'
{"ts":1678881661.0,"uid":"C3","id.orig_h":"10.0.0.3","id.orig_p":40001,"id.resp_h":"198.51.100.66","id.resp_p":443,"server_name":"evil.com","_path":"ssl"}
J
"$SIGHTED" records "$T/connect.json" >"$T/rec" 2>&1
contains "records: a Zeek CONNECT is via_proxy with the host as its name" "$T/rec" "via_proxy"
lacks "…and no path" "$T/rec" "evil.com:443"
printf '#separator \\x09\n#path\thttp\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tmethod\thost\turi\tstatus_code\n1678881660.0\tP2\t10.0.0.17\t50012\t10.0.0.3\t3128\tCONNECT\t-\t[2001:db8::66]:443\t200\n' >"$T/connect.log"
"$SIGHTED" records "$T/connect.log" >"$T/rec" 2>&1
contains "records: a Zeek TSV CONNECT to an IPv6 literal is via_proxy, named by the address" "$T/rec" "2001:db8::66.*via_proxy"
"$SIGHTED" $C --sightings "$T/px.jsonl" "$T/connect.json" "$T/px.json" 2>/dev/null
equals "Zeek CONNECT: the client is sighted; the proxy's upstream leg of evil.com is not" "$(pairs "$T/px.jsonl")" "198.51.100.66 10.0.0.3;evil.com 10.0.0.19;"
printf '%s\n' '{"timestamp":"2023-03-15T12:01:00.000+0000","event_type":"http","src_ip":"10.0.0.18","src_port":50011,"dest_ip":"10.0.0.3","dest_port":3128,"proto":"TCP","http":{"hostname":"198.51.100.66","url":"198.51.100.66:443","http_method":"CONNECT","status":200}}' >"$T/connect.eve"
"$SIGHTED" $C --sightings "$T/pe.jsonl" "$T/connect.eve" "$T/connect.json" "$T/px.json" 2>/dev/null
equals "EVE CONNECT to the address: that leg is explained too" "$(pairs "$T/pe.jsonl")" "198.51.100.66 10.0.0.18;evil.com 10.0.0.19;"
jq -se 'map(select(.client == "10.0.0.18")) | .[0].evidence == ["http"]' "$T/pe.jsonl" >/dev/null
equals "…the CONNECT is the client's own http sighting" "$?" 0

# --- stop 19 review finding 4: a written sighting never counts 0 records ----------
# 10.0.0.3's TLS hello names evil.com and reaches 198.51.100.66; a client
# asked it (CONNECT) for the address only. The record counted for 10.0.0.3
# with the address, which is left out; the name's sighting stays and must
# carry the record
cat >"$T/c0.json" <<'J'
{"ts":1678881660.0,"uid":"P1","id.orig_h":"10.0.0.20","id.orig_p":50010,"id.resp_h":"10.0.0.3","id.resp_p":3128,"method":"CONNECT","host":"198.51.100.66:443","uri":"198.51.100.66:443","status_code":200,"_path":"http"}
{"ts":1678881661.0,"uid":"C3","id.orig_h":"10.0.0.3","id.orig_p":40001,"id.resp_h":"198.51.100.66","id.resp_p":443,"server_name":"evil.com","_path":"ssl"}
J
"$SIGHTED" $C -o "$T/c0.sdb" --sightings "$T/c0.jsonl" "$T/c0.json" 2>/dev/null
equals "the proxy keeps evil.com, gives the address to its client" "$(pairs "$T/c0.jsonl")" "198.51.100.66 10.0.0.20;evil.com 10.0.0.3;"
"$SIGHTED" check --db "$T/c0.sdb" 10.0.0.3 >"$T/c0.out" 2>&1
contains "check: the proxy's kept sighting counts its record" "$T/c0.out" "seen 1 time from"
lacks "…never 0" "$T/c0.out" "seen 0 times"
"$SIGHTED" $C --keep-proxies -o "$T/c0k.sdb" "$T/c0.json" 2>/dev/null
"$SIGHTED" check --db "$T/c0k.sdb" 10.0.0.3 >"$T/c0k.out" 2>&1
contains "with --keep-proxies: the record counts once" "$T/c0k.out" "seen 1 time from"

# --- a capture teaches a proxy only from a request the proxy served ----------------
# The pcap reader holds an absolute-URI request until the status line of its
# response. Before (stop 20), a capture's request taught unanswered: anyone
# knowing evil.com could send one `GET http://evil.com/` to a victim's web
# server (answered 404) and move the victim's sighting of evil.com to himself.
# pcap VICTIM_LAST_OCTET STATUS|none FILE: the victim 10.0.0.9 fetches
# evil.com itself (origin form, Host: evil.com), then the scanner
# 203.0.113.200 sends it `GET http://evil.com/`, answered STATUS or not at all
pcap() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
status, out = sys.argv[1], sys.argv[2]
def ip(a): return bytes(int(x) for x in a.split("."))
def pkt(src, sport, dst, dport, flags, seq, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
    tot = 20 + len(tcp) + len(data)
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0x4000, 64, 6, 0, ip(src), ip(dst))
    return iph + tcp + data
SYN, ACK, PSH = 0x02, 0x10, 0x08
pk = []
def conn(t, c, cp, s, sp, req, resp):
    pk.append((t, pkt(c, cp, s, sp, SYN, 0)))
    pk.append((t, pkt(s, sp, c, cp, SYN | ACK, 0)))
    pk.append((t, pkt(c, cp, s, sp, PSH | ACK, 1, req)))
    if resp:
        pk.append((t + 1, pkt(s, sp, c, cp, PSH | ACK, 1, resp)))
conn(1678881660, "10.0.0.9", 50001, "198.51.100.7", 80,
     b"GET /x HTTP/1.1\r\nHost: evil.com\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n")
conn(1678881700, "203.0.113.200", 40001, "10.0.0.9", 80,
     b"GET http://evil.com/ HTTP/1.1\r\nHost: evil.com\r\n\r\n",
     None if status == "none" else b"HTTP/1.1 " + status.encode() + b" X\r\n\r\n")
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # raw IP
    for t, d in pk:
        f.write(struct.pack("<IIII", t, 0, len(d), len(d)) + d)
PY
}
pcap 404 "$T/probe404.pcap"
pcap none "$T/probe0.pcap"
pcap 200 "$T/probe200.pcap"
"$SIGHTED" $C --sightings "$T/p404.jsonl" "$T/probe404.pcap" 2>"$T/err"
equals "capture: a probe answered 404 leaves the victim listed" "$(pairs "$T/p404.jsonl")" "evil.com 10.0.0.9;evil.com 203.0.113.200;"
lacks "…and nothing is said to be left out" "$T/err" "left out"
"$SIGHTED" $C --learn-proxies "$T/p404.roles" "$T/probe404.pcap" 2>/dev/null
equals "…it teaches nothing" "$(grep -vc '^#' "$T/p404.roles")" 0
"$SIGHTED" $C --sightings "$T/p0.jsonl" "$T/probe0.pcap" 2>/dev/null
equals "capture: a probe never answered leaves the victim listed" "$(pairs "$T/p0.jsonl")" "evil.com 10.0.0.9;evil.com 203.0.113.200;"
"$SIGHTED" records --json "$T/probe404.pcap" 2>/dev/null | jq -c 'select(.client == "203.0.113.200" and .kind == "http") | [.flags, .position, .ts]' >"$T/p404.rec"
equals "…the probe's record: answered, dated and placed by the request" "$(cat "$T/p404.rec")" '[["via_proxy","answered"],7,"2023-03-15T12:01:40Z"]'
# a host that does serve it is a proxy: its fetch of evil.com is explained
"$SIGHTED" $C --sightings "$T/p200.jsonl" "$T/probe200.pcap" 2>/dev/null
equals "capture: a request the host served (200) still teaches it as a proxy" "$(pairs "$T/p200.jsonl")" "evil.com 203.0.113.200;"

# Only the first request of a connection is paired with an answer: the
# server's first final status line. Before (stop 20, review), the n-th
# status line answered the n-th request counted, so a scanner could still
# borrow the 200 its probe's server gave another request: (clientstatus) it
# sends `GET /`, the absolute request, then a status line of its own;
# (pipe) `GET /` and `GET /a` in one segment, then the absolute request;
# (sameseq) the absolute request at the sequence number of `GET /`, which
# the server dropped as a duplicate. The server answers 200 to each
# origin-form request and 404 to the absolute one, when it reads it.
pcap_borrow() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
variant, out = sys.argv[1], sys.argv[2]
def ip(a): return bytes(int(x) for x in a.split("."))
def pkt(src, sport, dst, dport, flags, seq, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0)
    tot = 20 + len(tcp) + len(data)
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 0, 0x4000, 64, 6, 0, ip(src), ip(dst))
    return iph + tcp + data
SYN, ACK, PSH = 0x02, 0x10, 0x08
c, cp, s, sp, t = "10.0.0.9", 50001, "198.51.100.7", 80, 1678881660
pk = [(t, pkt(c, cp, s, sp, SYN, 0)), (t, pkt(s, sp, c, cp, SYN | ACK, 0)),
      (t, pkt(c, cp, s, sp, PSH | ACK, 1, b"GET /x HTTP/1.1\r\nHost: evil.com\r\n\r\n")),
      (t + 1, pkt(s, sp, c, cp, PSH | ACK, 1, b"HTTP/1.1 200 OK\r\n\r\n"))]
c, cp, s, sp, t = "203.0.113.200", 40001, "10.0.0.9", 80, 1678881700
pk += [(t, pkt(c, cp, s, sp, SYN, 0)), (t, pkt(s, sp, c, cp, SYN | ACK, 0))]
ok = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
nf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
probe = b"GET http://evil.com/ HTTP/1.1\r\nHost: evil.com\r\n\r\n"
r1 = b"GET / HTTP/1.1\r\nHost: v\r\n\r\n"
cli = lambda seq, d: (t, pkt(c, cp, s, sp, PSH | ACK, seq, d))
srv = lambda seq, d: (t + 1, pkt(s, sp, c, cp, PSH | ACK, seq, d))
if variant == "clientstatus":
    pk += [cli(1, r1), cli(1 + len(r1), probe),
           cli(1 + len(r1) + len(probe), b"HTTP/1.1 200 X\r\n\r\n"),
           srv(1, ok), srv(1 + len(ok), nf)]
elif variant == "pipe":
    r2 = r1 + b"GET /a HTTP/1.1\r\nHost: v\r\n\r\n"
    pk += [cli(1, r2), cli(1 + len(r2), probe),
           srv(1, ok), srv(1 + len(ok), ok), srv(1 + 2 * len(ok), nf)]
elif variant == "sameseq":
    pk += [cli(1, r1), cli(1, probe), srv(1, ok)]
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # raw IP
    for tt, d in pk:
        f.write(struct.pack("<IIII", tt, 0, len(d), len(d)) + d)
PY
}
for v in clientstatus pipe sameseq; do
	pcap_borrow $v "$T/borrow-$v.pcap"
	"$SIGHTED" $C --sightings "$T/b-$v.jsonl" "$T/borrow-$v.pcap" 2>/dev/null
	equals "capture ($v): the probe borrows no answer, the victim stays listed" "$(pairs "$T/b-$v.jsonl")" "evil.com 10.0.0.9;evil.com 203.0.113.200;"
	"$SIGHTED" $C --learn-proxies "$T/b-$v.roles" "$T/borrow-$v.pcap" 2>/dev/null
	equals "…it teaches nothing" "$(grep -vc '^#' "$T/b-$v.roles")" 0
done

# --- the lab: Squid on 127.0.0.1, learnt from the capture -------------------------
L="correlate -q -c 3cx-2023 --year 2023 --build-time 2026-01-01T00:00:00Z"
P=$TESTS_DATA/pcap/lab-3cx-loopback-2023-03-29.pcap S=$TESTS_DATA/samples
"$SIGHTED" $L -o "$T/lab.sdb" --sightings "$T/lab.jsonl" "$P" "$S/dns/lab-dnsmasq-queries.log" "$S/proxy/lab-squid-access.native.log" 2>/dev/null
# Squid served three of the five requests its clients made (200); it answered
# CONNECT officestoragebox.com:443 and GET http://pbxsources.com/exchange 503
# (packets 346, 361: the C2 did not answer it), so those two teach nothing, and
# its own lookups of the two names stay its sightings (dns, low: the safe side)
equals "lab: the proxy's forwarded lookups and fetches are not its sightings, but for the two it answered 503" "$(jq -r 'select(.client == "127.0.0.1") | "\(.indicator) \(.evidence | join(","))"' "$T/lab.jsonl" | sort | tr '\n' ';')" "officestoragebox.com dns;pbxsources.com dns;"
contains "lab: its clients are" "$T/lab.jsonl" '"client":"127\.0\.0\.12".*"pbxsources\.com"'
"$SIGHTED" $L --learn-proxies "$T/lab.roles" "$P" 2>/dev/null
contains "lab: the capture teaches what 127.0.0.1 was asked for" "$T/lab.roles" "^asked proxy 127\.0\.0\.1 by 127\.0\.0\.[0-9]* domain msstorageazure\.com$"
"$SIGHTED" $L --proxies "$T/lab.roles" -o "$T/lab2.sdb" "$P" "$S/dns/lab-dnsmasq-queries.log" "$S/proxy/lab-squid-access.native.log" 2>/dev/null
check "lab: with the learnt file the snapshot is the same (cmp)" cmp "$T/lab.sdb" "$T/lab2.sdb"
done_testing
