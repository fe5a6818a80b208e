#!/bin/bash
# Replacing an output never replaces a symbolic link (the file it leads to
# is replaced, the temporary file made beside that file), writes the file
# standard output already is through standard output (-o /dev/stdout with
# stdout redirected to a file must not rename over /dev/stdout), and keeps
# the replaced file's permission bits and owner (audit #5, #6).
. "$(dirname "$0")/../lib.sh"
C=$ROOT/data/campaigns
L=$TESTS_DATA/lists
cd "$T" || exit 1
cp "$L/defanged.txt" list.txt
check "a snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g.sdb list.txt
"$SIGHTED" export -f csv -o want.csv g.sdb 2>/dev/null

# a link standing for /dev/stdout (the real one is not touched by a test)
ln -s /proc/self/fd/1 mystdout
check "export -o LINK-TO-STDOUT > F" sh -c '"$0" export -f csv -o mystdout g.sdb >got.csv' "$SIGHTED"
if [ -L mystdout ]; then ok "... the link is still a link"; else not_ok "... the link is still a link"; fi
equals "... the output went to standard output" "$(md5sum <got.csv)" "$(md5sum <want.csv)"
check "export -o LINK-TO-STDOUT | cat (a pipe)" sh -c '"$0" export -f csv -o mystdout g.sdb | cat >got2.csv' "$SIGHTED"
equals "... through the pipe" "$(md5sum <got2.csv)" "$(md5sum <want.csv)"
: >same.csv
check "export -o F > F writes through standard output" sh -c '"$0" export -f csv -o same.csv g.sdb >same.csv' "$SIGHTED"
equals "... once" "$(md5sum <same.csv)" "$(md5sum <want.csv)"

check "a second snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g3.sdb list.txt
g3_sum=$(md5sum <g3.sdb)
expect_status 2 "import -o S >> S: a snapshot cannot be standard output" sh -c '"$0" import --campaigns "$1" -c 3cx-2023 -q -o g3.sdb list.txt >>g3.sdb' "$SIGHTED" "$C"
contains "... saying so" "$T/.out" "-o g3.sdb is standard output: a snapshot must be a file"
equals "... and it is untouched" "$(md5sum <g3.sdb)" "$g3_sum"

# a link to a file elsewhere: that file is replaced, the link stays
mkdir elsewhere
echo old >elsewhere/real.csv
ln -s elsewhere/real.csv link.csv
check "export -o LINK" "$SIGHTED" export -f csv -o link.csv g.sdb
if [ -L link.csv ]; then ok "... the link is still a link"; else not_ok "... the link is still a link"; fi
equals "... the file it leads to is replaced" "$(md5sum <elsewhere/real.csv)" "$(md5sum <want.csv)"
ln -s elsewhere/new.csv dangling.csv
check "export -o DANGLING-LINK" "$SIGHTED" export -f csv -o dangling.csv g.sdb
if [ -L dangling.csv ] && [ -f elsewhere/new.csv ]; then ok "... the file it names is made, the link kept"; else not_ok "... the file it names is made, the link kept"; fi
ln -s elsewhere dirlink
check "export -o DIRLINK/F" "$SIGHTED" export -f csv -o dirlink/viadir.csv g.sdb
if [ -f elsewhere/viadir.csv ] && [ -L dirlink ]; then ok "... written in the directory the link leads to"; else not_ok "... written in the directory the link leads to"; fi
ln -s loop1 loop2
ln -s loop2 loop1
expect_status 4 "a loop of links is an error, not a hang" "$SIGHTED" export -f csv -o loop1 g.sdb
ls -a . elsewhere | grep -q '\.tmp\.' && not_ok "no temporary file is left" || ok "no temporary file is left"

# permissions and owner of the replaced file
"$SIGHTED" export -f csv -o victims.csv g.sdb 2>/dev/null
chmod 600 victims.csv
check "export over a 0600 file" "$SIGHTED" export -f csv -o victims.csv g.sdb
equals "... it stays 0600" "$(stat -c %a victims.csv)" 600
chmod 640 victims.csv
check "export over a 0640 file" "$SIGHTED" export -f csv -o victims.csv g.sdb
equals "... it stays 0640" "$(stat -c %a victims.csv)" 640
check "import over a 0600 snapshot" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g2.sdb list.txt
chmod 600 g2.sdb
check "... again" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o g2.sdb list.txt
equals "... it stays 0600" "$(stat -c %a g2.sdb)" 600
chmod 4755 victims.csv 2>/dev/null
check "export over a set-user-ID file" "$SIGHTED" export -f csv -o victims.csv g.sdb
equals "... the set-user-ID bit is dropped, the rest kept" "$(stat -c %a victims.csv)" 755
(umask 077 && "$SIGHTED" export -f csv -o fresh.csv g.sdb 2>/dev/null)
equals "a new file is 0666 less the umask" "$(stat -c %a fresh.csv)" 600
if [ "$(id -u)" = 0 ]; then
	chown 65534:65534 victims.csv
	check "root replaces another user's file" "$SIGHTED" export -f csv -o victims.csv g.sdb
	equals "... which keeps its owner" "$(stat -c %u:%g victims.csv)" 65534:65534
else
	ok "# SKIP not root: owners cannot be given away"
	ok "# SKIP not root"
fi
done_testing
