#!/bin/bash
# Limits: per-client rate limiting with 429 and Retry-After, token limits,
# oversized headers and URLs, slow clients cut off, idle connections closed,
# connections per client bounded. Rate limits are counted exactly: the
# rates are so low (one token per 1000 s) that no request in the test can
# be refilled, however slowly the machine runs; refilling with time is
# tested with a controlled clock in test_access.c.
. "$(dirname "$0")/lib.sh"

make_snapshot "$T/db.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
"$SIGHTED" serve --new-token slow --scope 192.0.2.0/24 --token-rate 0.001 --token-burst 2 >"$T/tok"
TOK=$(sed -n 1p "$T/tok")
sed -n 2p "$T/tok" >"$T/tokens"

check "server starts (rate 0.001/s, burst 3)" start_server --db "$T/db.sdb" --policy open --rate 0.001 --burst 3 \
	--trust-proxy 127.0.0.1/32 --tokens "$T/tokens" --request-deadline 2 --idle-timeout 3 --per-ip 4 --watch-interval 200

codes=""
for i in 1 2 3 4; do get /api/v1/check/192.0.2.10 -H 'X-Forwarded-For: 198.51.100.1' >/dev/null; codes="$codes $(status)"; done
is "burst of 3 allowed, the 4th refused" "$codes" " 200 200 200 429"
is "429 code" "$(jqr .error.code)" rate_limited
h=$(curl -sS -D - -o /dev/null -H 'X-Forwarded-For: 198.51.100.1' "$BASE/api/v1/check/192.0.2.10")
like "429 carries Retry-After (about 1000 s)" "$h" 'Retry-After: (99[0-9]|1000)'
get /api/v1/check/192.0.2.10 -H 'X-Forwarded-For: 198.51.100.2' >/dev/null
is "another client has its own bucket" "$(status)" 200
get / -H 'X-Forwarded-For: 198.51.100.1' >/dev/null
is "the page is rate-limited too" "$(status)" 429
codes=""
for i in 1 2 3; do get /api/v1/check/192.0.2.10 -H "Authorization: Bearer $TOK" >/dev/null; codes="$codes $(status)"; done
is "a token's own limit (burst 2)" "$codes" " 200 200 429"
get /metrics >/dev/null
is "metrics count the 429s exactly" "$(sed -n 's/^sighted_rate_limited_total //p' "$T/body")" 4

# oversized requests: MHD refuses them before any handler runs
big=$(head -c 70000 /dev/zero | tr '\0' 'a')
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$BASE/healthz")
like "oversized header refused (4xx)" "$code" '^4(13|14|31)$'
code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/api/v1/check/$big")
like "oversized URL refused (4xx)" "$code" '^4(13|14|31)$'
get /healthz -H 'X-Forwarded-For: 198.51.100.3' >/dev/null
is "server still answers after oversized requests" "$(status)" 200

# read_closed FD SECONDS: true if the server closes FD within SECONDS
read_closed() {
	local fd=$1 limit=$2 start=$SECONDS line
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		read -r -t 0.3 -u "$fd" line
		[ $? -eq 1 ] && return 0 # EOF, not a time-out
	done
	return 1
}

# a slow client trickles its header, one line every 0.3 s: each line resets
# the idle timer, so only the request deadline (2 s) cuts it off
(
	trap '' PIPE
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3
	start=$SECONDS
	for i in $(seq 30); do
		printf 'X-Slow-%d: y\r\n' "$i" >&3 2>/dev/null || { echo "cut after $((SECONDS - start))"; exit 0; }
		if read -r -t 0.3 -u 3 line; [ $? -eq 1 ]; then echo "cut after $((SECONDS - start))"; exit 0; fi
	done
	echo "not cut"
) >"$T/slow" 2>/dev/null
like "a slow client is cut off by the deadline" "$(cat "$T/slow")" '^cut after [2-5]$'
get /metrics >/dev/null
like "metrics count the slow client" "$(cat "$T/body")" 'sighted_slow_clients_cut_total [1-9]'

