#!/bin/bash
# Browser tests: the page in headless Chromium (Debian's /usr/bin/chromium,
# driven by playwright-core from npm; the browser is never downloaded).
# Screenshots are kept under $BUILD/screenshots/ as test artifacts.
. "$(dirname "$0")/../server/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -x /usr/bin/chromium ]; then
	echo "ok 1 # SKIP /usr/bin/chromium is not installed (Debian package chromium)"
	echo "1..1"; exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	nok "node and npm are needed to drive chromium"; done_testing; exit 1
fi
# offline first (the npm cache), then the registry
if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && { npm ci --offline --no-audit --no-fund || npm ci --no-audit --no-fund; }) >"$T/npm.log" 2>&1 ||
		{ nok "npm ci for playwright-core" "$(tail -5 "$T/npm.log")"; done_testing; exit 1; }
fi

make_snapshot "$T/db.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
"$SIGHTED" serve --new-token browser --scope 192.0.2.0/24 >"$T/tok"
sed -n 2p "$T/tok" >"$T/tokens"
# the test stands in for a reverse proxy on loopback to play visitors
start_server --db "$T/db.sdb" --tokens "$T/tokens" --trust-proxy 127.0.0.1/32 --rate 0 ||
	{ nok "server starts"; done_testing; exit 1; }

shots="${BUILD:-$here/../../build}/screenshots"
mkdir -p "$shots" "$T/profile"
BASE="$BASE" TOKEN="$(sed -n 1p "$T/tok")" SHOTS="$shots" USER_DATA="$T/profile" \
	timeout 120 node "$here/page.mjs"
rc=$?
stop_server
exit $rc
