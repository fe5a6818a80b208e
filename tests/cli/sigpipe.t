#!/bin/bash
# A reader that went away is a write error like any other: exit status 4
# and "standard output: Broken pipe" on stderr, never a silent death by
# SIGPIPE (status 141) (audit #13). The pipe's read end is closed before
# the command starts, so no timing decides the outcome.
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
Z=$TESTS_DATA/samples/zeek/zeek-btest-opt.basic.dns.log
cd "$T" || exit 1
cp "$L/defanged.txt" list.txt
check "a snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g.sdb list.txt
check "a smaller one (diff has something to say)" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o h.sdb "$L/partner.jsonl"
printf 'wikimedia.org\n' >w.txt
# closed_reader CMD...: runs CMD with standard output a pipe nobody reads,
# SIGPIPE at its default (as a shell leaves it); prints the exit status
# (-13: killed by SIGPIPE) and then the command's stderr
cat >closed.py <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, restore_signals=True)
print(p.returncode)
sys.stdout.write(p.stderr.decode(errors="replace"))
PY
closed() { python3 closed.py "$@" >cp.out 2>&1; }
try() { # DESCRIPTION CMD...
	local d=$1; shift
	closed "$@"
	equals "$d: exit 4" "$(head -1 cp.out)" 4
	contains "... saying why" cp.out "(standard output|/dev/stdout)(: write failed)?: Broken pipe"
}
try "export -o - to a closed pipe" "$SIGHTED" export -f csv -o - g.sdb
try "export jsonl -o /dev/stdout to a closed pipe" "$SIGHTED" export -f jsonl -o /dev/stdout g.sdb
try "info to a closed pipe" "$SIGHTED" info g.sdb
try "diff to a closed pipe" "$SIGHTED" diff g.sdb h.sdb
try "check to a closed pipe" "$SIGHTED" check --db g.sdb 192.0.2.1
try "records to a closed pipe" "$SIGHTED" records "$Z"
try "indicators to a closed pipe" "$SIGHTED" indicators list.txt
try "--help to a closed pipe" "$SIGHTED" --help
try "export --help to a closed pipe" "$SIGHTED" export --help
try "correlate --sightings - to a closed pipe" "$SIGHTED" correlate -c adhoc -i w.txt --sightings - "$Z"
try "correlate --learn-proxies - to a closed pipe" "$SIGHTED" correlate -c adhoc -i w.txt --learn-proxies - "$Z"
check "a live reader still gets everything" sh -c '"$0" export -f csv -o - g.sdb | cat >all.csv' "$SIGHTED"
"$SIGHTED" export -f csv -o want.csv g.sdb 2>/dev/null
equals "... byte for byte" "$(md5sum <all.csv)" "$(md5sum <want.csv)"
done_testing
