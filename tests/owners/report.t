#!/bin/bash
# sighted report: per-owner files from a real snapshot, an owner registry and
# ASN data in both layouts (a MaxMind DB built here with the Perl writer, and
# ip2asn TSV); overlapping owners, AS scopes, unowned-by-AS summary, --since,
# bad registry and ASN lines, deterministic bytes, directory replacement.
. "$(dirname "$0")/../lib.sh"
D=$TESTS_DATA/owners
C=$ROOT/data/campaigns
cat > "$T/old.csv" <<'CSV'
ip,first_seen,last_seen,count,confidence
192.0.2.10,2023-03-22T00:00:00Z,2023-03-23T00:00:00Z,1,medium
192.0.2.200,2023-03-22T00:00:00Z,2023-03-24T00:00:00Z,2,high
198.51.100.7,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,low
2001:db8::5,2023-03-25T00:00:00Z,2023-03-25T00:00:00Z,1,medium
203.0.113.99,2023-03-25T00:00:00Z,2023-03-25T00:00:00Z,1,medium
10.1.2.3,2023-03-25T00:00:00Z,2023-03-25T00:00:00Z,3,medium
CSV
# new: 192.0.2.10 seen again later, 192.0.2.11 added, 198.51.100.7 removed
grep -v 198.51.100.7 "$T/old.csv" > "$T/new.csv"
cat >> "$T/new.csv" <<'CSV'
192.0.2.10,2023-03-26T00:00:00Z,2023-03-27T00:00:00Z,4,medium
192.0.2.11,2023-03-26T00:00:00Z,2023-03-26T00:00:00Z,1,high
CSV
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/old.sdb" "$T/old.csv" 2>/dev/null
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/new.sdb" "$T/new.csv" 2>/dev/null

if /usr/bin/perl "$ROOT/tests/owners/mkasn.pl" 6 "$D/networks.tsv" "$T/asn6.mmdb" 2>"$T/perl.log" &&
	/usr/bin/perl "$ROOT/tests/owners/mkasn.pl" 4 "$D/networks.tsv" "$T/asn4.mmdb" 2>>"$T/perl.log"; then
	ok "GeoLite2-ASN layout databases built with the Perl MMDB writer"
else
	not_ok "MMDB writer failed (Debian package libmaxmind-db-writer-perl)"; sed 's/^/# /' "$T/perl.log"
fi

expect_status 0 "report with the IPv6 ASN database" \
	"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/asn6.mmdb" -o "$T/r6" "$T/new.sdb"
contains "summary line counts owners" "$T/.out" "3 of 4 owners have sightings"
R=$T/r6
for f in summary.json index.csv unowned-by-as.csv owners/cert-xx.csv owners/cert-xx.jsonl owners/isp-a.csv owners/isp-b.csv; do
	if [ -f "$R/$f" ]; then ok "wrote $f"; else not_ok "no $f"; fi
done
if [ ! -e "$R/owners/isp-idle.csv" ]; then ok "no file for an owner without sightings"; else not_ok "isp-idle has a file"; fi
equals "CSV header" "$(head -1 "$R/owners/cert-xx.csv" | tr -d '\r')" \
	"prefix,asn,as_name,change,campaign,first_seen,last_seen,count,evidence,confidence,sources"
equals "national CERT gets everything in its prefixes" \
	"$(tail -n +2 "$R/owners/cert-xx.csv" | cut -d, -f1 | tr '\n' ' ')" "192.0.2.10 192.0.2.11 192.0.2.200 2001:db8::5 "
equals "ISP inside it gets its own addresses too (overlap)" \
	"$(tail -n +2 "$R/owners/isp-a.csv" | cut -d, -f1 | tr '\n' ' ')" "192.0.2.10 192.0.2.11 "
equals "owner by AS number gets the AS's addresses" \
	"$(tail -n +2 "$R/owners/isp-b.csv" | cut -d, -f1 | tr '\n' ' ')" "192.0.2.200 "
