#!/bin/bash
# MaxMind DB export read back by libmaxminddb (mmdblookup) and
# python3-maxminddb, compared with `sighted check` on every entry and on
# misses; then filtered exports.
. "$(dirname "$0")/setup.sh"
check "build a snapshot with overlapping prefixes" build_snapshot
check "export mmdb" "$SIGHTED" export --format mmdb "$SDB" -o "$T/out.mmdb"
contains "summary counts the entries" "$T/.out" "out.mmdb: [0-9]+ entries written"
"$SIGHTED" export --format jsonl "$SDB" -o "$T/all.jsonl" 2>/dev/null
probe_addresses "$T/all.jsonl" > "$T/addrs"
"$SIGHTED" check --db "$SDB" --json - < "$T/addrs" > "$T/check.jsonl"
equals "sighted check answered every probe" "$(wc -l < "$T/check.jsonl")" "$(wc -l < "$T/addrs")"
if need mmdblookup mmdb-bin && /usr/bin/python3 -c 'import maxminddb' 2>/dev/null; then
	/usr/bin/python3 "$ROOT/tests/export/mmdb_compare.py" "$T/out.mmdb" "$T/check.jsonl" > "$T/cmp"
	while IFS= read -r l; do
		case $l in
		"ok "*) ok "${l#ok - }" ;;
		"not ok "*) not_ok "${l#not ok - }" ;;
		*) echo "$l" ;;
		esac
	done < "$T/cmp"
else
	not_ok "python3-maxminddb is missing: install Debian package python3-maxminddb"
fi

# the more specific network carries both sightings
mmdblookup --file "$T/out.mmdb" --ip 203.0.113.9 campaigns > "$T/camp" 2>&1
contains "a /32 inside a /24 carries the /24's campaign" "$T/camp" '"gopuram-2023"'
contains "... and its own" "$T/camp" '"3cx-2023"'
mmdblookup --file "$T/out.mmdb" --ip ::ffff:203.0.113.9 network > "$T/mapped" 2>&1
contains "IPv4-mapped IPv6 reads the IPv4 entry (::ffff:0:0/96 alias)" "$T/mapped" '"203.0.113.9"'

# filters
check "export --campaign gopuram-2023" "$SIGHTED" export --format mmdb --campaign gopuram-2023 "$SDB" -o "$T/gop.mmdb"
mmdblookup --file "$T/gop.mmdb" --ip 203.0.113.9 campaigns > "$T/camp" 2>&1
lacks "filtered export leaves the other campaign out" "$T/camp" '3cx-2023'
contains "filtered export keeps the covering /24" "$T/camp" 'gopuram-2023'
mmdblookup --file "$T/gop.mmdb" --ip 192.0.2.4 > "$T/miss" 2>&1
contains "an entry of the other campaign only is absent" "$T/miss" 'Could not find an entry'
check "export --min-confidence high" "$SIGHTED" export --format mmdb --min-confidence high "$SDB" -o "$T/high.mmdb"
mmdblookup --file "$T/high.mmdb" --ip 192.0.2.147 > "$T/low" 2>&1
contains "a low-confidence entry is left out" "$T/low" 'Could not find an entry'
mmdblookup --file "$T/high.mmdb" --ip 203.0.113.9 confidence > "$T/hi" 2>&1
contains "a high-confidence entry stays" "$T/hi" '"high"'

# errors
expect_status 2 "unknown format is a usage error" "$SIGHTED" export --format nope "$SDB" -o "$T/x"
expect_status 2 "unknown campaign is a usage error" "$SIGHTED" export --format mmdb --campaign nope "$SDB" -o "$T/x"
expect_status 2 "bad confidence is a usage error" "$SIGHTED" export --format mmdb --min-confidence extreme "$SDB" -o "$T/x"
head -c 1000 "$SDB" > "$T/trunc.sdb"
expect_status 3 "truncated snapshot is refused" "$SIGHTED" export --format mmdb "$T/trunc.sdb" -o "$T/x"
if [ ! -e "$T/x" ]; then ok "no output file after a failure"; else not_ok "no output file after a failure"; fi
expect_status 4 "unwritable target fails" "$SIGHTED" export --format mmdb "$SDB" -o "$T/no/such/dir/x.mmdb"
cp "$SDB" "$T/keep.sdb"
expect_status 2 "exporting over the snapshot itself is refused" "$SIGHTED" export --format csv "$T/keep.sdb" -o "$T/keep.sdb"
if cmp -s "$SDB" "$T/keep.sdb"; then ok "... and the snapshot is intact"; else not_ok "... and the snapshot is intact"; fi
check "--help" "$SIGHTED" export --help
done_testing
