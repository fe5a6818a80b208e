#!/bin/bash
# Every endpoint of `sighted serve` against the real binary on loopback:
# answers, error codes, headers, the server-rendered page and its escaping.
. "$(dirname "$0")/lib.sh"

make_snapshot "$T/db.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
check "server starts (policy open)" start_server --db "$T/db.sdb" --policy open --rate 0

get /healthz >/dev/null
is "healthz 200" "$(status)" 200
is "healthz ok" "$(jqr .status)" ok
is "healthz names the snapshot build time" "$(jqr .snapshot.built)" "2023-11-14T22:13:20Z"
is "healthz names the campaigns" "$(jqr '.snapshot.campaigns|join(",")')" "3cx-2023,gopuram-2023"

# listed address: verdict detail for anonymous callers
get /api/v1/check/192.0.2.10 >/dev/null
is "listed address 200" "$(status)" 200
is "listed address is listed" "$(jqr .result.listed)" true
is "listed address campaign" "$(jqr '.result.matches[0].sightings[0].campaign')" 3cx-2023
is "anonymous answer has no dates (verdict detail)" "$(jqr '.result.matches[0].sightings[0].first_seen // "absent"')" absent
is "answer names the snapshot" "$(jqr .snapshot.entries)" 7
get /api/v1/check/192.0.2.200 >/dev/null
is "unlisted address 200" "$(status)" 200
is "unlisted address not listed" "$(jqr .result.listed)" false
get /api/v1/check/198.51.100.9 >/dev/null
is "address inside a listed prefix is listed" "$(jqr .result.listed)" true
is "match is the prefix" "$(jqr '.result.matches[0].key')" "198.51.100.0/26"
get /api/v1/check/2001:db8:1::5 >/dev/null
is "IPv6 address listed" "$(jqr .result.listed)" true
get /api/v1/check/2001:0db8:0001:0000:0000:0000:0000:0005 >/dev/null
is "IPv6 in long form is the same address" "$(jqr .result.canonical)" "2001:db8:1::5"
is "the query is kept as written" "$(jqr .result.query)" "2001:0db8:0001:0000:0000:0000:0000:0005"
get /api/v1/check/::ffff:192.0.2.10 >/dev/null
is "IPv4-mapped IPv6 finds the IPv4 entry" "$(jqr .result.listed)" true
is "IPv4-mapped: query as written" "$(jqr .result.query)" "::ffff:192.0.2.10"
is "IPv4-mapped: canonical IPv4" "$(jqr .result.canonical)" "192.0.2.10"
get /api/v1/check >/dev/null
is "own address: 200" "$(status)" 200
is "own address is the peer" "$(jqr .result.query)" 127.0.0.1

# malformed addresses: 400 with the parser's reason
for bad in 1.2.3 1.2.3.4.5 256.1.1.1 01.2.3.4 1.2.3.4x fe80::1%25eth0 ':::' 'g::1' '1.2.3.4/33' '%20'; do
	get "/api/v1/check/$bad" >/dev/null
	is "malformed '$bad' is 400" "$(status)" 400
done
get /api/v1/check/1.2.3.4x >/dev/null
is "malformed: stable code" "$(jqr .error.code)" bad_address
like "malformed: message says why" "$(jqr .error.message)" "not an address or prefix: .+"
get /api/v1/check/192.0.2.1/24 >/dev/null
is "host bits set: 400" "$(status)" 400
is "host bits set: code" "$(jqr .error.code)" host_bits
get "/api/v1/check/$(printf '1%.0s' $(seq 200))" >/dev/null
is "over-long query: 400" "$(status)" 400
is "over-long query: code" "$(jqr .error.code)" query_too_long
get "/api/v1/check/%3Cscript%3Ealert(1)%3C%2Fscript%3E" >/dev/null
is "script in the query: 400" "$(status)" 400
check "script in the query: the error is valid JSON" jq -e .error.message "$T/body"
get "/api/v1/check/%FF%FE" >/dev/null
check "invalid UTF-8 in the query: still valid JSON" jq -e '.error.code == "bad_address"' "$T/body"

# prefix: needs a token even under the open policy
get /api/v1/check/198.51.100.0/24 >/dev/null
is "anonymous prefix: 403" "$(status)" 403
is "anonymous prefix: code" "$(jqr .error.code)" token_required

