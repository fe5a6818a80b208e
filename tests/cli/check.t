#!/bin/bash
# sighted check, merge and info on snapshots built from the demo lists.
. "$(dirname "$0")/../lib.sh"
D=$ROOT/data/demo
C=$ROOT/data/campaigns
"$SIGHTED" import -q --campaigns "$C" -o "$T/3cx.sdb" "$D/impacted-3cx.csv" "$D/impacted-partner.jsonl" 2>/dev/null
"$SIGHTED" import -q --campaigns "$C" -c gopuram-2023 -o "$T/gop.sdb" "$D/impacted-gopuram.txt" 2>/dev/null
check "merge two snapshots" "$SIGHTED" merge -o "$T/all.sdb" "$T/3cx.sdb" "$T/gop.sdb"
DB="--db $T/all.sdb"
listed=$(sed -n 2p "$D/impacted-3cx.csv" | cut -d, -f1)
gop=$(grep -v '^#' "$D/impacted-gopuram.txt" | head -1 | sed 's/\[\.\]/./g')

expect_status 0 "listed address: exit 0" "$SIGHTED" check $DB "$listed"
contains "human output says LISTED" "$T/.out" "^$listed: LISTED"
contains "human output names the campaign and evidence" "$T/.out" "3cx-2023 .*|evidence: list"
expect_status 1 "unlisted address: exit 1" "$SIGHTED" check $DB 192.0.2.255
contains "human output says not listed" "$T/.out" "192.0.2.255: not listed"
expect_status 0 "one listed among several: exit 0" "$SIGHTED" check $DB 192.0.2.255 "$listed"
expect_status 3 "malformed query: exit 3" "$SIGHTED" check $DB 192.0.2.300
contains "malformed query explained" "$T/.out" "IPv4 octet greater than 255"
expect_status 0 "address inside a listed prefix" "$SIGHTED" check $DB 198.51.100.130
contains "the covering prefix is shown" "$T/.out" "198.51.100.128/26"
expect_status 0 "an address sighted for two campaigns" "$SIGHTED" check $DB "$gop"
contains "both campaigns shown" "$T/.out" "gopuram-2023"
contains "both campaigns shown (3cx)" "$T/.out" "3cx-2023"

"$SIGHTED" check $DB --json "$listed" 192.0.2.255 198.51.100.0/24 > "$T/out.jsonl"
equals "JSON Lines: one object per query" "$(wc -l < "$T/out.jsonl")" 3
if jq -e . "$T/out.jsonl" >/dev/null 2>&1; then ok "JSON Lines parse with jq"; else not_ok "JSON Lines parse with jq"; fi
equals "JSON: listed true" "$(jq -r 'select(.query=="'"$listed"'") | .listed' "$T/out.jsonl")" true
equals "JSON: unlisted false" "$(jq -r 'select(.query=="192.0.2.255") | .listed' "$T/out.jsonl")" false
equals "JSON: prefix reports entries inside" "$(jq -r 'select(.query=="198.51.100.0/24") | .inside.count' "$T/out.jsonl")" \
	"$(grep -c '^198\.51\.100\.' "$D/impacted-3cx.csv")"
equals "JSON: evidence of the listed address" "$(jq -r 'select(.query=="'"$listed"'") | .matches[0].sightings[0].evidence | join(",")' "$T/out.jsonl")" \
	"list,$(sed -n 2p "$D/impacted-3cx.csv" | cut -d, -f7 | tr ';' ',')"

"$SIGHTED" check $DB --csv "$listed" 192.0.2.255 > "$T/out.csv"
equals "CSV header" "$(head -1 "$T/out.csv")" "query,listed,relation,key,campaign,first_seen,last_seen,count,evidence,confidence,sources,canonical"
contains "CSV row for the listed address" "$T/out.csv" "^$listed,true,covering,$listed,3cx-2023,"
contains "CSV row for the unlisted address" "$T/out.csv" "^192.0.2.255,false,"
if python3 -c "import csv,sys; rows=list(csv.reader(open('$T/out.csv'))); sys.exit(0 if all(len(r)==12 for r in rows) else 1)"; then ok "CSV rows all have 12 fields"; else not_ok "CSV rows all have 12 fields"; fi

# a stream on stdin: constant memory, one answer per line, bad lines reported
{ for i in $(seq 1 2000); do echo "203.0.113.$((i % 250))"; done; echo "not-an-ip"; echo "$listed"; } > "$T/stream.txt"
"$SIGHTED" check $DB --csv - < "$T/stream.txt" > "$T/stream.csv" 2> "$T/stream.err"
rc=$?
equals "stream: exit 3 because one line was bad" "$rc" 3
"$SIGHTED" check $DB --json - < "$T/stream.txt" > "$T/stream.jsonl" 2>/dev/null
equals "stream: one JSON answer per line" "$(wc -l < "$T/stream.jsonl")" 2002
equals "stream: CSV has a row for every line (one per sighting when listed)" \
	"$(tail -n +2 "$T/stream.csv" | cut -d, -f1 | uniq | wc -l)" 2002
