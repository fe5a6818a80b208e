#!/bin/bash
# bench/serve.sh — `sighted serve` against nginx on loopback, in one run.
#
# wrk drives GET /api/v1/check/{address} (a listed and an unlisted address,
# and a mix of 236 addresses cycled, each request another; keep-alive and a
# new connection per request) at sighted, and the same
# paths at nginx serving the very same JSON bodies as static files. Printed
# side by side: requests/s, requests per server CPU-second (utime+stime of
# the server's processes from /proc/PID/stat: wrk itself takes about half of
# a 2-core machine, so throughput alone flatters nobody), p50 and p99
# latency, and the ratios sighted/nginx. Each figure is the median of RUNS;
# the runs of the two servers alternate, so a neighbour's load on a shared
# machine falls on both alike.
#
# Then per-request figures that do not depend on the load, for a new
# connection per request: system calls (strace -f -c over a short run) and
# context switches of the server's threads, each server beside the other.
#
# Then the deployed shape (docs/server.md): nginx as a reverse proxy with
# the shipped dist/nginx/sighted-proxy.conf in front of REPLICAS sighted
# processes serving the same snapshot, against the same static nginx; CPU
# is that of the proxy and every replica together.
#   RUNS=3 DURATION=5 CONNS=32 WORKERS=2 REPLICAS=2 NGINX_LISTEN= bench/serve.sh
# MODES="keepalive new" picks the scenarios, PROXY=0 skips the deployed
# shape, PERREQ=0 the per-request figures, CALLGRIND=0 the user-space
# instructions and allocations per request (valgrind's callgrind, one
# thread, CG_REQUESTS sequential requests with a new connection each, the
# difference of a run with them and one with 20: the same listed address,
# the same unlisted one, and a different address each time).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-3}
DURATION=${DURATION:-5}
CONNS=${CONNS:-32}
WORKERS=${WORKERS:-$(nproc)}
REPLICAS=${REPLICAS:-2}
MODES=${MODES:-keepalive new}
PROXY=${PROXY:-1}
PERREQ=${PERREQ:-1}
CALLGRIND=${CALLGRIND:-1}
CG_REQUESTS=${CG_REQUESTS:-500}
S=${SIGHTED:-./sighted}
command -v wrk >/dev/null || { echo "bench/serve.sh: needs wrk (Debian package wrk)" >&2; exit 1; }
# NGINX_LISTEN: parameters added to nginx's listen directive, e.g. "deferred
# reuseport" to give it the socket options sighted uses (TCP_DEFER_ACCEPT, a
# socket per worker); empty (the default) is nginx's own default
NGINX_LISTEN=${NGINX_LISTEN:-}
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/serve.sh: needs nginx (Debian package nginx-light)" >&2; exit 1; }
[ -x "$S" ] || make -s sighted

W=$(mktemp -d /tmp/sighted-bench-serve-XXXXXX)
chmod 755 "$W"
SPID= NPID= PPID_= RPIDS=()
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	[ -n "$PPID_" ] && kill "$PPID_" 2>/dev/null
	for p in "${RPIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

# the bundled demo snapshot
export SIGHTED_CAMPAIGNS=data/campaigns
$S import -q -o "$W/3cx.sdb" data/demo/impacted-3cx.csv data/demo/impacted-partner.jsonl >/dev/null 2>&1
$S import -q -c gopuram-2023 -o "$W/gop.sdb" data/demo/impacted-gopuram.txt >/dev/null 2>&1
$S merge -o "$W/demo.sdb" "$W/3cx.sdb" "$W/gop.sdb" >/dev/null 2>&1
LISTED=192.0.2.122
UNLISTED=192.0.2.1
# "mixed": a different address each request, as people checking their own
# address send: every listed address of the demo and 200 unlisted ones,
# cycled by a wrk script, so kept answers (docs/server.md) rarely repeat
MIXED=$W/mixed.txt
{
	tail -n +2 data/demo/impacted-3cx.csv | cut -d, -f1 | grep -v /
	for i in $(seq 200); do echo "203.0.113.$((i % 256))"; done
} >"$MIXED"
cat >"$W/mixed.lua" <<'LUA'
local addrs, i = {}, 0
for a in io.lines(os.getenv("SIGHTED_BENCH_MIXED")) do addrs[#addrs + 1] = a end
request = function()
	i = i % #addrs + 1
	return wrk.format("GET", "/api/v1/check/" .. addrs[i])
end
LUA
export SIGHTED_BENCH_MIXED=$MIXED

# start_sighted LOG ARGS...: sets STARTED_PID and STARTED_PORT
start_sighted() {
	local log=$1; shift
	$S serve --db "$W/demo.sdb" --policy open --rate 0 --listen 127.0.0.1:0 \
		--max-connections 4096 --per-ip 4096 "$@" 2>"$log" &
	STARTED_PID=$!
	for _ in $(seq 50); do grep -q listening "$log" && break; sleep 0.1; done
	STARTED_PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
}
# a loopback port nothing listens on now, below the kernel's ephemeral
# range: a port in it may be the local end of one of wrk's connections,
# which nginx then cannot bind (seen: "bind() ... Address already in use")
free_port() {
	local p lo
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % (lo - 10000)))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	echo 18089
}
start_sighted "$W/sighted.log" --threads "$WORKERS"
SPID=$STARTED_PID SPORT=$STARTED_PORT
echo "snapshot: $(sed -n 's/.*\(private copy [^)]*\)).*/\1/p' "$W/sighted.log" | head -1) (a mapped file would need neither)"

