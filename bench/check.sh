#!/bin/bash
# Bulk `sighted check -` against grepcidr (Debian's grepcidr, `grepcidr -f
# LIST QUERIES`: prints the query lines a listed address matches), in one
# run: LIST_N random IPv4 addresses imported into a snapshot, QUERY_N
# queries (half of them listed) in random order; medians of RUNS runs; wall
# seconds with CPU seconds beside them (the machine is shared).
#   bench/check.sh [LIST_N] [QUERY_N] [RUNS]
# Rows: -q (lookups only, nothing printed), text, CSV and JSON (an answer
# per query), --listed CSV and JSON (what grepcidr prints: the listed
# queries only). The answers are checked: the listed queries sighted counts
# equal the lines grepcidr prints.
# Targets (issue 12): CSV and JSON >= 5x grepcidr's wall time, with an
# answer per query and with --listed (grepcidr's own output); the output
# costs at most twice the lookups (format time - quiet time <= 2 x quiet).
# Every command writes its output to a file in a scratch directory (under
# $TMPDIR or /tmp; its file system is printed), as grepcidr's does; one
# more JSON row writes to /dev/null, to show what the file writes cost.
# Then, a figure that does not depend on the load: user-space instructions
# per query (valgrind's callgrind on the first CG_QUERIES queries, default
# 500000, less those of an empty input: opening the snapshot), for -q,
# CSV and JSON; CG_QUERIES=0 skips it.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
LIST_N=${1:-1000000}
QUERY_N=${2:-5000000}
RUNS=${3:-3}
SIGHTED=${SIGHTED:-${BUILD:-$PWD/build/release}/sighted}
[ -x "$SIGHTED" ] || { echo "check.sh: $SIGHTED not built" >&2; exit 2; }
for t in grepcidr mawk; do
	command -v $t >/dev/null || { echo "check.sh: needs $t (make deps)" >&2; exit 2; }
done
W=$(mktemp -d "${TMPDIR:-/tmp}/sighted-checkbench.XXXXXX")
trap 'rm -rf "$W"' EXIT

echo "# bulk check: $LIST_N listed IPv4 addresses, $QUERY_N queries (half listed)," \
	"median of $RUNS; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# distinct random addresses in 1.0.0.0-223.255.255.255
mawk -v n="$LIST_N" 'BEGIN { srand(11)
	while (k < n) { a = 1 + int(rand() * 223); b = int(rand() * 256); c = int(rand() * 256); d = int(rand() * 256)
		x = a "." b "." c "." d; if (!(x in s)) { s[x]; print x; k++ } } }' >"$W/list.txt"
# half the queries drawn from the list, half random (almost all unlisted)
mawk -v n="$QUERY_N" 'BEGIN { srand(12) } { l[NR] = $0 } END {
	for (i = 0; i < n; i++)
		if (rand() < 0.5) print l[1 + int(rand() * NR)]
		else printf "%d.%d.%d.%d\n", 1 + int(rand() * 223), int(rand() * 256), int(rand() * 256), int(rand() * 256) }' \
	"$W/list.txt" >"$W/queries.txt"
"$SIGHTED" import -q -c bench -o "$W/list.sdb" "$W/list.txt" 2>/dev/null
cat "$W/list.txt" "$W/queries.txt" "$W/list.sdb" >/dev/null

echo "# output goes to files in $W ($(stat -f -c %T "$W") file system), except the" \
	"row marked >/dev/null"
printf '%-32s %8s %8s %10s %9s %9s\n' "command" "wall s" "cpu s" "queries/s" "wall vs" "cpu vs"
declare -A WALL CPU
row() { # key label cmd... (key jsonnull: output to /dev/null)
	local key=$1 label=$2 wall cpu out=$W/out.$1
	shift 2
	[ "$key" != jsonnull ] || out=/dev/null
	read -r wall cpu < <(bench_time "$RUNS" "$out" "$@")
	WALL[$key]=$wall
	CPU[$key]=$cpu
	local qps vs cvs
	qps=$(awk -v n="$QUERY_N" -v w="$wall" 'BEGIN { printf "%.2fM", (w > 0 ? n / w / 1e6 : 0) }')
	vs=$(awk -v g="${WALL[grep]:-0}" -v w="$wall" 'BEGIN { if (g > 0 && w > 0) printf "%.1fx", g / w; else print "-" }')
	cvs=$(awk -v g="${CPU[grep]:-0}" -v w="$cpu" 'BEGIN { if (g > 0 && w > 0) printf "%.1fx", g / w; else print "-" }')
	printf '%-32s %8s %8s %10s %9s %9s\n' "$label" "$wall" "$cpu" "$qps" "$vs" "$cvs"
}
row grep "grepcidr -f LIST QUERIES" grepcidr -f "$W/list.txt" "$W/queries.txt"
# queries on stdin, as a user pipes them
printf '#!/bin/sh\nexec "%s" check -d "%s" "$@" - <"%s"\n' "$SIGHTED" "$W/list.sdb" "$W/queries.txt" >"$W/sq"
chmod +x "$W/sq"
sq=$W/sq
row quiet "sighted check -q -" "$sq" -q
row text "sighted check - (text)" "$sq"
row csv "sighted check --csv -" "$sq" --csv
row json "sighted check --json -" "$sq" --json
row jsonnull "sighted check --json - >/dev/null" "$sq" --json
row lcsv "sighted check --listed --csv -" "$sq" --listed --csv
row ljson "sighted check --listed --json -" "$sq" --listed --json