contains "AS number and quoted AS name in the row" "$R/owners/isp-b.csv" '^192\.0\.2\.200,64501,"Example, ""B"" Net",added,3cx-2023,2023-03-22T00:00:00Z,2023-03-24T00:00:00Z,2,list,high,'
contains "combined sighting: earliest first, latest last, summed count" "$R/owners/isp-a.csv" '^192\.0\.2\.10,64500,Example Net A,added,3cx-2023,2023-03-22T00:00:00Z,2023-03-27T00:00:00Z,5,'
equals "JSON Lines hold the same rows" "$(jq -r '[.prefix, .asn, .as_name, .sighting.count] | @csv' "$R/owners/isp-a.jsonl" | tr '\n' ' ')" \
	'"192.0.2.10",64500,"Example Net A",5 "192.0.2.11",64500,"Example Net A",1 '
equals "IPv6 row's AS" "$(jq -r 'select(.prefix=="2001:db8::5") | .asn' "$R/owners/cert-xx.jsonl")" 64503
contains "index keeps the extra columns" "$R/index.csv" '^owner,name,contacts,addresses,sightings,csv,jsonl,country,ticket_queue'
contains "index row with counts, files and extras" "$R/index.csv" '^isp-a,ISP A,noc@isp-a.example,2,2,owners/isp-a.csv,owners/isp-a.jsonl,XX,"queue ""A"""'
contains "index lists an owner with nothing" "$R/index.csv" '^isp-idle,Idle ISP,idle@idle.example,0,0,,,XX,'
contains "unowned: the AS of an address no owner covers" "$R/unowned-by-as.csv" '^64504,Test Net 3,1,1'
contains "unowned: addresses no AS announces" "$R/unowned-by-as.csv" '^,,1,1'
equals "summary names the snapshot's content id" "$(jq -r .content_id "$R/summary.json")" \
	"$("$SIGHTED" info --json "$T/new.sdb" | jq -r .content_id)"

expect_status 0 "the same report from the IPv4-only MMDB" \
	"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/asn4.mmdb" -o "$T/r4" "$T/new.sdb"
grep -v 2001:db8 "$T/r6/owners/cert-xx.csv" > "$T/cert6-v4only.csv"
if diff -r -x summary.json -x 'cert-xx.*' "$T/r4" "$T/r6" > "$T/d46" && cmp -s "$T/cert6-v4only.csv" <(grep -v 2001:db8 "$T/r4/owners/cert-xx.csv"); then
	ok "IPv4 and IPv6 trees give the same IPv4 rows"; else not_ok "differ"; head "$T/d46" | sed 's/^/# /'; fi
contains "an IPv4 tree knows no IPv6 AS" "$T/r4/owners/cert-xx.csv" '^2001:db8::5,,,added'
expect_status 0 "the same report from ip2asn TSV" \
	"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$D/ip2asn.tsv" -o "$T/rt" "$T/new.sdb"
if diff -r -x summary.json "$T/rt" "$T/r6" > "$T/dt"; then ok "TSV and MMDB give the same files"; else not_ok "differ"; head "$T/dt" | sed 's/^/# /'; fi
contains "summary says which ASN data" "$T/rt/summary.json" '"asn_data": "ip2asn"'

expect_status 0 "run again into the same directory (replaced)" \
	"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/asn6.mmdb" -o "$T/r6" "$T/new.sdb"
cp -r "$T/r6" "$T/r6-copy" 2>/dev/null
"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/asn6.mmdb" -o "$T/r6b" "$T/new.sdb" 2>/dev/null
if diff -r "$T/r6b" "$T/r6-copy" >/dev/null; then ok "deterministic: same inputs, same bytes"; else not_ok "reports differ"; fi
if ls "$T" | grep -q '\.tmp\.'; then not_ok "temporary directory left behind"; else ok "no temporary directory left"; fi

