#!/bin/bash
# GET /api/v1/changes?since=ID across real reloads: the content id in every
# answer and on the page, net changes since an earlier snapshot scoped to the
# token's prefixes, 401 for anonymous callers, 400 for a malformed id, 410
# with a pointer to the full listing for an unknown or expired one.
. "$(dirname "$0")/lib.sh"

grep -v '^198.51.100.77,' "$FIX/impacted.csv" > "$T/fewer.csv"
cat > "$T/again.csv" <<'CSV'
address,first_seen,last_seen,count,campaign,source,evidence,confidence
192.0.2.10,2023-03-30T10:00:00Z,2023-03-30T12:00:00Z,8,3cx-2023,test-sensor,dns,high
CSV
BUILD_TIME=1700000000 make_snapshot "$T/one.sdb" "$FIX/impacted.csv" &&
	BUILD_TIME=1700086400 make_snapshot "$T/two.sdb" "$FIX/impacted.csv" "$FIX/second.csv" &&
	BUILD_TIME=1700172800 make_snapshot "$T/three.sdb" "$T/fewer.csv" "$FIX/second.csv" "$T/again.csv" ||
	{ nok "fixture snapshots"; done_testing; exit 1; }
cid() { "$SIGHTED" info --json "$1" | jq -r .content_id; }
ID1=$(cid "$T/one.sdb"); ID2=$(cid "$T/two.sdb"); ID3=$(cid "$T/three.sdb")
"$SIGHTED" serve --new-token acme --scope 192.0.2.0/24,2001:db8::/32 >"$T/acme"
"$SIGHTED" serve --new-token other --scope 203.0.113.0/24,198.51.100.0/24 >"$T/other"
ACME=$(head -1 "$T/acme"); OTHER=$(head -1 "$T/other")
{ sed -n 2p "$T/acme"; sed -n 2p "$T/other"; } >"$T/tokens"
cp "$T/one.sdb" "$T/live.sdb"
check "server starts" start_server --db "$T/live.sdb" --tokens "$T/tokens" --policy open --rate 0 --watch-interval 100

served() { get /healthz >/dev/null; jqr .snapshot.content_id; }
wait_id() { for _ in $(seq 100); do [ "$(served)" = "$1" ] && return 0; sleep 0.1; done; return 1; }
swap() { cp "$1" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"; }
changes() { get "/api/v1/changes?since=$1" -H "Authorization: Bearer $2" >/dev/null; }

is "healthz names the content id" "$(served)" "$ID1"
get /api/v1/check/192.0.2.10 >/dev/null
is "a check answer names the content id" "$(jqr .snapshot.content_id)" "$ID1"
get / >/dev/null
like "the page shows the content id" "$(cat "$T/body")" "Snapshot $ID1 built"

get "/api/v1/changes?since=$ID1" >/dev/null
is "anonymous: 401" "$(status)" 401
is "anonymous: token_required" "$(jqr .error.code)" token_required
changes "$ID1" "$ACME"
is "since the current snapshot: 200" "$(status)" 200
is "since the current snapshot: nothing" "$(jqr '.changes.items|length')" 0
changes "not-an-id" "$ACME"
is "malformed id: 400" "$(status)" 400
changes "0123456789abcdef" "$ACME"
is "unknown id: 410" "$(status)" 410
is "410 points to the full listing of the token's scope" "$(jqr '.error.full_listing|join(" ")')" "/api/v1/check/192.0.2.0/24 /api/v1/check/2001:db8::/32"
get "/api/v1/changes?since=$ID1" -X POST -H "Authorization: Bearer $ACME" >/dev/null
is "POST: 405" "$(status)" 405

swap "$T/two.sdb"
check "second snapshot picked up" wait_id "$ID2"
changes "$ID1" "$OTHER"
is "other token: one addition in its scope" "$(jqr '[.changes.items[] | .change + " " + .prefix + " " + .campaign] | join(";")')" "added 203.0.113.99 3cx-2023"
is "addition carries the new sighting" "$(jqr '.changes.items[0].new.count')" 5
is "answer names both ends" "$(jqr '.changes.since + " " + .changes.to')" "$ID1 $ID2"
changes "$ID1" "$ACME"
is "acme: nothing in its scope changed" "$(jqr '.changes.items|length')" 0

swap "$T/three.sdb"
check "third snapshot picked up" wait_id "$ID3"
changes "$ID1" "$ACME"
is "acme since the first: 192.0.2.10 changed" "$(jqr '[.changes.items[] | .change + " " + .prefix] | join(";")')" "changed 192.0.2.10"
is "old and new count" "$(jqr '.changes.items[0] | "\(.old.count)->\(.new.count)"')" "42->50"
is "evidence grew" "$(jqr '.changes.items[0].new.evidence|join(",")')" "list,dns,tls"
changes "$ID1" "$OTHER"
is "other since the first: net of two generations" "$(jqr '[.changes.items[] | .change + " " + .prefix] | join(";")')" "removed 198.51.100.77;added 203.0.113.99"
changes "$ID2" "$OTHER"
is "other since the second: only the removal" "$(jqr '[.changes.items[] | .change + " " + .prefix] | join(";")')" "removed 198.51.100.77"

# bounded history: 16 more generations push the first ones out
for i in $(seq 8); do
	swap "$T/two.sdb"; wait_id "$ID2" || break
	swap "$T/three.sdb"; wait_id "$ID3" || break
done
changes "$ID3" "$ACME"
is "after 16 more reloads the current id still answers" "$(status)" 200
changes "$ID1" "$ACME"
is "the first snapshot has left the history: 410" "$(status)" 410
is "410 code" "$(jqr .error.code)" gone
changes "$ID2" "$OTHER"
is "a recent one is still there" "$(jqr '[.changes.items[] | .change + " " + .prefix] | join(";")')" "removed 198.51.100.77"
get /metrics >/dev/null
like "metrics count the changes route and its 410s" "$(cat "$T/body")" 'sighted_http_requests_total\{route="changes",status="410"\} [1-9]'
get /api/v1/openapi.json >/dev/null
check "OpenAPI documents /api/v1/changes" jq -e '.paths["/api/v1/changes"].get.responses | has("200") and has("401") and has("410")' "$T/body"
check "OpenAPI: the snapshot object has content_id" jq -e '.components.schemas.Snapshot.properties | has("content_id")' "$T/body"
stop_server_checked

# sightings per AS (counts only) with --asn-db
check "server starts with ASN data" start_server --db "$T/one.sdb" --asn-db "$TESTS_DATA/owners/ip2asn.tsv" --policy open --rate 0
get /api/v1/stats >/dev/null
is "stats: ASN data kind" "$(jqr .stats.as.data)" ip2asn
is "stats: entries per AS, most first" "$(jqr '[.stats.as.top[] | "AS\(.asn)=\(.entries)"] | join(" ")')" "AS64500=3 AS64502=2 AS64503=1 AS64504=1"
is "stats: every entry has an AS here" "$(jqr .stats.as.unknown.entries)" 0
unlike "stats: no address in the AS aggregate" "$(jqr '.stats.as|tostring')" '192\.0\.2\.|198\.51\.100\.77'
get /stats >/dev/null
like "the statistics page has the AS table" "$(cat "$T/body")" '<th scope="row">AS64500 Example Net A</th><td>3</td>'
get /methodology >/dev/null
like "the methodology page explains how owners are notified" "$(cat "$T/body")" 'How network owners are notified'
stop_server_checked
done_testing
