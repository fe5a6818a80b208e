#!/bin/bash
# sighted notify against a real SMTP server on loopback (Debian's
# python3-aiosmtpd with the handler tests/owners/smtpsink.py): recipients,
# headers and attachments checked against `sighted report`; a server that
# refuses a recipient or drops the connection mid-message; a run killed after
# the first delivery and rerun, which sends only what was missing; --dry-run.
. "$(dirname "$0")/../lib.sh"
D=$TESTS_DATA/owners
C=$ROOT/data/campaigns
PY=/usr/bin/python3
export SOURCE_DATE_EPOCH=1680000000
umask 022
cat > "$T/new.csv" <<'CSV'
ip,first_seen,last_seen,count,confidence
192.0.2.10,2023-03-22T00:00:00Z,2023-03-27T00:00:00Z,5,medium
192.0.2.11,2023-03-26T00:00:00Z,2023-03-26T00:00:00Z,1,high
192.0.2.200,2023-03-22T00:00:00Z,2023-03-24T00:00:00Z,2,high
2001:db8::5,2023-03-25T00:00:00Z,2023-03-25T00:00:00Z,1,medium
203.0.113.99,2023-03-25T00:00:00Z,2023-03-25T00:00:00Z,1,medium
CSV
head -2 "$T/new.csv" > "$T/old.csv"
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/new.sdb" "$T/new.csv" 2>/dev/null
mkdir -p "$T/o" && cp "$T/old.csv" "$T/o/new.csv"
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/old.sdb" "$T/o/new.csv" 2>/dev/null
ASN=$D/ip2asn.tsv
"$SIGHTED" report --owners "$D/registry.csv" --asn-db "$ASN" -o "$T/rep" "$T/new.sdb" 2>/dev/null

if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	not_ok "python3-aiosmtpd is missing (scripts/install-deps installs it)"; done_testing; exit 0
fi

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # until something listens on 127.0.0.1:PORT, 10 s at most
	for _ in $(seq 1 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}
# start_smtp DIR MODE [ARGS]: an SMTP server on a free loopback port; sets PORT, SPID
start_smtp() {
	local dir=$1; shift
	mkdir -p "$dir"
	PORT=$(free_port)
	PYTHONPATH="$ROOT/tests/owners" timeout -k 2 120 $PY -m aiosmtpd -n -l "127.0.0.1:$PORT" \
		-c smtpsink.Sink "$dir" "$@" >"$dir.log" 2>&1 &
	SPID=$!
	_pids+=("$SPID")
	wait_port "$PORT" || not_ok "SMTP server did not start"
}
stop_smtp() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
# start_fake MODE: tests/owners/fakesmtp.pl on a free loopback port, logging
# what it receives to $T/fake.log (emptied); sets PORT, SPID
start_fake() {
	rm -f "$T/fake.port"; : > "$T/fake.log"
	timeout -k 2 120 perl "$ROOT/tests/owners/fakesmtp.pl" "$T/fake.port" "$T/fake.log" "$1" 2>"$T/fake.err" &
	SPID=$!
	_pids+=("$SPID")
	for _ in $(seq 1 300); do [ -s "$T/fake.port" ] && break; sleep 0.1; done
	PORT=$(cat "$T/fake.port" 2>/dev/null) || not_ok "fake SMTP server did not start"
}
notify() { "$SIGHTED" notify --owners "$D/registry.csv" --asn-db "$ASN" --from sighted@cert.example --backoff 0 "$@"; }
# attachment FILE.eml: the decoded CSV attachment
attachment() {
	$PY - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for part in m.iter_attachments():
    sys.stdout.buffer.write(part.get_payload(decode=True))
PY
}
header() { # FILE NAME
	$PY - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m[sys.argv[2]])
