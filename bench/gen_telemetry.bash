# Sourced by bench/correlate.sh and bench/dask.sh (from the repository root;
# not *.sh, so bench/run does not take it for a benchmark):
# gen KIND MB OUT writes about MB megabytes of generated telemetry
# (bench/gen_telemetry.awk, KIND conn or eve) to OUT, unless OUT is already
# there at 90% of that size or more (the benchmarks share their inputs).
gen() {
	local kind=$1 mb=$2 out=$3 per
	[ -s "$out" ] && [ "$(stat -c %s "$out")" -ge $((mb * 1000000 * 9 / 10)) ] && return
	per=$(mawk -v kind="$kind" -v n=20000 -v seed=7 -f bench/gen_telemetry.awk | wc -c)
	mawk -v kind="$kind" -v n=$((mb * 1000000 * 20000 / per)) -v seed=1 -f bench/gen_telemetry.awk >"$out"
}
