#!/bin/bash
# Who the telemetry readers name, end to end, and that a file read whole and
# read as --range shards gives the same snapshot: Suricata 6 alerts on a C2
# whose port is unprivileged (fired on its packet or on its client's),
# year-less syslog times across New Year, the same Zeek conn record in TSV
# and JSON, nfdump ports past 65535 and rows with
# output counters (never answered: the exporter decides what they count).
. "$(dirname "$0")/../lib.sh"
export SOURCE_DATE_EPOCH=1767225600 LC_ALL=C
cat >"$T/t.conf" <<'C'
name = t
window_start = 2022-12-01
window_end = 2023-04-30
indicators = ind.txt
C
printf 'evil.com\n198.51.100.66\n' >"$T/ind.txt"
C="correlate --campaigns $T/t.conf -c t"
# "client indicator confidence direction" per sighting, sorted
seen() { jq -r '"\(.client) \(.indicator) \(.confidence) \(.direction)"' "$1" | sort | tr '\n' ';'; }
# whole file vs two --range shards (the first line, the rest) merged:
# byte-identical snapshots
halves() {
	local f=$1 name=$2 l1
	l1=$(head -1 "$f" | wc -c)
	"$SIGHTED" $C -o "$T/$name.whole.sdb" --sightings "$T/$name.whole.jsonl" "$f" 2>/dev/null
	"$SIGHTED" $C -o "$T/$name.1.sdb" --range 0:"$l1" "$f" 2>/dev/null
	"$SIGHTED" $C -o "$T/$name.2.sdb" --range "$l1": "$f" 2>/dev/null
	"$SIGHTED" merge -o "$T/$name.merged.sdb" "$T/$name.1.sdb" "$T/$name.2.sdb" 2>/dev/null
	if cmp -s "$T/$name.whole.sdb" "$T/$name.merged.sdb"; then
		ok "$name: whole file and two --range shards merged: byte-identical snapshots"
	else
		not_ok "$name: whole file and two --range shards merged: byte-identical snapshots"
	fi
}

# --- 1. Suricata 6 alerts (no direction, no flow object), the C2 on 4443,
# 8081 and 60443 (above its client's port), and on 990 ---
A='"timestamp":"2023-03-15T13:10:00.000000+0000"'
cat >"$T/a.eve" <<E
{$A,"flow_id":41,"event_type":"alert","src_ip":"203.0.113.50","src_port":4443,"dest_ip":"10.0.0.41","dest_port":50041,"proto":"TCP","alert":{"action":"allowed","signature_id":2000001,"signature":"C2 cert"},"tls":{"sni":"evil.com","subject":"CN=evil.com"}}
{$A,"flow_id":42,"event_type":"alert","src_ip":"203.0.113.50","src_port":8081,"dest_ip":"10.0.0.42","dest_port":50042,"proto":"TCP","alert":{"action":"allowed","signature_id":2000002,"signature":"C2 response"},"http":{"hostname":"evil.com","url":"/gate.php","http_method":"GET","status":200}}
{$A,"flow_id":43,"event_type":"alert","src_ip":"10.0.0.43","src_port":50001,"dest_ip":"203.0.113.50","dest_port":60443,"proto":"TCP","alert":{"action":"allowed","signature_id":2000003,"signature":"C2 SNI"},"tls":{"sni":"evil.com"}}
E
"$SIGHTED" $C --sightings "$T/a.jsonl" "$T/a.eve" 2>"$T/a.err"
equals "alerts between two unprivileged ports: nobody is sighted, never the C2" "$(seen "$T/a.jsonl")" ""
contains "  but they are counted" "$T/a.err" 'a.eve: eve, 3 records, 0 matched'
printf '%s\n' "{$A,\"flow_id\":44,\"event_type\":\"alert\",\"src_ip\":\"203.0.113.50\",\"src_port\":990,\"dest_ip\":\"10.0.0.44\",\"dest_port\":50044,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"signature_id\":2000004,\"signature\":\"C2 cert\"},\"tls\":{\"sni\":\"evil.com\"}}" >"$T/a990.eve"
"$SIGHTED" $C --sightings "$T/a990.jsonl" "$T/a990.eve" 2>/dev/null
equals "an alert on the C2's packet from privileged port 990: its client is sighted" "$(seen "$T/a990.jsonl")" \
	"10.0.0.44 evil.com high outbound;"
