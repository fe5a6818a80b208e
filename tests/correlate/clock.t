#!/bin/bash
# Clocks on tool-made files: the lab's IPFIX flows printed by nfdump under
# Europe/Berlin (tests/data/samples/netflow/PROVENANCE.md) read with --tz
# give the same sightings as the UTC print; read as UTC they fall outside a
# campaign window; the lab's dnsmasq log copied years later still takes the
# campaign's year.
. "$(dirname "$0")/../lib.sh"
N="$TESTS_DATA/samples/netflow"
cat >"$T/lab.conf" <<'C'
name = lab
title = lab C2 flows
window_start = 2023-03-29T13:50:00Z
window_end = 2023-03-29T14:30:00Z
indicators = c2.txt
C
echo 127.0.0.101 >"$T/c2.txt"
sighting() { jq -c '{client, indicator, first_seen, last_seen, count, evidence, server, server_port}' "$1" | sort; }

"$SIGHTED" correlate --campaigns "$T/lab.conf" -c lab --sightings "$T/utc.jsonl" "$N/lab-3cx-loopback.ipfix.csv" 2>"$T/utc.err"
equals "the UTC print sights the lab client" "$(jq -r .client "$T/utc.jsonl" | sort -u | tr '\n' ' ')" "127.0.0.11 "
contains "the UTC print says the zone it assumed" "$T/utc.err" 'ipfix.csv: nfdump, 90 records, [1-9][0-9]* matched, 0 outside.*local times read as UTC$'

"$SIGHTED" correlate --campaigns "$T/lab.conf" -c lab --tz Europe/Berlin --sightings "$T/berlin.jsonl" "$N/lab-3cx-loopback.ipfix.berlin.csv" 2>"$T/berlin.err"
equals "the Berlin print with --tz Europe/Berlin: the same sightings, same times" "$(sighting "$T/berlin.jsonl")" "$(sighting "$T/utc.jsonl")"
contains "its summary names the zone" "$T/berlin.err" 'berlin.csv: nfdump, 90 records, [1-9][0-9]* matched, 0 outside.*local times read as Europe/Berlin$'

"$SIGHTED" correlate --campaigns "$T/lab.conf" -c lab --sightings "$T/wrong.jsonl" "$N/lab-3cx-loopback.ipfix.berlin.csv" 2>"$T/wrong.err"
equals "the Berlin print read as UTC: two hours late, outside the window, nothing sighted" "$(wc -l <"$T/wrong.jsonl")" 0
contains "  and the summary shows why" "$T/wrong.err" 'berlin.csv: nfdump, 90 records, 0 matched, 90 outside the window.*local times read as UTC$'

expect_status 2 "an unknown zone is refused (exit 2)" "$SIGHTED" correlate --campaigns "$T/lab.conf" -c lab --tz Europe/Atlantis --sightings "$T/x.jsonl" "$N/lab-3cx-loopback.ipfix.berlin.csv"
contains "  naming the zone" "$T/.out" 'Europe/Atlantis: no such zone'

# the lab's dnsmasq log (2023, no year in its lines) copied in 2026
cp "$TESTS_DATA/samples/dns/lab-dnsmasq-queries.log" "$T/dnsmasq.log"
touch -d 2026-11-30T12:00:00Z "$T/dnsmasq.log"
"$SIGHTED" correlate -c 3cx-2023 --sightings "$T/dm.jsonl" "$T/dnsmasq.log" 2>"$T/dm.err"
contains "dnsmasq copied in 2026: the year comes from the campaign window, and says so" "$T/dm.err" 'dnsmasq.log: dnsmasq, [0-9]+ records, [1-9][0-9]* matched, 0 outside the window.*year 2023 assumed \(the campaign window; the file.s time says 2026\)'
equals "  its clients are sighted in 2023" "$(jq -r '.first_seen[0:4]' "$T/dm.jsonl" | sort -u)" 2023
"$SIGHTED" correlate -c 3cx-2023 --year 2026 --sightings "$T/dm2.jsonl" "$T/dnsmasq.log" 2>"$T/dm2.err"
equals "--year 2026 overrides: nothing inside the 2023 window" "$(wc -l <"$T/dm2.jsonl")" 0
contains "  and the summary says --year" "$T/dm2.err" 'year 2026 assumed \(--year\)'
done_testing
