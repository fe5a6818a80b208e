#!/bin/bash
# `sighted import` of N plain IPv4 lines (one address a line, distinct,
# random order) against mawk's dedupe of the same file (`!seen[$0]++`),
# in one run: wall and CPU seconds and peak memory (medians of RUNS).
#   bench/import.sh [N] [RUNS]   (N: default $IMPORT_N or 10000000;
#   IMPORT_LISTS: the same lines also as that many lists [365], 1: not)
# Target (issue 12): 10M lines in < 5 s and <= 40 bytes per entry at peak.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-${IMPORT_N:-10000000}}
RUNS=${2:-1}
SIGHTED=${SIGHTED:-${BUILD:-$PWD/build/release}/sighted}
[ -x "$SIGHTED" ] || { echo "import.sh: $SIGHTED not built" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/sighted-importbench.XXXXXX")
trap 'rm -rf "$W"' EXIT
# distinct addresses: a fixed odd multiplier permutes the 32-bit space
mawk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) { x = (i * 2654435761) % 4294967296
	printf "%d.%d.%d.%d\n", int(x / 16777216), int(x / 65536) % 256, int(x / 256) % 256, x % 256 } }' >"$W/list.txt"
cat "$W/list.txt" >/dev/null
echo "# import of $N plain IPv4 lines ($(($(stat -c %s "$W/list.txt") / 1000000)) MB), median of $RUNS;" \
	"$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure() { # outfile cmd... -> "wall cpu maxrss_kb" (medians)
	local out=$1 i t w=() c=() m=()
	shift
	t=$(mktemp)
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -o "$t" -f '%e %U %S %M' "$@" >"$out" 2>/dev/null || true
		read -r a u s k <"$t"
		w+=("$a")
		c+=("$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')")
		m+=("$k")
	done
	rm -f "$t"
	echo "$(printf '%s\n' "${w[@]}" | bench_median) $(printf '%s\n' "${c[@]}" | bench_median)" \
		"$(printf '%s\n' "${m[@]}" | bench_median)"
}
read -r mw mc mk < <(measure "$W/dedup.txt" mawk '!seen[$0]++' "$W/list.txt")
read -r sw sc sk < <(measure /dev/null "$SIGHTED" import -q -c bench -o "$W/list.sdb" "$W/list.txt")
printf '%-30s %8s %8s %10s %8s\n' command "wall s" "cpu s" "peak MB" "B/entry"
printf '%-30s %8s %8s %10d %8.1f\n' "mawk '!seen[\$0]++'" "$mw" "$mc" $((mk / 1024)) \
	"$(awk -v k="$mk" -v n="$N" 'BEGIN { print k * 1024 / n }')"
printf '%-30s %8s %8s %10d %8.1f\n' "sighted import" "$sw" "$sc" $((sk / 1024)) \
	"$(awk -v k="$sk" -v n="$N" 'BEGIN { print k * 1024 / n }')"
entries=$("$SIGHTED" info "$W/list.sdb" | awk '/^entries:/ { print $2 }')
if [ "$entries" != "$N" ]; then
	echo "import.sh: the snapshot holds $entries entries, want $N" >&2
	exit 1
fi
r=$(awk -v a="$mw" -v b="$sw" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
# CPU seconds move less with the load of a shared machine than wall time
echo "# cpu: sighted ${sc} s, mawk ${mc} s ($(awk -v a="$mc" -v b="$sc" \
	'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x); wall ratio ${r}x"
bpe=$(awk -v k="$sk" -v n="$N" 'BEGIN { printf "%.1f", k * 1024 / n }')
bench_target "import $N IPv4 lines (wall)" "$sw s" "$mw s (mawk dedupe)" "${r}x" "< 5 s" \
	"$(bench_met "$sw" '<=' 4.999)"
bench_target "import $N IPv4 lines, peak bytes/entry" "$bpe B" "$((mk / 1024)) MB (mawk)" "-" \
	"<= 40 B" "$(bench_met "$bpe" '<=' 40)"
# The same lines as LISTS files, as an import of a year of daily lists
# does: each list is settled (sorted, combined, counted) as it ends, so the
# cost a list adds must follow its own size, not everything held before it.
LISTS=${IMPORT_LISTS:-365}
if [ "$LISTS" -gt 1 ]; then
	mkdir "$W/lists"
	split -n "l/$LISTS" -d -a 4 "$W/list.txt" "$W/lists/day."
	read -r lw lc lk < <(measure "$W/dedup.txt" mawk '!seen[$0]++' "$W"/lists/day.*)
	read -r kw kc kk < <(measure /dev/null "$SIGHTED" import -q -c bench -o "$W/lists.sdb" "$W"/lists/day.*)
	entries=$("$SIGHTED" info "$W/lists.sdb" | awk '/^entries:/ { print $2 }')
	if [ "$entries" != "$N" ]; then
		echo "import.sh: the snapshot of $LISTS lists holds $entries entries, want $N" >&2
		exit 1
	fi
	echo "# the same $N lines as $LISTS lists: sighted ${kw} s wall, ${kc} s cpu," \
		"$((kk / 1024)) MB peak; one list ${sw} s wall, ${sc} s cpu" \
		"($(awk -v a="$kc" -v b="$sc" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x the cpu);" \
		"mawk ${lw} s wall ($(awk -v a="$lw" -v b="$kw" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x)"
fi
