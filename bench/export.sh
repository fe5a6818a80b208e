#!/bin/bash
# Export benchmark (not a timed test): a snapshot of N random entries
# (default 10M; 90% IPv4 addresses, 10% IPv6) exported to MMDB and CSV with
# wall time and peak memory (/usr/bin/time -v), then the exported MMDB's
# lookups/s in libmaxminddb against sighted's own db_contains over the same
# probe addresses (half listed) in the same run: per-round figures, medians
# and the ratio.
#   bench/export.sh [N] [PROBES] [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000000}
PROBES=${2:-1000000}
ROUNDS=${3:-5}
B=${BUILD:-$PWD/build/release}
make -s sighted "$B/bench/export_gen" "$B/bench/export_lookup" >/dev/null
command -v /usr/bin/time >/dev/null || { echo "export.sh: /usr/bin/time missing (Debian package time)" >&2; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/sighted-bench-export.XXXXXX")
trap 'rm -rf "$W"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
timed() { # label command...: prints wall seconds and peak RSS
	local label=$1; shift
	/usr/bin/time -v "$@" 2>"$W/time" >/dev/null || { cat "$W/time" >&2; exit 1; }
	local wall rss
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$W/time" |
		awk -F: '{s=0; for (i=1;i<=NF;i++) s=s*60+$i; print s}')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time")
	printf '%-34s %8.2f s  %8.1f MiB peak\n' "$label" "$wall" "$(echo "$rss" | awk '{print $1/1024}')"
}

echo "# sighted export benchmark: $N entries, $PROBES probes x $ROUNDS rounds ($(nproc) cores, $(date -u +%FT%TZ))"
timed "build snapshot (export_gen)" "$B/bench/export_gen" "$N" "$W/s.sdb"
entries=$(./sighted info "$W/s.sdb" | sed -n 's/^entries: *\([0-9]*\).*/\1/p')
printf '%-34s %d entries, %d bytes\n' "snapshot" "$entries" "$(stat -c %s "$W/s.sdb")"
timed "export --format mmdb" ./sighted export --format mmdb "$W/s.sdb" -o "$W/s.mmdb"
printf '%-34s %d bytes, %.1f bytes/entry\n' "  mmdb file" "$(stat -c %s "$W/s.mmdb")" \
	"$(awk -v a="$(stat -c %s "$W/s.mmdb")" -v b="$entries" 'BEGIN{print a/b}')"
timed "export --format csv" ./sighted export --format csv "$W/s.sdb" -o "$W/s.csv"
printf '%-34s %d bytes, %d rows\n' "  csv file" "$(stat -c %s "$W/s.csv")" "$(($(wc -l < "$W/s.csv") - 1))"
rm -f "$W/s.csv"

echo "# lookups/s over the same $PROBES addresses (half listed), single thread"
"$B/bench/export_lookup" "$W/s.sdb" "$W/s.mmdb" "$PROBES" "$ROUNDS" | tee "$W/lk"
s=$(awk '/^round/ {print $4}' "$W/lk" | median)
m=$(awk '/^round/ {print $6}' "$W/lk" | median)
printf 'median lookups/s: sighted db_contains %.0f, libmaxminddb on the export %.0f, ratio %.1fx\n' \
	"$s" "$m" "$(awk -v a="$s" -v b="$m" 'BEGIN{print a/b}')"
