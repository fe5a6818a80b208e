#!/bin/bash
# The access policy, rule by rule: self, open, anonymous detail, tokens and
# their scopes, bulk, X-Forwarded-For from trusted and untrusted peers.
. "$(dirname "$0")/lib.sh"

make_snapshot "$T/db.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }

# tokens: one scoped to 192.0.2.0/24 and 2001:db8::/32, one to 203.0.113.0/24
"$SIGHTED" serve --new-token acme-soc --scope 192.0.2.0/24,2001:db8::/32 --token-bulk 5 >"$T/acme"
is "--new-token prints the secret and the line" "$(wc -l <"$T/acme")" 2
ACME=$(sed -n 1p "$T/acme")
like "--new-token secret is 43 URL-safe characters" "$ACME" '^[A-Za-z0-9_-]{43}$'
like "--new-token line: hash, name, scope" "$(sed -n 2p "$T/acme")" '^sha256:[0-9a-f]{64} name=acme-soc scope=192.0.2.0/24,2001:db8::/32 bulk=5$'
is "--hash-token gives the same hash" "$(printf '%s\n' "$ACME" | "$SIGHTED" serve --hash-token)" "$(sed -n 2p "$T/acme" | cut -d' ' -f1)"
"$SIGHTED" serve --new-token other --scope 203.0.113.0/24 --token-rate 1 --token-burst 2 >"$T/other"
OTHER=$(sed -n 1p "$T/other")
{ echo "# test tokens"; sed -n 2p "$T/acme"; sed -n 2p "$T/other"; } >"$T/tokens"
"$SIGHTED" serve --new-token bad --scope 192.0.2.1/24 >/dev/null 2>&1
is "--new-token refuses a scope with host bits" "$?" 2

# --- policy self (the default) ---
check "server starts (policy self, tokens)" start_server --db "$T/db.sdb" --tokens "$T/tokens" --rate 0
get /api/v1/check/192.0.2.10 >/dev/null
is "self: anonymous, another address: 403" "$(status)" 403
is "self: code self_only" "$(jqr .error.code)" self_only
get /api/v1/check/127.0.0.1 >/dev/null
is "self: anonymous, own address by value: 200" "$(status)" 200
get /api/v1/check >/dev/null
is "self: anonymous, own address: 200" "$(status)" 200
p=$(get '/?ip=192.0.2.10')
is "self: no-JS form for another address: 403" "$(status)" 403
like "self: the page explains the refusal" "$p" 'Cannot answer.*own address'
get /api/v1/check/192.0.2.10 -H 'X-Forwarded-For: 192.0.2.10' >/dev/null
is "self: X-Forwarded-For from an untrusted peer is ignored" "$(jqr .error.code)" self_only
get /api/v1/check -H 'X-Forwarded-For: 192.0.2.10' >/dev/null
is "self: untrusted X-Forwarded-For does not change the own address" "$(jqr .result.query)" 127.0.0.1

