#!/bin/bash
# Snapshot lookups: sighted's .sdb against libmaxminddb (an MMDB of the same
# entries) and a plain sorted array, in one run, for three sets: 1M and 10M
# random IPv4 hosts and 1M random IPv6 hosts, each with first seen, last
# seen, count and a campaign. Probes: 10M addresses, half listed, in random
# order, one thread; medians of 3 runs; every answer checked against the
# truth.
#
# Two writers make the MMDBs, and each set names which one its baseline
# came from: Debian's libmaxmind-db-writer-perl (the baseline's own writer,
# about 60 s and 1.4 GB per million IPv4 entries here, so 10M would take
# some 10 min and 14 GB) and sighted's own exporter (`sighted export
# --format mmdb`, checked with libmaxminddb and mmdblookup in tests; about
# 40 s and 0.6 GB for 10M). The 10M set's baseline is the sighted-written
# MMDB of all 10M entries; the 1M sets are measured on both writers' files
# side by side, so a reader sees whether libmaxminddb's speed depends on
# the writer.
#
# Environment (defaults in brackets):
#   BUILD               build directory holding bench/db_lookup and sighted
#                       [build/release]
#   DB_BENCH_PROBES     probes per set [10M]
#   DB_BENCH_REPS       repetitions, the median is printed [3]
#   DB_BENCH_MMDB_V4    IPv4 entries the Perl writer writes [1M]; the 1M
#                       set is the first 1M of the 10M set, so the same
#                       file is the 10M set's cross-check (of a subset, as
#                       the output says); 10M writes the whole set, which
#                       then becomes the 10M baseline
#   DB_BENCH_MMDB_V6    IPv6 entries the Perl writer writes [1M]: about
#                       110 s and 5.8 GB for 1M random /128s
#   DB_BENCH_SIGHTED_MMDB  1 to write MMDBs with sighted export too, 0 for
#                       the Perl writer only (then 10M compares with a
#                       subset, as before) [1]
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
SIGHTED=$BUILD/sighted
PROBES=${DB_BENCH_PROBES:-10M}
REPS=${DB_BENCH_REPS:-3}
MMDB_V4=${DB_BENCH_MMDB_V4:-1M}
MMDB_V6=${DB_BENCH_MMDB_V6:-1M}
SIGHTED_MMDB=${DB_BENCH_SIGHTED_MMDB:-1}
SEED=1
PERL_W=libmaxmind-db-writer-perl
SIGHTED_W="sighted export"

if [ ! -x "$BIN" ]; then
	echo "db.sh: $BIN not built (run: make bench)" >&2
	exit 2
fi
if [ "$SIGHTED_MMDB" != 0 ] && [ ! -x "$SIGHTED" ]; then
	echo "db.sh: $SIGHTED not built (run: make, or DB_BENCH_SIGHTED_MMDB=0)" >&2
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

