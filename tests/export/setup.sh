# Shared by the export end-to-end tests: a snapshot with overlapping
# prefixes built by the real `sighted import` and `merge` from the demo
# lists plus two small lists written here, and helpers for peers.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
D=$ROOT/data/demo
C=$ROOT/data/campaigns
# A /24 and a /48 for gopuram-2023, with a /32, a /29 and a /128 inside
# them for 3cx-2023: the more specific must carry both campaigns.
printf '203.0.113.0/24\n2001:db8:77::/48\n' > "$T/over-gop.txt"
printf '203.0.113.9\n2001:db8:77::9\n203.0.113.200/29\n' > "$T/over-3cx.txt"
build_snapshot() {
	"$SIGHTED" import -q --campaigns "$C" -o "$T/a.sdb" "$D/impacted-3cx.csv" "$D/impacted-partner.jsonl" &&
	"$SIGHTED" import -q --campaigns "$C" -c gopuram-2023 --first-seen 2023-03-25 --last-seen 2023-03-28 \
		-o "$T/b.sdb" "$D/impacted-gopuram.txt" "$T/over-gop.txt" &&
	"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 --first-seen 2023-03-26 --confidence high \
		-o "$T/c.sdb" "$T/over-3cx.txt" &&
	"$SIGHTED" merge -o "$T/all.sdb" "$T/a.sdb" "$T/b.sdb" "$T/c.sdb"
} 2>"$T/build.log"
SDB=$T/all.sdb

# need CMD PACKAGE: a missing peer is a failure (scripts/install-deps
# installs it), never a silent skip.
need() {
	if command -v "$1" >/dev/null 2>&1; then return 0; fi
	not_ok "peer '$1' is missing: install Debian package $2 (scripts/install-deps)"
	return 1
}

free_port() { # tcp|udp
	/usr/bin/python3 -c 'import socket,sys
t=socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM
s=socket.socket(socket.AF_INET,t); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (tcp), 10 s
wait_port() {
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

# The addresses the round-trip tests ask about: the first and last address
# of every entry (from the JSON Lines export), and misses (neighbours of
# listed ranges and fixed-seed random addresses from both families).
probe_addresses() { # jsonl-export > addresses
	/usr/bin/python3 - "$1" <<'PY'
import ipaddress, json, random, sys
out = []
for line in open(sys.argv[1]):
    n = ipaddress.ip_network(json.loads(line)["key"])
    out += [n.network_address, n.broadcast_address]
    out += [n.network_address - 1, n.broadcast_address + 1]
rnd = random.Random(20230329)
for _ in range(60):
    out.append(ipaddress.IPv4Address(rnd.getrandbits(32)))
    out.append(ipaddress.IPv4Address(rnd.choice([0xc0000200, 0xc6336400, 0xcb007100]) + rnd.getrandbits(8)))
    out.append(ipaddress.IPv6Address((0x20010db8 << 96) | rnd.getrandbits(96)))
    out.append(ipaddress.IPv6Address((0x20010db80077 << 80) | rnd.getrandbits(16)))
seen = set()
for a in out:
    if a not in seen and not (a.version == 6 and int(a) >> 32 == 0):
        seen.add(a)
        print(a)
PY
}