# campaigns and stats
get /api/v1/campaigns >/dev/null
is "campaigns 200" "$(status)" 200
is "campaigns: names" "$(jqr '[.campaigns[].name]|join(",")')" "3cx-2023,gopuram-2023"
like "campaigns: advisory" "$(jqr '.campaigns[0].advisory')" '^https://'
is "campaigns: window" "$(jqr '.campaigns[0].window.start')" "2022-12-01T00:00:00Z"
is "campaigns: counts" "$(jqr '.campaigns[0].entries')" 5
is "campaigns: sources" "$(jqr '.campaigns[0].sources|sort|join(",")')" "test-cert,test-isp,test-sensor"
get /api/v1/stats >/dev/null
is "stats 200" "$(status)" 200
is "stats: per-day points of 3cx-2023" "$(jqr '.stats.campaigns[0].per_day|length')" 5
is "stats: one day" "$(jqr '.stats.campaigns[0].per_day[0]|join("=")')" "2023-03-20=1"
is "stats: ipv6 count" "$(jqr '.stats.campaigns[0].ipv6')" 1
unlike "stats: never an address" "$(cat "$T/body")" '192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|2001:db8'

# openapi, metrics
get /api/v1/openapi.json >/dev/null
is "openapi 200" "$(status)" 200
is "openapi is OpenAPI 3" "$(jqr .openapi)" "3.0.3"
check "openapi documents every API path" jq -e '.paths | has("/api/v1/check") and has("/api/v1/check/{query}") and has("/api/v1/campaigns") and has("/api/v1/stats") and has("/healthz") and has("/metrics")' "$T/body"
m=$(get /metrics)
is "metrics 200" "$(status)" 200
like "metrics: requests by route and status" "$m" 'sighted_http_requests_total\{route="check",status="400"\} [0-9]+'
like "metrics: latency histogram" "$m" 'sighted_http_request_duration_seconds_bucket\{le="\+Inf"\} [0-9]+'
like "metrics: snapshot age" "$m" 'sighted_snapshot_age_seconds [0-9]+'
like "metrics: reloads" "$m" 'sighted_snapshot_reloads_total\{result="ok"\} 0'

# errors for unknown paths and methods
get /nope >/dev/null
is "unknown path 404" "$(status)" 404
is "unknown path code" "$(jqr .error.code)" not_found
get /api/v1/campaigns -X DELETE >/dev/null
is "DELETE 405" "$(status)" 405
is "405 code" "$(jqr .error.code)" method_not_allowed
h=$(curl -sS -D - -o /dev/null -X PUT "$BASE/api/v1/check/192.0.2.10")
like "405 names the allowed methods" "$h" 'Allow: GET, HEAD'
get /assets/../../etc/passwd --path-as-is >/dev/null
is "path traversal finds nothing" "$(status)" 404

# headers
h=$(curl -sS -D - -o /dev/null "$BASE/api/v1/check/192.0.2.10")
like "Content-Security-Policy" "$h" "Content-Security-Policy: default-src 'none'"
like "X-Content-Type-Options" "$h" 'X-Content-Type-Options: nosniff'
like "Referrer-Policy" "$h" 'Referrer-Policy: no-referrer'
like "JSON content type" "$h" 'Content-Type: application/json'
like "answers are not cached" "$h" 'Cache-Control: no-store'
h=$(curl -sS -I "$BASE/api/v1/check/192.0.2.10")
like "HEAD answers 200" "$h" '^HTTP/1.1 200'

# an answer equal to one sent before goes out as the same libmicrohttpd
# response (server/answer_cache.c): the bytes are those of a fresh one,
# on new connections, on one kept alive, for HEAD, and for an error
nodate() { sed '/^Date: /d' "$@"; }
for i in 1 2 3 4; do
	curl -sS -i -H 'Connection: close' "$BASE/api/v1/check/192.0.2.10" | nodate >"$T/again.$i"
done
check "repeated answer, new connections: same bytes (1 = 2)" cmp "$T/again.1" "$T/again.2"
check "repeated answer, new connections: same bytes (1 = 4)" cmp "$T/again.1" "$T/again.4"
like "repeated answer still has every security header" "$(cat "$T/again.4")" "X-Frame-Options: DENY"
curl -sS -i "$BASE/api/v1/check/192.0.2.10" "$BASE/api/v1/check/192.0.2.10" | nodate >"$T/again.ka"
for i in 1 2; do sed '/^Connection: close/d' "$T/again.1"; done >"$T/again.ka.want"
check "repeated answer, keep-alive: the same answer twice" cmp "$T/again.ka" "$T/again.ka.want"
curl -sS -I -H 'Connection: close' "$BASE/api/v1/check/192.0.2.10" | nodate >"$T/again.head"
sed '/^\r$/q' "$T/again.1" >"$T/again.head.want"
check "HEAD after GET of the same answer: the GET's head" cmp "$T/again.head" "$T/again.head.want"
curl -sS -i "$BASE/api/v1/check/192.0.2.200" | nodate >"$T/other.1"
unlike "another address: its own answer" "$(cat "$T/other.1")" '"query":"192.0.2.10"'
for i in 1 2; do
	curl -sS -i -H 'Connection: close' "$BASE/api/v1/check/1.2.3.4x" | nodate >"$T/bad.$i"
