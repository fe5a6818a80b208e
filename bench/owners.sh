#!/bin/bash
# Owners benchmark (not a timed test): `report`, `diff` and `notify --dry-run`
# on an N-entry snapshot (default 10M) with OWNERS owners (default 50,000)
# and a full-size synthetic ip2asn table (RANGES, default 524,288 ranges, as
# many as the real table has), with wall time and peak memory
# (/usr/bin/time -v), each beside its baseline in the same run:
#   diff             vs reading both snapshots (`sighted info` on each: a
#                    validating pass over every entry)
#   report           vs `sighted export --format csv` of the same snapshot
#   notify --dry-run vs report (same grouping, plus one MIME message each)
# BENCH_OWNERS_MMDB=1 also runs report with a GeoLite2-ASN layout MMDB of the
# same table written by the Perl writer (slow to build: about a minute per
# 500,000 networks).
#   bench/owners.sh [N] [OWNERS] [RANGES]
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000000}
OWNERS=${2:-50000}
RANGES=${3:-524288}
B=${BUILD:-$PWD/build/release}
make -s sighted "$B/bench/owners_gen" >/dev/null
command -v /usr/bin/time >/dev/null || { echo "owners.sh: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/sighted-bench-owners.XXXXXX")
trap 'rm -rf "$W"' EXIT
G=$B/bench/owners_gen

WALL=0
timed() { # label command...: prints wall seconds and peak RSS; sets WALL
	local label=$1; shift
	local rc=0
	/usr/bin/time -v "$@" 2>"$W/time" >/dev/null || rc=$?
	# diff exits 1 when the snapshots differ
	if [ $rc -ne 0 ] && ! { [ $rc -eq 1 ] && [ "$label" != "${label#diff}" ]; }; then cat "$W/time" >&2; exit 1; fi
	local rss
	WALL=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time" |
		awk -F: '{s=0; for (i=1;i<=NF;i++) s=s*60+$i; print s}')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time")
	printf '%-40s %8.2f s  %8.1f MiB peak\n' "$label" "$WALL" "$(echo "$rss" | awk '{print $1/1024}')"
}
ratio() { awk -v a="$1" -v b="$2" -v l="$3" 'BEGIN{printf "%-40s %8.2f\n", l, (b > 0 ? a / b : 0)}'; }

echo "# sighted owners benchmark: $N entries, $OWNERS owners, $RANGES AS ranges ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ))"
timed "generate snapshot A" "$G" snap "$N" a "$W/a.sdb"
timed "generate snapshot B (1% -, 1% ~, 1% +)" "$G" snap "$N" b "$W/b.sdb"
"$G" asn "$RANGES" "$W/asn.tsv"
"$G" owners "$OWNERS" 60000 "$W/owners.csv"
printf '%-40s %d + %d bytes\n' "snapshots" "$(stat -c %s "$W/a.sdb")" "$(stat -c %s "$W/b.sdb")"

timed "baseline: info A + info B (read both)" sh -c "./sighted info '$W/a.sdb' && ./sighted info '$W/b.sdb'"
read_wall=$WALL
timed "diff A B (text)" ./sighted diff -q -o "$W/d.txt" "$W/a.sdb" "$W/b.sdb"
diff_wall=$WALL
printf '%-40s %d lines\n' "  differences" "$(wc -l < "$W/d.txt")"
rm -f "$W/d.txt"
timed "diff A B --json" ./sighted diff -q --json -o "$W/d.jsonl" "$W/a.sdb" "$W/b.sdb"
rm -f "$W/d.jsonl"
ratio "$diff_wall" "$read_wall" "ratio diff / read both"

timed "baseline: export --format csv B" ./sighted export --format csv "$W/b.sdb" -o "$W/b.csv"
csv_wall=$WALL
rm -f "$W/b.csv"
timed "report (ip2asn)" ./sighted report --owners "$W/owners.csv" --asn-db "$W/asn.tsv" -o "$W/rep" "$W/b.sdb"
report_wall=$WALL
printf '%-40s %s owner files, %d bytes\n' "  report" "$(ls "$W/rep/owners" | wc -l)" "$(du -sb "$W/rep" | cut -f1)"
ratio "$report_wall" "$csv_wall" "ratio report / export csv"
rm -rf "$W/rep"
timed "report --since A (ip2asn)" ./sighted report --owners "$W/owners.csv" --asn-db "$W/asn.tsv" --since "$W/a.sdb" -o "$W/rep" "$W/b.sdb"
rm -rf "$W/rep"
if [ "${BENCH_OWNERS_MMDB:-0}" = 1 ]; then
	"$G" asnnets "$RANGES" "$W/nets.tsv"
	timed "  build GeoLite2-ASN MMDB (Perl writer)" /usr/bin/perl tests/owners/mkasn.pl 6 "$W/nets.tsv" "$W/asn.mmdb"
	timed "report (MMDB)" ./sighted report --owners "$W/owners.csv" --asn-db "$W/asn.mmdb" -o "$W/rep" "$W/b.sdb"
	rm -rf "$W/rep"
fi
timed "notify --dry-run (ip2asn)" ./sighted notify --owners "$W/owners.csv" --asn-db "$W/asn.tsv" --from bench@cert.example --dry-run "$W/eml" "$W/b.sdb"
notify_wall=$WALL
printf '%-40s %s messages, %d bytes\n' "  notify" "$(ls "$W/eml" | wc -l)" "$(du -sb "$W/eml" | cut -f1)"
ratio "$notify_wall" "$report_wall" "ratio notify --dry-run / report"