# timed OUT CMD... -> runs CMD, writes "SECONDS PEAK_MB" to OUT.secs
timed() {
	local out=$1 t=$work/time.out
	shift
	/usr/bin/time -o "$t" -f '%e %M' "$@" 2>"$work/mkmmdb.log" || {
		cat "$work/mkmmdb.log" >&2
		return 1
	}
	tail -1 "$t" | awk '{ printf "%.1f %.0f\n", $1, $2 / 1024 }' >"$out.secs"
}
# reused OUT -> true when DB_BENCH_DIR holds OUT from an earlier run
reused() {
	if [ -n "${DB_BENCH_DIR:-}" ] && [ -s "$1" ] && [ -s "$1.secs" ]; then
		echo "# reusing $1 (written in $(cut -d' ' -f1 "$1.secs") s)" >&2
		return 0
	fi
	return 1
}
# mkmmdb_perl FAMILY ENTRIES(total) SUBSET OUT
mkmmdb_perl() {
	local family=$1 entries=$2 subset=$3 out=$4 tsv=$work/mmdb-in.tsv
	reused "$out" && return 0
	echo "# writing the IPv$family MMDB ($subset entries) with $PERL_W..." >&2
	"$BIN" emit --family "$family" --entries "$entries" --seed $SEED \
		--limit "$subset" >"$tsv"
	timed "$out" perl bench/mkmmdb.pl "$family" "$tsv" "$out"
	rm -f "$tsv"
}
# mkmmdb_sighted FAMILY ENTRIES OUT: the set's snapshot, exported
mkmmdb_sighted() {
	local family=$1 entries=$2 out=$3 sdb
	reused "$out" && return 0
	echo "# writing the IPv$family MMDB ($entries entries) with $SIGHTED_W..." >&2
	sdb=$("$BIN" build --family "$family" --entries "$entries" --seed $SEED --dir "$work")
	timed "$out" "$SIGHTED" export --format mmdb "$sdb" -o "$out"
	rm -f "$sdb"
}
# dropmmdb FILE...: unless DB_BENCH_DIR keeps them for the next run
dropmmdb() {
	local f
	[ -n "${DB_BENCH_DIR:-}" ] && return 0
	for f in "$@"; do
		rm -f "$f" "$f.secs"
	done
}
# mmopt N FILE ENTRIES WRITER -> db_lookup options for MMDB N ("" or 2)
mmopt() {
	local secs rss
	read -r secs rss <"$2.secs"
	printf '%s\n' "--mmdb$1" "$2" "--mmdb$1-entries" "$3" "--mmdb$1-build-s" "$secs" \
		"--mmdb$1-rss-mb" "$rss" "--mmdb$1-writer" "$4"
}
summaries=()
status=0
run_set() { # family entries [db_lookup --mmdb options...]
	local out family=$1 entries=$2
	shift 2
	if ! out=$("$BIN" run --family "$family" --entries "$entries" --seed $SEED \
		--probes "$PROBES" --reps "$REPS" --dir "$work" "$@"); then
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
# Perl-written MMDB of at most 1M entries serves both; a larger
# DB_BENCH_MMDB_V4 writes a second one for the 10M set.
v4_small=$MMDB_V4
[ "$(num "$MMDB_V4")" -le 1000000 ] || v4_small=1M
perl4=$work/ipv4-$v4_small.perl.mmdb
mkmmdb_perl 4 10M "$v4_small" "$perl4"
opts=()
mapfile -t opts < <(mmopt "" "$perl4" "$v4_small" "$PERL_W")
if [ "$SIGHTED_MMDB" != 0 ]; then
	mkmmdb_sighted 4 1M "$work/ipv4-1M.sighted.mmdb"
	mapfile -t -O ${#opts[@]} opts < <(mmopt 2 "$work/ipv4-1M.sighted.mmdb" 1M "$SIGHTED_W")
fi
run_set 4 1M "${opts[@]}"
dropmmdb "$work/ipv4-1M.sighted.mmdb"
if [ "$v4_small" != "$MMDB_V4" ]; then
	dropmmdb "$perl4"
	perl4=$work/ipv4-$MMDB_V4.perl.mmdb
	mkmmdb_perl 4 10M "$MMDB_V4" "$perl4"
fi
# the 10M baseline: an MMDB of all 10M entries, from whichever writer
# wrote one (Perl when asked to); the other MMDB is the cross-check
mapfile -t perlopt < <(mmopt "" "$perl4" "$MMDB_V4" "$PERL_W")
if [ "$SIGHTED_MMDB" != 0 ]; then
	mkmmdb_sighted 4 10M "$work/ipv4-10M.sighted.mmdb"
	if [ "$(num "$MMDB_V4")" -ge 10000000 ]; then
		mapfile -t opts < <(mmopt 2 "$work/ipv4-10M.sighted.mmdb" 10M "$SIGHTED_W")
		opts=("${perlopt[@]}" "${opts[@]}")
	else
		mapfile -t opts < <(mmopt "" "$work/ipv4-10M.sighted.mmdb" 10M "$SIGHTED_W"
			mmopt 2 "$perl4" "$MMDB_V4" "$PERL_W")
	fi
else
	opts=("${perlopt[@]}")
fi
run_set 4 10M "${opts[@]}"
rm -f "$work"/ipv4-*.sdb
dropmmdb "$perl4" "$work/ipv4-10M.sighted.mmdb"

if [ "${DB_BENCH_V6:-1}" != 0 ]; then
	perl6=$work/ipv6-$MMDB_V6.perl.mmdb
	mkmmdb_perl 6 1M "$MMDB_V6" "$perl6"
	mapfile -t opts < <(mmopt "" "$perl6" "$MMDB_V6" "$PERL_W")
	if [ "$SIGHTED_MMDB" != 0 ]; then
		mkmmdb_sighted 6 1M "$work/ipv6-1M.sighted.mmdb"
		mapfile -t -O ${#opts[@]} opts < <(mmopt 2 "$work/ipv6-1M.sighted.mmdb" 1M "$SIGHTED_W")
	fi
	run_set 6 1M "${opts[@]}"
	rm -f "$work"/ipv6-*.sdb
	dropmmdb "$perl6" "$work/ipv6-1M.sighted.mmdb"
fi

echo
echo "== summary (lookups/s, medians; x = times libmaxminddb's lookups/s) =="
echo "   contains/x single: one db_contains call per address, so each lookup"
echo "   waits for its own cache misses (on 10M entries, about one DRAM latency),"
echo "   on db_open's file mapping (as check and the CLI use it); huge: the same"
echo "   opened with DB_OPEN_HUGE_PAGES (a copy in 2 MB pages, as serve holds it);"
echo "   batch: db_contains_batch, 1024 addresses a call, misses overlapped;"
echo "   mmdb by: the writer of the baseline MMDB (perl: $PERL_W)"
printf '%-9s %11s %11s %11s %11s %11s %11s %-8s %8s %8s %7s %7s %8s %6s\n' \
	set contains huge batch cover sorted mmdb "mmdb by" "x single" "x batch" \
	"B/ent" "mmdb B" build check
for s in "${summaries[@]}"; do
	[ -n "$s" ] || continue
	IFS=$'\t' read -r _ name c b cv so mm bpe mbpe bt _ sub ok cm mm2 sub2 w1 w2 <<<"$s"
	xs=$(awk -v a="$c" -v b="$mm" 'BEGIN { print (b > 0 ? a / b : 0) }')
	xm=$(awk -v a="$cm" -v b="$mm" 'BEGIN { print (b > 0 ? a / b : 0) }')
	xb=$(awk -v a="$b" -v b="$mm" 'BEGIN { print (b > 0 ? a / b : 0) }')
	short() { case $1 in "$PERL_W") echo perl ;; "$SIGHTED_W") echo sighted ;; *) echo "$1" ;; esac; }
	printf '%-9s %11.0f %11.0f %11.0f %11.0f %11.0f %11.0f %-8s %7.1fx %7.1fx %7.1f %7.1f %7.2fs %6s\n' \
		"$name" "$c" "$cm" "$b" "$cv" "$so" "$mm" "$(short "$w1")" "$xs" "$xb" "$bpe" "$mbpe" "$bt" "$ok"
	[ "$sub" = "${name#* }" ] || echo "          (the baseline MMDB holds a $sub subset for $name, see above)"
	echo "          single with DB_OPEN_HUGE_PAGES: $(printf '%.1fx' "$xm") libmaxminddb"
	if [ "${mm2:-0}" != 0 ]; then
		echo "          cross-check: libmaxminddb on the $(short "$w2")-written MMDB ($sub2 entries):" \
			"$(printf '%.0f/s' "$mm2"), $(awk -v a="$mm2" -v b="$mm" 'BEGIN { printf "%.2f", a / b }')x" \
			"the $(short "$w1")-written baseline's speed$([ "$sub2" = "${name#* }" ] ||
				echo " (a smaller tree: a $sub2 subset)")"
	fi
	case $name in
	IPv4*)
		met() { awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN {
			ok = op == ">=" ? x + 0 >= y + 0 : x + 0 < y + 0
			print ok ? "met" : "MISSED" }'; }
		base="$(printf '%.0f/s' "$mm") ($(short "$w1") MMDB, $sub)"
		bench_target "db_contains single, $name, vs libmaxminddb" \
			"$(printf '%.0f/s (huge pages %.0f/s, %.1fx)' "$c" "$cm" "$xm")" \
			"$base" "$(printf '%.1fx' "$xs")" ">= 20x" "$(bench_met "$xs" '>=' 20)"
		bench_target "db_contains_batch, $name, vs libmaxminddb" "$(printf '%.0f/s' "$b")" \
			"$base" "$(printf '%.1fx' "$xb")" ">= 20x" "$(bench_met "$xb" '>=' 20)"
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