contains "stream: bad line reported with its line number" "$T/stream.err" "\(stdin\):2001: 'not-an-ip'"
contains "stream: a bad line keeps its text in CSV" "$T/stream.csv" "^not-an-ip,error,"
# a big stream read in blocks: lines longer than SD_MAX_LINE (one longer
# than a whole block, one ending exactly at a block's end), CRLF ends, a
# byte-order mark, comments and blank lines; line numbers stay exact
{ printf '\xef\xbb\xbf%s\r\n' "$listed"
  for i in $(seq 1 30000); do echo "203.0.113.$((i % 250))"; done
  head -c 300000 /dev/zero | tr '\0' x; echo
  echo "# a comment"; echo
  printf '%s\r\n' "$listed"
  head -c 70000 /dev/zero | tr '\0' y; echo
  echo "bad-after-long"
} > "$T/big.txt"
"$SIGHTED" check $DB --csv - < "$T/big.txt" > "$T/big.csv" 2> "$T/big.err"
equals "big stream: exit 3 for the bad lines" "$?" 3
contains "big stream: the line longer than a block, by number" "$T/big.err" \
	"\(stdin\):30002: line longer than SD_MAX_LINE"
contains "big stream: the line longer than the limit, by number" "$T/big.err" \
	"\(stdin\):30006: line longer than SD_MAX_LINE"
contains "big stream: the bad line after them, by number" "$T/big.err" "\(stdin\):30007: 'bad-after-long'"
equals "big stream: every query answered (rows of one query together)" \
	"$(tail -n +2 "$T/big.csv" | cut -d, -f1 | uniq | wc -l)" 30003
equals "big stream: BOM and CRLF lines answered as listed" "$(grep -c "^$listed,true," "$T/big.csv")" 2
# a truncated gzip stream: every whole line before the cut is answered,
# then the error
gzip -c "$T/big.txt" > "$T/big.gz"
head -c $(($(wc -c < "$T/big.gz") / 2)) "$T/big.gz" > "$T/cut.gz"
"$SIGHTED" check $DB --csv - < "$T/cut.gz" > "$T/cut.csv" 2> "$T/cut.err"
equals "truncated stream: exit 3" "$?" 3
contains "truncated stream: said" "$T/cut.err" "gzip stream ends early"
whole=$(gzip -dc < "$T/cut.gz" 2>/dev/null | sed '$d' | grep -c '^203')
equals "truncated stream: every whole line before the cut answered" \
	"$(cut -d, -f1 "$T/cut.csv" | uniq | grep -c '^203')" "$whole"
# a stream answers as the command line does, whatever the batched lookup
# could hand back: an address with one entry, one covered by an address
# entry and two prefixes (more than one table), one written as IPv6 text
# or with a length, an unlisted one
printf '192.0.2.0/24\n192.0.0.0/16\n192.0.2.7\n198.51.100.9\n2001:db8::/32\n' > "$T/nested.txt"
"$SIGHTED" import -q -c nested -o "$T/nested.sdb" "$T/nested.txt" 2>/dev/null
qs="192.0.2.7 198.51.100.9 ::ffff:192.0.2.7 192.0.2.7/32 198.51.100.10 192.0.2.200 2001:db8::1 $listed"
printf '%s\n' $qs > "$T/nested.q"
for f in "" --csv --json --listed "--listed --json"; do
	for db in "$T/nested.sdb" "$T/all.sdb"; do
		"$SIGHTED" check -d "$db" $f $qs > "$T/args.out" 2>&1
		"$SIGHTED" check -d "$db" $f - < "$T/nested.q" > "$T/stream.out" 2>&1
		equals "stream and arguments answer alike (${f:-text}, $(basename "$db"))" \
			"$(cat "$T/stream.out")" "$(cat "$T/args.out")"
	done
done
echo 192.0.2.7 | "$SIGHTED" check -d "$T/nested.sdb" --json - > "$T/nested.jsonl"
contains "an address under two prefixes and its own entry: three covering rows" \
	"$T/nested.jsonl" '"key":"192.0.2.7".*"key":"192.0.2.0/24".*"key":"192.0.0.0/16"'
# --listed: only the listed queries, as grepcidr prints them
"$SIGHTED" check $DB --listed --csv - < "$T/stream.txt" > "$T/listed.csv" 2>/dev/null
equals "--listed --csv: exit 3 still tells of the bad line" "$?" 3
equals "--listed --csv: the header and exactly the listed rows of the full answer" \
	"$(cat "$T/listed.csv")" "$(head -1 "$T/stream.csv"; grep '^[^,]*,true,' "$T/stream.csv")"
contains "--listed --csv: the listed address is there" "$T/listed.csv" "^$listed,true,"
"$SIGHTED" check $DB --listed --json - < "$T/stream.txt" > "$T/listed.jsonl" 2>/dev/null
equals "--listed --json: exactly the listed answers" "$(cat "$T/listed.jsonl")" \
	"$(grep '"listed":true}$' "$T/stream.jsonl")"
