#!/bin/bash
# A number given to an option is decimal digits only: no blank, no sign,
# no fraction, nothing past the option's range; else exit 2 with a message
# naming the option (audit #14: --max-errors 99999999999999999999 and
# ' -1' were unlimited, serve --threads -18446744073709551615 was 1).
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
Z=$TESTS_DATA/samples/zeek/zeek-btest-opt.basic.dns.log
cd "$T" || exit 1
cp "$L/defanged.txt" list.txt
imp() { "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g.sdb "$@" list.txt; }
for v in 99999999999999999999 18446744073709551616 ' -1' ' 5' '+5' '-5' '5 ' '2.7' '0x10' ''; do
	expect_status 2 "import --max-errors '$v' refused" imp --max-errors "$v"
	contains "... naming the option" "$T/.out" "--max-errors '"
done
check "--max-errors 18446744073709551615 is taken" imp --max-errors 18446744073709551615
check "--max-errors -1 is unlimited" imp --max-errors -1
check "--max-errors unlimited" imp --max-errors unlimited
expect_status 3 "--max-errors 0 stops at the first bad line" imp --max-errors 0
cor() { "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -q -o c.sdb "$@" "$Z"; }
for v in '+2' ' 2' '2.7' '-1' 99999999999999999999; do
	expect_status 2 "correlate --jobs '$v' refused" cor --jobs "$v"
done
expect_status 2 "correlate --year ' 2023' refused" cor --year ' 2023'
expect_status 2 "correlate --range ' 1:5' refused" cor --range ' 1:5'
expect_status 2 "records --year '+2023' refused" "$SIGHTED" records --year +2023 "$Z"
expect_status 2 "check --max-inside '' refused" "$SIGHTED" check --db g.sdb --max-inside '' 192.0.2.1
expect_status 2 "check --max-inside ' 5' refused" "$SIGHTED" check --db g.sdb --max-inside ' 5' 192.0.2.1
for v in -18446744073709551615 ' 4' '+4' 4294967297 '4.5'; do
	expect_status 2 "serve --threads '$v' refused" timeout 10 "$SIGHTED" serve --threads "$v" --listen 127.0.0.1:0 g.sdb
	contains "... naming the option" "$T/.out" "--threads"
done
for v in ' 1' '+1' '0x10' '-1' 'nan'; do
	expect_status 2 "serve --rate '$v' refused" timeout 10 "$SIGHTED" serve --rate "$v" --listen 127.0.0.1:0 g.sdb
done
done_testing