# the alert after an http event of its flow_id: decided from the alert alone
cat >"$T/p.eve" <<E
{"timestamp":"2023-03-15T13:09:59.000000+0000","flow_id":42,"event_type":"http","src_ip":"10.0.0.42","src_port":50042,"dest_ip":"203.0.113.50","dest_port":8081,"proto":"TCP","http":{"hostname":"benign.example","url":"/x","http_method":"GET","status":200}}
{$A,"flow_id":42,"event_type":"alert","src_ip":"203.0.113.50","src_port":8081,"dest_ip":"10.0.0.42","dest_port":50042,"proto":"TCP","alert":{"action":"allowed","signature_id":2000002,"signature":"C2 response"},"http":{"hostname":"evil.com","url":"/gate.php","http_method":"GET","status":200}}
E
halves "$T/p.eve" p.eve
equals "  nobody is sighted (the http event is benign.example)" "$(seen "$T/p.eve.whole.jsonl")" ""

# --- 2. year-less syslog times: a log across New Year, written 2023-01-05 ---
printf '%s\n' 'Dec 30 10:00:00 gw dnsmasq[811]: query[A] evil.com from 10.0.0.61' \
	'Jan  2 10:00:00 gw dnsmasq[811]: query[A] evil.com from 10.0.0.62' >"$T/dm.log"
touch -d 2023-01-05T00:00:00Z "$T/dm.log"
"$SIGHTED" $C --sightings "$T/dm.jsonl" "$T/dm.log" 2>"$T/dm.err"
equals "December and January lines of a January file: both in the window, both sighted" \
	"$(jq -r '"\(.client) \(.first_seen)"' "$T/dm.jsonl" | sort | tr '\n' ';')" \
	"10.0.0.61 2022-12-30T10:00:00Z;10.0.0.62 2023-01-02T10:00:00Z;"
contains "  the summary says which years" "$T/dm.err" 'dm.log: dnsmasq, 2 records, 2 matched, 0 outside the window.*years 2022-2023 assumed \(the file.s time\)'
halves "$T/dm.log" dm.log
"$SIGHTED" $C --range 0:10 --sightings "$T/dm1.jsonl" "$T/dm.log" 2>"$T/dm1.err"
contains "  a --range shard takes its file's time, not the current year" "$T/dm1.err" 'year 2022 assumed \(the file.s time\)'

# --- 3. one Zeek conn record, TSV and JSON: 'H' against ports that say forward ---
printf '#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\thistory\torig_bytes\tresp_bytes\n1678881660.000000\tC1\t10.0.0.71\t50001\t198.51.100.66\t443\ttcp\tHaDd\t100\t100\n' >"$T/h.log"
echo '{"_path":"conn","ts":1678881660.0,"uid":"C1","id.orig_h":"10.0.0.71","id.orig_p":50001,"id.resp_h":"198.51.100.66","id.resp_p":443,"proto":"tcp","history":"HaDd","orig_bytes":100,"resp_bytes":100}' >"$T/h.json"
"$SIGHTED" $C --sightings "$T/h.tsv.jsonl" "$T/h.log" 2>/dev/null
"$SIGHTED" $C --sightings "$T/h.json.jsonl" "$T/h.json" 2>/dev/null
equals "Zeek TSV: the ports settle it (history is read only when they do not)" "$(seen "$T/h.tsv.jsonl")" \
	"10.0.0.71 198.51.100.66 high outbound;"
equals "Zeek JSON: the same sighting" "$(seen "$T/h.json.jsonl")" "$(seen "$T/h.tsv.jsonl")"

# --- 4, 5. nfdump: a port past 65535 is malformed; opkt/obyt never make a
# row answered (NetFlow v9 egress counters of a one-way flow look the same) ---
H='ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt'
R='2023-03-15 13:10:00,2023-03-15 13:10:01,1.0'
printf '%s\n' "$H" "$R,198.51.100.66,10.0.0.81,65979,50000,TCP,.AP.SF,0,0,5,500,0,0" \
	"$R,10.0.0.82,198.51.100.66,50082,443,TCP,.AP.SF,0,0,5,500,5,6000" \
	"$R,10.0.0.83,198.51.100.66,50083,443,TCP,.AP.SF,0,0,5,500,0,0" >"$T/nf.csv"
"$SIGHTED" $C --sightings "$T/nf.jsonl" "$T/nf.csv" 2>"$T/nf.err"
contains "sp=65979: malformed, reported with file:line and why" "$T/nf.err" "nf.csv:2: sp '65979' is not a port number 0-65535"
contains "  and counted" "$T/nf.err" 'nf.csv: nfdump, 2 records, 2 matched, 0 outside the window, 1 malformed'
equals "no sighting from it (65979 is not 443); rows with and without opkt/obyt both medium" "$(seen "$T/nf.jsonl")" \
	"10.0.0.82 198.51.100.66 medium outbound;10.0.0.83 198.51.100.66 medium outbound;"
done_testing
