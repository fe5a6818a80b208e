#!/bin/bash
# Reader throughput of the telemetry readers against the usual shell tools,
# side by side in one run (medians of RUNS runs; the machine is shared, so
# CPU seconds are printed next to wall seconds).
#   bench/telemetry.sh [CONN_LINES] [EVE_LINES] [RUNS]
# sighted runs `records --count` (read, parse and normalise every record,
# print nothing); the baselines do the work a shell user would: mawk joins
# conn.log's responder field against an indicator hash and prints distinct
# originators, jq selects the flow events' sources from EVE. SIGHTED_BASE
# (an earlier binary) is timed on EVE too: before -> after.
set -eu
cd "$(dirname "$0")/.."
CONN_LINES=${1:-1500000}
EVE_LINES=${2:-300000}
RUNS=${3:-5}
SIGHTED=${SIGHTED:-./build/release/sighted}
[ -x "$SIGHTED" ] || make -s sighted
for t in mawk jq gzip zcat zstd; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

echo "generating $CONN_LINES conn.log lines and $EVE_LINES EVE events in $W ..." >&2
mawk -v kind=conn -v n="$CONN_LINES" -v seed=1 -f bench/gen_telemetry.awk >"$W/conn.log"
mawk -v kind=eve -v n="$EVE_LINES" -v seed=2 -f bench/gen_telemetry.awk >"$W/eve.json"
# 20,000 indicator addresses, some of them really responders in the log
mawk -F'\t' '!/^#/ && NR % 300 == 0 { print $5 }' "$W/conn.log" | head -10000 >"$W/ioc.txt"
mawk 'BEGIN { srand(3); for (i = 0; i < 10000; i++) printf "198.%d.%d.%d\n", int(rand()*256), int(rand()*256), int(rand()*256) }' >>"$W/ioc.txt"
gzip -6 -c "$W/conn.log" >"$W/conn.log.gz"
zstd -q -3 -c "$W/conn.log" >"$W/conn.log.zst"
cat "$W"/* >/dev/null # page cache

size() { stat -c %s "$1"; }
MB_CONN=$(( $(size "$W/conn.log") / 1000000 ))
MB_EVE=$(( $(size "$W/eve.json") / 1000000 ))

# median wall and cpu seconds of RUNS runs of a shell command
measure() {
	local i out walls=() cpus=()
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -o "$W/time" -f "%e %U %S" bash -c "$1" >/dev/null 2>&1
		out=$(tail -1 "$W/time")
		walls+=("$(echo "$out" | awk '{print $1}')")
		cpus+=("$(echo "$out" | awk '{print $2 + $3}')")
	done
	printf '%s %s\n' "$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')" \
		"$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
}

JOIN="mawk -F'\t' 'NR==FNR{ioc[\$1];next} !/^#/ && (\$5 in ioc) && !seen[\$3]++ {print \$3}' $W/ioc.txt"
printf '%-34s %8s %8s %9s %11s %8s %8s\n' "command" "wall s" "cpu s" "MB/s" "records/s" "wall vs" "cpu vs"
row() { # label, MB, records, command, base (or -): "wall cpu"
	read -r wall cpu < <(measure "$4")
	local mbs rps ratio
	mbs=$(awk -v m="$2" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? m / w : 0) }')
	rps=$(awk -v r="$3" -v w="$wall" 'BEGIN { printf "%.2fM", (w > 0 ? r / w / 1e6 : 0) }')
	ratio=$(awk -v b="$5" -v w="$wall" 'BEGIN { split(b, x, " "); if (b == "-") print "-"; else printf "%.1fx", x[1] / w }')
	cratio=$(awk -v b="$5" -v c="$cpu" 'BEGIN { split(b, x, " "); if (b == "-" || c == 0) print "-"; else printf "%.1fx", x[2] / c }')
	printf '%-34s %8s %8s %9s %11s %8s %8s\n' "$1" "$wall" "$cpu" "$mbs" "$rps" "$ratio" "$cratio"
	LAST="$wall $cpu"
}
echo "== Zeek conn.log, ${MB_CONN} MB, $CONN_LINES records"
row "cat > /dev/null (ceiling)" "$MB_CONN" "$CONN_LINES" "cat $W/conn.log" -
row "mawk join (baseline)" "$MB_CONN" "$CONN_LINES" "$JOIN $W/conn.log" -
BASE=$LAST
row "sighted records --count" "$MB_CONN" "$CONN_LINES" "$SIGHTED records --count $W/conn.log" "$BASE"
echo "== the same, gzip ($(( $(size "$W/conn.log.gz") / 1000000 )) MB compressed)"
row "zcat | mawk join (baseline)" "$MB_CONN" "$CONN_LINES" "zcat $W/conn.log.gz | $JOIN -" -
BASE=$LAST
row "sighted records --count (igzip)" "$MB_CONN" "$CONN_LINES" "$SIGHTED records --count $W/conn.log.gz" "$BASE"
echo "== the same, zstd"
row "zstd -dc | mawk join (baseline)" "$MB_CONN" "$CONN_LINES" "zstd -dc $W/conn.log.zst | $JOIN -" -
BASE=$LAST
row "sighted records --count (zstd)" "$MB_CONN" "$CONN_LINES" "$SIGHTED records --count $W/conn.log.zst" "$BASE"
echo "== Suricata EVE, ${MB_EVE} MB, $EVE_LINES events (50% flow, 30% dns, 15% tls, 5% http)"
row "cat > /dev/null (ceiling)" "$MB_EVE" "$EVE_LINES" "cat $W/eve.json" -
row "jq select flow .src_ip (baseline)" "$MB_EVE" "$EVE_LINES" "jq -r 'select(.event_type==\"flow\") | .src_ip' $W/eve.json" -
BASE=$LAST
row "sighted records --count" "$MB_EVE" "$EVE_LINES" "$SIGHTED records --count $W/eve.json" "$BASE"
if [ -n "${SIGHTED_BASE:-}" ]; then # an earlier build beside it: before -> after
	row "SIGHTED_BASE records --count" "$MB_EVE" "$EVE_LINES" "$SIGHTED_BASE records --count $W/eve.json" "$BASE"
fi
