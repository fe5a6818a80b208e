#!/bin/bash
# Never lose data: an output that is an input or another output is refused
# (by device and inode, whatever the spelling), a run that read nothing
# keeps the old snapshot, dead writers' temporary files are swept, '-o -'
# is standard output where the format streams and refused where not.
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
Z=$TESTS_DATA/samples/zeek/zeek-btest-opt.basic.dns.log
cd "$T" || exit 1
cp "$L/defanged.txt" list.txt
cp "$Z" x.log
ln list.txt hard.txt
ln -s x.log link.log
sum() { md5sum "$1" | cut -d' ' -f1; }
list_sum=$(sum list.txt)
log_sum=$(sum x.log)

expect_status 2 "import -o LIST LIST refused" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o list.txt list.txt
contains "the message names the input" "$T/.out" "-o list.txt is the input list.txt"
equals "the list is untouched" "$(sum list.txt)" "$list_sum"
expect_status 2 "import through a hard link refused" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o hard.txt list.txt
expect_status 2 "correlate -o LOG LOG refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o x.log x.log
expect_status 2 "correlate through a symbolic link refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o link.log x.log
expect_status 2 "correlate --sightings onto the log refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 --sightings ./x.log x.log
equals "the log is untouched" "$(sum x.log)" "$log_sum"
expect_status 2 "correlate -o A --sightings ./A refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o a.sdb --sightings ./a.sdb x.log
contains "both options named" "$T/.out" "-o a.sdb and --sightings ./a.sdb are the same file"
check "a good snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o good.sdb list.txt
good_sum=$(sum good.sdb)
expect_status 2 "merge -o IN IN refused" "$SIGHTED" merge -o good.sdb good.sdb
expect_status 2 "export -o SNAPSHOT SNAPSHOT refused" "$SIGHTED" export --format csv -o good.sdb good.sdb
expect_status 2 "export --indicators onto an indicator file refused" "$SIGHTED" export --format zeek --indicators -o list.txt list.txt
equals "the snapshot is untouched" "$(sum good.sdb)" "$good_sum"

expect_status 3 "correlate -o GOOD typo.log: no input read" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o good.sdb typo.log
contains "says nothing was written" "$T/.out" "no input could be read.*good.sdb left as it was"
equals "the old snapshot is kept" "$(sum good.sdb)" "$good_sum"
: >empty.log
expect_status 3 "correlate of an empty file keeps the old snapshot" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o good.sdb empty.log
equals "still the old snapshot" "$(sum good.sdb)" "$good_sum"
printf 'garbage\n' >bad.log
expect_status 3 "--max-errors 0 on a file with no good record keeps the old snapshot" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 --format zeek --max-errors 0 -o good.sdb bad.log
equals "the old snapshot is still there" "$(sum good.sdb)" "$good_sum"

expect_status 4 "a missing output directory is found before reading" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o nodir/a.sdb list.txt
contains "names the directory and the reason" "$T/.out" "cannot write in nodir: No such file or directory"
lacks "no input was read" "$T/.out" "accepted"

# a dead writer's leftover is removed; a live writer's (locked) is not
: >.out.sdb.tmp.999999
: >.out.sdb.tmp.999998
exec 9>.out.sdb.tmp.999998
flock 9
check "import next to leftovers" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o out.sdb list.txt
if [ ! -e .out.sdb.tmp.999999 ]; then ok "the unlocked leftover is swept"; else not_ok "the unlocked leftover is swept"; fi
if [ -e .out.sdb.tmp.999998 ]; then ok "the locked one is kept"; else not_ok "the locked one is kept"; fi
exec 9>&-
: >.other.tmp.999997
check "import again" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o out.sdb list.txt
if [ ! -e .out.sdb.tmp.999998 ]; then ok "once unlocked it goes"; else not_ok "once unlocked it goes"; fi
if [ -e .other.tmp.999997 ]; then ok "another file's temporary is left alone"; else not_ok "another file's temporary is left alone"; fi
n=$(find . -name '.out.sdb.tmp.*' | wc -l)
equals "no temporary file of ours remains" "$n" 0

# -o -
expect_status 2 "import -o - refused: a snapshot must be a file" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o - list.txt
contains "with the reason" "$T/.out" "a snapshot must be a file"
[ -e ./- ] && not_ok "no file named -" || ok "no file named -"
expect_status 2 "merge -o - refused" "$SIGHTED" merge -o - good.sdb
expect_status 2 "export --format mmdb -o - refused" "$SIGHTED" export --format mmdb -o - good.sdb
"$SIGHTED" export --format csv -o - good.sdb >csv.out 2>/dev/null
equals "export --format csv -o - writes to standard output" "$(head -c 8 csv.out)" "network,"
[ -e ./- ] && not_ok "still no file named -" || ok "still no file named -"
expect_status 2 "two outputs on standard output refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 --sightings - -o - x.log

# diff, report, notify: the same refusals
ln -f good.sdb hard.sdb
good_sum=$(sum good.sdb)
expect_status 2 "diff -o onto a compared snapshot refused" "$SIGHTED" diff -o good.sdb good.sdb good.sdb
expect_status 2 "diff -o through a hard link refused" "$SIGHTED" diff -o hard.sdb good.sdb good.sdb
contains "diff: the message names the input" "$T/.out" "-o hard.sdb is the input good.sdb"
printf 'owner,name,contacts,scope\nall,All,noc@all.example,0.0.0.0/0\n' >owners.csv
own_sum=$(sum owners.csv)
expect_status 2 "report -o - refused: a directory of files" "$SIGHTED" report --owners owners.csv -o - good.sdb
expect_status 2 "notify --state onto the registry refused" "$SIGHTED" notify --owners owners.csv --from s@x.example --smtp smtp://127.0.0.1:1 --state ./owners.csv good.sdb
expect_status 2 "notify --state onto the snapshot refused" "$SIGHTED" notify --owners owners.csv --from s@x.example --dry-run eml --state hard.sdb good.sdb
expect_status 2 "report -o a directory holding an input refused" "$SIGHTED" report --owners owners.csv -o . good.sdb
equals "the snapshot is untouched" "$(sum good.sdb)" "$good_sum"
equals "the registry is untouched" "$(sum owners.csv)" "$own_sum"
[ -e ./- ] && not_ok "report: no file named -" || ok "report: no file named -"

# the sightings file is renamed into place before the snapshot
check "correlate writes both" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -q -o s.sdb --sightings s.jsonl x.log
if [ ! s.jsonl -nt s.sdb ]; then ok "evidence file not newer than the snapshot"; else not_ok "evidence file not newer than the snapshot"; fi
done_testing
