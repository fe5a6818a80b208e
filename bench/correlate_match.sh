#!/bin/bash
# Benchmark of `sighted correlate` where every record matches (a sinkhole, a
# popular C2): RECORDS Zeek conn.log records from as many distinct clients,
# each to one of 4 indicator addresses, so every record is a new
# client x indicator sighting. Side by side in one run with the baseline:
# mawk doing the same join and counting distinct client x indicator pairs.
# Figures: matched records per second (wall, median of REPS) and bytes of
# peak RSS (/usr/bin/time %M, median) per distinct sighting; and the same
# run writing --sightings too (JSON Lines, about 1 GB for 3M sightings):
# its wall time over the run without it (target: at most 2x).
#   bench/correlate_match.sh [RECORDS]   (default 3000000; 1000000 ~ 20 s)
# Then, with CALLGRIND=1, where the instructions go (load-independent):
# callgrind on CG_RECORDS records (default 200000), per record and per
# thread: the reader (parse, match, hand-over), the aggregate's inserter,
# the read-ahead, and after the reading the sort's split, the sort's own
# thread, the builder feed (with the sorting the reader of the sightings
# did itself) and the snapshot write (with the index built on a thread of
# its own, where it is). BASE (a binary) is profiled beside.
# Environment: SIGHTED (binary), BENCH_DIR (scratch, default /tmp), REPS.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
SIGHTED=${SIGHTED:-$PWD/sighted}
N=${1:-3000000}
REPS=${REPS:-3}
D=${BENCH_DIR:-/tmp}/sighted-bench-match
mkdir -p "$D"
export SIGHTED_NO_PROGRESS=1
LOG=$D/conn-$N.log
IND=$D/ind.txt

# distinct clients: 10.0.0.0/8 walked by an odd multiplier (a permutation
# of 2^24, so no client repeats below 16.7M records and the order is not
# the address order)
generate() { # N LOG
	[ -s "$2" ] && return
	echo "generating $1 matching conn.log records in $2 ..." >&2
	mawk -v n="$1" 'BEGIN {
	print "#separator \\x09"
	print "#set_separator\t,"
	print "#empty_field\t(empty)"
	print "#unset_field\t-"
	print "#path\tconn"
	print "#open\t2023-03-28-10-40-00"
	print "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents"
	print "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]"
	t = 1680000000
	for (i = 0; i < n; i++) {
		t += 0.001
		c = (i * 40503 + 12345) % 16777216
		printf "%.6f\tC%d\t10.%d.%d.%d\t%d\t198.51.100.%d\t443\ttcp\tssl\t1.5\t100\t2000\tSF\tT\tF\t0\tShADadFf\t5\t300\t4\t2200\t-\n", t, i, int(c / 65536), int(c / 256) % 256, c % 256, 1024 + i % 60000, 1 + i % 4
	}
}' >"$2.tmp"
	mv "$2.tmp" "$2"
}
generate "$N" "$LOG"
printf '198.51.100.%d\n' 1 2 3 4 >"$IND"

MAWK_JOIN='NR == FNR { ind[$1] = 1; next } /^#/ { next } ($5 in ind) { k = $3 SUBSEP $5; if (!(k in seen)) { seen[k] = 1; n++ } } END { print n + 0 }'
mawk_join() { mawk -F'\t' "$MAWK_JOIN" "$IND" "$LOG"; }
sig() { "$SIGHTED" correlate -c bench -i "$IND" -j 1 -q -o "$D/out.sdb" "$LOG"; }
sig_jsonl() { "$SIGHTED" correlate -c bench -i "$IND" -j 1 -q -o "$D/out.sdb" --sightings "$D/out.jsonl" "$LOG"; }

# the answers must agree before the speed means anything
want=$(mawk_join)
"$SIGHTED" correlate -c bench -i "$IND" -j 1 -q -o "$D/out.sdb" "$LOG" 2>"$D/err"
got=$(sed -n 's/.* \([0-9]*\) client x indicator sighting.*/\1/p' "$D/err")
echo "check: mawk finds $want distinct client x indicator pairs; sighted $got"
if [ "$want" != "$got" ]; then
	echo "correlate_match: the two disagree" >&2
	exit 1
fi

# measure NAME CMD...: REPS runs; prints "wall cpu rss_kb" (medians)
measure() {
	local i t walls=() cpus=() rss=()
	t=$(mktemp)
	for ((i = 0; i < REPS; i++)); do
		/usr/bin/time -o "$t" -f '%e %U %S %M' "$@" >/dev/null 2>&1
		walls+=("$(awk '{ print $1 }' "$t")")
		cpus+=("$(awk '{ print $2 + $3 }' "$t")")
		rss+=("$(awk '{ print $4 }' "$t")")
	done
	rm -f "$t"
	printf '%s %s %s\n' "$(printf '%s\n' "${walls[@]}" | bench_median)" \
		"$(printf '%s\n' "${cpus[@]}" | bench_median)" \
		"$(printf '%s\n' "${rss[@]}" | bench_median)"
}
m_mawk=$(measure bash -c "$(declare -f mawk_join); IND='$IND' LOG='$LOG' MAWK_JOIN='$MAWK_JOIN'; mawk_join")
m_sig=$(measure bash -c "$(declare -f sig); SIGHTED='$SIGHTED' IND='$IND' LOG='$LOG' D='$D'; sig")
m_json=$(measure bash -c "$(declare -f sig_jsonl); SIGHTED='$SIGHTED' IND='$IND' LOG='$LOG' D='$D'; sig_jsonl")

