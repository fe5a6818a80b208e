#!/bin/bash
# Benchmark of sighted-dask against one machine, side by side in one run
# (never a timed test), on the conn.log and EVE of bench/correlate.sh:
#   one machine:  sighted correlate -j 1 and -j 2 over conn.log + eve.json
#   Dask:         sighted-dask with 1 and with 2 single-threaded workers
#                 (scheduler and workers on 127.0.0.1), cache emptied each run
# then what the scaling model of docs/dask.md needs:
#   per-task cost     K tiny shards through Dask vs the same sighted runs in a loop
#   per-shard speed   sighted correlate --range over one 256 MB range of each file,
#                     and its roles pass (--learn-proxies)
#   identity          XXH3-128 of the inputs (first run only; reruns use the memo),
#                     and SHA-256 for comparison
#   merge             sighted merge of K shard snapshots of E entries each
# Each figure is the median of REPS runs (default 3); the machine is shared.
#   bench/dask.sh [CONN_MB]   (default 1000; EVE is half of it)
# Environment: SIGHTED (binary), BENCH_DIR (scratch, default /tmp), REPS.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
SIGHTED=${SIGHTED:-$PWD/sighted}
PY=/usr/bin/python3
MB=${1:-1000}
REPS=${REPS:-3}
D=${BENCH_DIR:-/tmp}/sighted-bench-correlate # shared with bench/correlate.sh
mkdir -p "$D"
W=$(mktemp -d "${BENCH_DIR:-/tmp}/sighted-bench-dask.XXXXXX")
export SIGHTED_NO_PROGRESS=1 LC_ALL=C
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$W"
}
trap cleanup EXIT
$PY -c 'import distributed' || { echo "bench/dask.sh: python3-distributed is not installed" >&2; exit 1; }

# the same generator and sizes as bench/correlate.sh (files are reused when there)
. bench/gen_telemetry.bash
echo "generating ${MB} MB conn.log and $((MB / 2)) MB EVE in $D ..." >&2
gen conn "$MB" "$D/conn.log"
gen eve $((MB / 2)) "$D/eve.json"
if [ ! -s "$D/ind-dask.txt" ]; then # indicators that occur in both logs, and many that do not
	{
		mawk -F'\t' '!/^#/ && NR % 997 == 0 { print $5 }' "$D/conn.log" | head -1000
		mawk 'BEGIN { srand(3); for (i = 0; i < 19000; i++) printf "%d.%d.%d.%d\n", 11 + int(rand() * 180), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254) }'
		mawk -F'"rrname":"' 'NF > 1 && NR % 13 == 0 { split($2, a, "\""); print a[1] }' "$D/eve.json" | head -1000
	} | sort -u >"$D/ind-dask.txt"
fi
IND=$D/ind-dask.txt
INPUTS=("$D/conn.log" "$D/eve.json")
BYTES=$(($(stat -c %s "$D/conn.log") + $(stat -c %s "$D/eve.json")))

median() { sort -n | mawk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
timeit() { # command... : median wall seconds over REPS runs
	local i
	for ((i = 0; i < REPS; i++)); do
		/usr/bin/time -f '%e' -o "$W/time.$i" "$@" >/dev/null 2>"$W/err.$i" || { cat "$W/err.$i" >&2; return 1; }
	done
	for ((i = 0; i < REPS; i++)); do tail -n 1 "$W/time.$i"; done | median
}
row() { # name seconds bytes [baseline seconds]
	mawk -v n="$1" -v s="$2" -v b="$3" -v base="${4:-}" 'BEGIN {
		printf "%-42s %7.2f s %7.0f MB/s", n, s, b / s / 1e6
		if (base != "") printf "   x%.2f", base / s
		printf "\n" }'
}

start_cluster() { # nworkers: sets SCHED
	rm -f "$W/scheduler.json"
	$PY -m distributed.cli.dask_scheduler --host 127.0.0.1 --port 0 --dashboard-address 127.0.0.1:0 \
		--no-dashboard --scheduler-file "$W/scheduler.json" >"$W/scheduler.log" 2>&1 &
	pids+=($!)
	local i
	for i in $(seq 1 600); do [ -s "$W/scheduler.json" ] && break; sleep 0.1; done
	SCHED=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$W/scheduler.json")
	export SCHED
	for ((i = 0; i < $1; i++)); do
		$PY -m distributed.cli.dask_worker "$SCHED" --nthreads 1 --no-nanny --host 127.0.0.1 \
			--dashboard-address 127.0.0.1:0 --no-dashboard --local-directory "$W/w$i" >"$W/w$i.log" 2>&1 &
		pids+=($!)
	done
	timeout 120 $PY -c 'import sys
from distributed import Client
c = Client(sys.argv[1], timeout=60); c.wait_for_workers(int(sys.argv[2])); c.close()' "$SCHED" "$1"
}
stop_cluster() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	pids=()
}
# (functions run under /usr/bin/time through bash -c; paths have no spaces)
one() { "$SIGHTED" correlate -c bench -i "$IND" -j "$1" -q --build-time 1700000000 -o "$W/one.sdb" $INPUTS_STR; }
dask_run() { # out extra-args...
	local out=$1; shift
	rm -rf "$W/cache"
	$PY "$ROOT/dask/sighted-dask" correlate -q --scheduler "$SCHED" -c bench -i "$IND" \
		--sighted "$SIGHTED" --build-time 1700000000 --cache-dir "$W/cache" -o "$W/$out.sdb" "$@"
}
export -f one dask_run
export SIGHTED IND W PY ROOT
export INPUTS_STR="${INPUTS[*]}"