# the answers agree with grepcidr's
want=$(wc -l <"$W/out.grep")
got_csv=$(mawk -F, 'NR > 1 && $2 == "true"' "$W/out.csv" | wc -l)
got_lcsv=$(($(wc -l <"$W/out.lcsv") - 1))
got_json=$(grep -c '"listed":true' "$W/out.json" || true)
got_ljson=$(wc -l <"$W/out.ljson")
status=0
if [ "$want" != "$got_csv" ] || [ "$want" != "$got_lcsv" ] || [ "$want" != "$got_json" ] ||
	[ "$want" != "$got_ljson" ]; then
	echo "check.sh: answers disagree: grepcidr $want listed, sighted csv $got_csv," \
		"--listed csv $got_lcsv, json $got_json, --listed json $got_ljson" >&2
	status=1
else
	echo "# answers agree: $want listed queries"
fi
if [ "$(wc -l <"$W/out.csv")" != $((QUERY_N + 1)) ]; then
	echo "check.sh: CSV has $(wc -l <"$W/out.csv") lines, want $((QUERY_N + 1))" >&2
	status=1
fi

CG_QUERIES=${CG_QUERIES:-500000}
if [ "$CG_QUERIES" -gt 0 ] && command -v valgrind >/dev/null; then
	head -n "$CG_QUERIES" "$W/queries.txt" >"$W/cg.txt"
	cg_n=$(wc -l <"$W/cg.txt")
	cg() { # input args...: the instructions callgrind counts
		local in=$1
		shift
		valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" "$SIGHTED" check \
			-d "$W/list.sdb" "$@" - <"$in" >/dev/null 2>"$W/cg.err" || true
		sed -n 's/.*Collected : *//p' "$W/cg.err"
	}
	: >"$W/empty.txt"
	base=$(cg "$W/empty.txt" --json)
	line="# instructions a query (callgrind, $cg_n queries, less opening the snapshot):"
	for f in -q --csv --json; do
		name=${f#--}
		line="$line ${name/-q/quiet} $(awk -v t="$(cg "$W/cg.txt" $f)" -v b="$base" -v n="$cg_n" \
			'BEGIN { printf "%.0f", (t - b) / n }')"
	done
	echo "$line"
fi

for k in "${!WALL[@]}"; do
	# a command that failed to run reads 0 s: no figure to compare
	if [ "$(awk -v w="${WALL[$k]}" 'BEGIN { print (w > 0) }')" != 1 ]; then
		echo "check.sh: row $k took no time (did it run?)" >&2
		status=1
	fi
done
g=${WALL[grep]} q=${WALL[quiet]}
for f in csv json; do
	r=$(awk -v g="$g" -v w="${WALL[$f]}" 'BEGIN { printf "%.1f", (w > 0 ? g / w : 0) }')
	c=$(awk -v g="${CPU[grep]}" -v w="${CPU[$f]}" 'BEGIN { printf "%.1f", (w > 0 ? g / w : 0) }')
	bench_target "check --$f - vs grepcidr (wall; cpu ${c}x)" "${WALL[$f]} s" "$g s" "${r}x" ">= 5x" \
		"$(bench_met "$r" '>=' 5)"
done
# --listed prints what grepcidr prints (the listed queries only): the
# like-for-like comparison
for f in lcsv ljson; do
	r=$(awk -v g="$g" -v w="${WALL[$f]}" 'BEGIN { printf "%.1f", (w > 0 ? g / w : 0) }')
	c=$(awk -v g="${CPU[grep]}" -v w="${CPU[$f]}" 'BEGIN { printf "%.1f", (w > 0 ? g / w : 0) }')
	bench_target "check --listed --${f#l} - vs grepcidr (wall; cpu ${c}x)" "${WALL[$f]} s" "$g s" \
		"${r}x" ">= 5x" "$(bench_met "$r" '>=' 5)"
done
for f in text csv json; do
	o=$(awk -v w="${WALL[$f]}" -v q="$q" 'BEGIN { printf "%.2f", (q > 0 && w > 0 ? (w - q) / q : 999) }')
	bench_target "check $f: output cost / lookup cost" "$(awk -v w="${WALL[$f]}" -v q="$q" \
		'BEGIN { printf "%.2f s", w - q }')" "$q s (-q)" "${o}x" "<= 2x" "$(bench_met "$o" '<=' 2)"
done
exit $status
