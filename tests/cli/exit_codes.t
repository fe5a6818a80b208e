#!/bin/bash
# Every exit status each command documents (docs/sighted.1, EXIT STATUS;
# src/cli/cli.h): 0 ok (check: listed), 1 check: nothing listed, 2 usage,
# 3 bad input, 4 could not finish (a write error names the file and the
# system's reason). /dev/full stands for a full disk.
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
Z=$TESTS_DATA/samples/zeek/zeek-btest-opt.basic.dns.log
cd "$T" || exit 1
export SIGHTED_CAMPAIGNS=$C
cp "$L/defanged.txt" list.txt
gzip -c list.txt | head -c 40 >corrupt.gz
printf '\x1f\x8b\x08\x00not-deflate-data-at-all' >>corrupt.gz
printf 'not a snapshot at all, just text\n' >bad.sdb
"$SIGHTED" import -c 3cx-2023 -q -o good.sdb list.txt 2>/dev/null
# another list: merge refuses two snapshots of the same input
printf '192.0.2.201\n' >other.txt
"$SIGHTED" import -c 3cx-2023 -q -o other.sdb other.txt 2>/dev/null
full() { "$@" >/dev/full; }

# import
expect_status 0 "import: 0 written" "$SIGHTED" import -c 3cx-2023 -q -o i.sdb list.txt
expect_status 2 "import: 2 unknown option" "$SIGHTED" import --bogus -o i.sdb list.txt
expect_status 2 "import: 2 output is the input" "$SIGHTED" import -c 3cx-2023 -o list.txt list.txt
expect_status 3 "import: 3 corrupt .gz" "$SIGHTED" import -c 3cx-2023 -o i.sdb corrupt.gz
expect_status 3 "import: 3 /dev/null (no usable line)" "$SIGHTED" import -c 3cx-2023 -o i.sdb /dev/null
expect_status 3 "import: 3 --max-errors 0 stops at the first bad line" "$SIGHTED" import -c 3cx-2023 --max-errors 0 -o i.sdb list.txt
expect_status 0 "import: --max-errors 3 tolerates the 3 bad lines" "$SIGHTED" import -c 3cx-2023 --max-errors 3 -o i.sdb list.txt
expect_status 3 "import: --max-errors 2 does not" "$SIGHTED" import -c 3cx-2023 --max-errors 2 -o i.sdb list.txt
expect_status 0 "import: --max-errors unlimited" "$SIGHTED" import -c 3cx-2023 --max-errors unlimited -o i.sdb list.txt
expect_status 0 "import: --max-errors -1" "$SIGHTED" import -c 3cx-2023 --max-errors -1 -o i.sdb list.txt
expect_status 4 "import: 4 write error" "$SIGHTED" import -c 3cx-2023 -q -o /dev/full list.txt
contains "import: the write error names the file and the reason" "$T/.out" "/dev/full: .*No space left on device"

# check
expect_status 0 "check: 0 listed" "$SIGHTED" check -d good.sdb 203.0.113.7
expect_status 1 "check: 1 not listed" "$SIGHTED" check -d good.sdb 198.51.100.99
expect_status 2 "check: 2 --json --csv" "$SIGHTED" check -d good.sdb --json --csv 192.0.2.1
expect_status 2 "check: 2 -q --json" "$SIGHTED" check -d good.sdb -q --json 192.0.2.1
expect_status 2 "check: 2 -j is not --json (it is correlate's --jobs)" "$SIGHTED" check -d good.sdb -j 192.0.2.1
expect_status 3 "check: 3 a query that does not parse" "$SIGHTED" check -d good.sdb 192.0.2.300
expect_status 3 "check: 3 corrupt snapshot" "$SIGHTED" check -d bad.sdb 192.0.2.1
expect_status 3 "check: 3 /dev/null as the snapshot" "$SIGHTED" check -d /dev/null 192.0.2.1
contains "check: /dev/null: the real reason, no stale errno" "$T/.out" "/dev/null: not a regular file \(a character device\)"
lacks "check: no 'No such file'" "$T/.out" "No such file"
mkfifo fifo
expect_status 3 "check: 3 a FIFO refused without blocking" timeout 20 "$SIGHTED" check -d fifo 192.0.2.1
contains "check: the FIFO named as such" "$T/.out" "fifo: not a regular file \(a FIFO\)"
expect_status 4 "check: 4 write error" full "$SIGHTED" check -d good.sdb 192.0.2.1
contains "check: standard output and the reason" "$T/.out" "standard output: No space left on device"

