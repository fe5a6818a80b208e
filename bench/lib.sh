# Shared by the bench/*.sh scripts (sourced, not run).
#
# bench_target LABEL MEASURED BASELINE RATIO GOAL MET
#   records one target of the speed issues for the summary table that
#   bench/run prints at the end: MEASURED and BASELINE are figures with
#   their unit ("0.52 s", "326 MB/s"), RATIO the comparison the target is
#   about ("6.1x"), GOAL the target ("CSV >= 5x grepcidr"), MET "met" or
#   "missed". The line goes to stdout (prefixed TARGET, tab-separated) and,
#   when bench/run collects them, to $BENCH_TARGETS.
bench_target() {
	local line
	line=$(printf 'TARGET\t%s\t%s\t%s\t%s\t%s\t%s' "$1" "$2" "$3" "$4" "$5" "$6")
	printf '%s\n' "$line"
	if [ -n "${BENCH_TARGETS:-}" ]; then
		printf '%s\n' "$line" >>"$BENCH_TARGETS"
	fi
}

# bench_met X OP Y -> "met" or "missed" (OP: >= or <=)
bench_met() {
	awk -v x="$1" -v op="$2" -v y="$3" 'BEGIN {
		ok = op == ">=" ? x + 0 >= y + 0 : x + 0 <= y + 0
		print ok ? "met" : "missed" }'
}

# bench_median: the median of the numbers on stdin, one per line
bench_median() {
	sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# bench_time REPS OUTFILE CMD... -> "wall cpu": medians of REPS runs of CMD
# (stdout to OUTFILE), in seconds
bench_time() {
	local reps=$1 outfile=$2 i t walls=() cpus=()
	shift 2
	t=$(mktemp)
	for ((i = 0; i < reps; i++)); do
		/usr/bin/time -o "$t" -f '%e %U %S' "$@" >"$outfile" 2>/dev/null || true
		walls+=("$(tail -1 "$t" | awk '{ print $1 }')")
		cpus+=("$(tail -1 "$t" | awk '{ print $2 + $3 }')")
	done
	rm -f "$t"
	printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | bench_median)" \
		"$(printf '%s\n' "${cpus[@]}" | bench_median)"
}
