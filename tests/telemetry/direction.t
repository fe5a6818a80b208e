#!/bin/bash
# Who is the client, on real producers' files (tests/data/samples, see their
# PROVENANCE.md): the readers' clients are checked against references
# computed here with jq/awk from the raw events -- the query event of the
# same flow_id for a DNS answer, the service port for alerts and one-way
# flows, Zeek's own originator when it saw the SYN.
. "$(dirname "$0")/../lib.sh"
D="$TESTS_DATA/samples"
# the service ports of src/telemetry/direction.c
SVC='[21,22,23,25,53,80,110,143,389,443,445,465,587,636,853,993,995,1080,3128,3389,8000,8080,8443,8888]'

# records' client per line: "LINE CLIENT"
clients() { "$SIGHTED" records --json --quiet "$@" | jq -r '"\(.position) \(.client)"' | sort; }

# DNS answers: the querier is the src_ip of the query with the same flow_id.
# Suricata 4.1 (beats) writes answers in packet direction, Suricata 6
# (slips) in flow direction: both must give the querier.
for f in suricata/beats-eve-dns-4.1.4.json suricata/slips-test6-malicious.eve.part1-lines1-2000.json; do
	jq -n -r '[inputs] | to_entries | map(.value + {line: (.key + 1)}) as $ev
		| ($ev | map(select(.event_type == "dns" and .dns.type == "query"))
		   | map({key: (.flow_id | tostring), value: .src_ip}) | from_entries) as $q
		| $ev[] | select(.event_type == "dns" and .dns.type == "answer"
		   and $q[.flow_id | tostring] != null)
		| "\(.line) \($q[.flow_id | tostring])"' "$D/$f" | sort >"$T/want"
	clients "$D/$f" | join - <(cut -d' ' -f1 "$T/want") >"$T/got"
	equals "$(basename "$f"): answers paired with their query (some)" "$([ "$(wc -l <"$T/want")" -ge 8 ] && echo yes)" yes
	check "$(basename "$f"): every answer's client is its query's sender" diff "$T/want" "$T/got"
done
# the two layouts really differ: packet direction in one, flow in the other
equals "beats answers are in packet direction (resolver in src_ip)" \
	"$(jq -r 'select(.dns.type == "answer") | .src_port' "$D/suricata/beats-eve-dns-4.1.4.json" | sort -u)" 53
equals "slips answers are in flow direction (querier in src_ip)" \
	"$(jq -r 'select(.dns.type == "answer") | .dest_port' "$D/suricata/slips-test6-malicious.eve.part1-lines1-2000.json" | sort -u)" 53

# Alerts (Suricata 6 writes the fired packet's addresses and no
# "direction"): fired on a packet from a service port to an ephemeral one,
# the client is the destination; otherwise as written.
E="$D/suricata/slips-test6-malicious.eve.part1-lines1-2000.json"
jq -n -r --argjson svc "$SVC" '[inputs] | to_entries[] | .value as $e | select($e.event_type == "alert")
	| (($svc | index([$e.src_port])) != null and ($svc | index([$e.dest_port])) == null
	   and $e.dest_port >= 1024) as $back
	| "\(.key + 1) \(if $back then $e.dest_ip else $e.src_ip end) \($back)"' "$E" | sort >"$T/alerts"
clients "$E" | join - <(cut -d' ' -f1 "$T/alerts") >"$T/got"
equals "slips: 745 alerts" "$(wc -l <"$T/alerts")" 745
equals "slips: some alerts fired on the server's packets" "$(grep -c ' true$' "$T/alerts" | awk '{print ($1 >= 10)}')" 1
check "slips: every alert's client is the side that began the exchange" diff <(cut -d' ' -f1,2 "$T/alerts") "$T/got"

# nfdump: one record per direction; the reply half is turned round, so both
# halves of an exchange name the same client, never from a service port.
"$SIGHTED" records --json --quiet "$D/netflow/lab-3cx-loopback.ipfix.csv" >"$T/nf.jsonl"
backwards='.client_port as $c | .server_port as $s
	| ($svc | index([$c])) != null and $s >= 1024 and ($svc | index([$s])) == null'
equals "nfdump: the file has reply flows (from a service port to an ephemeral one)" \
	"$(awk -F, 'NR > 1 && ($6 + 0 == 3128 || $6 + 0 == 53 || $6 + 0 == 443 || $6 + 0 == 80) && $7 + 0 >= 1024' "$D/netflow/lab-3cx-loopback.ipfix.csv" | wc -l | awk "{print (\$1 >= 5)}")" 1
equals "nfdump: no record's client is on the service port" \
	"$(jq --argjson svc "$SVC" "select($backwards)" "$T/nf.jsonl" | wc -l)" 0
equals "nfdump: the two halves of each exchange name one client" \
	"$(jq -s 'group_by([([.client, .server] | sort), ([.client_port, .server_port] | sort)])
		| map(select((map(.client) | unique | length) > 1)) | length' "$T/nf.jsonl")" 0
equals "nfdump: both halves are there (exchanges with two records)" \
	"$(jq -s 'group_by([([.client, .server] | sort), ([.client_port, .server_port] | sort)])
		| map(select(length == 2)) | length | . >= 10' "$T/nf.jsonl")" true

# Zeek conn: where Zeek saw the originator's SYN (history starting with S)
# its originator stays the client.
C="$D/zeek/ctu-sme-11-win.conn.log.labeled"
col=$(grep '^#fields' "$C" | tr '\t' '\n' | grep -n '^history$' | cut -d: -f1)
awk -F'\t' -v c=$((col - 1)) '!/^#/ { n++; if (substr($c, 1, 1) == "S") print n " " $3 }' "$C" | sort >"$T/syn"
"$SIGHTED" records --json --quiet "$C" | jq -r '"\(.client)"' | awk '{ print NR " " $1 }' | sort | join - <(cut -d' ' -f1 "$T/syn") >"$T/got"
equals "zeek: 719 connections with the originator's SYN" "$(wc -l <"$T/syn")" 719
check "zeek: their client is id.orig_h" diff "$T/syn" "$T/got"
done_testing