# merge
expect_status 0 "merge: 0 written" "$SIGHTED" merge -o m.sdb good.sdb other.sdb
expect_status 3 "merge: 3 the same input twice" "$SIGHTED" merge -o m.sdb good.sdb i.sdb
expect_status 2 "merge: 2 no output" "$SIGHTED" merge good.sdb
expect_status 3 "merge: 3 corrupt input" "$SIGHTED" merge -o m.sdb bad.sdb
expect_status 4 "merge: 4 write error" "$SIGHTED" merge -o /dev/full good.sdb
contains "merge: the reason" "$T/.out" "No space left on device"

# info
expect_status 0 "info: 0 valid" "$SIGHTED" info good.sdb
expect_status 2 "info: 2 two snapshots" "$SIGHTED" info good.sdb good.sdb
expect_status 3 "info: 3 corrupt" "$SIGHTED" info bad.sdb
expect_status 4 "info: 4 write error (> /dev/full)" full "$SIGHTED" info good.sdb
contains "info: the reason" "$T/.out" "standard output: No space left on device"

# indicators
expect_status 0 "indicators: 0 loaded" "$SIGHTED" indicators -c 3cx-2023
expect_status 2 "indicators: 2 --json --csv" "$SIGHTED" indicators -c 3cx-2023 --json --csv
expect_status 3 "indicators: 3 corrupt .gz" "$SIGHTED" indicators corrupt.gz
expect_status 4 "indicators: 4 write error" full "$SIGHTED" indicators -c 3cx-2023
contains "indicators: the reason" "$T/.out" "standard output: No space left on device"

# records
expect_status 0 "records: 0 read" "$SIGHTED" records "$Z"
expect_status 2 "records: 2 --json --csv" "$SIGHTED" records --json --csv "$Z"
expect_status 2 "records: 2 --columns foo=bar" "$SIGHTED" records --columns foo=bar "$Z"
contains "records: the bad role named" "$T/.out" "unknown role 'foo'"
expect_status 3 "records: 3 corrupt .gz" "$SIGHTED" records corrupt.gz
expect_status 3 "records: 3 every line malformed under a forced format" "$SIGHTED" records --format eve "$Z"
expect_status 4 "records: 4 write error" full "$SIGHTED" records "$Z"

# correlate
expect_status 0 "correlate: 0 done" "$SIGHTED" correlate -c 3cx-2023 -q -o c.sdb "$Z"
expect_status 2 "correlate: 2 --columns bogus" "$SIGHTED" correlate -c 3cx-2023 --columns bogus -o c.sdb "$Z"
expect_status 2 "correlate: 2 no --campaign" "$SIGHTED" correlate -o c.sdb "$Z"
expect_status 3 "correlate: 3 corrupt .gz" "$SIGHTED" correlate -c 3cx-2023 -o c.sdb corrupt.gz
expect_status 3 "correlate: 3 every line malformed under a forced format" "$SIGHTED" correlate -c 3cx-2023 --format eve -o c.sdb "$Z"
contains "correlate: says why" "$T/.out" "wrong --format"
# one malformed line among good records
{ grep -v '^#close' "$Z"; printf 'garbage line\n'; } >onebad.log
expect_status 0 "correlate: one malformed record is tolerated by default" "$SIGHTED" correlate -c 3cx-2023 -q -o c.sdb onebad.log
expect_status 3 "correlate: --max-errors 0 stops at the first malformed record (0 is not 'no limit')" "$SIGHTED" correlate -c 3cx-2023 -q --max-errors 0 -o c.sdb onebad.log
contains "correlate: and says so" "$T/.out" "more than 0 malformed records \(--max-errors\)"
expect_status 0 "correlate: --max-errors 1 tolerates it" "$SIGHTED" correlate -c 3cx-2023 -q --max-errors 1 -o c.sdb onebad.log
expect_status 0 "correlate: --max-errors unlimited" "$SIGHTED" correlate -c 3cx-2023 -q --max-errors unlimited -o c.sdb onebad.log
expect_status 4 "correlate: 4 write error" "$SIGHTED" correlate -c 3cx-2023 -q -o /dev/full "$Z"
contains "correlate: the reason" "$T/.out" "/dev/full: .*No space left on device"

# export
expect_status 0 "export: 0 written" "$SIGHTED" export --format csv -o e.csv good.sdb
expect_status 2 "export: 2 unknown format" "$SIGHTED" export --format nope -o e.csv good.sdb
expect_status 3 "export: 3 corrupt snapshot" "$SIGHTED" export --format csv -o e.csv bad.sdb
for f in stix csv jsonl rbldnsd; do
	expect_status 4 "export --format $f: 4 write error" "$SIGHTED" export --format $f -o /dev/full good.sdb
	contains "export --format $f: No space left on device, not 'I/O error'" "$T/.out" "/dev/full: .*No space left on device"
done

