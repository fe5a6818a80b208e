#!/bin/bash
# The rbldnsd export served by the real rbldnsd on loopback and queried
# with dig: listed and unlisted IPv4 and IPv6 addresses, A and TXT,
# compared with `sighted check`.
. "$(dirname "$0")/setup.sh"
check "build a snapshot" build_snapshot
check "export rbldnsd" "$SIGHTED" export --format rbldnsd "$SDB" -o "$T/zone"
contains "an ip4trie section" "$T/zone" '^\$DATASET ip4trie'
contains "an ip6trie section" "$T/zone" '^\$DATASET ip6trie'
need rbldnsd rbldnsd && need dig bind9-dnsutils || { done_testing; exit 0; }
# rbldnsd refuses to run as root and reads the zone after dropping to its
# own user, so the zone must be readable by that user
R=$T/rbl; mkdir -p "$R"; chmod 711 "$T"; chmod 755 "$R"
cp "$T/zone" "$R/zone"; chmod 644 "$R/zone"
user=(); [ "$(id -u)" -eq 0 ] && user=(-u rbldns)
port=$(free_port udp)
ZONE=bl.sighted.test
timeout 120 rbldnsd -n -f "${user[@]}" -b "127.0.0.1/$port" -w "$R" "$ZONE:combined:zone" > "$T/rbl.log" 2>&1 &
pid=$!
_pids+=("$pid")
up=0
for _ in $(seq 1 50); do
	if grep -q started "$T/rbl.log"; then up=1; break; fi
	sleep 0.1
done
if [ $up = 1 ]; then ok "rbldnsd loads the zone"; else
	not_ok "rbldnsd loads the zone"; sed 's/^/# /' "$T/rbl.log"; done_testing; exit 0
fi
lacks "rbldnsd reports no bad lines" "$T/rbl.log" 'invalid|error|ignor'

rev_name() { /usr/bin/python3 -c 'import ipaddress,sys
print(ipaddress.ip_address(sys.argv[1]).reverse_pointer.rsplit(".",2)[0])' "$1"; }
q() { dig +short +tries=1 +time=2 -p "$port" @127.0.0.1 "$(rev_name "$1").$ZONE" "$2"; }

"$SIGHTED" export --format jsonl "$SDB" -o "$T/all.jsonl" 2>/dev/null
probe_addresses "$T/all.jsonl" | awk 'NR % 3 == 0' | head -80 > "$T/addrs"
"$SIGHTED" check --db "$SDB" --json - < "$T/addrs" > "$T/check.jsonl"
bad=0 n=0 listed=0 v6=0
while IFS= read -r line; do
	a=$(jq -r .query <<<"$line")
	want=$(jq -r '[.matches[].sightings[].campaign] | unique | join(",")' <<<"$line")
	gota=$(q "$a" A)
	txt=$(q "$a" TXT)
	got=$(sed -n 's/^"sighted: \([^ ]*\) .*/\1/p' <<<"$txt" | tr ',' '\n' | sort -u | paste -sd,)
	n=$((n + 1))
	case $a in *:*) v6=$((v6 + 1)) ;; esac
	if [ -n "$want" ]; then
		listed=$((listed + 1))
		[ "$gota" = 127.0.0.2 ] && [ "$got" = "$want" ] && continue
	else
		[ -z "$gota" ] && [ -z "$txt" ] && continue
	fi
	bad=$((bad + 1)); echo "# $a: rbldnsd A=$gota TXT=$txt; sighted check: $want"
done < "$T/check.jsonl"
equals "rbldnsd answers agree with sighted check on $n addresses ($listed listed, $v6 IPv6)" "$bad" 0
dig +tries=1 +time=2 -p "$port" @127.0.0.1 "$(rev_name 192.0.2.255).$ZONE" A > "$T/nx"
contains "unlisted IPv4 is NXDOMAIN" "$T/nx" 'status: NXDOMAIN'
dig +tries=1 +time=2 -p "$port" @127.0.0.1 "$(rev_name 2001:db8:ffff::1).$ZONE" A > "$T/nx"
contains "unlisted IPv6 is NXDOMAIN" "$T/nx" 'status: NXDOMAIN'
equals "a /32 inside a /24 names both campaigns" "$(q 203.0.113.9 TXT | sed 's/ last.*//')" '"sighted: 3cx-2023,gopuram-2023'
equals "an IPv6 /128 inside a /48 names both campaigns" "$(q 2001:db8:77::9 TXT | sed 's/ last.*//')" '"sighted: 3cx-2023,gopuram-2023'
equals "the rest of the /48 names its own" "$(q 2001:db8:77::1 TXT | sed 's/ last.*//')" '"sighted: gopuram-2023'
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_testing
