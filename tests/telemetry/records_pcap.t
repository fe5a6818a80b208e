#!/bin/bash
# sighted records on real captures: pcap detection, JSON and CSV output,
# gzip/zstd and pcapng made by the real tools, stdin, a truncated capture.
set -u
D="$TESTS_DATA/pcap"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
check() { local what=$1; shift; "$@"; ok $? "$what"; }
LAB="$D/lab-3cx-loopback-2023-03-29.pcap"

"$SIGHTED" records --json "$LAB" >"$T/lab.jsonl" 2>"$T/lab.err"
ok $? "lab capture read"
check "summary: pcap, 98 records, none malformed" grep -q 'pcap, 98 records, 0 malformed' "$T/lab.err"
check "every line is JSON" jq -e . "$T/lab.jsonl" >/dev/null
check "32 DNS, 12 TLS, 10 HTTP, 44 flows" test "$(jq -r .kind "$T/lab.jsonl" | sort | uniq -c | awk '{printf "%s=%s ", $2, $1}')" = "dns=32 flow=44 http=10 tls=12 "
check "SNI akamaicontainer.com from 127.0.0.11, three times" test "$(jq -r 'select(.kind=="tls" and .name=="akamaicontainer.com") | .client' "$T/lab.jsonl" | sort | uniq -c | awk '{print $1, $2}')" = "3 127.0.0.11"
check "AAAA msstorageazure.com from ::1 answered ::1" test "$(jq -c 'select(.kind=="dns" and .client=="::1") | [.name, .answers]' "$T/lab.jsonl" | sort -u)" = '["msstorageazure.com",["::1"]]'
check "DNS over TCP from 127.0.0.14" test "$(jq -r 'select(.kind=="dns" and .proto==6) | "\(.client) \(.name) \(.answers[0])"' "$T/lab.jsonl")" = "127.0.0.14 akamaicontainer.com 127.0.0.101"
check "ESET URL from 127.0.0.15" test "$(jq -r 'select(.kind=="http" and .client=="127.0.0.15") | "\(.name)\(.path)"' "$T/lab.jsonl")" = "journalide.org/djour.php"
check "CONNECT through the proxy is flagged" test "$(jq -r 'select(.kind=="http" and .client=="127.0.0.12" and .path==null) | .flags | index("via_proxy") != null' "$T/lab.jsonl" | sort -u)" = "true"
check "packet numbers as positions" test "$(jq -r 'select(.kind=="http" and .client=="127.0.0.15") | .position' "$T/lab.jsonl")" = 393

# the same through gzip, zstd and stdin: identical records
"$SIGHTED" records --csv "$LAB" >"$T/plain.csv" 2>/dev/null
gzip -c "$LAB" >"$T/lab.pcap.gz"
zstd -q -c "$LAB" >"$T/lab.pcap.zst"
"$SIGHTED" records --csv "$T/lab.pcap.gz" 2>/dev/null | cut -d, -f2- >"$T/gz.csv"; ok $? "gzip capture read"
"$SIGHTED" records --csv "$T/lab.pcap.zst" 2>/dev/null | cut -d, -f2- >"$T/zst.csv"; ok $? "zstd capture read"
"$SIGHTED" records --csv - <"$LAB" 2>/dev/null | cut -d, -f2- >"$T/stdin.csv"; ok $? "capture on stdin"
cut -d, -f2- "$T/plain.csv" >"$T/plain2.csv"
check "gzip gives the same records" cmp -s "$T/plain2.csv" "$T/gz.csv"
check "zstd gives the same records" cmp -s "$T/plain2.csv" "$T/zst.csv"
check "stdin gives the same records" cmp -s "$T/plain2.csv" "$T/stdin.csv"

# pcapng written by a real tool, if one is installed (editcap from
# Wireshark is optional; the unit tests write pcapng themselves)
if command -v editcap >/dev/null; then
	editcap -F pcapng "$LAB" "$T/lab.pcapng"
	"$SIGHTED" records --csv "$T/lab.pcapng" 2>/dev/null | cut -d, -f2- >"$T/ng.csv"
	check "pcapng from editcap gives the same records" cmp -s "$T/plain2.csv" "$T/ng.csv"
fi

# the Zeek traces
check "SNI ssl.gstatic.com" test "$("$SIGHTED" records --json "$D/zeek-tls-conn-with-extensions.pcap" 2>/dev/null | jq -r 'select(.kind=="tls") | .name')" = ssl.gstatic.com
check "SNI google.de" test "$("$SIGHTED" records --json "$D/zeek-tls-chrome-34-google.pcap" 2>/dev/null | jq -r 'select(.kind=="tls") | .name')" = google.de

# a capture cut inside its last packet: the records so far, then an error
head -c 100000 "$LAB" >"$T/cut.pcap"
"$SIGHTED" records --json "$T/cut.pcap" >"$T/cut.jsonl" 2>"$T/cut.err"
check "truncated capture exits with status 3" test $? = 3
check "the error names the file and the packets read" grep -q "cut.pcap: truncated capture after [0-9]* packets" "$T/cut.err"
check "records before the cut are kept" test "$(jq -r 'select(.kind=="tls") | .name' "$T/cut.jsonl" | grep -c akamaicontainer.com)" -ge 2

echo "1..$n"
