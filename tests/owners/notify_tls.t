#!/bin/bash
# sighted notify with credentials against a real TLS SMTP peer (Debian's
# python3-aiosmtpd through tests/owners/smtptls.py, with a certificate made
# here): STARTTLS, then AUTH over TLS, then the messages; a certificate that
# does not verify (no --smtp-cacert, another CA, another host name) stops
# the run before any credential or message goes out, and the state is not
# advanced; --smtp-cacert naming no regular file is a usage error.
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
"$SIGHTED" import -q --campaigns "$C" -c 3cx-2023 -o "$T/new.sdb" "$T/new.csv" 2>/dev/null
ASN=$D/ip2asn.tsv

if ! $PY -c 'import aiosmtpd' 2>/dev/null || ! command -v openssl >/dev/null; then
	not_ok "python3-aiosmtpd or openssl is missing (scripts/install-deps installs them)"; done_testing; exit 0
fi

# cert NAME SAN: a self-signed certificate (its own CA) in $T/NAME.pem, key NAME.key
cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$T/$1.key" -out "$T/$1.pem" -subj "/CN=${2%%,*}" \
		-addext "subjectAltName=$2" 2>/dev/null
}
cert server "DNS:localhost,IP:127.0.0.1"
cert other "DNS:localhost,IP:127.0.0.1"      # the same names, another CA
cert elsewhere "DNS:mail.example.org"        # trusted when named, wrong host
printf 'not a certificate\n' > "$T/garbage.pem"

# start_tls DIR CERT: smtptls.py on a free loopback port with $T/CERT.{pem,key},
# logging to DIR.log; sets PORT, SPID
start_tls() {
	local dir=$1
	mkdir -p "$dir"; : > "$dir.log"; rm -f "$T/tls.port"
	timeout -k 2 120 $PY "$ROOT/tests/owners/smtptls.py" "$T/tls.port" "$dir" "$dir.log" \
		"$T/$2.pem" "$T/$2.key" alice s3cret 2>"$dir.err" &
	SPID=$!
	_pids+=("$SPID")
	for _ in $(seq 1 300); do [ -s "$T/tls.port" ] && break; sleep 0.1; done
	PORT=$(cat "$T/tls.port" 2>/dev/null) || not_ok "TLS SMTP server did not start"
}
stop_tls() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }
notify() { "$SIGHTED" notify --owners "$D/registry.csv" --asn-db "$ASN" --from sighted@cert.example \
	--backoff 0 --retries 0 --smtp "smtp://127.0.0.1:$PORT" "$@"; }
records() { grep -vc '^#' "$1" 2>/dev/null || true; }
nmail() { find "$1" -name '*.eml' | wc -l; }

export SIGHTED_SMTP_USER=alice SIGHTED_SMTP_PASSWORD=s3cret
start_tls "$T/m1" server
expect_status 0 "credentials, STARTTLS offered, --smtp-cacert of the server's CA: delivered" \
	notify --smtp-cacert "$T/server.pem" --state "$T/st1" "$T/new.sdb"
