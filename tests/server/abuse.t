#!/bin/bash
# sighted serve tried as an attacker would, on loopback, each finding of
# issue 8 asserted: bulk answers stay under a resident-size bound and are
# charged by weight; token-less POST floods are answered 401 from the
# header, without reading bodies; a slow reader gets its whole answer; a
# slowloris from 127.0.0.2-40 leaves a normal client its answers; request
# smuggling shapes get 400 and a closed connection; %00, long queries and
# floods of malformed requests are handled.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# a snapshot with 30,000 addresses in 10.0.0.0/16
awk 'BEGIN { print "address,first_seen,last_seen,count,campaign,source,evidence,confidence";
	for (i = 0; i < 30000; i++)
		printf "10.0.%d.%d,2023-03-20T10:00:00Z,2023-03-29T12:00:00Z,2,3cx-2023,test-sensor,dns,high\n", int(i / 250), i % 250 + 1 }' >"$T/many.csv"
make_snapshot "$T/db.sdb" "$FIX/impacted.csv" "$T/many.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
"$SIGHTED" serve --new-token bulk --scope 10.0.0.0/8 --token-bulk 10000 >"$T/t1"
"$SIGHTED" serve --new-token reader --scope 10.0.0.0/8 --token-rate 100000 --token-burst 100000 >"$T/t2"
TOK=$(sed -n 1p "$T/t1") TOK2=$(sed -n 1p "$T/t2")
{ sed -n 2p "$T/t1"; sed -n 2p "$T/t2"; } >"$T/tokens"

# the resident-size bound: 64 MB; under AddressSanitizer (redzones, shadow
# memory, a quarantine cut to 8 MB here) 256 MB. Both are far below the
# finding's 1.6 GB.
RSS_BOUND=65536
if ldd "$SIGHTED" 2>/dev/null | grep -q libasan; then
	RSS_BOUND=262144
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
fi
check "server starts" start_server --db "$T/db.sdb" --tokens "$T/tokens" --rate 0.001 --burst 5 \
	--request-deadline 2 --header-deadline 2 --watch-interval 200 --threads 2

# --- 2. bulk: cap, weight, streaming, resident size ---
for i in $(seq 600); do echo 10.0.0.0/16; done >"$T/bulk600"
get /api/v1/check -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: text/plain" --data-binary @"$T/bulk600" >/dev/null
is "600 prefix lines: refused before rendering (413)" "$(status)" 413
is "600 prefix lines: its own code" "$(jqr .error.code)" answer_too_large
like "600 prefix lines: says what the answer would list" "$(jqr .error.message)" 'would list 600[0-9]{3} entries; at most 50000'
for i in $(seq 45); do echo 10.0.0.0/16; done >"$T/bulk45"
get /api/v1/check -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: text/plain" --data-binary @"$T/bulk45" >/dev/null
is "45 prefix lines (45,000 entries): answered" "$(status)" 200
is "45 prefix lines: every result streamed" "$(jqr '.results | length')" 45
is "45 prefix lines: 1,000 entries listed for each" "$(jqr '[.results[].inside.entries | length] | add')" 45000
bytes=$(stat -c %s "$T/body")
rss=$(rss_peak "$SERVER_PID")
# the answer is $bytes bytes; built whole it needed several times that in
# jansson objects (the finding: 600 lines, 1.6 GB). Streamed, the peak
# stays under the bound whatever the answer's size.
like "45 prefix lines: the answer is large (> 5 MB)" "$bytes" '^([5-9][0-9]{6}|[0-9]{8,})$'
if [ "$rss" -lt "$RSS_BOUND" ]; then ok "bulk: peak resident size ${rss} kB < $RSS_BOUND kB for a ${bytes}-byte answer"; else nok "bulk: peak resident size ${rss} kB < $RSS_BOUND kB"; fi
get /api/v1/check -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: text/plain" --data-binary '10.0.0.1' >/dev/null
is "the 45,000 entries were charged to the token (then 429)" "$(status)" 429
h=$(curl -sS -D - -o /dev/null -X POST -H "Authorization: Bearer $TOK" -H "Content-Type: text/plain" --data-binary '10.0.0.1' "$BASE/api/v1/check")
like "429 says how long the debt takes to repay" "$h" 'Retry-After: [0-9]{3,}'
head -c 900000 /dev/zero | tr '\0' '7' >"$T/long"
get /api/v1/check -X POST -H "Authorization: Bearer $TOK2" -H "Content-Type: text/plain" --data-binary @"$T/long" >/dev/null
is "a 900 KB line: query_too_long" "$(jqr '.results[0].error.code')" query_too_long
like "a 900 KB line: only a bounded prefix echoed" "$(jqr '.results[0].query | length')" '^6[0-9]$'