done
check "repeated error answer: same bytes" cmp "$T/bad.1" "$T/bad.2"
like "repeated error answer is the 400" "$(head -1 "$T/bad.2")" '^HTTP/1.1 400'

# the page: own verdict, no-JS form answer, escaping
p=$(get /)
is "page 200" "$(status)" 200
like "page shows the visitor's own verdict" "$p" 'Your address <span class="addr">127.0.0.1</span> <strong>was not seen'
p=$(get '/?ip=192.0.2.10')
like "no-JS form: listed verdict" "$p" '<span class="addr">192.0.2.10</span> <strong>was seen'
like "no-JS form: campaign and advisory" "$p" 'Trojanized 3CX desktop app.*Read the advisory'
like "no-JS form: the query is kept in the field" "$p" 'value="192.0.2.10"'
p=$(get '/?ip=%22%3E%3Cscript%3Ealert(1)%3C/script%3E')
is "page with a hostile query: 400" "$(status)" 400
unlike "hostile query is not echoed as markup" "$p" '<script>alert'
like "hostile query is escaped" "$p" '&quot;&gt;&lt;script&gt;'
p=$(get /methodology)
like "methodology: snapshot time" "$p" 'built 2023-11-14T22:13:20Z'
like "methodology: caveats" "$p" 'NAT and shared addresses'
like "methodology: campaign windows" "$p" 'gopuram-2023.*2023-01-01'
p=$(get /stats)
like "stats page has the chart" "$p" 'id="chart"'
get /assets/app.js >/dev/null
is "script asset 200" "$(status)" 200
h=$(curl -sS -D - -o /dev/null "$BASE/assets/style.css")
like "stylesheet content type" "$h" 'Content-Type: text/css'
like "assets may be cached" "$h" 'Cache-Control: public'

# keep-alive: two requests, one connection
v=$(curl -sS -v -o /dev/null -o /dev/null "$BASE/healthz" "$BASE/healthz" 2>&1)
like "keep-alive reuses the connection" "$v" 'Re-using existing connection'

# privileges: started as root, the server runs as nobody with no_new_privs
st=$(cat "/proc/$SERVER_PID/status")
like "no_new_privs is set" "$st" 'NoNewPrivs:[[:space:]]+1'
if [ "$(id -u)" -eq 0 ]; then
	is "started as root, it runs as nobody" "$(awk '/^Uid:/ {print $2, $3, $4}' <<<"$st")" "$(id -u nobody) $(id -u nobody) $(id -u nobody)"
	is "and with nobody's group only" "$(awk '/^Groups:/ {print $2}' <<<"$st")" ""
else
	is "not root: it keeps its own user" "$(awk '/^Uid:/ {print $2}' <<<"$st")" "$(id -u)"
fi

stop_server_checked

# IPv6 listening address (skipped where the host has no ::1)
if ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
	"$SIGHTED" serve --db "$T/db.sdb" --listen '[::1]:0' --policy open --rate 0 2>"$T/v6.log" &
	v6pid=$!
	for _ in $(seq 50); do grep -q listening "$T/v6.log" && break; sleep 0.1; done
	v6port=$(sed -n 's|.*listening on http://\[::1\]:\([0-9]*\)/.*|\1|p' "$T/v6.log")
	out=$(curl -sS -g --max-time 5 "http://[::1]:$v6port/api/v1/check")
	kill "$v6pid"; wait "$v6pid" 2>/dev/null
	is "IPv6 listener: the client's own address is ::1" "$(jq -r .result.query <<<"$out")" "::1"
	like "IPv6 listener is logged with brackets" "$(cat "$T/v6.log")" 'listening on http://\[::1\]:[0-9]+/'
else
	n=$((n + 1)); echo "ok $n # SKIP no IPv6 loopback on this host"
fi
done_testing