contains "all three sent" "$T/.out" "3 sent, 0 already sent, 0 failed"
equals "three messages stored" "$(nmail "$T/m1")" 3
contains "the session was upgraded" "$T/m1.log" "^TLS up"
contains "AUTH with TLS active, the right user, accepted" "$T/m1.log" "^LOGIN [A-Z-]+ alice tls=1 accepted"
lacks "no AUTH command in the clear" "$T/m1.log" "^AUTH .*tls=0"
lacks "no rejected login" "$T/m1.log" "rejected"
equals "the state records three reports" "$(records "$T/st1")" 3
m=$(grep -l '^X-Sighted-Owner: isp-a' "$T/m1"/*.eml)
equals "envelope: the owner's contact" "$(tail -n +2 "${m%.eml}.env")" "noc@isp-a.example"
stop_tls

unset SIGHTED_SMTP_USER SIGHTED_SMTP_PASSWORD
printf 'machine 127.0.0.1 login alice password s3cret\n' > "$T/netrc"; chmod 600 "$T/netrc"
start_tls "$T/m2" server
expect_status 0 "--starttls, credentials from --netrc, --smtp-cacert: delivered" \
	notify --starttls --netrc "$T/netrc" --smtp-cacert "$T/server.pem" --state "$T/st2" "$T/new.sdb"
equals "three messages stored" "$(nmail "$T/m2")" 3
contains "AUTH with TLS active, the right user, accepted" "$T/m2.log" "^LOGIN [A-Z-]+ alice tls=1 accepted"
lacks "no AUTH command in the clear" "$T/m2.log" "^AUTH .*tls=0"
equals "the state records three reports" "$(records "$T/st2")" 3
stop_tls

export SIGHTED_SMTP_USER=alice SIGHTED_SMTP_PASSWORD=s3cret
# untrusted CASE ARGS...: the certificate does not verify; nothing goes out
untrusted() {
	local what=$1; shift
	start_tls "$T/u-$what" "${CERT:-server}"
	expect_status 4 "$what: exit 4 (a failed delivery)" notify "$@" --state "$T/st-$what" "$T/new.sdb"
	contains "$what: the failure names the certificate and --smtp-cacert" "$T/.out" \
		"cert-xx: FAILED: .*certificate .*--smtp-cacert"
	contains "$what: the run stops at the first owner" "$T/.out" "stopped: .*certificate does not verify"
	contains "$what: the upgrade was tried" "$T/u-$what.log" "^STARTTLS"
	lacks "$what: no AUTH attempt" "$T/u-$what.log" "^(AUTH|LOGIN)"
	equals "$what: no message stored" "$(nmail "$T/u-$what")" 0
	equals "$what: the state records nothing" "$(records "$T/st-$what")" 0
	stop_tls
}
untrusted "no --smtp-cacert (system CAs)"
untrusted "another CA" --smtp-cacert "$T/other.pem"
CERT=elsewhere untrusted "a certificate for another host name" --smtp-cacert "$T/elsewhere.pem"
untrusted "a CA file with no certificate" --smtp-cacert "$T/garbage.pem"
contains "the unusable CA file is named as such" "$T/.out" "no usable CA certificate"
untrusted "--starttls without --smtp-cacert" --starttls

start_tls "$T/u-no --smtp-cacert (system CAs)" server
expect_status 0 "the next run, with the CA, sends every owner (nothing was recorded)" \
	notify --smtp-cacert "$T/server.pem" --state "$T/st-no --smtp-cacert (system CAs)" "$T/new.sdb"
contains "all three sent" "$T/.out" "3 sent, 0 already sent, 0 failed"
stop_tls

start_tls "$T/m3" server
for bad in missing.pem "" /dev/null; do
	what=${bad:-a directory}
	[ "${bad#/}" = "$bad" ] && bad=$T/$bad && bad=${bad%/}
	expect_status 2 "--smtp-cacert $what: usage error" notify --smtp-cacert "$bad" --state "$T/st3" "$T/new.sdb"
	contains "--smtp-cacert $what: the message names the option and the file" "$T/.out" \
		"notify: --smtp-cacert $bad: (No such file|not a regular file)"
done
for bad in missing.netrc ""; do
	what=${bad:-a directory}
	bad=$T/$bad && bad=${bad%/}
	expect_status 2 "--netrc $what: usage error" notify --smtp-cacert "$T/server.pem" \
		--netrc "$bad" --state "$T/st3" "$T/new.sdb"
	contains "--netrc $what: the message names the option and the file" "$T/.out" \
		"notify: --netrc $bad: (No such file|not a regular file)"
done
lacks "no connection was made" "$T/m3.log" "^CONNECT"
if [ ! -e "$T/st3" ]; then ok "no state file created"; else not_ok "state file created"; fi
chmod 000 "$T/garbage.pem"
if ! cat "$T/garbage.pem" >/dev/null 2>&1; then # not root
	expect_status 2 "an unreadable --smtp-cacert: usage error" notify --smtp-cacert "$T/garbage.pem" \
		--state "$T/st3" "$T/new.sdb"
	contains "says why" "$T/.out" "Permission denied"
fi
stop_tls
mkdir -p "$T/dry"; cp "$T/server.pem" "$T/dry/ca.pem"
expect_status 2 "--dry-run refuses a directory holding the --smtp-cacert file" \
	"$SIGHTED" notify --owners "$D/registry.csv" --from sighted@cert.example --dry-run "$T/dry" \
	--smtp-cacert "$T/dry/ca.pem" "$T/new.sdb"
contains "names the CA file" "$T/.out" "holds .*dry/ca.pem"
if cmp -s "$T/server.pem" "$T/dry/ca.pem"; then ok "the CA file is kept"; else not_ok "CA file gone"; fi
done_testing