row() { # name "wall cpu rss" [baseline "wall cpu rss"]
	awk -v n="$1" -v t="$2" -v base="${3:-}" -v r="$N" -v s="$want" 'BEGIN {
		split(t, x, " ")
		printf "%-34s %6.2f s %6.2f cpu-s %9.0f rec/s %8.0f rec/cpu-s %6.0f MB peak %5.0f B/sighting", n, x[1], x[2], r / x[1], r / (x[2] > 0 ? x[2] : 0.001), x[3] / 1024, x[3] * 1024 / s
		if (base != "") { split(base, y, " "); printf "   x%.2f wall x%.2f cpu", y[1] / x[1], y[2] / (x[2] > 0 ? x[2] : 0.001) }
		printf "\n" }'
}
echo "$N records, $want distinct client x indicator sightings, 4 indicators; median of $REPS"
row "mawk join, distinct pairs" "$m_mawk"
row "sighted -j 1 -o (snapshot)" "$m_sig" "$m_mawk"
row "sighted -j 1 -o --sightings" "$m_json" "$m_mawk"

read -r s_wall _ s_rss <<<"$m_sig"
read -r b_wall _ b_rss <<<"$m_mawk"
rate=$(awk -v r="$N" -v w="$s_wall" 'BEGIN { printf "%.0f", r / w }')
brate=$(awk -v r="$N" -v w="$b_wall" 'BEGIN { printf "%.0f", r / w }')
per=$(awk -v k="$s_rss" -v s="$want" 'BEGIN { printf "%.0f", k * 1024 / s }')
bper=$(awk -v k="$b_rss" -v s="$want" 'BEGIN { printf "%.0f", k * 1024 / s }')
bench_target "correlate, every record matching: records/s (-o)" "$rate rec/s" "mawk $brate rec/s" \
	"$(awk -v a="$rate" -v b="$brate" 'BEGIN { printf "%.2fx", a / b }')" ">= 2000000/s" \
	"$(bench_met "$rate" '>=' 2000000)"
bench_target "correlate, every record matching: peak bytes per sighting" "$per B" "mawk $bper B" \
	"$(awk -v a="$per" -v b="$bper" 'BEGIN { printf "%.2fx", b / a }')" "<= 64 B" \
	"$(bench_met "$per" '<=' 64)"
# the --sightings file (about 340 bytes a sighting, written, fsynced and
# renamed like the snapshot) against the same run without it
read -r j_wall j_cpu _ <<<"$m_json"
read -r _ s_cpu _ <<<"$m_sig"
jratio=$(awk -v a="$j_wall" -v b="$s_wall" 'BEGIN { printf "%.2f", a / b }')
echo "--sightings over -o: x$jratio wall, x$(awk -v a="$j_cpu" -v b="$s_cpu" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 0.001) }') cpu ($(du -m "$D/out.jsonl" | cut -f1) MB of JSON lines)"
bench_target "correlate --sightings: wall over the -o run" "$j_wall s" "-o $s_wall s" "${jratio}x" \
	"<= 2x" "$(bench_met "$jratio" '<=' 2)"
echo "(xN: mawk's time over sighted's; bytes per sighting: the whole process's peak RSS over"
echo " distinct client x indicator sightings; sighted's time includes writing + fsyncing the snapshot)"

[ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null || exit 0
CG_RECORDS=${CG_RECORDS:-200000}
CG_LOG=$D/conn-$CG_RECORDS.log
generate "$CG_RECORDS" "$CG_LOG"
# cg_split BINARY NAME: instructions per record, whole and per thread/phase
cg_split() {
	local out=$D/cg.$2
	SOURCE_DATE_EPOCH=1700000000 valgrind --tool=callgrind --callgrind-out-file="$out" "$1" \
		correlate -c bench -i "$IND" -j 1 -q -o "$D/cg-$2.sdb" "$CG_LOG" >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$out" 2>/dev/null | awk -v n="$CG_RECORDS" -v who="$2" '
	/PROGRAM TOTALS/ { v = $1; gsub(",", "", v); total = v }
	match($0, /:[A-Za-z_0-9]+ \[/) {
		f = substr($0, RSTART + 1, RLENGTH - 3); v = $1; gsub(",", "", v)
		if (!(f in c)) c[f] = v
	}
	function r(x) { return x / n }
	END {
		parse = c["tel_next"] - c["corr_prefilter_memo"]
		match_ = c["corr_prefilter_memo"] + c["corr_match_memo"]
		hand = c["corr_agg_batch_add"] + c["corr_agg_batch_flush"]
		feed = c["corr_write"] - c["corr_agg_sort"] - c["db_builder_write"]
		printf "%-5s %5.0f instr/record: reader %4.0f (parse %4.0f, match %3.0f, hand-over %3.0f); inserter %3.0f; read-ahead %3.0f\n", who, r(total), r(c["run_file"]), r(parse), r(match_), r(hand), r(c["inserter_main"]), r(c["ring_main"])
		printf "%-5s after reading %4.0f: sort split %3.0f, sort thread %3.0f, feed (+ sorting it did) %3.0f, builder write %3.0f (index thread %3.0f)\n", who, r(c["corr_write"] + c["sorter_main"] + c["index_main"]), r(c["corr_agg_sort"]), r(c["sorter_main"]), r(feed), r(c["db_builder_write"]), r(c["index_main"])
	}'
}
echo
echo "callgrind, $CG_RECORDS records (every one a new sighting), instructions per record:"
cg_split "$SIGHTED" new
if [ -n "${BASE:-}" ]; then
	cg_split "$BASE" base
	cmp -s "$D/cg-new.sdb" "$D/cg-base.sdb" && echo "(snapshots of the two byte-identical)" ||
		echo "(snapshots of the two DIFFER)"
fi