# tokens
get /api/v1/check/192.0.2.10 -H "Authorization: Bearer $ACME" >/dev/null
is "token: in-scope address 200" "$(status)" 200
is "token: full detail (first seen)" "$(jqr '.result.matches[0].sightings[0].first_seen')" "2023-03-20T10:00:00Z"
is "token: evidence" "$(jqr '.result.matches[0].sightings[0].evidence|join(",")')" "list,dns,tls"
is "token: count" "$(jqr '.result.matches[0].sightings[0].count')" 42
get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $ACME" >/dev/null
is "token: out-of-scope address 403" "$(status)" 403
is "token: code out_of_scope" "$(jqr .error.code)" out_of_scope
get /api/v1/check/192.0.2.0/24 -H "Authorization: Bearer $ACME" >/dev/null
is "token: in-scope prefix 200" "$(status)" 200
is "token: prefix lists the entries inside" "$(jqr '.result.inside.count')" 3
get /api/v1/check/192.0.0.0/16 -H "Authorization: Bearer $ACME" >/dev/null
is "token: prefix wider than the scope 403" "$(status)" 403
get /api/v1/check/2001:db8:1::/48 -H "Authorization: Bearer $ACME" >/dev/null
is "token: IPv6 prefix in scope" "$(jqr '.result.inside.count')" 1
get /api/v1/check/192.0.2.10 -H "Authorization: Bearer not-a-real-token-at-all" >/dev/null
is "unknown token 401" "$(status)" 401
is "unknown token code" "$(jqr .error.code)" bad_token
# SRV_MAX_TOKEN (256): a longer token has its own error
long=$(printf 'x%.0s' $(seq 257))
get /api/v1/check/192.0.2.10 -H "Authorization: Bearer $long" >/dev/null
is "a 257-character token: 401" "$(status)" 401
is "a 257-character token: token_too_long" "$(jqr .error.code)" token_too_long
is "a 257-character token: why" "$(jqr .error.message)" "a token is at most 256 characters"
get /api/v1/check/192.0.2.10 -H "Authorization: Bearer ${long:1}" >/dev/null
is "a 256-character unknown token: bad_token" "$(jqr .error.code)" bad_token
curl -sS -o "$T/body" -H "Authorization: Bearer $long" -H 'Content-Type: text/plain' --data-binary '192.0.2.10' "$BASE/api/v1/check" >/dev/null
is "a 257-character token on bulk: token_too_long" "$(jqr .error.code)" token_too_long
h=$(curl -sS -D - -o /dev/null -H "Authorization: Basic Zm9vOmJhcg==" "$BASE/api/v1/check")
like "non-Bearer authorization 401 with WWW-Authenticate" "$h" 'WWW-Authenticate: Bearer'
get /api/v1/check/203.0.113.50 -H "authorization: bearer $OTHER" >/dev/null
is "second token, its own scope; scheme is case-insensitive" "$(jqr .result.listed)" true

# bulk
get /api/v1/check -X POST -H 'Content-Type: application/json' --data '["192.0.2.10"]' >/dev/null
is "bulk without a token 401" "$(status)" 401
is "bulk without a token: code" "$(jqr .error.code)" token_required
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' \
	--data '["192.0.2.10", "192.0.2.200", "198.51.100.9", "nonsense", 7]' >/dev/null
