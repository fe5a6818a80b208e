#!/bin/bash
# Behind a real nginx (the shipped dist/nginx/sighted-proxy.conf): the
# client address comes from the right-hand end of X-Forwarded-For, so a
# padded header never changes the answer; rate limits apply to the
# forwarded client; the per-address connection limit does not throttle the
# proxy itself; replicas behind one upstream all take a new snapshot rolled
# out by atomic replacement, with no failed request.
. "$(dirname "$0")/lib.sh"

if ! command -v nginx >/dev/null; then
	echo "1..0 # SKIP nginx is not installed"
	exit 0
fi
printf 'address,first_seen,last_seen,count,campaign,source,evidence,confidence\n127.0.0.5,2023-03-20T10:00:00Z,2023-03-29T12:00:00Z,4,3cx-2023,test,dns,high\n' >"$T/loop.csv"
BUILD_TIME=1700000000 make_snapshot "$T/one.sdb" "$FIX/impacted.csv" "$T/loop.csv" &&
	BUILD_TIME=1700086400 make_snapshot "$T/two.sdb" "$FIX/impacted.csv" "$FIX/second.csv" ||
	{ nok "fixture snapshots"; done_testing; exit 1; }
cp "$T/one.sdb" "$T/live.sdb"

check "sighted starts (trusts 127.0.0.1, --per-ip 4, rate 3 then ~none)" start_server --db "$T/live.sdb" \
	--trust-proxy 127.0.0.1/32 --per-ip 4 --rate 0.001 --burst 3 --watch-interval 100
P1=$PORT
check "nginx starts in front" start_nginx "$P1"

# nget FROM PATH [curl args]: through nginx from source address FROM
nget() {
	local from=$1 path=$2; shift 2
	curl -sS -o "$T/body" -w '%{http_code}' --max-time 10 --interface "$from" "$@" "$NBASE$path" >"$T/status" 2>"$T/curl.err"
}

# 1. the padded X-Forwarded-For of the finding: 127.0.0.5 is listed
nget 127.0.0.2 /api/v1/check
is "through nginx: the client is its own address" "$(jqr .result.query)" 127.0.0.2
pad=$(printf '1,%.0s' $(seq 1100))
nget 127.0.0.2 /api/v1/check -H "X-Forwarded-For: ${pad}127.0.0.5"
is "padded past the limit: refused (400), never cut" "$(status)" 400
is "padded past the limit: code" "$(jqr .error.code)" bad_forwarded
unlike "padded past the limit: nothing about 127.0.0.5" "$(cat "$T/body")" '127\.0\.0\.5'
pad=$(printf '1,%.0s' $(seq 900))
nget 127.0.0.2 /api/v1/check -H "X-Forwarded-For: ${pad}127.0.0.5"
is "padded under the limit: the answer is about the real client" "$(jqr .result.query)" 127.0.0.2
is "padded under the limit: not the chosen address's verdict" "$(jqr .result.listed)" false
nget 127.0.0.2 / -H "X-Forwarded-For: ${pad}127.0.0.5"
unlike "the page: padded header never shows 127.0.0.5" "$(cat "$T/body")" 'class="addr">127\.0\.0\.5'
# (each client address has a burst of 3 anonymous requests)
nget 127.0.0.6 /api/v1/check -H "X-Forwarded-For: 127.0.0.5" -H "X-Forwarded-For: 127.0.0.5"
is "several headers: still the real client" "$(jqr .result.query)" 127.0.0.6
nget 127.0.0.7 /api/v1/check -H "Forwarded: for=127.0.0.5"
is "Forwarded: is not believed" "$(jqr .result.query)" 127.0.0.7

# 2. rate limits apply to the forwarded client (burst 3, refill ~never)
codes=""
for i in 1 2 3 4; do nget 127.0.0.3 /api/v1/check/192.0.2.10; codes="$codes $(status)"; done
is "client 127.0.0.3: 3 answered (403 under self), then 429" "$codes" " 403 403 403 429"
nget 127.0.0.4 /api/v1/check
is "client 127.0.0.4 behind the same proxy has its own bucket" "$(status)" 200
codes=""
for i in 1 2; do nget 127.0.0.3 /api/v1/check -H "X-Forwarded-For: 203.0.113.$i"; codes="$codes $(status)"; done
is "a client cannot pick a fresh bucket with its own header" "$codes" " 429 429"

# 3. the proxy's own address is not limited by --per-ip 4
if command -v wrk >/dev/null; then
	wrk -t2 -c40 -d2s --timeout 5s "$NBASE/healthz" >"$T/wrk" 2>&1
	like "wrk ran through nginx" "$(cat "$T/wrk")" 'requests in'
	unlike "40 proxied connections: no failed request (per-ip 4 spares the proxy)" "$(cat "$T/wrk")" 'Non-2xx|Socket errors'
else
	ok "# skip wrk not installed"; ok "# skip wrk not installed"
fi
get /metrics >/dev/null
is "no connection from the proxy refused per address" "$(sed -n 's/^sighted_connections_refused_per_address_total //p' "$T/body")" 0
SERVER1=$SERVER_PID WATCH1=$WATCHDOG LOG1=$LOG
stop_nginx

# 4. replicas: two servers on one snapshot file behind one upstream
check "replica 2 starts" start_server --db "$T/live.sdb" --trust-proxy 127.0.0.1/32 --rate 0 --watch-interval 100
P2=$PORT
check "nginx starts in front of both" start_nginx "$P1" "$P2"
(
	while :; do
		curl -s -o /dev/null -o /dev/null -w '%{http_code}\n' --max-time 5 "$NBASE/healthz" "$NBASE/api/v1/stats"
	done
) >"$T/load" 2>/dev/null &
LOAD=$!
built_on() { curl -s --max-time 5 "http://127.0.0.1:$1/healthz" | jq -r .snapshot.built; }
sleep 0.3
cp "$T/two.sdb" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
for _ in $(seq 100); do
	[ "$(built_on "$P1")" = 2023-11-15T22:13:20Z ] && [ "$(built_on "$P2")" = 2023-11-15T22:13:20Z ] && break
	sleep 0.1
done
is "rollout reached replica 1" "$(built_on "$P1")" 2023-11-15T22:13:20Z
is "rollout reached replica 2" "$(built_on "$P2")" 2023-11-15T22:13:20Z
sleep 0.3
kill "$LOAD"; wait "$LOAD" 2>/dev/null
like "requests ran through nginx during the rollout" "$(grep -c . "$T/load")" '^[0-9]{2,}$'
is "no request failed during the rollout" "$(grep -vc '^200$' "$T/load")" 0
stop_nginx
stop_server
SERVER_PID=$SERVER1 WATCHDOG=$WATCH1 LOG=$LOG1
stop_server_checked
done_testing
