# Shared by tests/server/*.t: TAP counters, a fixture snapshot built with the
# real `sighted import`, and a server started on a free loopback port,
# bounded in time and stopped by its PID.
set -u
: "${SIGHTED:?SIGHTED must name the binary under test}"
: "${TESTS_DATA:?}"
FIX="$TESTS_DATA/server"
T=$(mktemp -d "${TMPDIR:-/tmp}/sighted-server-XXXXXX")
# started as root, the server drops to nobody, who must still read the
# snapshot to reload it
chmod 755 "$T"
n=0
SERVER_PID=
WATCHDOG=
cleanup() {
	[ -z "${KEEP_T:-}" ] || { echo "# kept $T" >&2; trap - EXIT; stop_server; stop_nginx; return; }
	stop_server
	stop_nginx
	rm -rf "$T"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
# check "what" command...: ok if the command succeeds
check() { local what=$1; shift; if "$@" >/dev/null; then ok "$what"; else nok "$what"; fi; }
# is "what" got want
is() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got:  $2" "want: $3"; fi; }
# like "what" text pattern (grep -E)
like() { if printf '%s' "$2" | grep -qE -- "$3"; then ok "$1"; else nok "$1" "got: $(printf '%s' "$2" | head -c 400)" "want match: $3"; fi; }
unlike() { if printf '%s' "$2" | grep -qE -- "$3"; then nok "$1" "got: $(printf '%s' "$2" | head -c 400)" "must not match: $3"; else ok "$1"; fi; }
done_testing() { echo "1..$n"; }

# make_snapshot OUT.sdb LIST... (campaigns from the fixture directory)
make_snapshot() {
	local out=$1; shift
	SOURCE_DATE_EPOCH=${BUILD_TIME:-1700000000} \
		"$SIGHTED" import -q --campaigns "$FIX/campaigns" -o "$out" "$@" >/dev/null 2>"$T/import.err" ||
		{ cat "$T/import.err" >&2; return 1; }
}

# start_server ARGS...: starts `sighted serve --listen 127.0.0.1:0 ARGS`,
# sets SERVER_PID, PORT, BASE and LOG; fails if it does not listen in 10 s.
start_server() {
	LOG="$T/server.$RANDOM.log"
	"$SIGHTED" serve --listen 127.0.0.1:0 "$@" 2>"$LOG" &
	SERVER_PID=$!
	# bounded in time: a watchdog ends the server if the test hangs
	( sleep "${SERVER_TIMEOUT:-120}"; kill -9 "$SERVER_PID" ) >/dev/null 2>&1 &
	WATCHDOG=$!
	PORT=
	for _ in $(seq 100); do
		PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$LOG" | head -1)
		[ -n "$PORT" ] && break
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	BASE="http://127.0.0.1:$PORT"
	[ -n "$PORT" ]
}

stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
	if [ -n "$WATCHDOG" ]; then
		kill "$WATCHDOG" 2>/dev/null
		wait "$WATCHDOG" 2>/dev/null
		WATCHDOG=
	fi
}

# stop_server_checked: stops the server and checks that it stopped cleanly
# (exit 0 on SIGTERM, no sanitizer report in its log)
stop_server_checked() {
	local pid=$SERVER_PID rc
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	SERVER_PID=
	stop_server
	is "server stops cleanly on SIGTERM (exit 0)" "$rc" 0
	unlike "no sanitizer report in the server log" "$(cat "$LOG")" 'Sanitizer|runtime error'
	like "the stop is logged" "$(cat "$LOG")" 'stopping on signal 15'
}

# get PATH [curl args...]: body on stdout; status in $T/status
get() {
	local path=$1; shift
	curl -sS -o "$T/body" -w '%{http_code}' --max-time 10 "$@" "$BASE$path" >"$T/status" 2>"$T/curl.err"
	cat "$T/body"
}
status() { cat "$T/status"; }
jqr() { jq -r "$1" <"$T/body" 2>/dev/null; }

# free_port: a loopback TCP port nothing listens on now (checked by a
# connect that must fail; the caller retries if it is taken meanwhile),
# below the kernel's ephemeral range: a port in it may be the local end of
# a client connection of this run, which no listener can then bind.
free_port() {
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % (lo - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

NGINX_PID=
# start_nginx UPSTREAM_PORT...: real nginx on a free 127.0.0.1 port, with
# the shipped proxy settings (dist/nginx/sighted-proxy.conf) in front of
# the given sighted ports; sets NGINX_PID, NPORT and NBASE.
start_nginx() {
	command -v nginx >/dev/null || return 1
	local dir="$T/nginx" up="" p
	mkdir -p "$dir"
	for p in "$@"; do up="$up server 127.0.0.1:$p;"; done
	for _ in 1 2 3; do
		NPORT=$(free_port) || return 1
		cat >"$dir/nginx.conf" <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/body;
	proxy_temp_path $dir/proxy;
	fastcgi_temp_path $dir/fastcgi;
	uwsgi_temp_path $dir/uwsgi;
	scgi_temp_path $dir/scgi;
	upstream sighted { $up keepalive 64; }
	server {
		listen 127.0.0.1:$NPORT;
		location /static/ { root $dir; default_type application/json; }
		location / {
			include $(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/dist/nginx/sighted-proxy.conf;
			proxy_pass http://sighted;
		}
	}
}
NGINX
		nginx -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/start.err" &
		NGINX_PID=$!
		( sleep "${SERVER_TIMEOUT:-120}"; kill -9 "$NGINX_PID" ) >/dev/null 2>&1 &
		NGINX_WATCHDOG=$!
		for _ in $(seq 50); do
			(exec 3<>"/dev/tcp/127.0.0.1/$NPORT") 2>/dev/null && { NBASE="http://127.0.0.1:$NPORT"; return 0; }
			kill -0 "$NGINX_PID" 2>/dev/null || break
			sleep 0.1
		done
		stop_nginx
	done
	return 1
}

stop_nginx() {
	[ -n "$NGINX_PID" ] || return 0
	kill "$NGINX_PID" 2>/dev/null
	wait "$NGINX_PID" 2>/dev/null
	NGINX_PID=
	kill "$NGINX_WATCHDOG" 2>/dev/null
	wait "$NGINX_WATCHDOG" 2>/dev/null
}

# rss_peak PID: the process's peak resident size in kB (VmHWM)
rss_peak() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
