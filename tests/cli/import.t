#!/bin/bash
# sighted import on real files: every format, bad lines reported with
# file:line and why, summaries, --strict, --max-errors, exit codes.
. "$(dirname "$0")/../lib.sh"
L=$TESTS_DATA/lists
C=$ROOT/data/campaigns

check "import the demo CSV, JSONL and plain lists" \
	"$SIGHTED" import --campaigns "$C" -o "$T/demo.sdb" "$ROOT/data/demo/impacted-3cx.csv" "$ROOT/data/demo/impacted-partner.jsonl"
contains "summary names the format and counts" "$T/.out" "impacted-3cx.csv: csv, 37 accepted, 0 rejected, 0 duplicate"
contains "total line for several files" "$T/.out" "total: 42 accepted"

expect_status 0 "vendor CSV with BOM and CRLF imports despite bad lines" \
	"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o "$T/vendor.sdb" "$L/vendor-bom-crlf.csv"
contains "host bits reported with file:line and a suggestion" "$T/.out" "vendor-bom-crlf.csv:4: prefix has host bits set \(did you mean 203.0.113.0/24\?"
contains "bad address reported with line" "$T/.out" "vendor-bom-crlf.csv:7: .*not-an-ip"
contains "date outside the campaign window rejected" "$T/.out" "vendor-bom-crlf.csv:8: dated outside the window of campaign '3cx-2023'"
contains "zero count rejected" "$T/.out" "vendor-bom-crlf.csv:9: count of zero"
contains "summary counts accepted (distinct), rejected and duplicate" "$T/.out" "csv, 3 accepted, 4 rejected, 1 duplicate"
"$SIGHTED" check --db "$T/vendor.sdb" --json 192.0.2.10 > "$T/v.json"
contains "duplicate keys combined: counts summed" "$T/v.json" '"count":6'
contains "earliest first seen kept" "$T/v.json" '"first_seen":"2023-03-20T00:00:00Z"'
contains "latest last seen kept" "$T/v.json" '"last_seen":"2023-03-25T00:00:00Z"'
"$SIGHTED" check --db "$T/vendor.sdb" --json 198.51.100.20 > "$T/v2.json"
contains "UTC offset applied" "$T/v2.json" '"first_seen":"2023-03-21T08:00:00Z"'
contains "source defaults to the file name" "$T/v2.json" '"sources":\["vendor-bom-crlf.csv"\]'

expect_status 0 "--allow-hostbits masks instead of rejecting" \
	"$SIGHTED" import --campaigns "$C" -c 3cx-2023 --allow-hostbits -q -o "$T/vendor2.sdb" "$L/vendor-bom-crlf.csv"
contains "one line fewer rejected" "$T/.out" "csv, 4 accepted, 3 rejected, 1 duplicate"

expect_status 0 "defanged plain list" \
	"$SIGHTED" import --campaigns "$C" -c gopuram-2023 -s cert -o "$T/plain.sdb" "$L/defanged.txt"
contains "plain: counts" "$T/.out" "plain, 5 accepted, 3 rejected, 1 duplicate"
contains "leading zero explained" "$T/.out" "defanged.txt:7: IPv4 octet with a leading zero"
contains "zone id explained" "$T/.out" "defanged.txt:9: IPv6 zone identifiers are not accepted"
expect_status 0 "refanged [.] address is listed" "$SIGHTED" check --db "$T/plain.sdb" -q 198.51.100.42
expect_status 0 "refanged [:] address is listed" "$SIGHTED" check --db "$T/plain.sdb" -q 2001:db8::abcd
expect_status 0 "prefix from a plain list covers its addresses" "$SIGHTED" check --db "$T/plain.sdb" -q 198.51.100.15
expect_status 1 "the address after the prefix is not listed" "$SIGHTED" check --db "$T/plain.sdb" -q 198.51.100.16

expect_status 0 "JSON Lines with mixed member names" \
	"$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o "$T/jl.sdb" "$L/partner.jsonl"
