#!/bin/bash
# Replacing an output never replaces a symbolic link nor writes through
# one to a regular file (such a link is refused), writes the file standard
# output already is through standard output (-o /dev/stdout with stdout
# redirected to a file must not rename over /dev/stdout), and keeps the
# replaced file's permission bits and owner (audit #5, #6, stop 19 #1).
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

# A final symbolic link is refused before any input is read (exit 2),
# never renamed over nor written through to a regular file: only the
# kernel follows links, so fs.protected_symlinks holds in a sticky
# directory (audit stop 19 #1: another user's link in a 1777 directory
# made a root run overwrite the file it named, or create a dangling
# link's file).
mkdir elsewhere pub
chmod 1777 pub
echo secret >elsewhere/secret
chmod 600 elsewhere/secret
ln -s "$T/elsewhere/secret" pub/out.csv
ln -s "$T/elsewhere/newfile" pub/dang.csv
if [ "$(id -u)" = 0 ]; then
	chown -h 65534:65534 pub/out.csv pub/dang.csv
	ok "the links belong to another user (nobody)"
else
	ok "# SKIP not root: the links are our own"
fi
expect_status 2 "export -o LINK-TO-FILE is refused" "$SIGHTED" export -f csv -o pub/out.csv g.sdb
contains "... saying so" "$T/.out" "-o pub/out.csv is a symbolic link; name the file it points to, or remove the link"
equals "... the file it names is untouched" "$(cat elsewhere/secret)" secret
if [ -L pub/out.csv ]; then ok "... the link is still a link"; else not_ok "... the link is still a link"; fi
expect_status 2 "export -o DANGLING-LINK is refused" "$SIGHTED" export -f csv -o pub/dang.csv g.sdb
contains "... saying so" "$T/.out" "-o pub/dang.csv is a symbolic link"
if [ ! -e elsewhere/newfile ] && [ -L pub/dang.csv ]; then ok "... the file it names is not made"; else not_ok "... the file it names is not made"; fi
expect_status 2 "import -o DANGLING-LINK is refused before reading" "$SIGHTED" import --campaigns "$C" -c 3cx-2023 -q -o pub/dang.csv /nonexistent
contains "... the link, not the missing input" "$T/.out" "is a symbolic link"
# two outputs naming one future file, one through a dangling link: told
# as a link (audit stop 19 #4)
ln -s twin.csv twinlink.csv
expect_status 2 "correlate -o LINK --sightings ITS-TARGET: the link is refused" "$SIGHTED" correlate --campaigns "$C" -c 3cx-2023 -o twinlink.csv --sightings twin.csv list.txt
contains "... saying so" "$T/.out" "-o twinlink.csv is a symbolic link"
ln -s elsewhere dirlink
check "export -o DIRLINK/F (a link on the way, followed by the kernel)" "$SIGHTED" export -f csv -o dirlink/viadir.csv g.sdb
if [ -f elsewhere/viadir.csv ] && [ -L dirlink ]; then ok "... written in the directory the link leads to"; else not_ok "... written in the directory the link leads to"; fi
expect_status 2 "export -o DIRLINK is refused" "$SIGHTED" export -f csv -o dirlink g.sdb
ln -s loop1 loop2
ln -s loop2 loop1
expect_status 2 "a loop of links is refused, not a hang" "$SIGHTED" export -f csv -o loop1 g.sdb
ln -s /dev/null nulllink
check "export -o LINK-TO-/dev/null writes the device in place" "$SIGHTED" export -f csv -o nulllink g.sdb
if [ -L nulllink ]; then ok "... the link is still a link"; else not_ok "... the link is still a link"; fi
# a link or FIFO another user may have planted (review stop 19): a link to
# a block device is never written through; another user's link to a
# device, or another user's FIFO in a sticky world-writable directory, is
# refused (as fs.protected_fifos has it), never opened nor waited on
if mknod blk b 7 250 2>/dev/null; then
	ln -s "$T/blk" blklink
	expect_status 2 "export -o LINK-TO-BLOCK-DEVICE is refused" "$SIGHTED" export -f csv -o blklink g.sdb
	contains "... saying so" "$T/.out" "-o blklink is a link to a block device"
else
	ok "# SKIP cannot make a block device node here"
	ok "# SKIP cannot make a block device node here"
fi
if [ "$(id -u)" = 0 ]; then
	ln -s /dev/null pub/null.csv
	chown -h 65534:65534 pub/null.csv
	expect_status 2 "export -o ANOTHER-USER'S-LINK-TO-A-DEVICE is refused" "$SIGHTED" export -f csv -o pub/null.csv g.sdb
	contains "... saying so" "$T/.out" "another user's link or FIFO"
	mkfifo pub/fifo.csv
	chown 65534:65534 pub/fifo.csv
	expect_status 2 "export -o ANOTHER-USER'S-FIFO in a 1777 directory is refused, not waited on" timeout -k 2 60 "$SIGHTED" export -f csv -o pub/fifo.csv g.sdb
	contains "... saying so" "$T/.out" "-o pub/fifo.csv is a link to a block device, or another user's link or FIFO"
else
	for _ in 1 2 3 4; do ok "# SKIP not root: cannot make another user's link or FIFO"; done
fi
printf '192.0.2.7\nevil.example\n' >ind.txt
mkdir sur
ln -s "$T/elsewhere/secret" sur/domains.lst
expect_status 2 "export suricata -o DIR holding a link is refused" "$SIGHTED" export -q --format suricata --indicators -o sur ind.txt
contains "... naming the link" "$T/.out" "-o sur: sur/domains.lst is a symbolic link"
equals "... the file it names is untouched" "$(cat elsewhere/secret)" secret
ls -a . elsewhere pub sur | grep -q '\.tmp\.' && not_ok "no temporary file is left" || ok "no temporary file is left"

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
