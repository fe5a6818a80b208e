#!/bin/bash
# Hot reload while requests run: a good new snapshot is swapped in (file
# replaced, and on SIGHUP), a truncated or corrupted one is refused and the
# old one keeps serving; no request fails meanwhile. Tokens reload too.
. "$(dirname "$0")/lib.sh"

BUILD_TIME=1700000000 make_snapshot "$T/one.sdb" "$FIX/impacted.csv" &&
	BUILD_TIME=1700086400 make_snapshot "$T/two.sdb" "$FIX/impacted.csv" "$FIX/second.csv" &&
	BUILD_TIME=1700172800 make_snapshot "$T/three.sdb" "$FIX/second.csv" ||
	{ nok "fixture snapshots"; done_testing; exit 1; }
cp "$T/one.sdb" "$T/live.sdb"

check "server starts" start_server --db "$T/live.sdb" --policy open --rate 0 --watch-interval 100

built() { get /healthz >/dev/null; jqr .snapshot.built; }
# wait_built WANT: polls /healthz for up to 5 s
wait_built() { for _ in $(seq 50); do [ "$(built)" = "$1" ] && return 0; sleep 0.1; done; return 1; }

# load: requests without pause for the whole test; every status recorded
(
	while :; do
		curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' --max-time 5 \
			"$BASE/api/v1/check/192.0.2.10" "$BASE/api/v1/check/203.0.113.99" "$BASE/api/v1/stats"
	done
) >"$T/load" 2>/dev/null &
LOAD=$!
sleep 0.5

is "first snapshot served" "$(built)" "2023-11-14T22:13:20Z"
get /api/v1/check/203.0.113.99 >/dev/null
is "an address of the second list is not yet listed" "$(jqr .result.listed)" false

cp "$T/two.sdb" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
check "a replaced file is picked up" wait_built "2023-11-15T22:13:20Z"
get /api/v1/check/203.0.113.99 >/dev/null
is "the new entry is listed" "$(jqr .result.listed)" true
like "the reload is logged" "$(cat "$LOG")" 'reloaded snapshot .*built 2023-11-15T22:13:20Z, 8 entries'

# truncated file
head -c 200 "$T/three.sdb" >"$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
sleep 0.6
is "a truncated snapshot is refused: old one still served" "$(built)" "2023-11-15T22:13:20Z"
like "the refusal is logged with the reason" "$(cat "$LOG")" 'refused the new snapshot: .*still serving the old one'
get /api/v1/check/203.0.113.99 >/dev/null
is "answers still come from the old snapshot" "$(jqr .result.listed)" true

# corrupted byte in the middle: the checksum catches it
cp "$T/three.sdb" "$T/live.tmp"
size=$(stat -c %s "$T/live.tmp")
printf '\xff\xfe\xfd\xfc' | dd of="$T/live.tmp" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
mv "$T/live.tmp" "$T/live.sdb"
sleep 0.6
is "a corrupted snapshot is refused" "$(built)" "2023-11-15T22:13:20Z"
get /metrics >/dev/null
like "metrics: failed reloads counted" "$(cat "$T/body")" 'sighted_snapshot_reloads_total\{result="failed"\} 2'
like "metrics: good reload counted" "$(cat "$T/body")" 'sighted_snapshot_reloads_total\{result="ok"\} 1'

# a good file again
cp "$T/three.sdb" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
check "a good file after bad ones is taken" wait_built "2023-11-16T22:13:20Z"
get /api/v1/check/192.0.2.10 >/dev/null
is "entries gone from the new snapshot are no longer listed" "$(jqr .result.listed)" false

kill "$LOAD"; wait "$LOAD" 2>/dev/null
total=$(grep -c . "$T/load")
bad=$(grep -vc '^200$' "$T/load")
like "requests ran during the reloads" "$total" '^[0-9]{2,}$'
is "no request failed during the reloads" "$bad" 0
stop_server

# SIGHUP, with file polling effectively off; tokens reload with it
"$SIGHTED" serve --new-token first --scope 192.0.2.0/24 >"$T/t1"
"$SIGHTED" serve --new-token second --scope 198.51.100.0/24 >"$T/t2"
sed -n 2p "$T/t1" >"$T/tokens"
cp "$T/one.sdb" "$T/live.sdb"
check "server starts (no polling)" start_server --db "$T/live.sdb" --tokens "$T/tokens" --rate 0 --watch-interval 3600000
cp "$T/two.sdb" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
sed -n 2p "$T/t2" >>"$T/tokens"
sleep 0.5
is "without polling nothing changes yet" "$(built)" "2023-11-14T22:13:20Z"
get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $(sed -n 1p "$T/t2")" >/dev/null
is "the new token is not known yet" "$(status)" 401
kill -HUP "$SERVER_PID"
check "SIGHUP reloads the snapshot" wait_built "2023-11-15T22:13:20Z"
get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $(sed -n 1p "$T/t2")" >/dev/null
is "SIGHUP reloads the tokens" "$(status)" 200
get /api/v1/check/192.0.2.10 -H "Authorization: Bearer $(sed -n 1p "$T/t1")" >/dev/null
is "the old token still works" "$(status)" 200
echo "garbage line" >>"$T/tokens"
kill -HUP "$SERVER_PID"
sleep 0.5
like "a bad tokens file on reload is refused and logged" "$(cat "$LOG")" 'refused the new tokens file: .*tokens:3: expected sha256'
get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $(sed -n 1p "$T/t2")" >/dev/null
is "the tokens in force stay" "$(status)" 200
check "the server is still running" kill -0 "$SERVER_PID"
stop_server_checked
done_testing
