#!/bin/bash
# Snapshot lookups: sighted's .sdb against libmaxminddb (an MMDB of the same
# entries, written with Debian's libmaxmind-db-writer-perl) and a plain
# sorted array, in one run, for three sets: 1M and 10M random IPv4 hosts
# and 1M random IPv6 hosts, each with first seen, last seen, count and a
# campaign. Probes: 10M addresses, half listed, in random order, one
# thread; medians of 3 runs; every answer checked against the truth.
#
# Environment (defaults in brackets):
#   BUILD               build directory holding bench/db_lookup [build/release]
#   DB_BENCH_PROBES     probes per set [10M]
#   DB_BENCH_REPS       repetitions, the median is printed [3]
#   DB_BENCH_MMDB_V4    IPv4 entries written to the MMDB [1M]: the Perl
#                       writer takes about 60 s and 1.4 GB per million IPv4
#                       entries here (10M: some 10 min and 14 GB), so by
#                       default the 10M set is compared with an MMDB of its
#                       first 1M entries (the same entries as the 1M set),
#                       as the output says; 10M writes the whole set
#   DB_BENCH_MMDB_V6    IPv6 entries written to the MMDB [1M]: about 110 s
#                       and 5.8 GB for 1M random /128s
#   DB_BENCH_V6         1 to run the IPv6 set, 0 to skip it [1]
#   DB_BENCH_DIR        where the files go [a temporary directory, removed];
#                       when given, the MMDBs written there are kept and a
#                       later run with the same sizes reuses them (the
#                       Perl writer takes minutes; 15 on a loaded machine)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
: "${BUILD:=$PWD/build/release}"
BIN=$BUILD/bench/db_lookup
PROBES=${DB_BENCH_PROBES:-10M}
REPS=${DB_BENCH_REPS:-3}
MMDB_V4=${DB_BENCH_MMDB_V4:-1M}
MMDB_V6=${DB_BENCH_MMDB_V6:-1M}
SEED=1

if [ ! -x "$BIN" ]; then
	echo "db.sh: $BIN not built (run: make bench)" >&2
	exit 2
fi
if ! perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null; then
	echo "db.sh: Perl module MaxMind::DB::Writer::Tree missing" \
		"(apt-get install libmaxmind-db-writer-perl, or make deps)" >&2
	exit 2
fi
if [ -n "${DB_BENCH_DIR:-}" ]; then
	work=$DB_BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/sighted-dbbench.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

echo "# sighted snapshot lookups vs libmaxminddb $(pkg-config --modversion libmaxminddb 2>/dev/null || echo '?')" \
	"and a sorted array"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores," \
	"load $(cut -d' ' -f1-3 /proc/loadavg); probes $PROBES, median of $REPS"

# mkmmdb FAMILY ENTRIES(total) SUBSET OUT -> prints the seconds it took
mkmmdb() {
	local family=$1 entries=$2 subset=$3 out=$4 tsv=$work/mmdb-in.tsv t0 t1
	if [ -n "${DB_BENCH_DIR:-}" ] && [ -s "$out" ] && [ -s "$out.secs" ]; then
		echo "# reusing $out (written in $(cat "$out.secs") s)" >&2
		cat "$out.secs"
		return 0
	fi
	"$BIN" emit --family "$family" --entries "$entries" --seed $SEED \
		--limit "$subset" >"$tsv"
	t0=$(date +%s.%N)
	perl bench/mkmmdb.pl "$family" "$tsv" "$out" 2>"$work/mkmmdb.log" || {
		cat "$work/mkmmdb.log" >&2
		return 1
	}
	t1=$(date +%s.%N)
	rm -f "$tsv"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' | tee "$out.secs"
}
# drop an MMDB unless DB_BENCH_DIR keeps it for the next run
dropmmdb() {
	[ -n "${DB_BENCH_DIR:-}" ] || rm -f "$1" "$1.secs"
}

summaries=()
status=0
run_set() { # family entries mmdb-subset mmdb-file mmdb-seconds
	local out
	if ! out=$("$BIN" run --family "$1" --entries "$2" --seed $SEED \
		--probes "$PROBES" --reps "$REPS" --dir "$work" \
		--mmdb "$4" --mmdb-entries "$3" --mmdb-build-s "$5"); then
		status=1
	fi
	printf '%s\n' "$out" | grep -v '^SUMMARY'
	summaries+=("$(printf '%s\n' "$out" | grep '^SUMMARY' || true)")
}