# nginx serves what sighted answers, byte for byte, as static files
mkdir -p "$W/www/api/v1/check" "$W/ngx"
for a in $LISTED $UNLISTED $(cat "$MIXED"); do
	curl -s "http://127.0.0.1:$SPORT/api/v1/check/$a" >"$W/www/api/v1/check/$a"
done
NPORT=$(free_port)
cat >"$W/nginx.conf" <<NGX
worker_processes $WORKERS;
daemon off;
pid $W/nginx.pid;
error_log $W/nginx.err warn;
events { worker_connections 4096; }
http {
	access_log off;
	default_type application/json;
	keepalive_requests 1000000;
	client_body_temp_path $W/ngx; proxy_temp_path $W/ngx; fastcgi_temp_path $W/ngx;
	uwsgi_temp_path $W/ngx; scgi_temp_path $W/ngx;
	server { listen 127.0.0.1:$NPORT${NGINX_LISTEN:+ $NGINX_LISTEN}; root $W/www; }
}
NGX
"$NGINX" -c "$W/nginx.conf" -e "$W/nginx.err" &
NPID=$!
sleep 0.5
curl -sf "http://127.0.0.1:$NPORT/api/v1/check/$LISTED" | cmp -s - "$W/www/api/v1/check/$LISTED" ||
	{ echo "bench/serve.sh: nginx does not answer" >&2; exit 1; }

# CPU ticks of processes and their children (nginx workers)
ticks() {
	local pids="" t=0 p
	for p in $1; do pids="$pids $p $(pgrep -P "$p" | tr '\n' ' ')"; done
	for p in $pids; do
		[ -r "/proc/$p/stat" ] || continue
		t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo $t
}
to_us() { # wrk latency "419.00us" / "2.64ms" / "1.02s" -> microseconds
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n * 1000; else if (v ~ /s$/) print n * 1000000; else print n }'
}
HZ=$(getconf CLK_TCK)

# one PID PORT ADDR MODE -> "rps rps_per_cpu_s p50_us p99_us"
one() {
	local pid=$1 port=$2 addr=$3 mode=$4 extra=()
	[ "$mode" = new ] && extra=(-H "Connection: close")
	local t0 t1 out url="http://127.0.0.1:$port/api/v1/check/$addr"
	[ "$addr" = mixed ] && extra+=(-s "$W/mixed.lua") url="http://127.0.0.1:$port/"
	t0=$(ticks "$pid")
	out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "${extra[@]}" "$url")
	t1=$(ticks "$pid")
	local rps p50 p99 errs
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
	p99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
	errs=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
	[ -n "$errs" ] && echo "  ($mode $addr on $port: $errs)" >&2
	local total cpu
	total=$(awk '/requests in/ {print $1}' <<<"$out")
	cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }')
	awk -v r="$rps" -v n="$total" -v c="$cpu" -v p="$p50" -v q="$p99" \
		'BEGIN { printf "%.0f %.0f %.0f %.0f\n", r, (c > 0 ? n / c : 0), p, q }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "sighted serve vs nginx (static file of the same body), wrk -t1 -c$CONNS -d${DURATION}s, $WORKERS worker(s) each, median of $RUNS"
echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "sighted: one listening socket per worker thread (SO_REUSEPORT), TCP_DEFER_ACCEPT 1 s"
if [ -n "$NGINX_LISTEN" ]; then
	echo "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'): $WORKERS workers, listen ... $NGINX_LISTEN"
else
	echo "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'): $WORKERS workers on one shared listening socket, its defaults: no reuseport, no deferred accept, accept_mutex off (each worker waits on the socket with EPOLLEXCLUSIVE); NGINX_LISTEN=\"deferred reuseport\" gives it sighted's socket options"
fi
printf '\n%-22s %-8s %12s %12s %9s %9s\n' scenario server req/s req/cpu-s p50_us p99_us
for mode in $MODES; do
	for kind in listed unlisted mixed; do
		addr=$LISTED; [ $kind = unlisted ] && addr=$UNLISTED
		[ $kind = mixed ] && addr=mixed
		declare -A res=()
		: >"$W/runs.sighted"
		: >"$W/runs.nginx"
		for r in $(seq "$RUNS"); do
			one "$SPID" "$SPORT" "$addr" "$mode" >>"$W/runs.sighted"
			one "$NPID" "$NPORT" "$addr" "$mode" >>"$W/runs.nginx"
		done
		for srv in sighted nginx; do
			for col in 1 2 3 4; do
				res[$srv.$col]=$(awk -v c=$col '{print $c}' "$W/runs.$srv" | median)
			done
			printf '%-22s %-8s %12s %12s %9s %9s\n' "$mode/$kind" "$srv" \
				"${res[$srv.1]}" "${res[$srv.2]}" "${res[$srv.3]}" "${res[$srv.4]}"
		done
		awk -v a="${res[sighted.1]}" -v b="${res[nginx.1]}" -v c="${res[sighted.2]}" -v d="${res[nginx.2]}" \
			-v e="${res[sighted.4]}" -v f="${res[nginx.4]}" -v m="$mode/$kind" \
			'BEGIN { printf "%-22s %-8s %11.2fx %11.2fx %9s %8.2fx\n", m, "ratio", a / b, (d > 0 ? c / d : 0), "", (f > 0 ? e / f : 0) }'
		r=$(awk -v a="${res[sighted.1]}" -v b="${res[nginx.1]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		p=$(awk -v a="${res[sighted.4]}" -v b="${res[nginx.4]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		# mixed is shown, not a target: the issue's rows ask one address
		[ $kind = mixed ] && { unset res; continue; }
		bench_target "serve $mode/$kind req/s vs nginx${NGINX_LISTEN:+ ($NGINX_LISTEN)}" "${res[sighted.1]}/s" "${res[nginx.1]}/s" \
			"${r}x" ">= 1.0x" "$(bench_met "$r" '>=' 1)"
		c=$(awk -v a="${res[sighted.2]}" -v b="${res[nginx.2]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
		[ "$mode" = new ] && bench_target "serve $mode/$kind req/cpu-s vs nginx${NGINX_LISTEN:+ ($NGINX_LISTEN)}" "${res[sighted.2]}/cpu-s" \
			"${res[nginx.2]}/cpu-s" "${c}x" ">= 1.0x" "$(bench_met "$c" '>=' 1)"
		[ "$mode" = new ] && bench_target "serve $mode/$kind p99 vs nginx${NGINX_LISTEN:+ ($NGINX_LISTEN)}" "${res[sighted.4]} us" \
			"${res[nginx.4]} us" "${p}x" "<= 1.0x" "$(bench_met "$p" '<=' 1)"
		unset res
	done
done

# per-request figures for a new connection per request: system calls
# (strace -f -c of the server's processes and threads during a short run)
# and context switches (in a run without strace), divided by the requests
# wrk completed. strace slows the server, not what each request asks of
# the kernel; the context switches do depend on how busy the machine is.
ctxsw() { # context switches of processes $1, their children and threads
	local p t c=0
	for p in $1 $(for q in $1; do pgrep -P "$q"; done); do
		for t in /proc/"$p"/task/*; do
			c=$((c + $(awk '/ctxt_switches/ {s += $2} END {print s + 0}' "$t/status" 2>/dev/null || echo 0)))
		done
	done
	echo $c
}
perreq() { # PID PORT -> "syscalls_per_req ctxsw_per_req top-calls"
	local pid=$1 port=$2 tids="" p t out n c0 c1 cs trace=$W/strace.$1
	local url="http://127.0.0.1:$port/api/v1/check/$LISTED"
	# context switches without strace, whose stops would count
	c0=$(ctxsw "$pid")
	out=$(wrk -t1 -c"$CONNS" -d2s -H "Connection: close" "$url")
	c1=$(ctxsw "$pid")
	cs=$(awk -v n="$(awk '/requests in/ {print $1}' <<<"$out")" -v c=$((c1 - c0)) 'BEGIN { printf "%.2f", c / n }')
	for p in $pid $(pgrep -P "$pid"); do
		for t in /proc/"$p"/task/*; do tids="$tids -p ${t##*/}"; done
	done
	strace -f -c -o "$trace" $tids 2>/dev/null &
	local st=$!
	sleep 0.5
	out=$(wrk -t1 -c"$CONNS" -d2s -H "Connection: close" "$url")
	kill -INT "$st" 2>/dev/null
	wait "$st" 2>/dev/null || true
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	# strace -c lines: % time, seconds, usecs/call, calls, [errors,] syscall
	local top
	top=$(awk -v n="$n" '$1 ~ /^[0-9.]+$/ && $NF != "total" && $4 / n >= 0.05 {
		printf "%s %.2f\n", $NF, $4 / n }' "$trace" | sort -k2,2nr | head -8 | tr '\n' ' ')
	awk -v n="$n" -v cs="$cs" -v top="$top" '$1 ~ /^[0-9.]+$/ && $NF != "total" { sum += $4 }
		END { printf "%.2f %s %s\n", sum / n, cs, top }' "$trace"
}
if [ "$PERREQ" = 1 ] && command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
	echo
	echo "per request, new connection each (2 s of wrk -c$CONNS; syscalls from strace -f -c):"
	for srv in sighted nginx; do
		pid=$SPID port=$SPORT
		[ $srv = nginx ] && pid=$NPID port=$NPORT
		read -r sc cs top < <(perreq "$pid" "$port") || true
		printf '%-8s %6s syscalls/req  %5s context switches/req  (%s )\n' "$srv" "$sc" "$cs" "$top"
	done
fi

# user-space cost per request under callgrind: instructions and calls to
# malloc/calloc/realloc of the whole server process, the difference between
# a run of 20+N requests and one of 20 (start-up and shutdown cancel out)
cg_run() { # N ADDR OUT: serve under callgrind, N requests (ADDR "distinct": each its own)
	local n=$1 addr=$2 out=$3 port pid as=()
	port=$(free_port)
	# started as root the server drops to nobody, who could not write the
	# profile callgrind opened as root: start it as nobody instead
	[ "$(id -u)" = 0 ] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	"${as[@]}" valgrind --tool=callgrind --callgrind-out-file="$out" "$S" serve --db "$W/demo.sdb" \
		--policy open --rate 0 --listen "127.0.0.1:$port" --threads 1 2>"$out.log" &
	pid=$!
	for _ in $(seq 300); do grep -q listening "$out.log" && break; sleep 0.1; done
	local i q
	for ((i = 0; i < n + 20; i++)); do
		q=$addr
		[ "$addr" = distinct ] && q="198.51.$((i / 256)).$((i % 256))"
		curl -s -o /dev/null -H "Connection: close" "http://127.0.0.1:$port/api/v1/check/$q"
	done
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}
cg_figures() { # PROFILE -> "instructions allocations"
	# fn=/cfn= name a function (its first time with the name, then by id);
	# calls= follows a cfn= line; "summary:" or "totals:" holds the total
	awk '
	match($0, /^c?fn=\([0-9]+\)/) {
		id = substr($0, RSTART, RLENGTH); sub(/^c?fn=/, "", id)
		rest = substr($0, RLENGTH + 1); sub(/^ +/, "", rest)
		if (rest != "") name[id] = rest
		cur = ($0 ~ /^cfn=/) ? name[id] : ""
		next
	}
	/^calls=/ && (cur == "malloc" || cur == "calloc" || cur == "realloc") {
		split($0, c, /[= ]/); allocs += c[2]
	}
	/^(summary|totals): / { ir = $2 }
	END { print ir + 0, allocs + 0 }' "$1"
}
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
	mkdir -p "$W/cg"
	chmod 777 "$W/cg"
	echo
	echo "user space per request, new connection each (callgrind, 1 thread, $CG_REQUESTS requests after 20):"
	for what in listed:$LISTED unlisted:$UNLISTED distinct:distinct; do
		name=${what%%:*} addr=${what#*:}
		cg_run 0 "$addr" "$W/cg/$name.0"
		cg_run "$CG_REQUESTS" "$addr" "$W/cg/$name.n"
		read -r i0 a0 < <(cg_figures "$W/cg/$name.0")
		read -r i1 a1 < <(cg_figures "$W/cg/$name.n")
		awk -v n="$CG_REQUESTS" -v i="$((i1 - i0))" -v a="$((a1 - a0))" -v w="$name" 'BEGIN {
			d = (w == "distinct") ? "a different address each request" : "the same " w " address each request"
			printf "sighted  %8.0f instructions/req  %6.2f allocations/req  (%s)\n", i / n, a / n, d }'
	done
fi

[ "$PROXY" = 1 ] || { echo; echo "ratio = sighted / nginx: above 1 is better for req/s and req/cpu-s; below 1 is better for p99."; exit 0; }

# the deployed shape: nginx proxy -> REPLICAS sighted, same snapshot
for i in $(seq "$REPLICAS"); do
	start_sighted "$W/replica$i.log" --threads $(((WORKERS + REPLICAS - 1) / REPLICAS)) --trust-proxy 127.0.0.1/32
	RPIDS+=("$STARTED_PID")
	up="${up:-} server 127.0.0.1:$STARTED_PORT;"
done
PPORT=$(free_port)
mkdir -p "$W/pngx"
cat >"$W/proxy.conf" <<NGX
worker_processes $WORKERS;
daemon off;
pid $W/proxy.pid;
error_log $W/proxy.err warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $W/pngx; proxy_temp_path $W/pngx; fastcgi_temp_path $W/pngx;
	uwsgi_temp_path $W/pngx; scgi_temp_path $W/pngx;
	keepalive_requests 1000000;
	upstream sighted { $up keepalive 64; keepalive_requests 1000000; }
	server {
		listen 127.0.0.1:$PPORT;
		location / { include $PWD/dist/nginx/sighted-proxy.conf; proxy_pass http://sighted; }
	}
}
NGX
"$NGINX" -c "$W/proxy.conf" -e "$W/proxy.err" &
PPID_=$!
sleep 0.5
curl -sf "http://127.0.0.1:$PPORT/api/v1/check/$LISTED" | cmp -s - "$W/www/api/v1/check/$LISTED" ||
	{ echo "bench/serve.sh: the proxy does not answer what sighted does" >&2; exit 1; }
echo
echo "nginx proxy -> $REPLICAS sighted replicas (dist/nginx/sighted-proxy.conf) vs nginx static; CPU = proxy + replicas"
printf '%-22s %-8s %12s %12s %9s %9s\n' scenario server req/s req/cpu-s p50_us p99_us
for mode in $MODES; do
	declare -A res=()
	for srv in proxied nginx; do
		pids="$PPID_ ${RPIDS[*]}" port=$PPORT
		[ $srv = nginx ] && pids=$NPID port=$NPORT
		: >"$W/runs"
		for r in $(seq "$RUNS"); do one "$pids" "$port" "$LISTED" "$mode" >>"$W/runs"; done
		for col in 1 2 3 4; do
			res[$srv.$col]=$(awk -v c=$col '{print $c}' "$W/runs" | median)
		done
		printf '%-22s %-8s %12s %12s %9s %9s\n' "$mode/listed" "$srv" \
			"${res[$srv.1]}" "${res[$srv.2]}" "${res[$srv.3]}" "${res[$srv.4]}"
	done
	awk -v a="${res[proxied.1]}" -v b="${res[nginx.1]}" -v c="${res[proxied.2]}" -v d="${res[nginx.2]}" \
		-v e="${res[proxied.4]}" -v f="${res[nginx.4]}" -v m="$mode/listed" \
		'BEGIN { printf "%-22s %-8s %11.2fx %11.2fx %9s %8.2fx\n", m, "ratio", a / b, (d > 0 ? c / d : 0), "", (f > 0 ? e / f : 0) }'
	unset res
done
echo
echo "ratio = sighted / nginx: above 1 is better for req/s and req/cpu-s; below 1 is better for p99."
