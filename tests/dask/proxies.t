#!/bin/bash
# The proxy case on a real scheduler and two workers on 127.0.0.1: in the lab,
# 127.0.0.1 runs Squid and dnsmasq, and the capture shows it proxying for
# the lab's clients. A shard holding only dnsmasq lines cannot know that, so
# without the roles phase the resolver itself becomes a "victim"; with the
# roles learnt from every input and broadcast, it is not, and the result is
# the one-machine snapshot. (Squid answered two of its clients' requests 503:
# those teach nothing, and its lookups of officestoragebox.com and
# pbxsources.com stay its own, docs/correlate.md; the others are left out.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cluster.sh"
export LC_ALL=C
BT=2026-01-01T00:00:00Z
# the indicators 127.0.0.1 is listed for in a --sightings file
mine() { jq -r 'select(.client == "127.0.0.1") | .indicator' "$1" | sort | tr '\n' ' '; }
ANSWERED_503="officestoragebox.com pbxsources.com "

mkdir -p "$T/in"
cp "$TESTS_DATA"/pcap/lab-3cx-loopback-2023-03-29.pcap "$TESTS_DATA"/samples/dns/lab-dnsmasq-queries.log \
	"$TESTS_DATA"/samples/proxy/lab-squid-access.native.log "$T/in/"
files=("$T/in/lab-3cx-loopback-2023-03-29.pcap" "$T/in/lab-dnsmasq-queries.log" "$T/in/lab-squid-access.native.log")

check "scheduler starts on 127.0.0.1" start_scheduler
start_worker a
start_worker b
check "two workers register" wait_workers 2

dask_correlate() {
	timeout 300 $PY "$SIGHTED_DASK" correlate --scheduler "$SCHED" -c 3cx-2023 --year 2023 \
		--build-time $BT --sighted "$SIGHTED" --no-cache --split-size 1k "$@" "${files[@]}"
}
"$SIGHTED" correlate -q -c 3cx-2023 --year 2023 --build-time $BT -o "$T/dnsmasq.sdb" "$T/in/lab-dnsmasq-queries.log" 2>/dev/null
expect_status 0 "the dnsmasq log alone lists the resolver (why roles matter)" "$SIGHTED" check --db "$T/dnsmasq.sdb" 127.0.0.1
check "one machine" "$SIGHTED" correlate -q -c 3cx-2023 --year 2023 --build-time $BT -o "$T/one.sdb" \
	--sightings "$T/one.jsonl" "${files[@]}"
equals "one machine: the resolver is not a victim of what it forwarded" "$(mine "$T/one.jsonl")" "$ANSWERED_503"

expect_status 0 "dask, dnsmasq cut into 1 KiB ranges" dask_correlate -o "$T/d.sdb" --sightings "$T/d.jsonl"
nshards=$(sed -n 's/.*: \([0-9]*\) shards (.*/\1/p' "$T/.out")
if [ "${nshards:-0}" -gt 3 ]; then ok "the dnsmasq log is cut ($nshards shards of 3 files)"; else not_ok "not cut: ${nshards:-?} shards"; fi
equals "dask: the resolver is not a victim of what it forwarded" "$(mine "$T/d.jsonl")" "$ANSWERED_503"
expect_status 0 "dask: its clients are" "$SIGHTED" check --db "$T/d.sdb" 127.0.0.11
check "snapshot identical to one machine's (cmp)" cmp "$T/one.sdb" "$T/d.sdb"
check "sightings identical to one machine's (cmp)" cmp "$T/one.jsonl" "$T/d.jsonl"

expect_status 0 "dask without the roles phase" dask_correlate --no-learn -o "$T/n.sdb" --sightings "$T/n.jsonl"
contains "without it, the dnsmasq shards list the resolver for what it forwarded" "$T/n.jsonl" '"client":"127\.0\.0\.1".*"msstorageazure\.com"'
done_testing