# --- 3. token-less POST floods: 401 from the header, bodies never read ---
head -c 1048000 /dev/zero | tr '\0' 'a' >"$T/1mb"
get /metrics >/dev/null
before=$(sed -n 's/^sighted_bodies_refused_total //p' "$T/body")
rss0=$(rss_peak "$SERVER_PID")
seq 200 | xargs -P 50 -I{} curl -sS -o /dev/null -w '%{http_code} %{size_upload}\n' --max-time 20 --interface 127.0.0.9 \
	-H 'Expect: 100-continue' -H 'Content-Type: text/plain' --data-binary @"$T/1mb" "$BASE/api/v1/check" >"$T/flood" 2>/dev/null
is "200 token-less 1 MB POSTs: the first 5 answered 401" "$(grep -c '^401 ' "$T/flood")" 5
is "200 token-less 1 MB POSTs: the other 195 charged to the caller (429)" "$(grep -c '^429 ' "$T/flood")" 195
is "no body was uploaded (no 100 Continue)" "$(awk '$2 != 0' "$T/flood" | wc -l)" 0
get /metrics >/dev/null
after=$(sed -n 's/^sighted_bodies_refused_total //p' "$T/body")
is "metrics: 200 bodies refused from the header" "$((after - before))" 200
rss1=$(rss_peak "$SERVER_PID")
if [ $((rss1 - rss0)) -lt 16384 ]; then ok "flood: peak resident size grew by $((rss1 - rss0)) kB (< 16 MB)"; else nok "flood: peak grew by $((rss1 - rss0)) kB"; fi
get /api/v1/check -X POST -H "Authorization: Bearer not-a-token-at-all" -H 'Content-Length: 5000000' >/dev/null
like "a bad token with a huge announced body: refused at once" "$(status)" '^(401|429)$'
get /api/v1/check -X POST -H "Authorization: Bearer $TOK2" -H 'Content-Type: text/plain' -H 'Content-Length: 5000000' >/dev/null
is "a good token announcing > 1 MiB: 413 at once" "$(status)" 413

# --- 4. a slow reader gets its whole answer (deadline 2 s, ~8 s to read) ---
for i in $(seq 6); do echo 10.0.$((i * 10)).0/24; done >"$T/bulk6"
for i in $(seq 4); do echo 10.0.0.0/16; done >>"$T/bulk6"
curl -sS -o "$T/slow" -w '%{http_code}' --max-time 60 --limit-rate 200K -X POST -H "Authorization: Bearer $TOK2" -H "Content-Type: text/plain" \
	--data-binary @"$T/bulk6" "$BASE/api/v1/check" >"$T/status" 2>"$T/curl.err"
is "slow reader: 200" "$(status)" 200
size=$(stat -c %s "$T/slow")
like "slow reader: a large answer (> 1 MB, > 5 s at 200 KB/s)" "$size" '^[0-9]{7,}$'
is "slow reader: the whole answer arrived and parses" "$(jq '.results | length' <"$T/slow" 2>/dev/null)" 10

# --- 9. request smuggling shapes: 400 and the connection closed ---
# raw REQUEST: the whole answer; fails if the server does not close the
# connection within 5 s. (No bytes are sent that the server will not read:
# closing a socket with unread input sends a reset that can destroy the
# answer in flight.)
raw() {
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf "$1" >&3
	timeout 5 cat <&3
	local rc=$?
	exec 3<&-
	return $rc
}
shape() {
	local what=$1 req=$2 out rc
	out=$(raw "$req" | tr -d '\r'; exit "${PIPESTATUS[0]}")
	rc=$?
	like "$what: 400" "$(printf '%s' "$out" | head -1)" '^HTTP/1\.1 400'
	is "$what: the server closes the connection" "$rc" 0
	like "$what: says Connection: close" "$out" 'Connection: close'
	like "$what: security headers" "$out" 'X-Content-Type-Options: nosniff'
	like "$what: JSON error" "$out" '"code":"bad_request"'
	is "$what: exactly one answer" "$(printf '%s' "$out" | grep -c '^HTTP/1')" 1
}
shape "two differing Content-Length" 'POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\n'
shape "Content-Length with Transfer-Encoding" 'POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'
shape "'Transfer-Encoding : chunked'" 'POST /api/v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n'
shape "Transfer-Encoding other than chunked" 'POST /api/v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
shape "obs-folded header" 'GET /api/v1/check HTTP/1.1\r\nHost: x\r\nX-A: one\r\n two\r\n\r\n'
shape "HTTP/1.1 without Host" 'GET /api/v1/check HTTP/1.1\r\n\r\n'
shape "HTTP/1.1 with two Host" 'GET /api/v1/check HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'
out=$(raw 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | tr -d '\r')
like "a well-formed request on the same server: 200" "$(printf '%s' "$out" | head -1)" '^HTTP/1\.1 200'

