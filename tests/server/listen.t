#!/bin/bash
# Listening with several worker threads: each thread has its own socket on
# the address (SO_REUSEPORT), yet a second server on the same port still
# fails to start rather than silently sharing it, and every thread's socket
# answers.
. "$(dirname "$0")/lib.sh"

make_snapshot "$T/db.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
check "server starts (4 threads)" start_server --db "$T/db.sdb" --rate 0 --threads 4 --watch-interval 200
# sockets_on PORT: listening sockets on the port (ss, from iproute2)
sockets_on() { ss -Hltn "sport = :$1" | wc -l | tr -d ' '; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
if command -v ss >/dev/null; then
	is "one listening socket per thread" "$(sockets_on "$PORT")" 4
else
	skip "ss (iproute2) is not installed"
fi
timeout 20 "$SIGHTED" serve --db "$T/db.sdb" --listen "127.0.0.1:$PORT" --threads 4 2>"$T/second.log"
is "a second server on the same port exits 4" "$?" 4
like "and says the address is in use" "$(cat "$T/second.log")" 'cannot listen on 127\.0\.0\.1:'
timeout 20 "$SIGHTED" serve --db "$T/db.sdb" --listen "127.0.0.1:$PORT" --threads 1 2>/dev/null
is "so does one with a single thread" "$?" 4
# new connections, spread over the sockets by a hash of the client's
# address and port: none is lost
codes=$(for i in $(seq 40); do curl -s -o /dev/null -w '%{http_code}\n' "$BASE/healthz"; done | sort | uniq -c | tr -s ' ')
is "40 new connections all answered" "$codes" " 40 200"
check "the server is still running" kill -0 "$SERVER_PID"
stop_server

# --threads 1 keeps one plain socket (no SO_REUSEPORT)
check "server starts (1 thread)" start_server --db "$T/db.sdb" --rate 0 --threads 1 --watch-interval 200
if command -v ss >/dev/null; then
	is "one listening socket" "$(sockets_on "$PORT")" 1
else
	skip "ss (iproute2) is not installed"
fi
get /healthz >/dev/null
is "it answers" "$(status)" 200
stop_server
done_testing
