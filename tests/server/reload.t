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

# the served file changed in place (an operator's mistake): truncated, then
# overwritten by cp; a mapped file would end the server with SIGBUS
truncate -s 0 "$T/live.sdb"
for _ in 1 2 3; do get /api/v1/check/203.0.113.99 >/dev/null; done
is "truncated in place: the server still answers" "$(status)" 200
is "truncated in place: from the last good snapshot" "$(jqr .result.listed)" true
check "truncated in place: the server is still running" kill -0 "$SERVER_PID"
for _ in $(seq 50); do grep -q 'live.sdb: not a sighted snapshot (empty)' "$LOG" && break; sleep 0.1; done
like "truncated in place: logged" "$(cat "$LOG")" 'refused the new snapshot: .*live.sdb: not a sighted snapshot \(empty\); still serving the old one'
get /metrics >/dev/null
like "truncated in place: counted in /metrics" "$(cat "$T/body")" 'sighted_snapshot_reloads_total\{result="failed"\} [3-9]'
like "metrics: the private copy's size" "$(cat "$T/body")" 'sighted_snapshot_memory_bytes [1-9][0-9]*'
cp "$T/one.sdb" "$T/live.sdb"
check "overwritten in place by cp: the new file is taken" wait_built "2023-11-14T22:13:20Z"
get /api/v1/check/203.0.113.99 >/dev/null
is "overwritten in place: answers from it" "$(jqr .result.listed)" false

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
get /healthz >/dev/null
is "a failed tokens reload: /healthz says degraded" "$(jqr .status)" degraded
get /metrics >/dev/null
like "a failed tokens reload: metric" "$(cat "$T/body")" 'sighted_tokens_reload_failing 1'
sed -i '$d' "$T/tokens"
kill -HUP "$SERVER_PID"
for _ in $(seq 50); do get /healthz >/dev/null; [ "$(jqr .status)" = ok ] && break; sleep 0.1; done
is "a good tokens reload: /healthz ok again" "$(jqr .status)" ok
stop_server_checked

# tokens files the server must refuse at start
sed -n 2p "$T/t1" >"$T/tokens.gw"
chmod 664 "$T/tokens.gw"
"$SIGHTED" serve --listen 127.0.0.1:0 --db "$T/live.sdb" --tokens "$T/tokens.gw" 2>"$T/gw.err"
is "a group-writable tokens file is refused at start (exit 3, an unusable tokens file)" "$?" 3
like "a group-writable tokens file: why" "$(cat "$T/gw.err")" 'writable by its group'
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# a root-only file: readable at start, never again after the drop
	sed -n 2p "$T/t1" >"$T/tokens.root"
	chmod 600 "$T/tokens.root"
	timeout 20 "$SIGHTED" serve --listen 127.0.0.1:0 --db "$T/live.sdb" --tokens "$T/tokens.root" --user nobody 2>"$T/root.err"
	rc=$?
	like "a tokens file the dropped user cannot read is refused at start" "$rc" '^[23]$'
	like "a root-only tokens file: why" "$(cat "$T/root.err")" 'must stay readable after the privilege drop.*tokens.root: cannot open tokens file: Permission denied'
	# revocation as the dropped user: the file is re-read after the drop
	{ sed -n 2p "$T/t1"; sed -n 2p "$T/t2"; } >"$T/tokens"
	chmod 644 "$T/tokens"
	check "server starts as nobody" start_server --db "$T/live.sdb" --tokens "$T/tokens" --rate 0 --user nobody --watch-interval 100
	get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $(sed -n 1p "$T/t2")" >/dev/null
	is "dropped user: the token works" "$(status)" 200
	sed -n 2p "$T/t1" >"$T/tokens.new" && chmod 644 "$T/tokens.new" && mv "$T/tokens.new" "$T/tokens"
	for _ in $(seq 50); do grep -q 'reloaded 1 tokens' "$LOG" && break; sleep 0.1; done
	get /api/v1/check/198.51.100.9 -H "Authorization: Bearer $(sed -n 1p "$T/t2")" >/dev/null
	is "dropped user: a revoked token stops working after the reload" "$(status)" 401
	get /api/v1/check/192.0.2.10 -H "Authorization: Bearer $(sed -n 1p "$T/t1")" >/dev/null
	is "dropped user: the kept token still works" "$(status)" 200
	stop_server_checked
else
	for w in "root-only file refused" "why" "starts as nobody" "token works" "revoked token" "kept token" stop1 stop2 stop3; do
		ok "# skip not root: $w"
	done
fi
done_testing