expect_status 0 "--since: only what changed" \
	"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/asn6.mmdb" --since "$T/old.sdb" -o "$T/rs" "$T/new.sdb"
equals "isp-a: the changed and the added sighting" \
	"$(tail -n +2 "$T/rs/owners/isp-a.csv" | cut -d, -f1,4 | tr '\n' ' ')" "192.0.2.10,changed 192.0.2.11,added "
if [ ! -e "$T/rs/owners/isp-b.csv" ]; then ok "--since: nothing new for isp-b, no file"; else not_ok "isp-b has a file"; fi
equals "--since: summary counts the changes" "$(jq -c .changes "$T/rs/summary.json")" '{"added":1,"changed":1,"sources_only":4,"removed":1,"unchanged":0}'
equals "--since: summary names the old snapshot" "$(jq -r .since "$T/rs/summary.json")" \
	"$("$SIGHTED" info --json "$T/old.sdb" | jq -r .content_id)"

expect_status 0 "without ASN data, AS scopes match nothing (warned)" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/rn" "$T/new.sdb"
contains "warning about AS scopes" "$T/.out" "names AS numbers but no --asn-db"
contains "all unowned under no AS" "$T/rn/unowned-by-as.csv" '^,,2,2'

expect_status 3 "bad registry line stops at --max-errors 0 (default)" \
	"$SIGHTED" report --owners "$D/registry-bad.csv" -o "$T/rb" "$T/new.sdb"
contains "first bad line reported file:line: why" "$T/.out" "registry-bad.csv:3: owner id may hold only"
expect_status 0 "--max-errors unlimited reports every bad line and goes on" \
	"$SIGHTED" report --max-errors unlimited --owners "$D/registry-bad.csv" -o "$T/rb" "$T/new.sdb"
contains "bad contact" "$T/.out" "registry-bad.csv:4: a contact is not a plain mail address"
contains "host bits" "$T/.out" "registry-bad.csv:5: scope prefix has host bits set"
contains "AS0" "$T/.out" "registry-bad.csv:6: bad AS number in scope"
contains "duplicate id" "$T/.out" "registry-bad.csv:7: owner id defined twice"
contains "empty scope" "$T/.out" "registry-bad.csv:8: empty scope"
contains "too few columns" "$T/.out" "registry-bad.csv:9: fewer than 4 columns"
equals "the good owner is kept" "$(grep -c '^ok-one,' "$T/rb/index.csv")" 1
expect_status 3 "bad ASN lines beyond --max-errors" \
	"$SIGHTED" report --max-errors 2 --owners "$D/registry.csv" --asn-db "$D/ip2asn-bad.tsv" -o "$T/ra" "$T/new.sdb"
contains "reversed range" "$T/.out" "ip2asn-bad.tsv:2: range ends before it starts"
contains "unparsable address" "$T/.out" "ip2asn-bad.tsv:4: "
expect_status 0 "overlap reported with both lines" \
	"$SIGHTED" report --max-errors 3 --owners "$D/registry.csv" --asn-db "$D/ip2asn-bad.tsv" -o "$T/ra" "$T/new.sdb"
contains "overlapping range" "$T/.out" "ip2asn-bad.tsv:3: range overlaps the one on line 1"
printf 'owner,name\n' > "$T/hdr.csv"
expect_status 3 "registry without the header" "$SIGHTED" report --owners "$T/hdr.csv" -o "$T/rh" "$T/new.sdb"
contains "header explained" "$T/.out" "hdr.csv:1: header must start with owner,name,contacts,scope"
head -c 300 "$T/asn6.mmdb" > "$T/cut.mmdb"; tail -c 200 "$T/asn6.mmdb" >> "$T/cut.mmdb"
expect_status 3 "corrupt MaxMind DB refused" "$SIGHTED" report --owners "$D/registry.csv" --asn-db "$T/cut.mmdb" -o "$T/rc" "$T/new.sdb"

