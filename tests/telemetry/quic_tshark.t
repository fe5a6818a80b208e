#!/bin/bash
# QUIC Initials in captures: the shipped captures are what the generator
# writes, sighted reads the same server names from the same clients as
# tshark (which decrypts QUIC Initials itself), and a QUIC connection to a
# campaign domain is `tls` evidence for the client that sent the Initial.
set -u
: "${SIGHTED:?}" "${TESTS_DATA:?}" "${BUILD:?}"
export SIGHTED_CAMPAIGNS="$TESTS_DATA/../../data/campaigns" SIGHTED_NO_PROGRESS=1
D="$TESTS_DATA/pcap"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }
check() { local what=$1; shift; "$@"; ok $? "$what"; }
CAPS="quic-rfc9001-initial.pcap quic-rfc9369-initial.pcap quic-split-hellos.pcap"

"$BUILD/tests/telemetry/test_quic_pcap" --write "$T"
for c in $CAPS; do
	check "$c is what the generator writes" cmp -s "$D/$c" "$T/$c"
done

# "client name" per ClientHello, sorted, from both readers
for c in $CAPS; do
	"$SIGHTED" records --json "$D/$c" 2>"$T/$c.err" |
		jq -r 'select(.kind == "tls") | "\(.client) \(.name)"' | sort >"$T/$c.sighted"
	check "$c: read without malformed packets" grep -q ', 0 malformed' "$T/$c.err"
	check "$c: at least one QUIC ClientHello read" test -s "$T/$c.sighted"
done
if command -v tshark >/dev/null; then
	for c in $CAPS; do
		tshark -o udp.try_heuristic_first:TRUE -r "$D/$c" -T fields -E occurrence=f -e ip.src -e ipv6.src \
			-e tls.handshake.extensions_server_name 2>/dev/null |
			awk -F'\t' '$3 != "" { print ($1 != "" ? $1 : $2), $3 }' | sort >"$T/$c.tshark"
		check "$c: tshark finds the same clients and server names" cmp -s "$T/$c.sighted" "$T/$c.tshark"
	done
else
	for c in $CAPS; do
		n=$((n + 1)); echo "ok $n # skip tshark is not installed ($c)"
	done
fi

# the names themselves (so the comparison above cannot pass on two empty lists)
check "RFC 9001 example: example.com from 192.0.2.10" test "$(cat "$T/quic-rfc9001-initial.pcap.sighted")" = "192.0.2.10 example.com"
check "RFC 9369 (v2) example: example.com from 2001:db8::10" test "$(cat "$T/quic-rfc9369-initial.pcap.sighted")" = "2001:db8::10 example.com"
check "split, out-of-order, coalesced hellos: four names" test "$(tr '\n' ';' <"$T/quic-split-hellos.pcap.sighted")" = "192.0.2.11 akamaicontainer.com;192.0.2.12 officestoragebox.com;192.0.2.13 github.com;2001:db8::11 msstorageazure.com;"

# correlate: QUIC to a 3CX C2 domain is tls evidence for the Initial's sender
"$SIGHTED" correlate -c 3cx-2023 -o "$T/q.sdb" --sightings "$T/q.jsonl" "$D/quic-split-hellos.pcap" 2>"$T/corr.err"
ok $? "correlate on the QUIC capture exits 0"
who() { jq -r --arg c "$1" 'select(.client == $c) | "\(.indicator) \(.evidence | join(","))"' "$T/q.jsonl" | sort -u | tr '\n' ';'; }
check "192.0.2.11 (v1, three Initials out of order): akamaicontainer.com, tls" test "$(who 192.0.2.11)" = "akamaicontainer.com tls;"
check "2001:db8::11 (v2, port 8443): msstorageazure.com, tls" test "$(who 2001:db8::11)" = "msstorageazure.com tls;"
check "192.0.2.12 (coalesced Initials): officestoragebox.com, tls" test "$(who 192.0.2.12)" = "officestoragebox.com tls;"
check "192.0.2.13 (github.com): not sighted" test -z "$(who 192.0.2.13)"
check "the servers are never the client" test -z "$(who 198.51.100.7)$(who 2001:db8::7)"

echo "1..$n"