PY
}
# find_owner DIR OWNER: the stored message for OWNER
find_owner() { grep -l "^X-Sighted-Owner: $2" "$1"/*.eml 2>/dev/null; }

start_smtp "$T/m1" accept
expect_status 0 "notify sends one message per owner with sightings" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state1" "$T/new.sdb"
contains "per-owner line" "$T/.out" "isp-a: sent to 1 recipient \(2 sightings\)"
contains "summary line" "$T/.out" "3 sent, 0 already sent, 0 failed, 0 without contact"
equals "three messages arrived" "$(ls "$T/m1"/*.eml | wc -l)" 3
m=$(find_owner "$T/m1" cert-xx)
equals "recipients: both contacts of the CERT" "$(tail -n +2 "${m%.eml}.env" | sort | tr '\n' ' ')" "cert@cert.example soc@cert.example "
equals "envelope sender" "$(head -1 "${m%.eml}.env")" "sighted@cert.example"
equals "To: header" "$(header "$m" To)" "cert@cert.example, soc@cert.example"
equals "Subject" "$(header "$m" Subject)" "[sighted] 4 sightings in the networks of National CERT, XX"
equals "Date from SOURCE_DATE_EPOCH" "$(header "$m" Date)" "Tue, 28 Mar 2023 10:40:00 +0000"
equals "content id header" "$(header "$m" X-Sighted-Snapshot)" "$("$SIGHTED" info --json "$T/new.sdb" | jq -r .content_id)"
for o in cert-xx isp-a isp-b; do
	m=$(find_owner "$T/m1" $o)
	if cmp -s <(attachment "$m") "$T/rep/owners/$o.csv"; then ok "$o: attachment is the report's CSV, byte for byte"
	else not_ok "$o: attachment differs from report"; fi
done
if [ -z "$(find_owner "$T/m1" isp-idle)" ]; then ok "no message for an owner with nothing"; else not_ok "isp-idle mailed"; fi
contains "summary text counts the addresses" "$(find_owner "$T/m1" isp-a)" "2 sightings at 2 addresses"
equals "state file records three reports" "$(grep -vc '^#' "$T/state1")" 3

expect_status 0 "rerun: nothing new, nothing sent" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state1" "$T/new.sdb"
contains "all already sent" "$T/.out" "0 sent, 3 already sent, 0 failed"
equals "still three messages" "$(ls "$T/m1"/*.eml | wc -l)" 3
expect_status 0 "--since: only owners with something new" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state1" --since "$T/old.sdb" "$T/new.sdb"
contains "two new reports (cert-xx, isp-a); isp-b's is the one it had" "$T/.out" "2 sent, 1 already sent"
m=$(find_owner "$T/m1" isp-a | tail -1)
equals "the --since attachment holds only the added address" "$(attachment "$m" | tail -n +2 | cut -d, -f1,4 | tr -d '\r' | tr '\n' ' ')" "192.0.2.11,added "
contains "summary says since which snapshot" "$m" "Only what is new since snapshot"
expect_status 4 "--starttls against a server without STARTTLS: nothing sent in the clear" \
	notify --smtp "smtp://127.0.0.1:$PORT" --starttls --retries 0 --state "$T/state-tls" "$T/new.sdb"
contains "the failure is named per owner" "$T/.out" "cert-xx: FAILED: .*(STARTTLS|SSL|TLS)"
equals "the server received nothing more" "$(ls "$T/m1"/*.eml | wc -l)" 5
contains "the run stops at the first owner: the others would fail alike" "$T/.out" "stopped: no message can be sent without TLS"
expect_status 2 "--starttls and --smtp-plaintext exclude each other" \
	notify --smtp "smtp://127.0.0.1:$PORT" --starttls --smtp-plaintext --state "$T/state-tls" "$T/new.sdb"
stop_smtp

# credentials never go out in the clear unless asked to (--smtp-plaintext)
start_fake auth
export SIGHTED_SMTP_USER=alice SIGHTED_SMTP_PASSWORD=s3cret
expect_status 4 "credentials and a server without STARTTLS: refused, nothing sent" \
	notify --smtp "smtp://127.0.0.1:$PORT" --retries 0 --state "$T/state-auth" "$T/new.sdb"
contains "the refusal says why and what to do" "$T/.out" "TLS is required to send credentials.*--smtp-plaintext"
lacks "the server never saw AUTH" "$T/fake.log" "^AUTH"
lacks "nor a message" "$T/fake.log" "^(MAIL|DATA)"
if [ ! -s "$T/state-auth" ] || [ "$(grep -vc '^#' "$T/state-auth")" = 0 ]; then ok "nothing recorded as sent"; else not_ok "state records a delivery"; fi
expect_status 0 "--smtp-plaintext: credentials over plain SMTP to a local relay" \
	notify --smtp "smtp://127.0.0.1:$PORT" --smtp-plaintext --state "$T/state-auth" "$T/new.sdb"
contains "AUTH sent when asked to" "$T/fake.log" "^AUTH PLAIN"
contains "all three delivered" "$T/.out" "3 sent, 0 already sent, 0 failed"
stop_smtp
start_fake starttls-auth
expect_status 4 "credentials, STARTTLS offered but refused: no AUTH in the clear" \
	notify --smtp "smtp://127.0.0.1:$PORT" --retries 0 --state "$T/state-auth2" "$T/new.sdb"
contains "the upgrade was asked for" "$T/fake.log" "^STARTTLS"
lacks "no AUTH after the refused upgrade" "$T/fake.log" "^AUTH"
unset SIGHTED_SMTP_USER SIGHTED_SMTP_PASSWORD
: > "$T/fake.log"
expect_status 0 "no credentials: STARTTLS is tried when offered, plain SMTP otherwise" \
	notify --smtp "smtp://127.0.0.1:$PORT" --retries 0 --state "$T/state-auth3" "$T/new.sdb"
contains "STARTTLS tried by default" "$T/fake.log" "^STARTTLS"
lacks "no AUTH without credentials" "$T/fake.log" "^AUTH"
stop_smtp

start_smtp "$T/m2" refuse-rcpt isp-b.example
expect_status 4 "a refused recipient fails that owner only (exit 4)" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state2" "$T/new.sdb"
contains "refusal reported per owner, not retried" "$T/.out" "isp-b: FAILED: refused after 1 attempt: .*550"
contains "others delivered" "$T/.out" "2 sent, 0 already sent, 1 failed"
equals "state records only the delivered" "$(cut -f1 "$T/state2" | grep -v '^#' | sort | tr '\n' ' ')" "cert-xx isp-a "
stop_smtp

start_smtp "$T/m3" drop-data 2
expect_status 0 "connection dropped mid-message twice: retried and delivered" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state3" --retries 2 "$T/new.sdb"
contains "attempt failures reported" "$T/.out" "cert-xx: attempt 1 failed"
equals "each owner's message stored once" "$(grep -h '^X-Sighted-Owner' "$T/m3"/*.eml | tr -d '\r' | sort | tr '\n' ' ')" "X-Sighted-Owner: cert-xx X-Sighted-Owner: isp-a X-Sighted-Owner: isp-b "
stop_smtp
start_smtp "$T/m4" drop-data 100
expect_status 4 "a server that always drops: bounded retries, then failure" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state4" --retries 1 "$T/new.sdb"
contains "failure after the bounded attempts" "$T/.out" "cert-xx: FAILED: failed after 2 attempts"
contains "every owner reported" "$T/.out" "0 sent, 0 already sent, 3 failed"
stop_smtp

# a run killed by the server while it delivers the second message
start_smtp "$T/m5" kill-at 2 "$T/notify.pid"
{ ( echo $BASHPID > "$T/notify.pid"; exec "$SIGHTED" notify --owners "$D/registry.csv" --asn-db "$ASN" \
	--from sighted@cert.example --backoff 0 --smtp "smtp://127.0.0.1:$PORT" --state "$T/state5" "$T/new.sdb" ) >"$T/kill.out" 2>&1; } 2>/dev/null
rc=$?
equals "notify was killed (SIGKILL)" "$rc" 137
equals "one message arrived before the kill" "$(ls "$T/m5"/*.eml | wc -l)" 1
equals "the state recorded it" "$(grep -vc '^#' "$T/state5")" 1
equals "the state file is private (0600)" "$(stat -c %a "$T/state5")" 600
stop_smtp
start_smtp "$T/m5" accept
expect_status 0 "rerun after the kill" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state5" "$T/new.sdb"
contains "only the missing two sent" "$T/.out" "2 sent, 1 already sent, 0 failed"
equals "every owner has exactly one message" "$(grep -h '^X-Sighted-Owner' "$T/m5"/*.eml | sort | uniq -c | awk '{print $1}' | tr '\n' ' ')" "1 1 1 "
equals "the rewritten state file stays private (0600)" "$(stat -c %a "$T/state5")" 600
stop_smtp

# a state whose last line was cut short, then a run killed after one
# delivery: the record must not be glued to the partial bytes
printf '# sighted notify state 1: owner, sha256 of the report CSV, snapshot\ncert-xx\t12ab' > "$T/state6"
start_smtp "$T/m6" kill-at 2 "$T/notify.pid"
{ ( echo $BASHPID > "$T/notify.pid"; exec "$SIGHTED" notify --owners "$D/registry.csv" --asn-db "$ASN" \
	--from sighted@cert.example --backoff 0 --smtp "smtp://127.0.0.1:$PORT" --state "$T/state6" "$T/new.sdb" ) >"$T/kill6.out" 2>&1; } 2>/dev/null
equals "notify was killed after one delivery" "$?" 137
contains "the cut line is reported file:line and dropped" "$T/kill6.out" "state6:2: incomplete record \(an interrupted run\), dropped"
equals "the recorded delivery is a line of its own" "$(grep -c '^cert-xx	[0-9a-f]\{64\}	' "$T/state6")" 1
stop_smtp
start_smtp "$T/m6" accept
expect_status 0 "the next run reads the state and sends the rest" \
	notify --smtp "smtp://127.0.0.1:$PORT" --state "$T/state6" "$T/new.sdb"
contains "the missing two sent" "$T/.out" "2 sent, 1 already sent, 0 failed"
stop_smtp

expect_status 0 "--dry-run writes .eml files" \
	notify --dry-run "$T/dry" "$T/new.sdb"
equals "one file per owner, and a summary" "$(ls "$T/dry" | tr '\n' ' ')" "cert-xx.eml isp-a.eml isp-b.eml summary.json "
equals "summary counts the messages" "$(jq .messages "$T/dry/summary.json")" 3
expect_status 0 "--dry-run again into the same directory replaces it" notify --dry-run "$T/dry" "$T/new.sdb"
mkdir -p "$T/keep"; echo x > "$T/keep/x"
expect_status 2 "--dry-run refuses a directory it did not write" notify --dry-run "$T/keep" "$T/new.sdb"
# the audit's case: the state file inside the dry-run directory
cp "$T/state1" "$T/dry/state.tsv"
expect_status 2 "--dry-run refuses a directory holding the --state file" \
	notify --dry-run "$T/dry" --state "$T/dry/state.tsv" "$T/new.sdb"
contains "names the state file" "$T/.out" "holds .*dry/state.tsv"
if cmp -s "$T/state1" "$T/dry/state.tsv"; then ok "the state file is untouched"; else not_ok "state file gone or changed"; fi
expect_status 2 "a user's file in an earlier dry run: not replaced" notify --dry-run "$T/dry" "$T/new.sdb"
contains "names the file" "$T/.out" "holds state.tsv, which sighted notify --dry-run does not write"
rm "$T/dry/state.tsv"
expect_status 2 "a --state that does not exist yet inside the directory" \
	notify --dry-run "$T/dry" --state "$T/dry/new.state" "$T/new.sdb"
printf 'machine 127.0.0.1 login a password b\n' > "$T/dry/netrc"
expect_status 2 "--dry-run refuses a directory holding the --netrc file" \
	notify --dry-run "$T/dry" --netrc "$T/dry/netrc" "$T/new.sdb"
equals "the netrc file is kept" "$(cat "$T/dry/netrc")" "machine 127.0.0.1 login a password b"
rm "$T/dry/netrc"
expect_status 2 "a report directory is not a dry-run directory" notify --dry-run "$T/rep" "$T/new.sdb"
if [ -f "$T/rep/index.csv" ]; then ok "the report is kept"; else not_ok "report gone"; fi
# a killed run's temporary directory: 0700, its marker says in progress
mkdir -m 700 "$T/dry.tmp.AbC123"; cp "$T/dry/isp-a.eml" "$T/dry.tmp.AbC123/"
printf 'sighted notify --dry-run directory in progress (pid 99999): the next run removes it if this one died\n' \
	> "$T/dry.tmp.AbC123/.sighted-output"
# a copy of a finished dry run under a name that looks temporary is the user's
cp -r "$T/dry" "$T/dry.tmp.XyZ789"
expect_status 0 "a dry run after a killed one" notify --dry-run "$T/dry" "$T/new.sdb"
if [ ! -e "$T/dry.tmp.AbC123" ]; then ok "the killed run's temporary directory is swept"; else not_ok "left behind"; fi
if diff -r "$T/dry" "$T/dry.tmp.XyZ789" >/dev/null; then ok "a copy of a finished dry run is kept"; else not_ok "the copy was deleted"; fi
if cmp -s <(attachment "$T/dry/isp-b.eml") "$T/rep/owners/isp-b.csv"; then ok "dry-run attachment is the report's CSV"; else not_ok "differs"; fi
m=$(find_owner "$T/m1" isp-b | head -1)
if cmp -s "$T/dry/isp-b.eml" <(tr -d '\0' < "$m"); then ok "dry-run bytes equal what the server received"; else
	not_ok "dry-run and sent bytes differ"; diff <(cat "$T/dry/isp-b.eml") "$m" | head -5 | sed 's/^/# /'; fi
notify --dry-run "$T/dry2" "$T/new.sdb" 2>/dev/null
if diff -r "$T/dry" "$T/dry2" >/dev/null; then ok "deterministic messages"; else not_ok "messages differ between runs"; fi

cp "$T/state2" "$T/state2.before"
expect_status 0 "--dry-run with a state leaves out what was sent" notify --dry-run "$T/dry3" --state "$T/state2" "$T/new.sdb"
equals "only the undelivered owner's message" "$(ls "$T/dry3" | tr '\n' ' ')" "isp-b.eml summary.json "
if cmp -s "$T/state2" "$T/state2.before"; then ok "--dry-run leaves the state file as it was"; else not_ok "state changed"; fi
notify --dry-run "$T/dry4" --state "$T/none.state" "$T/new.sdb" 2>/dev/null
if [ ! -e "$T/none.state" ]; then ok "--dry-run creates no state file"; else not_ok "state file created"; fi
expect_status 2 "credentials in the URL refused" notify --smtp "smtp://user:pw@127.0.0.1:1" --state "$T/s" "$T/new.sdb"
contains "says where credentials go" "$T/.out" "SIGHTED_SMTP_USER"
expect_status 2 "--smtp without --state" notify --smtp "smtp://127.0.0.1:1" "$T/new.sdb"
expect_status 2 "another protocol refused" notify --smtp "http://127.0.0.1:1" --state "$T/s" "$T/new.sdb"
expect_status 2 "bad --from" notify --from 'x <y>' --dry-run "$T/d3" "$T/new.sdb"
for bad in "--timeout 0" "--timeout 0.5" "--timeout 3601" "--timeout 1e2" "--retries 2.7" \
	"--retries +2" "--retries 101" "--backoff -1" "--backoff 1e3" "--backoff 0x10" \
	"--backoff 301" "--timeout 99999999999999999999"; do
	expect_status 2 "$bad is a usage error" notify $bad --dry-run "$T/d5" "$T/new.sdb"
	contains "$bad: the message names the option" "$T/.out" "notify: ${bad%% *} wants"
done
expect_status 2 "a number with a space is a usage error" notify --retries " 2" --dry-run "$T/d5" "$T/new.sdb"
expect_status 0 "--backoff 0.5 --timeout 5 --retries 0 are numbers" \
	notify --backoff 0.5 --timeout 5 --retries 0 --dry-run "$T/d5" "$T/new.sdb"
printf 'cert-xx\tnot-a-digest\n' > "$T/badstate"
expect_status 3 "a malformed state file is refused, not guessed at" \
	notify --smtp "smtp://127.0.0.1:1" --state "$T/badstate" "$T/new.sdb"
contains "state line named" "$T/.out" "badstate:1: not a state record"
done_testing
