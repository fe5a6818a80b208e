#!/bin/bash
# sighted-dask on a real Dask scheduler and two single-threaded workers on
# 127.0.0.1: the project's sample logs given as directories, a glob and files,
# cut into many shards and byte ranges, joined by a merge tree of fan-in 3,
# give the snapshot and the sightings one `sighted correlate` writes, byte for
# byte; a rerun reuses every finished shard (no correlate runs at all).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cluster.sh"
export LC_ALL=C
BT=2026-01-01T00:00:00Z

# the telemetry of tests/data (no PROVENANCE.md; the tshark export needs --columns)
mkdir -p "$T/in"
for d in dns netflow proxy suricata zeek; do
	mkdir -p "$T/in/$d"
	for f in "$TESTS_DATA/samples/$d"/*; do
		case $f in *.md) continue ;; esac
		cp "$f" "$T/in/$d/"
	done
done
mkdir -p "$T/in/pcap"
cp "$TESTS_DATA"/pcap/*.pcap "$T/in/pcap/"
# what the driver is given, and the same files in the same order for one machine
args=("$T/in/zeek" "$T/in/suricata" "$T/in/pcap/*.pcap" "$T/in/dns/lab-dnsmasq-queries.log"
	"$T/in/dns/lab-bind9-query.log" "$T/in/proxy" "$T/in/netflow")
files=()
for a in "${args[@]}"; do
	if [ -d "$a" ]; then
		while IFS= read -r f; do files+=("$f"); done < <(find "$a" -type f | sort)
	else
		for f in $a; do files+=("$f"); done
	fi
done

# a sighted that logs its arguments, to count what the workers run
cat >"$T/sighted-logged" <<EOS
#!/bin/sh
echo "\$*" >>"$T/runs.log"
exec "$SIGHTED" "\$@"
EOS
chmod +x "$T/sighted-logged"

check "scheduler starts on 127.0.0.1" start_scheduler
start_worker a
start_worker b
check "two workers register" wait_workers 2

check "one machine: sighted correlate" "$SIGHTED" correlate -q -c 3cx-2023 --year 2023 -j 2 \
	--build-time $BT -o "$T/one.sdb" --sightings "$T/one.jsonl" "${files[@]}"

run_dask() { # out-prefix extra args...
	local out=$1; shift
	timeout 300 $PY "$SIGHTED_DASK" correlate --scheduler "$SCHED" -c 3cx-2023 --year 2023 \
		--build-time $BT --sighted "$T/sighted-logged" --cache-dir "$T/cache" \
		--split-size 64k --fan-in 3 -o "$T/$out.sdb" --sightings "$T/$out.jsonl" "$@" "${args[@]}"
}
expect_status 0 "sighted-dask correlate on the cluster" run_dask d1
cp "$T/.out" "$T/d1.err"
check "snapshot identical to one machine's (cmp)" cmp "$T/one.sdb" "$T/d1.sdb"
check "sightings identical to one machine's (cmp)" cmp "$T/one.jsonl" "$T/d1.jsonl"
contains "sightings are not empty" "$T/d1.jsonl" '"client":"127\.0\.0\.11"'
nfiles=${#files[@]}
nshards=$(sed -n 's/.*: \([0-9]*\) shards (.*/\1/p' "$T/d1.err")
if [ "${nshards:-0}" -gt "$nfiles" ]; then ok "large files cut into ranges ($nshards shards of $nfiles files)"; else not_ok "no ranges: ${nshards:-?} shards of $nfiles files"; fi
ranged=$(grep -c -- '--range ' "$T/runs.log")
if [ "$ranged" -gt 0 ]; then ok "workers ran sighted correlate --range ($ranged runs)"; else not_ok "no --range run"; fi
contains "roles learnt in a first phase" "$T/runs.log" '--learn-proxies '
contains "matching tasks read the broadcast roles" "$T/runs.log" '--proxies .*roles-'
contains "the tree merges at most 3 at a time" "$T/runs.log" '^merge '
lacks "no merge has more than 3 inputs" "$T/runs.log" '^merge --build-time [^ ]* -o [^ ]*( [^ ]*){4,}$'
lacks "no traceback" "$T/d1.err" 'Traceback'
lacks "no temp files left next to the output" <(ls -a "$T") '\.tmp$'

# rerun: every shard comes from the cache, only the merges run
: >"$T/runs.log"
expect_status 0 "rerun" run_dask d2
cp "$T/.out" "$T/d2.err"
contains "rerun reuses every shard" "$T/d2.err" "\($nshards shards\)|0 run, $nshards reused"
lacks "rerun runs no correlate with output" "$T/runs.log" '^correlate .*-o '
lacks "rerun learns nothing again" "$T/runs.log" '^correlate .*--learn-proxies'
check "rerun: snapshot still identical" cmp "$T/one.sdb" "$T/d2.sdb"
check "rerun: sightings still identical" cmp "$T/one.jsonl" "$T/d2.jsonl"

# a changed input invalidates its shards only
printf '\n' >>"$T/in/proxy/beats-squid-access4.log"
: >"$T/runs.log"
expect_status 0 "rerun after one input changed" run_dask d3
changed=$(grep -c '^correlate .*-o ' "$T/runs.log")
others=$(grep '^correlate .*-o ' "$T/runs.log" | grep -vc 'beats-squid-access4.log')
equals "only the changed input's shards run again" "$others" 0
if [ "$changed" -gt 0 ]; then ok "the changed input ran again ($changed shards)"; else not_ok "the changed input was not run again"; fi

expect_status 2 "output that is an input: usage error" run_dask d4 -o "$T/in/dns/lab-bind9-query.log"
expect_status 2 "no output: usage error" $PY "$SIGHTED_DASK" correlate --scheduler "$SCHED" -c 3cx-2023 "$T/in/zeek"
expect_status 3 "a glob that matches nothing" $PY "$SIGHTED_DASK" correlate --scheduler "$SCHED" -c 3cx-2023 -o "$T/x.sdb" "$T/none/*.log"
contains "names the glob" "$T/.out" 'none/\*\.log: no file matches'
expect_status 4 "an unreachable scheduler: could not finish" $PY "$SIGHTED_DASK" correlate --timeout 2 --scheduler tcp://127.0.0.1:1 -c 3cx-2023 -o "$T/x.sdb" "$T/in/zeek"
lacks "no traceback" "$T/.out" 'Traceback'
done_testing