# diff (like diff(1): 0 no difference, 1 some)
expect_status 0 "diff: 0 no difference" "$SIGHTED" diff -q good.sdb good.sdb
expect_status 1 "diff: 1 some difference" "$SIGHTED" diff -q good.sdb other.sdb
expect_status 2 "diff: 2 --json --csv" "$SIGHTED" diff --json --csv good.sdb other.sdb
contains "diff: both flags named" "$T/.out" "--json.*--csv"
expect_status 2 "diff: 2 one snapshot" "$SIGHTED" diff good.sdb
expect_status 2 "diff: 2 the output is an input" "$SIGHTED" diff -o ./other.sdb good.sdb other.sdb
expect_status 3 "diff: 3 corrupt snapshot" "$SIGHTED" diff good.sdb bad.sdb
expect_status 4 "diff: 4 write error (-o /dev/full)" "$SIGHTED" diff -q -o /dev/full good.sdb other.sdb
contains "diff: the file and the reason" "$T/.out" "/dev/full: .*No space left on device"
expect_status 4 "diff: 4 write error (> /dev/full)" full "$SIGHTED" diff -q good.sdb other.sdb
contains "diff: standard output and the reason" "$T/.out" "standard output: .*No space left on device"
expect_status 4 "diff: 4 missing output directory, found before reading" "$SIGHTED" diff -o nodir/d.txt good.sdb other.sdb
contains "diff: names the directory" "$T/.out" "cannot write in nodir"

# report and notify: an owner registry over the addresses of good.sdb
printf 'owner,name,contacts,scope\nall,All,noc@all.example,0.0.0.0/0 ::/0\n' >owners.csv
printf 'owner,name,contacts,scope\nbad id,Bad,x@y.example,192.0.2.0/24\n' >owners-bad.csv
expect_status 0 "report: 0 written" "$SIGHTED" report --owners owners.csv -o rep good.sdb
expect_status 2 "report: 2 no --owners" "$SIGHTED" report -o rep good.sdb
expect_status 2 "report: 2 -o - (a directory of files)" "$SIGHTED" report --owners owners.csv -o - good.sdb
contains "report: says why" "$T/.out" "a report is a directory of files"
expect_status 2 "report: 2 bad --max-errors" "$SIGHTED" report --owners owners.csv --max-errors many -o rep good.sdb
expect_status 3 "report: 3 corrupt snapshot" "$SIGHTED" report --owners owners.csv -o rep bad.sdb
expect_status 3 "report: 3 a bad registry line (--max-errors 0)" "$SIGHTED" report --owners owners-bad.csv --max-errors 0 -o rep good.sdb
expect_status 4 "report: 4 missing parent directory, found before reading" "$SIGHTED" report --owners owners.csv -o nodir/rep good.sdb
contains "report: names the directory" "$T/.out" "cannot write in nodir"
expect_status 0 "notify: 0 --dry-run" "$SIGHTED" notify --owners owners.csv --from s@cert.example --date 2023-04-01T00:00:00Z --dry-run eml good.sdb
expect_status 2 "notify: 2 no --from" "$SIGHTED" notify --owners owners.csv --dry-run eml good.sdb
expect_status 2 "notify: 2 --dry-run and --smtp" "$SIGHTED" notify --owners owners.csv --from s@cert.example --smtp smtp://127.0.0.1:1 --dry-run eml good.sdb
expect_status 2 "notify: 2 --state is an input" "$SIGHTED" notify --owners owners.csv --from s@cert.example --smtp smtp://127.0.0.1:1 --state ./good.sdb good.sdb
expect_status 3 "notify: 3 corrupt snapshot" "$SIGHTED" notify --owners owners.csv --from s@cert.example --dry-run eml bad.sdb
expect_status 3 "notify: 3 a bad registry line" "$SIGHTED" notify --owners owners-bad.csv --from s@cert.example --dry-run eml good.sdb
expect_status 4 "notify: 4 missing parent directory of --dry-run" "$SIGHTED" notify --owners owners.csv --from s@cert.example --dry-run nodir/eml good.sdb
# nothing listens on loopback port 1: the delivery fails at once
expect_status 4 "notify: 4 a delivery failed" timeout 60 "$SIGHTED" notify --owners owners.csv --from s@cert.example --smtp smtp://127.0.0.1:1 --retries 0 --timeout 20 --state st good.sdb
contains "notify: the owner is named" "$T/.out" "all: FAILED"

# serve (no network traffic: --help, a bad option, a corrupt snapshot, and
# an address this host does not have)
expect_status 0 "serve: 0 --help" "$SIGHTED" serve --help
expect_status 2 "serve: 2 unknown option" "$SIGHTED" serve --bogus
expect_status 3 "serve: 3 corrupt snapshot" timeout 20 "$SIGHTED" serve --db bad.sdb --listen 127.0.0.1:0
expect_status 4 "serve: 4 cannot listen" timeout 20 "$SIGHTED" serve --db good.sdb --listen 192.0.2.1:8080
done_testing
