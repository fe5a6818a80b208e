#!/bin/bash
# A watched file deleted, or replaced by something that is not a file (a
# FIFO, a directory): the server keeps what it serves, says so (log,
# /metrics, /healthz "degraded"), and its reload loop never blocks, so
# SIGTERM still stops it. At start such a file is refused with exit 3.
. "$(dirname "$0")/lib.sh"

make_snapshot "$T/one.sdb" "$FIX/impacted.csv" || { nok "fixture snapshot"; done_testing; exit 1; }
cp "$T/one.sdb" "$T/live.sdb"
"$SIGHTED" serve --new-token first --scope 192.0.2.0/24 >"$T/t1"
SECRET=$(sed -n 1p "$T/t1")
put_tokens() { sed -n 2p "$T/t1" >"$T/tokens.new" && chmod 644 "$T/tokens.new" && mv "$T/tokens.new" "$T/tokens"; }
put_tokens

# wait_log PATTERN: up to 30 s (a loaded CI machine, ASan) for the server log to match (grep -E); returns as soon as it does
wait_log() { for _ in $(seq 300); do grep -qE -- "$1" "$LOG" && return 0; sleep 0.1; done; return 1; }
health() { get /healthz >/dev/null; jqr .status; }
metric() { get /metrics >/dev/null; sed -n "s/^$1 //p" "$T/body"; }
with_token() { get /api/v1/check/192.0.2.0/24 -H "Authorization: Bearer $SECRET" >/dev/null; status; }

check "server starts" start_server --db "$T/live.sdb" --tokens "$T/tokens" --policy open --rate 0 --watch-interval 100
is "the token works" "$(with_token)" 200
is "healthy at start" "$(health)" ok

# the tokens file deleted: a failed reload, reported once
rm "$T/tokens"
check "a deleted tokens file is logged" wait_log 'refused the new tokens file: .*/tokens: cannot open tokens file: No such file or directory; the old tokens stay in force'
is "a deleted tokens file: /healthz says degraded" "$(health)" degraded
is "a deleted tokens file: sighted_tokens_reload_failing 1" "$(metric sighted_tokens_reload_failing)" 1
is "a deleted tokens file: the old tokens stay in force (documented)" "$(with_token)" 200
sleep 0.5
is "a deleted tokens file is logged once, not at every poll" "$(grep -c 'refused the new tokens file' "$LOG")" 1
put_tokens
check "the tokens file back: reloaded" wait_log 'reloaded 1 tokens'
is "the tokens file back: healthy again" "$(health)" ok

# the snapshot deleted
rm "$T/live.sdb"
check "a deleted snapshot is logged" wait_log 'refused the new snapshot: .*/live.sdb: cannot open snapshot: No such file or directory; still serving the old one'
is "a deleted snapshot: /healthz says degraded" "$(health)" degraded
is "a deleted snapshot: sighted_snapshot_reload_failing 1" "$(metric sighted_snapshot_reload_failing)" 1
get /api/v1/check/192.0.2.10 >/dev/null
is "a deleted snapshot: the old one still answers" "$(status)" 200
cp "$T/one.sdb" "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
check "the snapshot back: reloaded" wait_log 'reloaded snapshot'
is "the snapshot back: healthy again" "$(health)" ok
is "the snapshot back: sighted_snapshot_reload_failing 0" "$(metric sighted_snapshot_reload_failing)" 0

# a FIFO moved over the snapshot: refused without waiting for a writer
mkfifo "$T/live.tmp" && mv "$T/live.tmp" "$T/live.sdb"
check "a FIFO as the snapshot is refused" wait_log 'refused the new snapshot: .*/live.sdb: not a regular file \(a FIFO\)'
is "a FIFO as the snapshot: the server still answers" "$(health)" degraded
# a FIFO moved over the tokens file
mkfifo "$T/tokens.tmp" && mv "$T/tokens.tmp" "$T/tokens"
check "a FIFO as the tokens file is refused" wait_log 'refused the new tokens file: .*/tokens: not a regular file \(a FIFO\)'
is "a FIFO as the tokens file: the old tokens stay" "$(with_token)" 200
# a directory in place of the tokens file
rm "$T/tokens" && mkdir "$T/tokens"
check "a directory as the tokens file is refused" wait_log 'refused the new tokens file: .*/tokens: not a regular file \(a directory\)'
unlike "a directory is never taken for an empty tokens file" "$(cat "$LOG")" 'reloaded 0 tokens'
is "a directory as the tokens file: the old tokens stay" "$(with_token)" 200
# the reload loop still runs: signals are seen while the FIFO is in place
stop_server_checked
rmdir "$T/tokens"
rm -f "$T/live.sdb"

# at start: exit 3 with the reason, at once (a FIFO is never opened blocking)
put_tokens
mkfifo "$T/fifo"
mkdir "$T/dir"
start_refused() { # what want-pattern args...
	local what=$1 want=$2; shift 2
	timeout -k 5 20 "$SIGHTED" serve --listen 127.0.0.1:0 "$@" 2>"$T/start.err"
	is "$what: exit 3" "$?" 3
	like "$what: why" "$(cat "$T/start.err")" "$want"
}
start_refused "a FIFO as the snapshot" 'fifo: not a regular file \(a FIFO\): the snapshot must be a file' --db "$T/fifo"
start_refused "a FIFO as the tokens file" 'fifo: not a regular file \(a FIFO\): the tokens file must be a file' --db "$T/one.sdb" --tokens "$T/fifo"
start_refused "a directory as the tokens file" 'dir: not a regular file \(a directory\): the tokens file must be a file' --db "$T/one.sdb" --tokens "$T/dir"
start_refused "a missing tokens file" 'nope: cannot open tokens file: No such file' --db "$T/one.sdb" --tokens "$T/nope"
done_testing
