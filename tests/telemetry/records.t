#!/bin/bash
# sighted records on the real sample files: detection, output formats,
# compressed input, forced formats, errors and exit status.
set -u
D="$TESTS_DATA/samples"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
check() { local what=$1; shift; "$@"; ok $? "$what"; }

"$SIGHTED" records --help | grep -q -- '--columns'; ok $? "records --help documents --columns"

# Zeek TSV, text output: one line per record
"$SIGHTED" records "$D/zeek/ctu-sme-11-win.conn.log.labeled" >"$T/conn.txt" 2>"$T/conn.err"
ok $? "zeek conn.log read"
check "766 records printed" test "$(wc -l <"$T/conn.txt")" = 766
check "summary names the format and counts" grep -q 'zeek, 766 records, 0 malformed' "$T/conn.err"
check "first record: time, kind, endpoints" grep -qP '^2023-02-22T00:00:03Z\tflow\t192.168.1.107\t65164\t66.63.168.35\t5888\t6\t' "$T/conn.txt"

# EVE as JSON Lines, checked with jq
"$SIGHTED" records --json "$D/suricata/beats-eve-small.json" >"$T/eve.jsonl" 2>/dev/null
ok $? "eve read as JSON"
jq -e . "$T/eve.jsonl" >/dev/null; ok $? "every line is JSON"
check "SNI without its trailing dot" test "$(jq -r 'select(.kind=="tls") | .name' "$T/eve.jsonl" | sort | tr '\n' ' ')" = "l2.io p33-btmmdns.icloud.com "
check "escaped slash in the URL" test "$(jq -r 'select(.kind=="http") | .path' "$T/eve.jsonl")" = "/dd.xml"
check "time in ISO 8601 UTC" test "$(jq -r 'select(.name=="l2.io") | .ts' "$T/eve.jsonl")" = "2018-07-05T19:07:20Z"

# CSV output of the Squid log: header + 5 rows, the proxy flag
"$SIGHTED" records --csv "$D/proxy/lab-squid-access.combined.log" >"$T/squid.csv" 2>/dev/null
ok $? "squid combined read as CSV"
check "CSV header" grep -q '^file,position,ts,kind,client,client_port,server,server_port,proto,name,path,answers,bytes,packets,flags$' "$T/squid.csv"
check "CSV rows" test "$(wc -l <"$T/squid.csv")" = 6
check "IconStorages URL path on the shared host" grep -q ',http,127.0.0.12,0,,0,6,raw.githubusercontent.com,/IconStorages/images/main/icon15.ico,,0,0,via_proxy answered$' "$T/squid.csv"

# gzip and zstd made by the real tools, from a file and from stdin
gzip -c "$D/zeek/wrccdc-2018-03-24.dns.first3000.log" >"$T/dns.log.gz"
zstd -q -c "$D/zeek/wrccdc-2018-03-24.dns.first3000.log" >"$T/dns.log.zst"
"$SIGHTED" records --quiet "$D/zeek/wrccdc-2018-03-24.dns.first3000.log" >"$T/plain.txt"
"$SIGHTED" records --quiet "$T/dns.log.gz" >"$T/gz.txt"; ok $? "gzip input"
"$SIGHTED" records --quiet - <"$T/dns.log.zst" >"$T/zst.txt"; ok $? "zstd input on stdin"
check "gzip gives the same records" cmp -s "$T/plain.txt" "$T/gz.txt"
check "zstd gives the same records" cmp -s "$T/plain.txt" "$T/zst.txt"
check "3000 dns records" test "$(wc -l <"$T/plain.txt")" = 3000

# concatenated gzip members (as `cat a.gz b.gz`) read as one stream
L="$D/zeek/wrccdc-2018-03-24.dns.first3000.log"
{ head -n 1500 "$L" | gzip -c; tail -n +1501 "$L" | gzip -c; } >"$T/two.log.gz"
"$SIGHTED" records --quiet "$T/two.log.gz" >"$T/two.txt"; ok $? "two gzip members"
check "two members give the same records" cmp -s "$T/plain.txt" "$T/two.txt"
# a corrupted byte in the deflate data: an error naming the file, exit 3
cp "$T/dns.log.gz" "$T/bad.log.gz"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$T/bad.log.gz" bs=1 seek=5000 conv=notrunc 2>/dev/null
"$SIGHTED" records --quiet "$T/bad.log.gz" >/dev/null 2>"$T/bad.err"
check "corrupt gzip exits 3" test $? = 3
check "corrupt gzip names the file" grep -q "bad.log.gz: corrupt gzip data" "$T/bad.err"