mkdir -p "$T/notreport"; echo keep > "$T/notreport/file"
expect_status 2 "a directory that is not a report is not replaced" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/notreport" "$T/new.sdb"
equals "its file is still there" "$(cat "$T/notreport/file")" keep
mkdir -p "$T/withinput"; cp "$T/new.sdb" "$T/withinput/"; echo '{}' > "$T/withinput/summary.json"
expect_status 2 "an output directory holding an input is refused" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/withinput" "$T/withinput/new.sdb"
# the audit's reproducer: summary.json alone does not make a directory a report
mkdir -p "$T/proj/src"; echo '{}' > "$T/proj/summary.json"; echo x > "$T/proj/notes.txt"
echo 'int main(){}' > "$T/proj/src/main.c"
expect_status 2 "a directory holding summary.json and other files is not replaced" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/proj" "$T/new.sdb"
contains "says to remove it or choose another directory" "$T/.out" "remove it or choose another directory"
equals "every file is still there" "$(cd "$T/proj" && find . -type f | sort | tr '\n' ' ')" "./notes.txt ./src/main.c ./summary.json "
equals "a report names its marker file" "$(cat "$T/r6/.sighted-output")" \
	"sighted report directory: the next run replaces it as a whole; keep nothing else here"
echo mine > "$T/r6/notes.txt"
expect_status 2 "an earlier report a user added a file to is not replaced" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/r6" "$T/new.sdb"
contains "names the file" "$T/.out" "holds notes.txt, which sighted report does not write"
equals "the user's file is kept" "$(cat "$T/r6/notes.txt")" mine
mkdir "$T/r6/owners/sub"
rm "$T/r6/notes.txt"
expect_status 2 "nor one with a directory the report does not write" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/r6" "$T/new.sdb"
rmdir "$T/r6/owners/sub"
cp -r "$T/r6" "$T/r6-old"; rm "$T/r6-old/.sighted-output"
expect_status 2 "a report of an older sighted (no marker) is not replaced" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/r6-old" "$T/new.sdb"
contains "and the message says so" "$T/.out" "or of an older sighted, which wrote none.*remove it or choose another directory"
# what a run killed while writing leaves: 0700, marked in progress
mkdir -m 700 "$T/r6.tmp.AbC123" "$T/r6.tmp.AbC123/owners"
printf 'sighted report directory in progress (pid 99999): the next run removes it if this one died\n' \
	> "$T/r6.tmp.AbC123/.sighted-output"
cp "$T/r6/owners/isp-a.csv" "$T/r6.tmp.AbC123/owners/"
mkdir "$T/r6.tmp.XyZ789"; echo mine > "$T/r6.tmp.XyZ789/f"
# the review's case: a user's copies under names that look temporary
cp -a "$T/r6" "$T/r6-before"; cp -a "$T/r6" "$T/r6.tmp.backup"; cp -a "$T/r6" "$T/r6.tmp.march1"
mkdir -m 700 "$T/r6.tmp.priv00"; cp -a "$T/r6/." "$T/r6.tmp.priv00/"
expect_status 0 "a report after a killed one" \
	"$SIGHTED" report --owners "$D/registry.csv" -o "$T/r6" "$T/new.sdb"
if [ ! -e "$T/r6.tmp.AbC123" ]; then ok "the killed run's temporary directory is swept"; else not_ok "left behind"; fi
equals "a directory that only looks like one is kept" "$(cat "$T/r6.tmp.XyZ789/f")" mine
for c in backup march1 priv00; do
	if diff -r "$T/r6-before" "$T/r6.tmp.$c" >/dev/null; then ok "the user's copy r6.tmp.$c is kept whole"
	else not_ok "the user's copy r6.tmp.$c was deleted or changed"; fi
done