# --- 10. small ones ---
get /api/v1/check/%00192.0.2.7 >/dev/null
is "%00 before the address: 400" "$(status)" 400
is "%00 before the address: bad_address" "$(jqr .error.code)" bad_address
get /api/v1/check/192.0.2.7%00junk >/dev/null
is "%00 after the address: bad_address" "$(jqr .error.code)" bad_address
get /metrics >/dev/null
bad0=$(sed -n 's/^sighted_bad_requests_total //p' "$T/body")
sup0=$(sed -n 's/^sighted_log_lines_suppressed_total //p' "$T/body")
log0=$(grep -c 'refused a request from' "$LOG")
for i in $(seq 100); do raw 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n' >/dev/null; done
get /metrics >/dev/null
bad1=$(sed -n 's/^sighted_bad_requests_total //p' "$T/body")
sup1=$(sed -n 's/^sighted_log_lines_suppressed_total //p' "$T/body")
log1=$(grep -c 'refused a request from' "$LOG")
is "100 malformed requests counted" "$((bad1 - bad0))" 100
is "each is either logged or counted as not logged" "$(((log1 - log0) + (sup1 - sup0)))" 100
# 5 lines per second of the monotonic clock; a second of the wall clock in
# the time stamps may straddle two of those
like "the log is rate-limited (5 lines a monotonic second, so at most 10 in a wall-clock one)" "$(grep 'refused a request from' "$LOG" | cut -c1-20 | sort | uniq -c | sort -rn | head -1)" '^ *([1-9]|10) '

# --- 5. slowloris from 127.0.0.2 ... 127.0.0.40 ---
stop_server
check "server starts (200 connections, --per-ip 8, header deadline 2 s)" start_server --db "$T/db.sdb" --rate 0 \
	--max-connections 200 --per-ip 8 --header-deadline 2 --request-deadline 4 --watch-interval 200 --threads 2
# the attack runs until the normal client is done (at most 120 s)
perl "$HERE/slowloris.pl" "$PORT" 2 40 8 120 0.5 >"$T/loris" 2>&1 &
LORIS=$!
for _ in $(seq 100); do # until the table is full: connections are dropped
	get /metrics >/dev/null
	[ "$(sed -n 's/^sighted_connections_dropped_when_full_total //p' "$T/body")" != 0 ] && break
	sleep 0.1
done
good=0
for i in $(seq 40); do
	# a generous time-out: a slow machine is not a refusal. Under load the
	# eviction can pick a fresh connection before its request has arrived,
	# so the client retries a dropped connection as a browser does: an
	# answer within three tries counts (how fast the machine is decides
	# the first try, not whether the server serves a complete request)
	code=$(curl -s -o /dev/null -w "%{http_code}" --max-time 10 --retry 2 --retry-delay 0 \
		--retry-all-errors -f "$BASE/api/v1/check")
	[ "$code" = 200 ] && good=$((good + 1))
	codes="${codes:-} $code"
done
kill -0 "$LORIS" 2>/dev/null
loris_alive=$?
kill "$LORIS" 2>/dev/null
wait "$LORIS" 2>/dev/null
echo "# slowloris: $(cat "$T/loris"); normal client: $good of 40 answered ($(echo $codes | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '))"
is "the slowloris lasted the whole measurement" "$loris_alive" 0
like "the slowloris ran (312 slow connections held and renewed)" "$(cat "$T/loris")" '^opened [0-9]{3,} closed [0-9]+'
if [ "$good" -ge 36 ]; then ok "during the slowloris a normal client got $good of 40 answers within 3 tries (>= 90%)"; else nok "normal client got $good of 40 answers (< 90%)"; fi
get /metrics >/dev/null
like "metrics: slow connections cut or dropped" "$(grep -E '^sighted_(slow_clients_cut|connections_dropped_when_full)_total' "$T/body" | awk '{s += $2} END {print s}')" '^[1-9][0-9]*$'
check "the server is still running" kill -0 "$SERVER_PID"
stop_server_checked
done_testing
