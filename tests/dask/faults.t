#!/bin/bash
# sighted-dask when things go wrong, on a real scheduler and two workers on
# 127.0.0.1: a worker killed with -9 while it holds a task (Dask reschedules
# it; the result is still byte-identical), a directory with an unreadable
# entry and a truncated gzip (the file's name and sighted's message, exit 3,
# no traceback), and a rerun after the failure.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/cluster.sh"
export LC_ALL=C
BT=2026-01-01T00:00:00Z

mkdir -p "$T/in" "$T/hold"
cp "$TESTS_DATA"/pcap/lab-3cx-loopback-2023-03-29.pcap "$TESTS_DATA"/samples/dns/lab-dnsmasq-queries.log \
	"$TESTS_DATA"/samples/proxy/lab-squid-access.native.log "$TESTS_DATA"/samples/zeek/wrccdc-2018-03-24.ssl.first2000.log \
	"$TESTS_DATA"/samples/suricata/beats-eve-small.json "$T/in/"
files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$T/in" -type f | sort)

check "scheduler starts on 127.0.0.1" start_scheduler
# the workers hold the first matching task they get until killed (work.py's
# test hook): no sleep, the test knows which worker holds a task
start_worker a SIGHTED_DASK_TEST_HOLD="$T/hold"
start_worker b SIGHTED_DASK_TEST_HOLD="$T/hold"
check "two workers register" wait_workers 2

check "one machine: sighted correlate" "$SIGHTED" correlate -q -c 3cx-2023 --year 2023 \
	--build-time $BT -o "$T/one.sdb" --sightings "$T/one.jsonl" "${files[@]}"

dask_correlate() {
	timeout 300 $PY "$SIGHTED_DASK" correlate --scheduler "$SCHED" -c 3cx-2023 --year 2023 \
		--build-time $BT --sighted "$SIGHTED" --split-size 16k "$@"
}
dask_correlate --cache-dir "$T/cache" -o "$T/d.sdb" --sightings "$T/d.jsonl" "$T/in" >"$T/d.err" 2>&1 &
driver=$!
_pids+=($driver)
for i in $(seq 1 1200); do # up to 120 s under load; normally well under a second
	[ -s "$T/hold/held" ] && break
	kill -0 $driver 2>/dev/null || break
	sleep 0.1
done
held=$(cat "$T/hold/held" 2>/dev/null)
if [ -n "$held" ] && { [ "$held" = "$WPID_a" ] || [ "$held" = "$WPID_b" ]; }; then
	ok "a worker holds a task (pid $held)"
else
	not_ok "no worker holds a task (held '${held}', workers $WPID_a $WPID_b)"
fi
kill -9 "$held" 2>/dev/null
wait "$held" 2>/dev/null
if kill -0 "$held" 2>/dev/null; then not_ok "worker $held still alive"; else ok "worker $held killed with -9 mid-task"; fi
wait $driver
equals "the run finishes on the other worker (exit 0)" "$?" 0
check "snapshot identical to one machine's (cmp)" cmp "$T/one.sdb" "$T/d.sdb"
check "sightings identical to one machine's (cmp)" cmp "$T/one.jsonl" "$T/d.jsonl"
lacks "no traceback" "$T/d.err" 'Traceback'
contains "the scheduler saw the worker go" "$T/scheduler.log" 'Remove worker|lost|Worker .*closed'

# bad inputs next to good ones: a dangling symlink (unreadable even by root)
# and a gzip cut in the middle
mkdir -p "$T/bad"
cp "$TESTS_DATA"/samples/dns/lab-dnsmasq-queries.log "$T/bad/"
gzip -c "$TESTS_DATA"/samples/zeek/wrccdc-2018-03-24.dns.first3000.log | head -c 20000 >"$T/bad/dns.log.gz"
ln -s "$T/bad/gone.log" "$T/bad/unreadable.log"
expect_status 3 "bad inputs: exit 3" dask_correlate -o "$T/bad.sdb" "$T/bad"
cp "$T/.out" "$T/bad.err"
contains "names the unreadable file" "$T/bad.err" 'unreadable\.log.*(No such file|cannot|unreadable)'
contains "names the truncated gzip" "$T/bad.err" 'dns\.log\.gz.*(truncated|corrupt|unexpected end|error)'
lacks "no traceback" "$T/bad.err" 'Traceback'
lacks "no Python exception names" "$T/bad.err" 'Error:|Exception'
"$SIGHTED" correlate -q -c 3cx-2023 --year 2023 --build-time $BT -o "$T/bad-one.sdb" \
	"$T/bad/dns.log.gz" "$T/bad/lab-dnsmasq-queries.log" >"$T/bad-one.err" 2>&1
one_rc=$?
rm "$T/bad/unreadable.log"
expect_status $one_rc "truncated gzip alone: the status sighted gives ($one_rc)" dask_correlate -o "$T/bad2.sdb" "$T/bad"
left=$(find "$T/.sighted-dask-cache" -name '.*.sdb' -o -name '.run-*' | wc -l)
equals "shards of bad inputs are not cached, and nothing is left behind" "$left" 0
if [ -f "$T/bad-one.sdb" ]; then
	check "what was read before the truncation is written, as one machine does" cmp "$T/bad-one.sdb" "$T/bad2.sdb"
else
	ok "one machine writes nothing for a truncated gzip; neither does the cluster" 
fi
done_testing