# an IPv6 scope wider than the IPv4-mapped space takes no IPv4 address
cat > "$T/v6wide.csv" <<'CSV'
owner,name,contacts,scope
v6all,All IPv6,a@b.example,::/0
v6half,Low IPv6,a@b.example,::/1
v4x,X,b@c.example,192.0.2.0/24
mapped,Mapped,b@c.example,::ffff:198.51.100.0/120
CSV
cat > "$T/v.csv" <<'CSV'
ip,first_seen,last_seen,count,confidence
192.0.2.99,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
198.51.100.42,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
203.0.113.7,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
2001:db8::abcd,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
CSV
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/v.sdb" "$T/v.csv" 2>/dev/null
expect_status 0 "report with ::/0 and ::/1 owners" "$SIGHTED" report --owners "$T/v6wide.csv" -o "$T/rv" "$T/v.sdb"
equals "::/0 gets only the IPv6 address" "$(tail -n +2 "$T/rv/owners/v6all.csv" | cut -d, -f1 | tr '\n' ' ')" "2001:db8::abcd "
equals "::/1 the same" "$(tail -n +2 "$T/rv/owners/v6half.csv" | cut -d, -f1 | tr '\n' ' ')" "2001:db8::abcd "
equals "the IPv4 owner its address" "$(tail -n +2 "$T/rv/owners/v4x.csv" | cut -d, -f1 | tr '\n' ' ')" "192.0.2.99 "
equals "an IPv4-mapped scope is an IPv4 scope" "$(tail -n +2 "$T/rv/owners/mapped.csv" | cut -d, -f1 | tr '\n' ' ')" "198.51.100.42 "

# an AS owns an entry only when all of it is that AS's
printf '192.0.2.0\t192.0.2.127\t64500\tXX\tA\n192.0.2.128\t192.0.2.255\t64501\tXX\tB\n198.51.100.0\t198.51.100.127\t64502\tXX\tC\n198.51.100.128\t198.51.100.255\t64502\tXX\tC\n203.0.113.0\t203.0.113.127\t64503\tXX\tD\n' > "$T/split.tsv"
cat > "$T/as.csv" <<'CSV'
owner,name,contacts,scope
asA,A,a@a.example,AS64500
asB,B,b@b.example,AS64501
asC,C,c@c.example,AS64502
asD,D,d@d.example,AS64503
CSV
cat > "$T/w.csv" <<'CSV'
ip,first_seen,last_seen,count,confidence
192.0.2.0/24,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
192.0.2.0/25,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
192.0.2.5,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
192.0.2.130,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
198.51.100.0/24,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
203.0.113.0/24,2023-03-22T00:00:00Z,2023-03-22T00:00:00Z,1,medium
CSV
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/w.sdb" "$T/w.csv" 2>/dev/null
expect_status 0 "report of entries spanning two ASes" \
	"$SIGHTED" report --owners "$T/as.csv" --asn-db "$T/split.tsv" -o "$T/rw" "$T/w.sdb"
equals "AS64500 gets what lies in its range, not the /24 across two" \
	"$(tail -n +2 "$T/rw/owners/asA.csv" | cut -d, -f1 | sort | tr '\n' ' ')" "192.0.2.0/25 192.0.2.5 "
equals "AS64501 its address" "$(tail -n +2 "$T/rw/owners/asB.csv" | cut -d, -f1 | tr '\n' ' ')" "192.0.2.130 "
equals "two ranges of one AS cover a /24" "$(tail -n +2 "$T/rw/owners/asC.csv" | cut -d, -f1 | tr '\n' ' ')" "198.51.100.0/24 "
if [ ! -e "$T/rw/owners/asD.csv" ]; then ok "half a /24 announced: not the AS's"; else not_ok "asD got a partly unannounced /24"; fi

expect_status 2 "no registry is a usage error" "$SIGHTED" report -o "$T/x" "$T/new.sdb"
expect_status 3 "unreadable snapshot" "$SIGHTED" report --owners "$D/registry.csv" -o "$T/x" "$T/none.sdb"
done_testing