echo "inputs: conn.log $(($(stat -c %s "$D/conn.log") / 1000000)) MB + eve.json $(($(stat -c %s "$D/eve.json") / 1000000)) MB; $(wc -l <"$IND") indicators; median of $REPS; $(nproc) cores, shared"
t1=$(timeit bash -c 'one 1')
t2=$(timeit bash -c 'one 2')
start_cluster 1
d1=$(timeit bash -c 'dask_run d1 $INPUTS_STR')
stop_cluster
start_cluster 2
d2=$(timeit bash -c 'dask_run d2 $INPUTS_STR')
# the answer must not depend on where it was computed
"$SIGHTED" correlate -c bench -i "$IND" -j 2 -q --build-time 1700000000 -o "$W/one.sdb" "${INPUTS[@]}" 2>/dev/null
if cmp -s "$W/one.sdb" "$W/d2.sdb"; then same="byte-identical"; else same="DIFFERENT (cmp)"; fi
row "sighted correlate -j 1" "$t1" "$BYTES"
row "sighted correlate -j 2" "$t2" "$BYTES" "$t1"
row "sighted-dask, 1 worker" "$d1" "$BYTES" "$t1"
row "sighted-dask, 2 workers" "$d2" "$BYTES" "$t2"
echo "(xN: speed-up over -j 1 for -j 2 and 1 worker, over -j 2 for 2 workers; Dask snapshot vs -j 2: $same)"

# per-task cost: K tiny shards (one DNS line each) through Dask vs a plain loop
K=${K:-64}
mkdir -p "$W/tiny"
for ((i = 0; i < K; i++)); do
	printf '{"timestamp":"2023-03-29T13:55:%02d.000000+0000","event_type":"dns","src_ip":"10.0.0.%d","dest_ip":"10.0.0.1","dns":{"type":"query","rrname":"t%d.example"}}\n' $((i % 60)) $((i % 250 + 1)) "$i" >"$W/tiny/t$i.json"
done
loop() { for f in "$W"/tiny/*.json; do "$SIGHTED" correlate -c bench -i "$IND" -q -o "$W/t.sdb" "$f"; done; }
export -f loop
tl=$(timeit bash -c loop)
tk=$(timeit bash -c 'dask_run tiny --split-size 0 --no-learn $W/tiny')
mawk -v k="$K" -v a="$tl" -v b="$tk" -v w=2 'BEGIN {
	printf "per task: sighted alone %.1f ms; through Dask (2 workers, %d shards, + merge tree) %.1f ms of wall per shard, %.1f ms of worker time\n", a / k * 1e3, k, b / k * 1e3, b * w / k * 1e3 }'
stop_cluster

# per-shard throughput: one 256 MB range of each file (or the whole, if smaller)
R=$((256 << 20))
for f in "${INPUTS[@]}"; do
	sz=$(stat -c %s "$f")
	end=$((sz < R ? sz : R))
	t=$(timeit "$SIGHTED" correlate -c bench -i "$IND" -q -o "$W/r.sdb" --range "0:$end" "$f")
	row "one shard --range 0:$end $(basename "$f")" "$t" "$end"
	t=$(timeit "$SIGHTED" correlate -c bench -i "$IND" -q --learn-proxies "$W/r.roles" --range "0:$end" "$f")
	row "  its roles pass (--learn-proxies)" "$t" "$end"
done
for algo in content_hash sha256_file; do
	t=$(timeit $PY -c 'import sys; sys.path.insert(0, sys.argv[1] + "/dask")
from sighted_dask import work
for p in sys.argv[3:]: getattr(work, sys.argv[2])(p)' "$ROOT" $algo "${INPUTS[@]}")
	row "identity: work.$algo (first run only)" "$t" "$BYTES"
done

# merge: K shard snapshots of E entries each (distinct addresses per shard)
for E in 10000 100000 1000000; do
	for K in 2 16; do
		files=()
		for ((i = 0; i < K; i++)); do
			f="$W/m-$E-$i.sdb"
			if [ ! -s "$f" ]; then
				mawk -v e="$E" -v s="$i" 'BEGIN { for (j = 0; j < e; j++) { n = s * e + j; printf "%d.%d.%d.%d\n", 20 + int(n / 16777216) % 200, int(n / 65536) % 256, int(n / 256) % 256, n % 256 } }' >"$W/m.txt"
				"$SIGHTED" import -q -c 3cx-2023 --campaigns "$ROOT/data/campaigns" -s "shard$i" \
					--build-time 1700000000 -o "$f" "$W/m.txt" 2>/dev/null
			fi
			files+=("$f")
		done
		t=$(timeit "$SIGHTED" merge --build-time 1700000000 -o "$W/merged.sdb" "${files[@]}")
		sz=$(stat -c %s "$W/merged.sdb")
		mawk -v e="$E" -v k="$K" -v t="$t" -v sz="$sz" 'BEGIN {
			printf "merge %2d shards x %7d entries: %6.2f s, %5.2f M entries/s, output %5.1f MB\n", k, e, t, k * e / t / 1e6, sz / 1e6 }'
	done
	rm -f "$W"/m-"$E"-*.sdb
done
