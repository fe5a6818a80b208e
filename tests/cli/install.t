#!/bin/bash
# Installed, not only in the checkout: `make install DESTDIR=... PREFIX=/usr`
# puts every file in its FHS place, and the installed binary runs the quick
# tour from another directory, finding the campaign definitions (and the
# indicator files they name) outside the repository: once through
# $SIGHTED_CAMPAIGNS, once through the compiled-in share directory of an
# install without DESTDIR. Built in a scratch build directory so the binary
# under test elsewhere is left alone.
. "$(dirname "$0")/../lib.sh"
R=$T/root
MK=(make -s -C "$ROOT" -j2 B="$T/build")
check "make install DESTDIR=... PREFIX=/usr" "${MK[@]}" install DESTDIR="$R" PREFIX=/usr
for f in usr/bin/sighted usr/share/man/man1/sighted.1 \
	usr/share/sighted/campaigns/3cx-2023.conf usr/share/sighted/campaigns/gopuram-2023.conf \
	usr/share/sighted/iocs/3cx-indicators.csv usr/share/sighted/demo/impacted-3cx.csv \
	usr/lib/systemd/system/sighted.service usr/share/doc/sighted/README.md \
	usr/share/doc/sighted/db-format.md usr/share/doc/sighted/openapi.json; do
	if [ -f "$R/$f" ]; then ok "installed $f"; else not_ok "installed $f"; fi
done
contains "the unit runs the installed binary" "$R/usr/lib/systemd/system/sighted.service" "^ExecStart=/usr/bin/sighted serve"
if grep -aq "/usr/share/sighted" "$R/usr/bin/sighted"; then ok "the share directory is compiled in"; else not_ok "the share directory is compiled in"; fi
if [ -x "$R/usr/bin/sighted" ] && [ "$(stat -c %a "$R/usr/bin/sighted")" = 755 ]; then ok "binary mode 755"; else not_ok "binary mode 755"; fi
if [ "$(stat -c %a "$R/usr/share/sighted/campaigns/3cx-2023.conf")" = 644 ]; then ok "data mode 644"; else not_ok "data mode 644"; fi

# the quick tour, from a directory that is not the repository
S=$R/usr/bin/sighted
mkdir -p "$T/tour/data" && cd "$T/tour" || exit 1
ln -s "$R/usr/share/sighted/demo" data/demo
unset SIGHTED_DB
export SIGHTED_CAMPAIGNS=$R/usr/share/sighted/campaigns
expect_status 3 "without them, indicators -c says where it looked" env -u SIGHTED_CAMPAIGNS "$S" indicators -c gopuram-2023
contains "the search path is named" "$T/.out" "/etc/sighted/campaigns, /usr/share/sighted/campaigns, data/campaigns"
check "tour: import" "$S" import -o 3cx.sdb data/demo/impacted-3cx.csv data/demo/impacted-partner.jsonl
check "tour: import gopuram" "$S" import -c gopuram-2023 -o gopuram.sdb data/demo/impacted-gopuram.txt
check "tour: merge" "$S" merge -o demo.sdb 3cx.sdb gopuram.sdb
"$S" info demo.sdb >info.out 2>&1
contains "tour: the campaigns have their titles and windows" info.out "window: +2023-"
expect_status 0 "tour: check a listed address" "$S" check --db demo.sdb 192.0.2.122
expect_status 1 "tour: check an unlisted address" "$S" check --db demo.sdb 192.0.2.1
check "tour: indicators of the installed campaign" "$S" indicators -c 3cx-2023
contains "tour: its indicator file was found" "$T/.out" "network indicators"

# an install without DESTDIR finds its campaigns with no variable set
P=$T/prefix
check "make install PREFIX=<scratch>" "${MK[@]}" install PREFIX="$P"
cd "$T" || exit 1
expect_status 0 "the compiled-in share directory is searched" env -u SIGHTED_CAMPAIGNS "$P/bin/sighted" indicators -c 3cx-2023
contains "and the indicator file it names resolves" "$T/.out" "network indicators"
done_testing