# truncated gzip: error names the file and how much was read, exit 3
head -c 20000 "$T/dns.log.gz" >"$T/cut.log.gz"
"$SIGHTED" records --quiet "$T/cut.log.gz" >"$T/cut.txt" 2>"$T/cut.err"
check "truncated gzip exits 3" test $? = 3
check "error names the file and what was read" grep -q "cut.log.gz: gzip stream ends early (truncated after 20000 compressed bytes" "$T/cut.err"
check "records before the cut are printed" test "$(wc -l <"$T/cut.txt")" -gt 100

# generic CSV needs --columns; with it, the tshark export reads
"$SIGHTED" records --format csv "$D/tshark/lab-3cx-loopback.tshark-fields.csv" >/dev/null 2>"$T/csv.err"
check "csv without --columns is a usage error (exit 2)" test $? = 2
check "and says it needs a column map" grep -q 'needs a column map' "$T/csv.err"
MAP=time=frame.time_epoch,client=ip.src,client=ipv6.src,server=ip.dst,server=ipv6.dst,client_port=udp.srcport,client_port=tcp.srcport,response=dns.flags.response,dns=dns.qry.name,answer=dns.a,answer=dns.aaaa,sni=tls.handshake.extensions_server_name,host=http.host,path=http.request.uri
"$SIGHTED" records --json --columns "$MAP" "$D/tshark/lab-3cx-loopback.tshark-fields.csv" >"$T/tshark.jsonl" 2>/dev/null
ok $? "tshark export with --columns"
check "86 records" test "$(wc -l <"$T/tshark.jsonl")" = 86
check "TLS SNI of a 3CX C2 name" test "$(jq -r 'select(.kind=="tls" and .name=="akamaicontainer.com") | .client' "$T/tshark.jsonl" | sort -u)" = "127.0.0.11"
check "TLS over IPv6 from the ipv6.* columns" test "$(jq -r 'select(.kind=="tls" and .client=="::1") | .name' "$T/tshark.jsonl" | sort | uniq -c | tr -s ' ')" = " 3 msstorageazure.com"

# dnsmasq without a year: --year
"$SIGHTED" records --json --year 2023 "$D/dns/lab-dnsmasq-queries.log" >"$T/dm.jsonl" 2>/dev/null
check "dnsmasq with --year 2023" test "$(head -1 "$T/dm.jsonl" | jq -r .ts)" = "2023-03-29T13:55:06Z"
"$SIGHTED" records --json "$D/dns/lab-bind9-query.log" >"$T/bind.jsonl" 2>/dev/null
check "bind: mixed-case name kept for the matcher" test "$(jq -r 'select(.name=="WWW.OfficeAddons.COM") | .client' "$T/bind.jsonl")" = "127.0.0.16"

# forced format on the wrong input: each line is malformed, reported with file:line
"$SIGHTED" records --format eve "$D/dns/lab-bind9-query.log" >"$T/forced.txt" 2>"$T/forced.err"
check "forced wrong format: every line malformed is an error (exit 3)" test $? = 3
check "malformed lines reported as file:line: why" grep -q "lab-bind9-query.log:1: not valid JSON" "$T/forced.err"
check "all 9 lines malformed" grep -q "eve, 0 records, 9 malformed" "$T/forced.err"

# usage and unreadable input
"$SIGHTED" records --format nope x 2>/dev/null; check "unknown format exits 2" test $? = 2
"$SIGHTED" records "$T/does-not-exist" 2>"$T/ne.err"; check "missing file exits 3" test $? = 3
check "and names the file" grep -q does-not-exist "$T/ne.err"
printf 'hello\n' >"$T/hello.txt"
"$SIGHTED" records "$T/hello.txt" 2>"$T/hello.err"; check "undetectable input exits 3" test $? = 3
check "and suggests --format" grep -q -- '--format' "$T/hello.err"

# every sample is detected as the right format
for pair in zeek/zeek-cut-logs.conn.log:zeek zeek/beats-ssl-json.log:zeek-json \
	suricata/beats-eve-dns-4.1.4.json:eve netflow/zeek-wikipedia.ipfix.csv:nfdump \
	proxy/beats-squid-access4.log:squid proxy/lab-squid-access.native.log:squid \
	dns/lab-bind9-query.log:bind dns/lab-dnsmasq-queries.log:dnsmasq; do
	f=${pair%%:*} fmt=${pair##*:}
	"$SIGHTED" records "$D/$f" 2>&1 >/dev/null | grep -q ": $fmt, "; ok $? "$f detected as $fmt"
done
echo "1..$n"