equals "--listed --json: no error objects" "$(grep -c '"error"' "$T/listed.jsonl")" 0
expect_status 1 "--listed, nothing listed: exit 1" "$SIGHTED" check $DB --listed 192.0.2.255
equals "--listed, nothing listed: no output" "$(wc -c < "$T/.out")" 0
"$SIGHTED" check $DB --listed 192.0.2.255 "$listed" 198.51.100.0/24 10.0.0.0/8 > "$T/listed.txt"
equals "--listed text: the listed address and prefix only" \
	"$(grep -v '^ ' "$T/listed.txt" | tr '\n' ' ')" "$listed: LISTED 198.51.100.0/24: LISTED "
expect_status 0 "quiet mode prints nothing" "$SIGHTED" check $DB -q "$listed"
equals "quiet output is empty" "$(wc -c < "$T/.out")" 0
expect_status 0 "IPv6 listed address" "$SIGHTED" check $DB "$(grep -m1 '^2001:db8' "$D/impacted-3cx.csv" | cut -d, -f1)"
expect_status 0 "IPv4-mapped form of a listed IPv4 address" "$SIGHTED" check $DB "::ffff:$listed"
contains "text: the query as written and its canonical form" "$T/.out" "^::ffff:$listed \\($listed\\): LISTED"
"$SIGHTED" check $DB --json "::ffff:$listed" >"$T/mapped.json" 2>/dev/null
contains "JSON: query as written" "$T/mapped.json" "\"query\":\"::ffff:$listed\""
contains "JSON: canonical form" "$T/mapped.json" "\"canonical\":\"$listed\""
"$SIGHTED" check $DB --csv "::ffff:$listed" >"$T/mapped.csv" 2>/dev/null
contains "CSV: query as written, canonical last" "$T/mapped.csv" "^::ffff:$listed,true,.*,$listed\$"
expect_status 0 "::/0 finds everything inside" "$SIGHTED" check $DB -q ::/0
SIGHTED_DB=$T/all.sdb "$SIGHTED" check -q "$listed"; equals "SIGHTED_DB names the default snapshot" "$?" 0

expect_status 3 "missing snapshot: exit 3" "$SIGHTED" check --db "$T/nope.sdb" "$listed"
contains "missing snapshot named" "$T/.out" "nope.sdb: cannot open snapshot"
head -c 1000 "$T/all.sdb" > "$T/trunc.sdb"
expect_status 3 "truncated snapshot refused" "$SIGHTED" check --db "$T/trunc.sdb" "$listed"
contains "truncation explained" "$T/.out" "truncated"
cp "$T/all.sdb" "$T/flip.sdb"; printf '\xff' | dd of="$T/flip.sdb" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect_status 3 "damaged snapshot refused" "$SIGHTED" check --db "$T/flip.sdb" "$listed"
contains "damage explained" "$T/.out" "checksum mismatch"
expect_status 2 "no query is a usage error" "$SIGHTED" check $DB

check "info" "$SIGHTED" info "$T/all.sdb"
contains "info: entry counts by kind" "$T/.out" "entries: +43 \(IPv4: 35 addresses, 1 prefix; IPv6: 7 addresses, 0 prefixes\)"
contains "info: campaign window" "$T/.out" "window: +2022-12-01T00:00:00Z .. 2023-04-30T23:59:59Z"
"$SIGHTED" info --json "$T/all.sdb" > "$T/info.json"
equals "info --json: campaigns" "$(jq -r '[.campaigns[].name] | join(",")' "$T/info.json")" "3cx-2023,gopuram-2023"
equals "info --json: gopuram entries" "$(jq -r '.campaigns[] | select(.name=="gopuram-2023") | .entries' "$T/info.json")" 5
expect_status 3 "info refuses a damaged snapshot" "$SIGHTED" info "$T/flip.sdb"

# merge order does not matter
"$SIGHTED" merge -o "$T/ba.sdb" "$T/gop.sdb" "$T/3cx.sdb"
"$SIGHTED" check $DB --json ::/0 > "$T/ab.json"
"$SIGHTED" check --db "$T/ba.sdb" --json ::/0 > "$T/ba.json"
if cmp -s "$T/ab.json" "$T/ba.json"; then ok "merge A B and merge B A answer the same"; else not_ok "merge A B and merge B A answer the same"; fi
expect_status 3 "merge refuses a damaged input" "$SIGHTED" merge -o "$T/bad.sdb" "$T/all.sdb" "$T/flip.sdb"
if [ ! -e "$T/bad.sdb" ]; then ok "failed merge writes nothing"; else not_ok "failed merge writes nothing"; fi

for cmd in import check merge info; do
	"$SIGHTED" $cmd --help > "$T/h.txt" 2>&1 && grep -q "usage: sighted $cmd" "$T/h.txt" && ok "$cmd --help" || not_ok "$cmd --help"
done
"$SIGHTED" --version | grep -qE '^sighted [0-9]+\.[0-9]+\.[0-9]+$' && ok "--version" || not_ok "--version"
expect_status 2 "unknown command" "$SIGHTED" frobnicate
done_testing
