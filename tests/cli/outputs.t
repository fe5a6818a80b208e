#!/bin/bash
# Every file a command reads is an input and every file it writes an
# output, and no output may be an input or another output: correlate's
# --proxies and --learn-proxies, standard output redirected onto an input
# (`-o - >> input`, `info s.sdb >> s.sdb`), a Suricata directory holding
# an input. An output directory that cannot be written is found before
# any input is read (exit 4).
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
Z=$TESTS_DATA/samples/zeek/zeek-btest-opt.basic.dns.log
cd "$T" || exit 1
cp "$Z" x.log
cp "$L/defanged.txt" list.txt
printf '# roles declared by hand (docs/correlate.md)\nresolver 192.0.2.53\n' >p.txt
printf '192.0.2.7\nevil.example\n' >ind.txt
sum() { md5sum "$1" | cut -d' ' -f1; }
cor() { "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 "$@"; }
p_sum=$(sum p.txt)
ind_sum=$(sum ind.txt)

# --- correlate (audit #4)
expect_status 2 "correlate --proxies P -o P refused" cor --proxies p.txt -o p.txt x.log
contains "... naming the input" "$T/.out" "-o p.txt is the input p.txt"
expect_status 2 "correlate --proxies P --sightings P refused" cor --proxies p.txt --sightings p.txt x.log
equals "... the role file is untouched" "$(sum p.txt)" "$p_sum"
expect_status 2 "correlate -i IND --learn-proxies IND refused" cor -i ind.txt --learn-proxies ind.txt -o a.sdb x.log
equals "... the indicator file is untouched" "$(sum ind.txt)" "$ind_sum"
check "a snapshot to compare with" cor -q -o same.sdb x.log
same_sum=$(sum same.sdb)
expect_status 2 "correlate --learn-proxies S -o S refused" cor --learn-proxies same.sdb -o same.sdb x.log
contains "... both options named" "$T/.out" "-o same.sdb and --learn-proxies same.sdb are the same file"
equals "... the snapshot is untouched" "$(sum same.sdb)" "$same_sum"
expect_status 2 "correlate --learn-proxies - --sightings - refused" cor --learn-proxies - --sightings - x.log
contains "... both to standard output" "$T/.out" "would both write to standard output"
expect_status 2 "correlate --learn-proxies onto a --proxies file refused" cor --proxies p.txt --learn-proxies ./p.txt x.log
mkdir camp
printf 'name = mine\nindicators = mine.txt\n' >camp/mine.conf
cp ind.txt camp/mine.txt
expect_status 2 "correlate --sightings onto the campaign definition refused" \
	"$SIGHTED" correlate --campaigns camp -c mine --sightings camp/mine.conf x.log
expect_status 2 "correlate --learn-proxies onto the campaign's indicator file refused" \
	"$SIGHTED" correlate --campaigns camp -c mine --learn-proxies camp/mine.txt x.log
expect_status 2 "export --indicators --campaign onto its definition refused" \
	"$SIGHTED" export --format zeek --indicators --campaigns camp -c mine -o camp/mine.conf
expect_status 2 "import -c C -o onto C's definition refused" \
	"$SIGHTED" import --campaigns camp -c mine -o camp/mine.conf list.txt
contains "... naming it" "$T/.out" "-o camp/mine.conf is the input camp/mine.conf"
check "correlate --learn-proxies R --proxies P still works" cor -q --proxies p.txt --learn-proxies r.txt x.log
contains "... R is a role file" r.txt "^# sighted roles 2"

# --- standard output onto an input (audit #10)
check "a snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g.sdb list.txt
g_sum=$(sum g.sdb)
expect_status 2 "export -o - SNAP >> SNAP refused" sh -c '"$0" export -f csv -o - g.sdb >>g.sdb' "$SIGHTED"
contains "... naming standard output and the input" "$T/.out" "-o - \\(standard output\\) is the input g.sdb"
expect_status 2 "info SNAP >> SNAP refused" sh -c '"$0" info g.sdb >>g.sdb' "$SIGHTED"
expect_status 2 "diff A B >> A refused" sh -c '"$0" diff g.sdb g.sdb >>g.sdb' "$SIGHTED"
expect_status 2 "records LOG >> LOG refused" sh -c '"$0" records x.log >>x.log' "$SIGHTED"
contains "... standard output named" "$T/.out" "standard output is the input x.log"
expect_status 2 "check --db SNAP >> SNAP refused" sh -c '"$0" check --db g.sdb 192.0.2.1 >>g.sdb' "$SIGHTED"
expect_status 2 "indicators IND >> IND refused" sh -c '"$0" indicators ind.txt >>ind.txt' "$SIGHTED"
equals "the snapshot is untouched" "$(sum g.sdb)" "$g_sum"
equals "the indicator file is untouched" "$(sum ind.txt)" "$ind_sum"
check "export -o - into another file is fine" sh -c '"$0" export -f csv -o - g.sdb >>other.csv' "$SIGHTED"
check "info into a pipe is fine" sh -c '"$0" info g.sdb | cat >/dev/null' "$SIGHTED"

# --- a Suricata directory holding an input (audit #9)
check "a Suricata directory" "$SIGHTED" export -q --format suricata --indicators -o sur ind.txt
cp sur/domains.lst keep.lst
expect_status 2 "export -o DIR DIR/domains.lst refused" "$SIGHTED" export -q --format suricata --indicators -o sur sur/domains.lst
contains "... naming the file it would replace" "$T/.out" "-o sur would replace sur/domains.lst, the input sur/domains.lst"
equals "... the input is untouched" "$(sum sur/domains.lst)" "$(sum keep.lst)"
ln -s sur/ipv4.lst v4link.txt
expect_status 2 "... through a symbolic link too" "$SIGHTED" export -q --format suricata --indicators -o ./sur/ v4link.txt
echo 'keep me' >sur/keep.txt
check "another file in the directory may be an input" "$SIGHTED" export -q --format suricata --indicators -o sur sur/keep.txt ind.txt

# --- an output directory that cannot be written (audit #11), found first
mkdir ro
chmod 555 ro
as_user=()
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T"
	chmod 644 list.txt
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
if "${as_user[@]}" test -x "$SIGHTED" 2>/dev/null && ! "${as_user[@]}" test -w ro; then
	expect_status 4 "import -o RO/a.sdb: exit 4" "${as_user[@]}" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -o ro/a.sdb list.txt
	contains "... names the directory and the reason" "$T/.out" "cannot write in ro: Permission denied"
	lacks "... before any input is read" "$T/.out" "accepted"
	expect_status 4 "export -o RO/x.csv: exit 4" "${as_user[@]}" "$SIGHTED" export -f csv -o ro/x.csv g.sdb
	expect_status 4 "export suricata -o RO/sur: exit 4" "${as_user[@]}" "$SIGHTED" export -q --format suricata --indicators -o ro/sur ind.txt
	chmod 755 ro
	mkdir ro/sur
	chmod 555 ro/sur
	expect_status 4 "export suricata into a read-only directory: exit 4" "${as_user[@]}" "$SIGHTED" export -q --format suricata --indicators -o ro/sur ind.txt
	contains "... names it" "$T/.out" "cannot write in ro/sur: Permission denied"
	check "-o /dev/null is still writable" "${as_user[@]}" "$SIGHTED" export -f csv -o /dev/null g.sdb
else
	for i in 1 2 3 4 5 6 7 8 9; do ok "# SKIP no unprivileged user to test a read-only directory"; done
fi
done_testing
