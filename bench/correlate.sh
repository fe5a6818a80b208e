#!/bin/bash
# Benchmark of `sighted correlate` against the same join done by the usual
# tools, side by side in one run (never a timed test):
#   Zeek conn.log: sighted -j 1 / -j 2 vs mawk (a hash of the indicator IPs
#                  matched on id.resp_h, distinct originators printed)
#   EVE JSON:      sighted -j 1 vs jq (the same join on dest_ip)
#   gzip / zstd:   sighted on the compressed file vs zcat | mawk, zstd -dc | mawk
#   ceiling:       cat file > /dev/null
# Each figure is the median of REPS runs (default 3); the machine is noisy.
#   bench/correlate.sh [CONN_MB]   (default $CORRELATE_MB or 1000; EVE is half)
# Environment: SIGHTED (binary), BENCH_DIR (scratch, default /tmp), REPS,
# SIGHTED_BASE (an earlier binary, timed beside it on every sighted row:
# before -> after; its rows show the ratio of the new build over it).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
SIGHTED=${SIGHTED:-$PWD/sighted}
MB=${1:-${CORRELATE_MB:-1000}}
REPS=${REPS:-3}
D=${BENCH_DIR:-/tmp}/sighted-bench-correlate
mkdir -p "$D"
export SIGHTED_NO_PROGRESS=1

. bench/gen_telemetry.bash
echo "generating ${MB} MB conn.log and $((MB / 2)) MB EVE in $D ..." >&2
gen conn "$MB" "$D/conn.log"
gen eve $((MB / 2)) "$D/eve.json"
[ -s "$D/conn.log.gz" ] || gzip -1 -c "$D/conn.log" >"$D/conn.log.gz"
[ -s "$D/conn.log.zst" ] || zstd -q -1 -c "$D/conn.log" >"$D/conn.log.zst"

# 20,000 indicator IPs (1,000 of them responders really in the log) and
# 20,000 domains (1,000 really queried)
if [ ! -s "$D/ind.txt" ]; then
	{
		mawk -F'\t' '!/^#/ && NR % 997 == 0 { print $5 }' "$D/conn.log" | head -1000
		mawk 'BEGIN { srand(3); for (i = 0; i < 19000; i++) printf "%d.%d.%d.%d\n", 11 + int(rand() * 180), int(rand() * 256), int(rand() * 256), 1 + int(rand() * 254) }'
		mawk -F'"rrname":"' 'NF > 1 && NR % 13 == 0 { split($2, a, "\""); print a[1] }' "$D/eve.json" | head -1000
		mawk 'BEGIN { srand(5); for (i = 0; i < 19000; i++) printf "bench%d-c2.example\n", i }'
	} | sort -u >"$D/ind.txt"
	grep -E '^[0-9.]+$|:' "$D/ind.txt" >"$D/ind-ips.txt"
fi

