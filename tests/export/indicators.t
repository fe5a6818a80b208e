#!/bin/bash
# Indicator exports read back by the tools (or, where a tool is not in
# Debian or the kernel refuses, by a parser that follows the format):
# nftables (nft), ipset, rbldnsd dnset (rbldnsd + dig), Zeek Intel and
# Suricata datasets/iprep (parsers), compared with the indicator set as
# `sighted indicators --json` loads it.
. "$(dirname "$0")/setup.sh"
I=$TESTS_DATA/iocs
# crafted: overlapping prefixes, both families, defanged forms, a URL on a
# shared host (path only) and one on a dedicated host, a label-boundary trap
cat > "$T/ind.txt" <<'IOC'
192.0.2.7
198.51.100.0/24
198.51.100.9
10.0.0.0/8
10.1.0.0/16
2001:db8::7
2001:db8:1::/48
2001:db8:1:2::/64
evil.example
Sub.Other-Evil.example.
hxxps://c2.example[.]net/x/y
https://raw.githubusercontent.com/IconStorages/images/main/
IOC
FILES=("$T/ind.txt" "$I/volexity-3cx-iocs.csv" "$I/sophoslabs-3CX-IoCs-2023-03.csv")
"$SIGHTED" indicators --json "${FILES[@]}" > "$T/set.json" 2>/dev/null
for f in zeek nftables ipset dnset; do
	check "export --format $f --indicators" "$SIGHTED" export -q --format $f --indicators "${FILES[@]}" -o "$T/out.$f"
done
check "export --format suricata --indicators (a directory)" "$SIGHTED" export -q --format suricata --indicators "${FILES[@]}" -o "$T/suri"
expect_status 2 "an indicator format on a snapshot is a usage error" "$SIGHTED" export --format zeek "$T/x.sdb" -o "$T/x"
contains "... saying to add --indicators" "$T/.out" "--indicators"
n=$("$SIGHTED" indicators --campaigns "$ROOT/data/campaigns" --campaign 3cx-2023 --json 2>/dev/null | jq '.indicators | length')
check "export --indicators --campaign 3cx-2023 (its definition's files)" \
	"$SIGHTED" export -q --format zeek --indicators --campaigns "$ROOT/data/campaigns" --campaign 3cx-2023 -o "$T/c.zeek"
equals "... the same $n indicators sighted correlate would use" "$(($(wc -l < "$T/c.zeek") - 1))" "$n"
expect_status 3 "an unknown campaign is refused" "$SIGHTED" export --format zeek --indicators --campaigns "$ROOT/data/campaigns" --campaign nope -o "$T/x"
expect_status 3 "an unreadable indicator file is a data error" "$SIGHTED" export --format zeek --indicators "$T/none.txt" -o "$T/x"

# ---- parsers: Zeek Intel and Suricata (neither is packaged in Debian 12)
/usr/bin/python3 - "$T/set.json" "$T/out.zeek" "$T/suri" "$T/out.nftables" "$T/out.ipset" > "$T/parse" <<'PY'
import base64, ipaddress, json, re, sys
setf, zeek, suri, nft, ips = sys.argv[1:6]
ind = json.load(open(setf))["indicators"]
def tap(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)

lines = open(zeek).read().split("\n")
tap(lines[0] == "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc", "Zeek: #fields header")
rows = [l.split("\t") for l in lines[1:] if l]
tap(all(len(r) == 4 and all(r) for r in rows), "Zeek: every line has 4 non-empty tab-separated fields")
kinds = {"address": "Intel::ADDR", "prefix": "Intel::SUBNET", "domain": "Intel::DOMAIN", "url": "Intel::URL"}
want = sorted((re.sub("^[a-z]+://", "", i["value"]) if i["kind"] == "url" else i["value"], kinds[i["kind"]]) for i in ind)
got = sorted((r[0], r[1]) for r in rows)
tap(got == want, f"Zeek: {len(got)} indicators with their types equal the loaded set ({len(want)})")
for r in rows:
    if r[1] in ("Intel::ADDR", "Intel::SUBNET"):
        ipaddress.ip_network(r[0])
