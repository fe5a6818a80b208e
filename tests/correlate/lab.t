#!/bin/bash
# sighted correlate on the real lab samples (tests/data/pcap, tests/data/samples:
# see their PROVENANCE.md) against the bundled 3cx-2023 campaign, checked
# against the lab's ground truth (client roles in the provenance table).
set -u
: "${SIGHTED:?}" "${TESTS_DATA:?}"
export SIGHTED_CAMPAIGNS="$TESTS_DATA/../../data/campaigns" SIGHTED_NO_PROGRESS=1
P=$TESTS_DATA/pcap S=$TESTS_DATA/samples
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
# client -> "evidence confidence" merged over its lines
who() { jq -rs --arg c "$2" '[.[] | select(.client == $c)] | if length == 0 then "none" else
	"\([.[].evidence[]] | unique | join(",")) \([.[].confidence] | if index("high") then "high" elif index("medium") then "medium" else "low" end)" end' "$1"; }
# does client $2 have a sighting of indicator $3 in $1
has() { jq -r --arg c "$2" 'select(.client == $c) | .indicator' "$1" | grep -qxF "$3"; }
# campaign, evidence and confidence of the first sighting in check --json
checked() { "$SIGHTED" check --db "$1" --json "$2" | jq -r '.matches[0].sightings[0] | "\(.campaign) \(.evidence | join(",")) \(.confidence)"'; }
LAB="$P/lab-3cx-loopback-2023-03-29.pcap $S/dns/lab-dnsmasq-queries.log $S/dns/lab-bind9-query.log $S/proxy/lab-squid-access.native.log $S/proxy/lab-squid-access.combined.log $S/netflow/lab-3cx-loopback.ipfix.csv"

"$SIGHTED" correlate -c 3cx-2023 --year 2023 -j 2 --build-time 2026-01-01 -o "$T/lab.sdb" --sightings "$T/lab.jsonl" $LAB >"$T/out" 2>"$T/err"
rc=$?
ok "correlate on every lab file exits 0" '[ $rc -eq 0 ]'
ok "127.0.0.11: DNS + TLS SNI to the C2, high" '[ "$(who "$T/lab.jsonl" 127.0.0.11)" = "dns,tls high" ]'
ok "127.0.0.11: three beacons 13:55:11-13:55:52" '[ "$(jq -r "select(.client == \"127.0.0.11\") | \"\(.first_seen) \(.last_seen) \(.server):\(.server_port)\"" "$T/lab.jsonl")" = "2023-03-29T13:55:11Z 2023-03-29T13:55:52Z 127.0.0.101:443" ]'
ok "::1 (IPv6, client = server address): DNS + TLS, high" '[ "$(who "$T/lab.jsonl" ::1)" = "dns,tls high" ]'
ok "127.0.0.12 behind the proxy: HTTP + TLS in CONNECT, high" '[ "$(who "$T/lab.jsonl" 127.0.0.12)" = "http,tls high" ]'
ok "127.0.0.12: the IconStorages path on the shared host" 'has "$T/lab.jsonl" 127.0.0.12 https://raw.githubusercontent.com/IconStorages/images/main/icon15.ico'
ok "127.0.0.14: DNS only, low" '[ "$(who "$T/lab.jsonl" 127.0.0.14)" = "dns low" ]'
ok "127.0.0.14: subdomains and mixed case (cdn.pbxsources.com, JournalIDE.org)" '[ "$(jq -r "select(.client == \"127.0.0.14\") | .indicator" "$T/lab.jsonl" | sort | tr "\n" " ")" = "akamaicontainer.com journalide.org msstorageazure.com officestoragebox.com pbxsources.com " ]'
ok "127.0.0.15: DNS + the ESET URL over HTTP, high" '[ "$(who "$T/lab.jsonl" 127.0.0.15)" = "dns,http high" ] && has "$T/lab.jsonl" 127.0.0.15 https://journalide.org/djour.php'
ok "127.0.0.13 (www.3cx.com, another repo on the shared host, github.com): not sighted" '[ "$(who "$T/lab.jsonl" 127.0.0.13)" = none ]'
# Squid answered CONNECT officestoragebox.com:443 and GET http://pbxsources.com/
# 503 (the C2 did not answer it): a request the proxy did not serve teaches
# nothing (docs/correlate.md), so its own lookups of those two names stay
ok "127.0.0.1 (the proxy): only its lookups of the two names it answered 503" '[ "$(who "$T/lab.jsonl" 127.0.0.1)" = "dns low" ] && [ "$(jq -r "select(.client == \"127.0.0.1\") | .indicator" "$T/lab.jsonl" | sort | tr "\n" " ")" = "officestoragebox.com pbxsources.com " ] && grep -Eq "sightings? of proxies left out" "$T/err"'
ok "BIND log (2026 clock): every record outside the window" 'grep -q "lab-bind9-query.log: bind, 9 records, 0 matched, 9 outside the window" "$T/err"'
ok "per-file summary for each input" '[ "$(grep -c " records, " "$T/err")" = 6 ]'
ok "sources name the files" '[ "$(jq -r "select(.client == \"127.0.0.12\") | .sources[]" "$T/lab.jsonl" | sort -u | tr "\n" " ")" = "lab-3cx-loopback-2023-03-29.pcap lab-squid-access.combined.log lab-squid-access.native.log " ]'

"$SIGHTED" check --db "$T/lab.sdb" -q 127.0.0.11 ::1 127.0.0.12 127.0.0.14 127.0.0.15
rc=$?
ok "check: the impacted clients are listed" '[ $rc -eq 0 ]'
"$SIGHTED" check --db "$T/lab.sdb" -q 127.0.0.13 127.0.0.101
rc=$?
ok "check: bystander and C2 are not" '[ $rc -eq 1 ]'
ok "check --json: evidence and confidence in the snapshot" '[ "$(checked "$T/lab.sdb" 127.0.0.14)" = "3cx-2023 dns low" ] && [ "$(checked "$T/lab.sdb" 127.0.0.11)" = "3cx-2023 dns,tls high" ]'
ok "snapshot count is records: .11's 3 beacons (DNS + TLS in the capture, DNS in dnsmasq) = 9" '[ "$("$SIGHTED" check --db "$T/lab.sdb" --json 127.0.0.11 | jq .matches[0].sightings[0].count)" = 9 ]'
ok "info reads the snapshot" '"$SIGHTED" info "$T/lab.sdb" | grep -q "entries:    6"'

"$SIGHTED" correlate -c 3cx-2023 --year 2023 -j 1 --build-time 2026-01-01 -o "$T/j1.sdb" --sightings "$T/j1.jsonl" $LAB 2>/dev/null
ok "-j 1 and -j 2 give identical snapshots and sightings" 'cmp -s "$T/j1.sdb" "$T/lab.sdb" && cmp -s "$T/j1.jsonl" "$T/lab.jsonl"'

"$SIGHTED" correlate -c 3cx-2023 --year 2023 --keep-proxies --sightings "$T/kp.jsonl" $LAB 2>/dev/null
ok "--keep-proxies: the proxy's own lookups and fetches appear" '[ "$(who "$T/kp.jsonl" 127.0.0.1)" = "dns,http,tls high" ]'

# the proxy's own logs alone do not show it is a proxy: --proxy says so
"$SIGHTED" correlate -c 3cx-2023 --year 2023 --sightings "$T/dm.jsonl" "$S/dns/lab-dnsmasq-queries.log" 2>/dev/null
ok "dnsmasq alone: the proxy's lookups look like a client" '[ "$(who "$T/dm.jsonl" 127.0.0.1)" = "dns low" ]'
"$SIGHTED" correlate -c 3cx-2023 --year 2023 --proxy 127.0.0.1 --sightings "$T/dm.jsonl" "$S/dns/lab-dnsmasq-queries.log" "$S/proxy/lab-squid-access.native.log" 2>/dev/null
ok "dnsmasq + squid with --proxy: clients only" '[ "$(who "$T/dm.jsonl" 127.0.0.1)" = none ] && [ "$(who "$T/dm.jsonl" 127.0.0.12)" = "http high" ] && [ "$(who "$T/dm.jsonl" 127.0.0.15)" = "dns low" ]'

MAP=time=frame.time_epoch,client=ip.src,client=ipv6.src,server=ip.dst,server=ipv6.dst,client_port=udp.srcport,client_port=tcp.srcport,response=dns.flags.response,dns=dns.qry.name,answer=dns.a,answer=dns.aaaa,sni=tls.handshake.extensions_server_name,host=http.host,path=http.request.uri
"$SIGHTED" correlate -c 3cx-2023 --format csv --columns "$MAP" --sightings "$T/ts.jsonl" "$P/lab-3cx-loopback.tshark-fields.csv" 2>/dev/null
ok "tshark field export (generic CSV): same clients as the pcap" '[ "$(jq -r .client "$T/ts.jsonl" | sort -u | tr "\n" " ")" = "127.0.0.11 127.0.0.12 127.0.0.14 127.0.0.15 ::1 " ]'

# damaged inputs: what was read before the damage is kept
head -c 40000 "$P/lab-3cx-loopback-2023-03-29.pcap" >"$T/cut.pcap"
"$SIGHTED" correlate -c 3cx-2023 -o "$T/cut.sdb" --sightings "$T/cut.jsonl" "$T/cut.pcap" 2>"$T/err"
rc=$?
ok "truncated pcap: exit 3 naming the file" '[ $rc -eq 3 ] && grep -q "cut.pcap: pcap, .*error: .*cut.pcap" "$T/err"'
ok "truncated pcap: sightings before the cut are written" '[ "$(who "$T/cut.jsonl" 127.0.0.11)" = "dns,tls high" ] && [ -s "$T/cut.sdb" ]'
gzip -c "$S/dns/lab-dnsmasq-queries.log" | head -c 600 >"$T/cut.log.gz"
"$SIGHTED" correlate -c 3cx-2023 --year 2023 --sightings "$T/gz.jsonl" "$T/cut.log.gz" 2>"$T/err"
rc=$?
ok "truncated gzip: exit 3 with the file named" '[ $rc -eq 3 ] && grep -q "cut.log.gz: dnsmasq, .*error: .*cut.log.gz" "$T/err"'
ok "truncated gzip: earlier sightings kept" '[ "$(who "$T/gz.jsonl" 127.0.0.11)" = "dns low" ]'

{ head -3 "$S/proxy/lab-squid-access.native.log"; echo "garbage line one"; echo "garbage line two"; echo "garbage line three"; tail -2 "$S/proxy/lab-squid-access.native.log"; } >"$T/bad.log"
"$SIGHTED" correlate -c 3cx-2023 --format squid --max-errors 1 --sightings "$T/bad.jsonl" "$T/bad.log" 2>"$T/err"
rc=$?
ok "--max-errors 1: stops with exit 3" '[ $rc -eq 3 ] && grep -q "max-errors" "$T/err"'
ok "malformed records reported as file:line" 'grep -q "bad.log:4: " "$T/err"'
ok "--max-errors: sightings before the stop are written" '[ "$(who "$T/bad.jsonl" 127.0.0.12)" = "http high" ]'

"$SIGHTED" correlate -c gopuram-2023 --sightings "$T/g.jsonl" $LAB 2>"$T/err"
rc=$?
ok "gopuram-2023 (hashes only): runs, says why nothing can be sighted" '[ $rc -eq 0 ] && grep -q "no network indicators" "$T/err" && [ ! -s "$T/g.jsonl" ]'
"$SIGHTED" correlate -c 3cx-2023 -o "$T/x.sdb" "$T/missing.log" 2>"$T/err"
rc=$?
ok "missing telemetry file: exit 3" '[ $rc -eq 3 ] && grep -q missing.log "$T/err"'
"$SIGHTED" correlate -c no-such-campaign -o "$T/x.sdb" "$P/zeek-http-get.pcap" 2>/dev/null
rc=$?
ok "unknown campaign: exit 3" '[ $rc -eq 3 ]'
"$SIGHTED" correlate -c 3cx-2023 "$P/zeek-http-get.pcap" 2>/dev/null
rc=$?
ok "no output named: usage error" '[ $rc -eq 2 ]'
ok "--help" '"$SIGHTED" correlate --help | grep -q "usage: sighted correlate"'
echo "1..$n"