median() { sort -n | mawk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# timeit command... : prints "wall cpu" (medians, seconds; cpu = user + sys of
# the whole pipeline, which the other load on a shared machine disturbs less)
timeit() {
	local i
	for ((i = 0; i < REPS; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$D/time.$i" bash -c '"$@" >/dev/null 2>&1' _ "$@"
	done
	for ((i = 0; i < REPS; i++)); do mawk '{ print $1 }' "$D/time.$i"; done | median | tr '\n' ' '
	for ((i = 0; i < REPS; i++)); do mawk '{ print $2 + $3 }' "$D/time.$i"; done | median
}
MAWK_JOIN='NR == FNR { ind[$1] = 1; next } /^#/ { next } ($5 in ind) && !seen[$3]++ { print $3 }'
mawk_conn() { mawk -F'\t' "$MAWK_JOIN" "$D/ind-ips.txt" "$1"; }
zcat_mawk() { zcat "$D/conn.log.gz" | mawk -F'\t' "$MAWK_JOIN" "$D/ind-ips.txt" -; }
zstd_mawk() { zstd -dc "$D/conn.log.zst" | mawk -F'\t' "$MAWK_JOIN" "$D/ind-ips.txt" -; }
jq_eve() { jq -r --slurpfile ind "$D/ind.json" '($ind[0]) as $i | select($i[.dest_ip // ""]) | .src_ip' "$D/eve.json" | sort -u; }
[ -s "$D/ind.json" ] || mawk 'BEGIN { printf "{" } { printf "%s\"%s\":true", (NR > 1 ? "," : ""), $1 } END { print "}" }' "$D/ind-ips.txt" >"$D/ind.json"
sig() { # -j file
	"$SIGHTED" correlate -c bench -i "$D/ind.txt" -j "$1" -q -o "$D/out.sdb" --sightings "$D/out.jsonl" "$2"
}

sig2() { "$SIGHTED" correlate -c bench -i "$D/ind.txt" -j "$1" -q -o "$D/out2.sdb" "$D/conn.a.log" "$D/conn.b.log"; }
# timeit runs each command in a child bash
export -f mawk_conn zcat_mawk zstd_mawk jq_eve sig sig2
export D MAWK_JOIN SIGHTED

# the answers must agree before the speed means anything
want=$(mawk_conn "$D/conn.log" | sort -u | wc -l)
sig 1 "$D/conn.log" 2>/dev/null
got=$(mawk -F'"' '/"flow"/ { print $4 }' "$D/out.jsonl" | sort -u | wc -l)
have_flow=$(grep -c '"flow"' "$D/out.jsonl" || true)
echo "check: mawk finds $want distinct originators to indicator IPs; sighted $got clients with flow evidence ($have_flow sightings)"

size() { stat -c %s "$1"; }
lines() { grep -vc '^#' "$1"; }
CONN=$(size "$D/conn.log") EVE=$(size "$D/eve.json")
NCONN=$(lines "$D/conn.log") NEVE=$(wc -l <"$D/eve.json")
row() { # name bytes records "wall cpu" ["baseline wall cpu"]
	mawk -v n="$1" -v b="$2" -v r="$3" -v t="$4" -v base="${5:-}" 'BEGIN {
		split(t, x, " "); s = x[1]; c = x[2]
		printf "%-30s %6.2f s %6.2f cpu-s %6.0f MB/s %9.0f rec/s", n, s, c, b / s / 1e6, r / s
		if (base != "") { split(base, y, " "); printf "   x%.2f wall  x%.2f cpu", y[1] / s, y[2] / (c > 0 ? c : 0.001) }
		printf "\n" }'
}
echo "conn.log: $((CONN / 1000000)) MB, $NCONN records; EVE: $((EVE / 1000000)) MB, $NEVE records; 40,000 indicators; median of $REPS"
t_cat=$(timeit cat "$D/conn.log")
t_mawk=$(timeit mawk_conn "$D/conn.log")
t_s1=$(timeit sig 1 "$D/conn.log")
# -j 2 needs two files: the same log split in halves
if [ ! -s "$D/conn.b.log" ]; then
	head -8 "$D/conn.log" >"$D/conn.b.log"
	half=$(( (NCONN / 2) + 8 ))
	head -n "$half" "$D/conn.log" >"$D/conn.a.log"
	tail -n +"$((half + 1))" "$D/conn.log" >>"$D/conn.b.log"
fi
t_s1h=$(timeit sig2 1)
t_s2=$(timeit sig2 2)
row "cat > /dev/null (ceiling)" "$CONN" "$NCONN" "$t_cat"
row "mawk join (zeek conn)" "$CONN" "$NCONN" "$t_mawk"
row "sighted -j 1 (zeek conn)" "$CONN" "$NCONN" "$t_s1" "$t_mawk"
row "sighted -j 1, two halves" "$CONN" "$NCONN" "$t_s1h"
row "sighted -j 2, two halves" "$CONN" "$NCONN" "$t_s2" "$t_s1h"
if [ -n "${SIGHTED_BASE:-}" ]; then # the earlier build, and the new one's gain over it
	b_s1=$(SIGHTED=$SIGHTED_BASE timeit sig 1 "$D/conn.log")
	b_s1h=$(SIGHTED=$SIGHTED_BASE timeit sig2 1)
	b_s2=$(SIGHTED=$SIGHTED_BASE timeit sig2 2)
	row "SIGHTED_BASE -j 1 (zeek conn)" "$CONN" "$NCONN" "$b_s1" "$t_mawk"
	row "  new build vs SIGHTED_BASE" "$CONN" "$NCONN" "$t_s1" "$b_s1"
	row "SIGHTED_BASE -j 1, two halves" "$CONN" "$NCONN" "$b_s1h"
	row "SIGHTED_BASE -j 2, two halves" "$CONN" "$NCONN" "$b_s2" "$b_s1h"
	row "  new build vs SIGHTED_BASE" "$CONN" "$NCONN" "$t_s2" "$b_s2"
fi
t_zm=$(timeit zcat_mawk)
t_zs=$(timeit sig 1 "$D/conn.log.gz")
row "zcat | mawk (gzip)" "$CONN" "$NCONN" "$t_zm"
row "sighted -j 1 (gzip)" "$CONN" "$NCONN" "$t_zs" "$t_zm"
if [ -n "${SIGHTED_BASE:-}" ]; then
	b_zs=$(SIGHTED=$SIGHTED_BASE timeit sig 1 "$D/conn.log.gz")
	row "SIGHTED_BASE -j 1 (gzip)" "$CONN" "$NCONN" "$b_zs" "$t_zm"
fi
t_dm=$(timeit zstd_mawk)
t_ds=$(timeit sig 1 "$D/conn.log.zst")
row "zstd -dc | mawk (zstd)" "$CONN" "$NCONN" "$t_dm"
row "sighted -j 1 (zstd)" "$CONN" "$NCONN" "$t_ds" "$t_dm"
if [ -n "${SIGHTED_BASE:-}" ]; then
	b_ds=$(SIGHTED=$SIGHTED_BASE timeit sig 1 "$D/conn.log.zst")
	row "SIGHTED_BASE -j 1 (zstd)" "$CONN" "$NCONN" "$b_ds" "$t_dm"
fi
t_jq=$(REPS=1 timeit jq_eve)
t_se=$(timeit sig 1 "$D/eve.json")
row "jq join (EVE, 1 run)" "$EVE" "$NEVE" "$t_jq"
row "sighted -j 1 (EVE)" "$EVE" "$NEVE" "$t_se" "$t_jq"
if [ -n "${SIGHTED_BASE:-}" ]; then # an earlier build beside it: before -> after
	t_sb=$(SIGHTED=$SIGHTED_BASE timeit sig 1 "$D/eve.json")
	row "SIGHTED_BASE -j 1 (EVE)" "$EVE" "$NEVE" "$t_sb" "$t_jq"
fi
tgt() { # label goal measured-"wall cpu" baseline-"wall cpu"
	local m b r
	m=${3%% *} b=${4%% *}
	r=$(awk -v m="$m" -v b="$b" 'BEGIN { printf "%.2f", (m > 0 ? b / m : 0) }')
	bench_target "$1" "$m s" "$b s" "${r}x" ">= ${2}x" "$(bench_met "$r" '>=' "$2")"
}
tgt "correlate conn.log -j 1 vs mawk join (wall)" 5 "$t_s1" "$t_mawk"
tgt "correlate -j 2 vs -j 1, two files (wall)" 1.8 "$t_s2" "$t_s1h"
tgt "correlate gzip'd conn.log vs zcat | mawk (wall)" 3 "$t_zs" "$t_zm"
tgt "correlate zstd conn.log vs zstd -dc | mawk (wall)" 3 "$t_ds" "$t_dm"
tgt "correlate EVE vs jq join (wall)" 20 "$t_se" "$t_jq"
echo "(xN: speed-up over the baseline row above it, in wall time and in CPU seconds; sighted's"
echo " times include loading the 40,000 indicators and writing + fsyncing its outputs;"
echo " targets: zeek >= 5x mawk, EVE >= 20x jq, gzip and zstd >= 3x zcat|mawk, -j 2 >= 1.8x -j 1 (wall))"