tap(not any("://" in r[0] for r in rows if r[1] == "Intel::URL"), "Zeek: URLs carry no scheme")
tap(any(r[0] == "raw.githubusercontent.com/IconStorages/images/main/" for r in rows), "Zeek: the shared-host URL keeps its path")

dom = sorted(base64.b64decode(l).decode() for l in open(f"{suri}/domains.lst").read().split())
tap(dom == sorted(i["value"] for i in ind if i["kind"] == "domain"), f"Suricata: {len(dom)} base64 dataset strings decode to the domains")
for fam, fn in ((4, "ipv4.lst"), (6, "ipv6.lst")):
    got = sorted(ipaddress.ip_address(l) for l in open(f"{suri}/{fn}").read().split())
    want = sorted(ipaddress.ip_address(i["value"]) for i in ind if i["kind"] == "address" and ipaddress.ip_address(i["value"]).version == fam)
    tap(got == want and all(a.version == fam for a in got), f"Suricata: {fn} holds the {len(want)} IPv{fam} addresses")
cats = open(f"{suri}/iprep-categories.txt").read().split("\n")[0].split(",")
tap(len(cats) == 3 and cats[0] == "1" and cats[1], "Suricata: iprep category line id,short name,description")
rep = [l.split(",") for l in open(f"{suri}/iprep.list").read().split()]
tap(all(len(r) == 3 and r[1] == "1" and 0 < int(r[2]) <= 127 for r in rep), "Suricata: iprep lines prefix,category,score (score 1..127)")
vkey = lambda n: (n.version, n)
tap(sorted((ipaddress.ip_network(r[0]) for r in rep), key=vkey) == sorted((ipaddress.ip_network(i["value"]) for i in ind if i["kind"] == "prefix"), key=vkey),
    f"Suricata: iprep holds the {len(rep)} prefixes")

# nftables and ipset, as their parsers read them: elements of each set
nets = [ipaddress.ip_network(i["value"]) for i in ind if i["kind"] in ("address", "prefix")]
def covered(elems, fam):
    ok = all(any(n.subnet_of(e) for e in elems) for n in nets if n.version == fam)
    return ok and all(any(e == n for n in nets) for e in elems)
txt = open(nft).read()
for fam in (4, 6):
    m = re.search(r"set sighted_v%d \{\s*type ipv%d_addr\s*flags interval\s*(?:elements = \{([^}]*)\})?\s*\}" % (fam, fam), txt)
    elems = [ipaddress.ip_network(x.strip()) for x in (m.group(1) or "").split(",") if x.strip()] if m else []
    overl = any(a != b and a.overlaps(b) for a in elems for b in elems)
    tap(m is not None and covered(elems, fam) and not overl,
        f"nftables (parser): set sighted_v{fam} holds {len(elems)} non-overlapping elements covering every IPv{fam} indicator")
adds = {4: [], 6: []}
ok = True
for l in open(ips).read().split("\n"):
    if not l:
        continue
    w = l.split()
    if w[0] == "create":
        ok &= w[2] == "hash:net" and w[3] == "family" and w[4] in ("inet", "inet6")
    elif w[0] == "add":
        n = ipaddress.ip_network(w[2])
        ok &= w[1] == f"sighted-v{n.version}"
        adds[n.version].append(n)
    elif w[0] != "flush":
        ok = False
tap(ok and covered(adds[4], 4) and covered(adds[6], 6), "ipset (parser): create/flush/add lines, every indicator covered")
PY
while IFS= read -r l; do case $l in "ok "*) ok "${l#ok - }" ;; "not ok "*) not_ok "${l#not ok - }" ;; *) echo "$l" ;; esac; done < "$T/parse"