# a connection that never sends a request is closed by the request deadline
# (2 s from the accept, before the idle timeout's 3 s). Deferred accept first
# holds it in the kernel for a second or so, and load stretches both, so no
# time is asserted beyond a generous bound: which limit closed it is read
# from the counters instead.
cut_count() { get /metrics >/dev/null; sed -n 's/^sighted_slow_clients_cut_total //p' "$T/body"; }
cuts0=$(cut_count)
(
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	if read_closed 3 20; then echo "closed"; else echo "open"; fi
) >"$T/idle" 2>/dev/null
is "a connection that never sends a request is closed" "$(cat "$T/idle")" closed
is "by the request deadline (counted as a slow client cut)" "$(cut_count)" "$((cuts0 + 1))"
is "the closed connection is no longer counted open" "$(sed -n 's/^sighted_connections_open //p' "$T/body")" 1

stop_server
# connections from one client are bounded (--per-ip 4); 127.0.0.1 is not a
# trusted proxy here (a trusted proxy's own address is exempt: proxy.t)
check "server starts (--per-ip 4, no trusted proxy)" start_server --db "$T/db.sdb" --per-ip 4 --rate 0 --watch-interval 200
(
	exec 3<>"/dev/tcp/127.0.0.1/$PORT" 4<>"/dev/tcp/127.0.0.1/$PORT" 5<>"/dev/tcp/127.0.0.1/$PORT" 6<>"/dev/tcp/127.0.0.1/$PORT"
	exec 7<>"/dev/tcp/127.0.0.1/$PORT"
	# each worker thread accepts from its own socket, so the server may see
	# the fifth connection opened before the fourth: the one it sees fifth
	# is refused, and the four others stay open
	start=$SECONDS closed=""
	while [ -z "$closed" ] && [ $((SECONDS - start)) -lt 10 ]; do
		for fd in 3 4 5 6 7; do
			read -r -t 0.1 -u "$fd" line
			[ $? -eq 1 ] && closed="$closed $fd" # EOF, not a time-out
		done
	done
	open=0
	for fd in 3 4 5 6 7; do
		case "$closed " in *" $fd "*) continue ;; esac
		read -r -t 0.3 -u "$fd" line
		[ $? -gt 128 ] && open=$((open + 1)) # a time-out: still open
	done
	echo "closed $(echo $closed | wc -w), open $open"
) >"$T/perip" 2>/dev/null
is "of five connections from one client, the fifth the server sees is refused" "$(cat "$T/perip")" "closed 1, open 4"
sleep 0.5
get /healthz >/dev/null
is "server answers once they are gone" "$(status)" 200
get /metrics >/dev/null
is "metrics count the refused connection" "$(sed -n 's/^sighted_connections_refused_per_address_total //p' "$T/body")" 1

stop_server

# the idle timeout alone (the deadline set far away)
check "server starts (idle timeout 1 s, header deadline 2 s, request deadline 30 s)" start_server --db "$T/db.sdb" --idle-timeout 1 \
	--header-deadline 2 --request-deadline 30 --watch-interval 200
(
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3
	start=$SECONDS
	# the answer arrives, then the kept-alive connection idles
	while read -r -t 5 -u 3 line; do case $line in '{'*) break ;; esac; done
	if read_closed 3 8; then echo "closed after $((SECONDS - start))"; else echo "open"; fi
) >"$T/idle2" 2>/dev/null
like "an idle kept-alive connection is closed by the idle timeout" "$(cat "$T/idle2")" '^closed after [1-3]$'
# a header trickled one line every 0.3 s: the idle timer never fires, the
# request deadline is far, the header deadline (2 s) cuts it
(
	trap '' PIPE
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n' >&3
	start=$SECONDS
	for i in $(seq 60); do
		printf 'X-Slow-%d: y\r\n' "$i" >&3 2>/dev/null || { echo "cut after $((SECONDS - start))"; exit 0; }
		if read -r -t 0.3 -u 3 line; [ $? -eq 1 ]; then echo "cut after $((SECONDS - start))"; exit 0; fi
	done
	echo "not cut"
) >"$T/slowh" 2>/dev/null
like "a slow header is cut by the header deadline, not the request deadline" "$(cat "$T/slowh")" '^cut after [2-9]$'
stop_server
done_testing