num() { # 1M, 250k, 1000 -> a plain number
	awk -v x="$1" 'BEGIN { m = 1; if (x ~ /[kK]$/) m = 1e3; if (x ~ /[mM]$/) m = 1e6
		sub(/[kKmM]$/, "", x); printf "%d\n", x * m }'
}
# The 1M set is the first 1M entries of the 10M set (same seed), so one
# MMDB of at most 1M entries serves both; a larger DB_BENCH_MMDB_V4 writes
# a second one for the 10M set.
v4_small=$MMDB_V4
[ "$(num "$MMDB_V4")" -le 1000000 ] || v4_small=1M
echo "# writing the IPv4 MMDB ($v4_small entries) with libmaxmind-db-writer-perl..."
v4_secs=$(mkmmdb 4 10M "$v4_small" "$work/ipv4-$v4_small.mmdb")
run_set 4 1M "$v4_small" "$work/ipv4-$v4_small.mmdb" "$v4_secs"
if [ "$v4_small" != "$MMDB_V4" ]; then
	dropmmdb "$work/ipv4-$v4_small.mmdb"
	echo "# writing the IPv4 MMDB ($MMDB_V4 entries) with libmaxmind-db-writer-perl..."
	v4_secs=$(mkmmdb 4 10M "$MMDB_V4" "$work/ipv4-$MMDB_V4.mmdb")
fi
run_set 4 10M "$MMDB_V4" "$work/ipv4-$MMDB_V4.mmdb" "$v4_secs"
rm -f "$work"/ipv4-*.sdb
dropmmdb "$work/ipv4-$MMDB_V4.mmdb"

if [ "${DB_BENCH_V6:-1}" != 0 ]; then
	echo "# writing the IPv6 MMDB ($MMDB_V6 entries) with libmaxmind-db-writer-perl..."
	v6_secs=$(mkmmdb 6 1M "$MMDB_V6" "$work/ipv6-$MMDB_V6.mmdb")
	run_set 6 1M "$MMDB_V6" "$work/ipv6-$MMDB_V6.mmdb" "$v6_secs"
	rm -f "$work"/ipv6-*.sdb
	dropmmdb "$work/ipv6-$MMDB_V6.mmdb"
fi

echo
echo "== summary (lookups/s, medians; x = times libmaxminddb's lookups/s) =="
echo "   contains/x single: one db_contains call per address, so each lookup"
echo "   waits for its own cache misses (on 10M entries, about one DRAM latency);"
echo "   batch: db_contains_batch, 1024 addresses a call, misses overlapped"
printf '%-9s %11s %11s %11s %11s %11s %8s %8s %7s %7s %8s %6s\n' \
	set contains batch cover sorted mmdb "x single" "x batch" "B/ent" "mmdb B" build check
for s in "${summaries[@]}"; do
	[ -n "$s" ] || continue
	IFS=$'\t' read -r _ name c b cv so mm bpe mbpe bt _ sub ok <<<"$s"
	xs=$(awk -v a="$c" -v b="$mm" 'BEGIN { print (b > 0 ? a / b : 0) }')
	xb=$(awk -v a="$b" -v b="$mm" 'BEGIN { print (b > 0 ? a / b : 0) }')
	printf '%-9s %11.0f %11.0f %11.0f %11.0f %11.0f %7.1fx %7.1fx %7.1f %7.1f %7.2fs %6s\n' \
		"$name" "$c" "$b" "$cv" "$so" "$mm" "$xs" "$xb" "$bpe" "$mbpe" "$bt" "$ok"
	[ "$sub" = "${name#* }" ] || echo "          (MMDB of a $sub subset for $name, see above)"
	case $name in
	IPv4*)
		met() { awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN {
			ok = op == ">=" ? x + 0 >= y + 0 : x + 0 < y + 0
			print ok ? "met" : "MISSED" }'; }
		bench_target "db_contains single, $name, vs libmaxminddb" "$(printf '%.0f/s' "$c")" \
			"$(printf '%.0f/s' "$mm")" "$(printf '%.1fx' "$xs")" ">= 20x" "$(bench_met "$xs" '>=' 20)"
		bench_target "db_contains_batch, $name, vs libmaxminddb" "$(printf '%.0f/s' "$b")" \
			"$(printf '%.0f/s' "$mm")" "$(printf '%.1fx' "$xb")" ">= 20x" "$(bench_met "$xb" '>=' 20)"
		bench_target "snapshot bytes per entry, $name" "$bpe B" "$mbpe B (mmdb)" "-" "<= 24 B" \
			"$(bench_met "$bpe" '<=' 24)"
		if [ "$name" = "IPv4 10M" ]; then
			bench_target "10M-entry snapshot build" "$bt s" "-" "-" "< 5 s" "$(bench_met "$bt" '<=' 4.9999)"
		fi
		echo "          targets: >=20x libmaxminddb: single $(met "$xs" '>=' 20)," \
			"batch $(met "$xb" '>=' 20); <=24 B/entry: $(met "$bpe" '<' 24.0001);" \
			"10M built in <5 s: $( [ "$name" = "IPv4 10M" ] && met "$bt" '<' 5 || echo n/a)"
		;;
	esac
done
exit $status