contains "jsonl: counts" "$T/.out" "jsonl, 3 accepted, 3 rejected"
contains "negative count explained" "$T/.out" "partner.jsonl:4: count is not a whole number"
contains "unknown evidence explained" "$T/.out" "partner.jsonl:5: unknown evidence kind"
contains "broken JSON explained" "$T/.out" "partner.jsonl:6: "

expect_status 3 "--strict stops at the first bad line and writes nothing" \
	"$SIGHTED" import --campaigns "$C" -c 3cx-2023 --strict -o "$T/strict.sdb" "$L/defanged.txt"
contains "--strict names the line" "$T/.out" "defanged.txt:7:"
if [ ! -e "$T/strict.sdb" ]; then ok "no snapshot left behind by --strict"; else not_ok "no snapshot left behind by --strict"; fi
expect_status 3 "--max-errors 1 stops at the second bad line" \
	"$SIGHTED" import --campaigns "$C" -c 3cx-2023 --max-errors 1 -o "$T/max.sdb" "$L/defanged.txt"

expect_status 2 "no output is a usage error" "$SIGHTED" import "$L/defanged.txt"
expect_status 2 "unknown format is a usage error" "$SIGHTED" import -f xml -o "$T/x.sdb" "$L/defanged.txt"
expect_status 3 "missing file is a data error" "$SIGHTED" import -c x -o "$T/x.sdb" "$T/does-not-exist"
contains "missing file named" "$T/.out" "does-not-exist: cannot open"
printf '\x00\x01\x02binary\xff\n\x00\n' > "$T/binary.txt"
expect_status 3 "a file with no usable line is refused" "$SIGHTED" import -c x -o "$T/x.sdb" "$T/binary.txt"
contains "and says so" "$T/.out" "no usable line"
expect_status 3 "no campaign for a plain list" "$SIGHTED" import -o "$T/x.sdb" "$L/defanged.txt"
contains "says how to give one" "$T/.out" "use --campaign"

gzip -c "$ROOT/data/demo/impacted-3cx.csv" > "$T/demo.csv.gz"
zstd -q -c "$ROOT/data/demo/impacted-3cx.csv" > "$T/demo.csv.zst"
check "gzip input read transparently" "$SIGHTED" import --campaigns "$C" -o "$T/gz.sdb" "$T/demo.csv.gz"
contains "gzip: same counts" "$T/.out" "csv, 37 accepted"
check "zstd input read transparently" "$SIGHTED" import --campaigns "$C" -o "$T/zst.sdb" "$T/demo.csv.zst"
head -c 300 "$T/demo.csv.gz" > "$T/trunc.csv.gz"
expect_status 3 "truncated gzip is an error" "$SIGHTED" import --campaigns "$C" -o "$T/t.sdb" "$T/trunc.csv.gz"
contains "truncated gzip named with what was read" "$T/.out" "trunc.csv.gz: gzip stream ends early"
check "stdin as a list" sh -c "cat '$L/defanged.txt' | '$SIGHTED' import -q -c x -o '$T/stdin.sdb' -"
SOURCE_DATE_EPOCH=1680000000 "$SIGHTED" import -q --campaigns "$C" -o "$T/r1.sdb" "$ROOT/data/demo/impacted-3cx.csv" 2>/dev/null
SOURCE_DATE_EPOCH=1680000000 "$SIGHTED" import -q --campaigns "$C" -o "$T/r2.sdb" "$ROOT/data/demo/impacted-3cx.csv" 2>/dev/null
if cmp -s "$T/r1.sdb" "$T/r2.sdb"; then ok "builds are reproducible with SOURCE_DATE_EPOCH"; else not_ok "builds are reproducible with SOURCE_DATE_EPOCH"; fi
check "--help" "$SIGHTED" import --help
contains "--help explains formats" "$T/.out" "Formats: plain"
ls "$T"/*.tmp.* >/dev/null 2>&1 && not_ok "no temporary files left" || ok "no temporary files left"
done_testing
