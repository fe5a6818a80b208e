#!/bin/bash
# sighted diff and the snapshot content identifier: added, removed and
# changed sightings in text, JSON Lines and CSV; exit status like diff(1);
# the content id ignores the build time and follows the contents.
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
printf '192.0.2.1\n192.0.2.2\n198.51.100.0/24\n2001:db8::1\n' > "$T/a.txt"
printf '192.0.2.2\n192.0.2.3\n198.51.100.0/24\n2001:db8::1\n' > "$T/b.txt"
cat > "$T/conf.csv" <<'CSV'
ip,first_seen,last_seen,count,confidence
192.0.2.2,2023-03-22T00:00:00Z,2023-03-23T00:00:00Z,1,high
CSV
"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q --build-time 2023-04-01T00:00:00Z -o "$T/a.sdb" "$T/a.txt" 2>/dev/null
"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q --build-time 2023-05-01T00:00:00Z -o "$T/a2.sdb" "$T/a.txt" 2>/dev/null
"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o "$T/b.sdb" "$T/b.txt" "$T/b.txt" 2>/dev/null
"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o "$T/c.sdb" "$T/a.txt" "$T/conf.csv" 2>/dev/null

# content identifier
ida=$("$SIGHTED" info "$T/a.sdb" | sed -n 's/^content id: //p')
ida2=$("$SIGHTED" info --json "$T/a2.sdb" | jq -r .content_id)
idb=$("$SIGHTED" info --json "$T/b.sdb" | jq -r .content_id)
if [[ $ida =~ ^[0-9a-f]{16}$ ]]; then ok "info shows a 16-hex-digit content id"; else not_ok "content id '$ida'"; fi
equals "same input, other build time: same content id" "$ida2" "$ida"
if [ "$ida" != "$idb" ]; then ok "other contents: other content id"; else not_ok "content id did not change"; fi

expect_status 0 "identical contents: exit 0" "$SIGHTED" diff "$T/a.sdb" "$T/a2.sdb"
contains "summary counts unchanged sightings" "$T/.out" "0 added, 0 removed, 0 changed, 4 unchanged"
expect_status 1 "differences: exit 1" "$SIGHTED" diff -q -o "$T/d.txt" "$T/a.sdb" "$T/b.sdb"
equals "text: one line per difference" "$(wc -l < "$T/d.txt")" 5
contains "added marked +" "$T/d.txt" '^\+ 192\.0\.2\.3 3cx-2023 .*count=2'
contains "removed marked -" "$T/d.txt" '^- 192\.0\.2\.1 3cx-2023 '
contains "changed marked ~ with old and new count" "$T/d.txt" '^~ 198\.51\.100\.0/24 3cx-2023 count=1->2'
contains "IPv6 key compared" "$T/d.txt" '^~ 2001:db8::1 '

"$SIGHTED" diff -q --json "$T/a.sdb" "$T/b.sdb" > "$T/d.jsonl"
equals "JSON Lines parse, one object per difference" "$(jq -c . "$T/d.jsonl" | wc -l)" 5
equals "added has no old side" "$(jq -r 'select(.change=="added") | [.prefix, (.old|tostring), .new.count] | @tsv' "$T/d.jsonl")" "$(printf '192.0.2.3\tnull\t2')"
equals "changed names its fields" "$(jq -r 'select(.prefix=="192.0.2.2") | .fields | join(",")' "$T/d.jsonl")" "count,sources"

"$SIGHTED" diff -q --json "$T/a.sdb" "$T/c.sdb" > "$T/e.jsonl"
equals "confidence and dates that grew are a change" \
	"$(jq -r 'select(.prefix=="192.0.2.2") | [.fields[]] | join(",")' "$T/e.jsonl")" "first_seen,last_seen,count,confidence,sources"
equals "new confidence reported" "$(jq -r 'select(.prefix=="192.0.2.2") | .new.confidence' "$T/e.jsonl")" high

"$SIGHTED" diff -q --csv "$T/a.sdb" "$T/b.sdb" > "$T/d.csv"
contains "CSV header" "$T/d.csv" '^change,prefix,fields,campaign,first_seen,last_seen,count,evidence,confidence,sources,old_campaign'
contains "CSV quoted field list" "$T/d.csv" '^changed,192\.0\.2\.2,"count,sources",3cx-2023,,,2,list'
equals "CSV rows" "$(grep -c . "$T/d.csv")" 6

expect_status 1 "reverse direction: added becomes removed" "$SIGHTED" diff "$T/b.sdb" "$T/a.sdb"
contains "192.0.2.3 now removed" "$T/.out" '^- 192\.0\.2\.3 '
expect_status 2 "--json and --csv conflict" "$SIGHTED" diff --json --csv "$T/a.sdb" "$T/b.sdb"
expect_status 2 "one snapshot is a usage error" "$SIGHTED" diff "$T/a.sdb"
expect_status 2 "output that is an input refused" "$SIGHTED" diff -o "$T/b.sdb" "$T/a.sdb" "$T/b.sdb"
head -c 1000 "$T/b.sdb" > "$T/trunc.sdb"
expect_status 3 "truncated snapshot is bad input" "$SIGHTED" diff "$T/a.sdb" "$T/trunc.sdb"
contains "says what is wrong" "$T/.out" "trunc.sdb"
expect_status 3 "missing snapshot is bad input" "$SIGHTED" diff "$T/a.sdb" "$T/none.sdb"
done_testing