# ---- kernel checks, in a private network namespace so the host's
# netfilter state is never touched
ns_reason=""
if ! command -v unshare >/dev/null; then ns_reason="unshare missing"
elif ! unshare -n true 2>/dev/null; then ns_reason="no permission for a network namespace (needs CAP_SYS_ADMIN)"
fi
if need nft nftables; then
	if [ -z "$ns_reason" ] && unshare -n nft -c -f "$T/out.nftables" > "$T/nft.log" 2>&1; then
		ok "nft -c -f accepts the nftables file"
		unshare -n sh -c "nft -f '$T/out.nftables' && nft -f '$T/out.nftables' && nft list set inet sighted sighted_v4 && nft list set inet sighted sighted_v6" > "$T/nft.list" 2>&1
		contains "nft loads it twice (reload replaces the table) and lists the IPv4 set" "$T/nft.list" "198\.51\.100\.0/24"
		contains "... and the IPv6 set" "$T/nft.list" "2001:db8:1::/48"
		lacks "... without the /64 inside the /48" "$T/nft.list" "2001:db8:1:2::/64"
	else
		why=${ns_reason:-$(head -1 "$T/nft.log")}
		ok "nft -c -f # SKIP kernel check: $why (parser test above)"
	fi
fi
if need ipset ipset; then
	if [ -z "$ns_reason" ] && unshare -n sh -c "ipset restore < '$T/out.ipset' && ipset restore < '$T/out.ipset' &&
		ipset test sighted-v4 198.51.100.9 && ipset test sighted-v6 2001:db8:1:2::5 && ! ipset test sighted-v4 192.0.2.8" > "$T/ipset.log" 2>&1; then
		ok "ipset restore loads the file twice; members and a non-member test right"
	elif [ -z "$ns_reason" ] && grep -qiE "kernel|protocol|permission|not permitted|module" "$T/ipset.log"; then
		ok "ipset restore # SKIP kernel check: $(head -1 "$T/ipset.log") (parser test above)"
	elif [ -n "$ns_reason" ]; then
		ok "ipset restore # SKIP kernel check: $ns_reason (parser test above)"
	else
		not_ok "ipset restore"; sed 's/^/# /' "$T/ipset.log" | head
	fi
fi

# ---- rbldnsd dnset with dig
if need rbldnsd rbldnsd && need dig bind9-dnsutils; then
	R=$T/rbl; mkdir -p "$R"; chmod 711 "$T"; chmod 755 "$R"
	cp "$T/out.dnset" "$R/zone"; chmod 644 "$R/zone"
	user=(); [ "$(id -u)" -eq 0 ] && user=(-u rbldns)
	port=$(free_port udp)
	Z=dbl.sighted.test
	timeout 120 rbldnsd -n -f "${user[@]}" -b "127.0.0.1/$port" -w "$R" "$Z:dnset:zone" > "$T/rbl.log" 2>&1 &
	pid=$!; _pids+=("$pid")
	for _ in $(seq 1 50); do grep -q started "$T/rbl.log" && break; sleep 0.1; done
	contains "rbldnsd loads the dnset zone" "$T/rbl.log" "started"
	q() { dig +short +tries=1 +time=2 -p "$port" @127.0.0.1 "$1.$Z" "$2"; }
	equals "a listed domain answers 127.0.0.2" "$(q evil.example A)" 127.0.0.2
	equals "a subdomain of it too" "$(q a.b.evil.example A)" 127.0.0.2
	equals "a label-boundary trap does not" "$(q notevil.example A)" ""
	equals "a mixed-case indicator with a trailing dot is listed normalised" "$(q x.sub.other-evil.example A)" 127.0.0.2
	equals "a real indicator domain from the Volexity list" "$(q www.journalide.org A)" 127.0.0.2
	equals "TXT names it as a sighted indicator" "$(q evil.example TXT | cut -c1-19)" '"sighted indicator:'
	equals "a dedicated URL host is listed exactly" "$(q c2.example.net A)" 127.0.0.2
	equals "a shared host is never listed" "$(q raw.githubusercontent.com A)" ""
	kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
fi
done_testing
