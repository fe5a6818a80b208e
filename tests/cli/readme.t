#!/bin/bash
# Every command of README.md runs as written: the ```sh blocks are
# extracted and run in order from a scratch directory that sees the
# repository's data/ and tests/ (the README speaks from the repository's
# root). A comment "exit N" on a line is the status it must end with;
# otherwise 0. Two substitutions keep the test on a free loopback port:
# `serve` gets --listen 127.0.0.1:0, and the curl that follows it asks that
# port. `./scripts/install-deps && make ...` is what CI itself runs.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${SIGHTED:=$ROOT/build/release/sighted}" "${TESTS_DATA:=$ROOT/tests/data}"
# TAP counters, $T and start_server/stop_server (a free loopback port,
# bounded in time, stopped by PID)
. "$ROOT/tests/server/lib.sh"
export SIGHTED_NO_PROGRESS=1
cd "$T" || exit 1
ln -s "$ROOT/data" data
ln -s "$ROOT/tests" tests
unset SIGHTED_CAMPAIGNS SIGHTED_DB

# one command per line, continuations joined
cmds=$(awk '/^```sh$/ { f = 1; next } /^```$/ { f = 0; next }
	f { if (sub(/\\$/, "")) { acc = acc $0; next } print acc $0; acc = "" }' "$ROOT/README.md")
count=0
while IFS= read -r line; do
	cmd=$(printf '%s' "$line" | sed 's/[[:space:]]\{1,\}#.*$//; s/^#.*$//')
	[ -n "${cmd// /}" ] || continue
	case $cmd in ./scripts/install-deps*) continue ;; esac
	count=$((count + 1))
	want=0
	w=$(printf '%s' "$line" | sed -n 's/.*#.*exit \([0-9]\).*/\1/p')
	[ -n "$w" ] && want=$w
	run=${cmd//sighted /\"\$SIGHTED\" }
	case $cmd in
	"sighted serve "*)
		args=${cmd#sighted serve }
		# shellcheck disable=SC2086
		if start_server $args; then ok "README: $cmd (on port $PORT)"; else nok "README: $cmd" "$(cat "$LOG")"; fi
		continue ;;
	curl*) run=${run//http:\/\/127.0.0.1:8080/$BASE}; run="${run/curl /curl -fsS --max-time 10 }" ;;
	esac
	eval "$run" >"$T/.out" 2>&1
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok "README: $cmd"; else nok "README: $cmd (exit $rc, wanted $want)" "$(head -20 "$T/.out")"; fi
done <<<"$cmds"
stop_server
if [ "$count" -ge 18 ]; then ok "$count README commands found"; else nok "only $count README commands found"; fi
done_testing