is "bulk JSON 200" "$(status)" 200
is "bulk: one result per entry" "$(jqr '.results|length')" 5
is "bulk: listed" "$(jqr '.results[0].listed')" true
is "bulk: not listed" "$(jqr '.results[1].listed')" false
is "bulk: out of scope entry" "$(jqr '.results[2].error.code')" out_of_scope
is "bulk: malformed entry" "$(jqr '.results[3].error.code')" bad_address
is "bulk: non-string entry" "$(jqr '.results[4].error.code')" bad_address
printf '# my addresses\n192.0.2.11\n\n2001:db8:1::5\r\n' >"$T/list.txt"
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: text/plain' --data-binary @"$T/list.txt" >/dev/null
is "bulk newline list 200" "$(status)" 200
is "bulk newline list: comments and blank lines skipped" "$(jqr '[.results[].query]|join(",")')" "192.0.2.11,2001:db8:1::5"
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' --data '["192.0.2.1","192.0.2.2","192.0.2.3","192.0.2.4","192.0.2.5","192.0.2.6"]' >/dev/null
is "bulk over the token's entry limit 413" "$(status)" 413
is "bulk over the limit: code" "$(jqr .error.code)" too_many_entries
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' --data '["192.0.2.1",' >/dev/null
is "bulk malformed JSON 400" "$(status)" 400
is "bulk malformed JSON: code" "$(jqr .error.code)" bad_json
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: application/json' --data '{"a":1}' >/dev/null
is "bulk JSON that is not an array 400" "$(status)" 400
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: application/xml' --data '<a/>' >/dev/null
is "bulk unsupported media type 415" "$(status)" 415
head -c 1100000 /dev/zero | tr '\0' 'a' >"$T/big"
get /api/v1/check -X POST -H "Authorization: Bearer $ACME" -H 'Content-Type: text/plain' --data-binary @"$T/big" >/dev/null
is "bulk body over 1 MiB 413" "$(status)" 413
is "bulk body over 1 MiB: code" "$(jqr .error.code)" body_too_large
head -c 1100000 /dev/zero | tr '\0' 'a' | curl -sS -o "$T/body" -w '%{http_code}' -X POST -H "Authorization: Bearer $ACME" \
	-H 'Transfer-Encoding: chunked' -H 'Content-Type: text/plain' --data-binary @- "$BASE/api/v1/check" >"$T/status"
is "chunked body over 1 MiB 413" "$(status)" 413
stop_server

# --- policy open, full anonymous detail, trusted proxy ---
check "server starts (open, full detail, trust 127.0.0.1)" start_server --db "$T/db.sdb" --policy open --anon-detail full --trust-proxy 127.0.0.1/32 --trust-proxy 10.0.0.0/8 --rate 0
get /api/v1/check/192.0.2.10 >/dev/null
is "open: anonymous single address 200" "$(status)" 200
is "open + full detail: dates shown" "$(jqr '.result.matches[0].sightings[0].last_seen')" "2023-03-29T12:00:00Z"
get /api/v1/check -H 'X-Forwarded-For: 192.0.2.10' >/dev/null
is "trusted proxy: X-Forwarded-For names the client" "$(jqr .result.query)" 192.0.2.10
is "trusted proxy: the client's own verdict" "$(jqr .result.listed)" true
get /api/v1/check -H 'X-Forwarded-For: 192.0.2.10, 198.51.100.9, 10.1.2.3' >/dev/null
is "rightmost untrusted hop is the client" "$(jqr .result.query)" 198.51.100.9
get /api/v1/check -H 'X-Forwarded-For: 192.0.2.10' -H 'X-Forwarded-For: 203.0.113.50' >/dev/null
is "several X-Forwarded-For headers are read as one list" "$(jqr .result.query)" 203.0.113.50
get /api/v1/check -H 'X-Forwarded-For: garbage, 10.9.9.9' >/dev/null
is "an unreadable hop reached by the walk is refused (400)" "$(status)" 400
is "an unreadable hop: code" "$(jqr .error.code)" bad_forwarded
get /api/v1/check -H 'X-Forwarded-For: garbage, 198.51.100.9, 10.9.9.9' >/dev/null
is "hops left of the client are never read" "$(jqr .result.query)" 198.51.100.9
p=$(get / -H 'X-Forwarded-For: 192.0.2.10')
like "page: the visitor's own verdict through the proxy" "$p" 'Your address <span class="addr">192.0.2.10</span> <strong>was seen'
like "page: full detail shows the evidence" "$p" 'looked up a domain name'
stop_server_checked

# --- bad configuration is refused ---
"$SIGHTED" serve --db "$T/db.sdb" --listen 127.0.0.1:0 --tokens "$FIX/tokens.bad" 2>"$T/err" &
pid=$!; ( sleep 10; kill $pid 2>/dev/null ) & wait $pid; rc=$?
is "a bad tokens file stops the start (exit 3)" "$rc" 3
like "the bad tokens line is named with file:line" "$(cat "$T/err")" 'tokens.bad:2: expected sha256'
"$SIGHTED" serve --policy maybe >/dev/null 2>"$T/err"; rc=$?
is "bad --policy is a usage error" "$rc" 2
"$SIGHTED" serve --listen nowhere >/dev/null 2>"$T/err"; rc=$?
is "bad --listen is a usage error" "$rc" 2
"$SIGHTED" serve --db "$T/missing.sdb" --listen 127.0.0.1:0 2>"$T/err"; rc=$?
is "a missing snapshot stops the start (exit 3)" "$rc" 3
out=$("$SIGHTED" serve --help)
like "serve --help documents the policy" "$out" '--policy self\|open'
done_testing
