#!/bin/bash
# What reading QUIC Initials costs in the capture reader, side by side with
# tshark (which decrypts them too) in one run; medians of RUNS runs.
#   bench/quic.sh [CONNECTIONS] [RUNS]
# The capture (bench/quic_gen.c): CONNECTIONS QUIC connections, each a
# ClientHello split over two Initials (second first) and a server datagram,
# 1 in 5 in QUIC v2. The same capture with the long-header bit cleared is
# UDP sighted does not open: the difference per Initial is the QUIC cost.
# Correctness check: sighted and tshark find the same number of names.
set -eu
cd "$(dirname "$0")/.."
CONNS=${1:-20000}
RUNS=${2:-5}
SIGHTED=${SIGHTED:-./build/release/sighted}
BUILD=${BUILD:-$PWD/build/release}
[ -x "$SIGHTED" ] || make -s sighted
[ -x "$BUILD/bench/quic_gen" ] || make -s "$BUILD/bench/quic_gen"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$BUILD/bench/quic_gen" "$CONNS" "$W/quic.pcap"
"$BUILD/bench/quic_gen" "$CONNS" "$W/plain.pcap" plain
cat "$W"/*.pcap >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu() { # median user+sys seconds of RUNS runs of a command
	local i
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -o "$W/t" -f "%U %S" bash -c "$1" >/dev/null 2>&1
		awk '{print $1 + $2}' "$W/t"
	done | median
}

n_sighted=$("$SIGHTED" records --json "$W/quic.pcap" 2>/dev/null | grep -c '"kind":"tls"')
echo "sighted: $n_sighted ClientHellos named in $CONNS connections"
if [ "$n_sighted" -ne "$CONNS" ]; then
	echo "FAIL: expected $CONNS" >&2
	exit 1
fi
s_quic=$(cpu "$SIGHTED records --count $W/quic.pcap")
s_plain=$(cpu "$SIGHTED records --count $W/plain.pcap")
pkts=$((CONNS * 3))
initials=$((CONNS * 2))
printf '%-44s %8s %12s\n' "run" "cpu s" "us/packet"
printf '%-44s %8s %12s\n' "sighted records, UDP not opened (plain)" "$s_plain" "$(awk -v s="$s_plain" -v p=$pkts 'BEGIN{printf "%.2f", s/p*1e6}')"
printf '%-44s %8s %12s\n' "sighted records, QUIC Initials read" "$s_quic" "$(awk -v s="$s_quic" -v p=$pkts 'BEGIN{printf "%.2f", s/p*1e6}')"
printf '%-44s %8s %12s\n' "  => per Initial packet (decrypt + parse)" "" "$(awk -v a="$s_quic" -v b="$s_plain" -v i=$initials 'BEGIN{printf "%.2f", (a-b)/i*1e6}')"
if command -v tshark >/dev/null; then
	# heuristics first: otherwise a client port that happens to be a
	# registered one (27950, Quake 3) hides the QUIC in it from tshark
	n_tshark=$(tshark -o udp.try_heuristic_first:TRUE -r "$W/quic.pcap" -T fields -e tls.handshake.extensions_server_name 2>/dev/null | grep -c .)
	echo "tshark: $n_tshark names"
	if [ "$n_tshark" -ne "$n_sighted" ]; then
		echo "FAIL: tshark and sighted disagree" >&2
		exit 1
	fi
	t=$(cpu "tshark -o udp.try_heuristic_first:TRUE -r $W/quic.pcap -T fields -e tls.handshake.extensions_server_name")
	printf '%-44s %8s %12s\n' "tshark -T fields -e ...server_name" "$t" "$(awk -v s="$t" -v p=$pkts 'BEGIN{printf "%.2f", s/p*1e6}')"
	echo "ratio tshark / sighted (cpu): $(awk -v a="$t" -v b="$s_quic" 'BEGIN{printf "%.1fx", (b > 0 ? a/b : 0)}')"
else
	echo "tshark not installed: no baseline"
fi
