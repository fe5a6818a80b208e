# Sourced by tests/dask/*.t after tests/lib.sh: a real Dask scheduler and
# workers on 127.0.0.1 (random ports, HTTP on loopback only), stopped by PID
# when the test exits: workers first, then the scheduler, each given a
# bounded time to close before SIGKILL (a worker whose scheduler is gone can
# linger in its reconnect loop).
PY=/usr/bin/python3
SIGHTED_DASK="$ROOT/dask/sighted-dask"
if ! $PY -c 'import distributed' 2>/dev/null; then
	echo "1..0 # SKIP python3-distributed is not installed (mk/packages.txt)"
	exit 0
fi
# Dask reads its config from ~/.config/dask: keep a user's settings out
export DASK_CONFIG="$T/dask-config"
_workers=()
_scheduler=()

stop_pids() { # pid...: TERM, up to 10 s to exit, then KILL
	[ $# -gt 0 ] || return 0
	local p i alive
	for p in "$@"; do kill "$p" 2>/dev/null; done
	for i in $(seq 1 100); do
		alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && return 0
		sleep 0.1
	done
	for p in "$@"; do kill -9 "$p" 2>/dev/null; done
	return 0
}
stop_cluster() {
	stop_pids "${_workers[@]}"
	stop_pids "${_scheduler[@]}"
}
trap 'stop_cluster; cleanup' EXIT

# start_scheduler: sets SCHED (tcp://127.0.0.1:PORT) once it listens
start_scheduler() {
	$PY -m distributed.cli.dask_scheduler --host 127.0.0.1 --port 0 \
		--dashboard-address 127.0.0.1:0 --no-dashboard \
		--scheduler-file "$T/scheduler.json" >"$T/scheduler.log" 2>&1 &
	SCHED_PID=$!
	_scheduler+=($SCHED_PID)
	local i
	for i in $(seq 1 600); do # up to 60 s: the file appears once it listens
		[ -s "$T/scheduler.json" ] && break
		kill -0 "$SCHED_PID" 2>/dev/null || break
		sleep 0.1
	done
	SCHED=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$T/scheduler.json" 2>/dev/null)
	[ -n "$SCHED" ]
}

# start_worker NAME [env assignments...]: one single-threaded worker without
# a nanny (kill -9 of its pid kills the worker itself); sets WPID_<NAME>
start_worker() {
	local name=$1; shift
	env "$@" $PY -m distributed.cli.dask_worker "$SCHED" --nthreads 1 --nworkers 1 \
		--no-nanny --host 127.0.0.1 --dashboard-address 127.0.0.1:0 --no-dashboard \
		--name "$name" --local-directory "$T/worker-$name" >"$T/worker-$name.log" 2>&1 &
	_workers+=($!)
	eval "WPID_$name=$!"
}

# wait_workers N: until N workers are registered (bounded)
wait_workers() {
	timeout 60 $PY -c 'import sys
from distributed import Client
c = Client(sys.argv[1], timeout=30)
c.wait_for_workers(int(sys.argv[2]))
c.close()' "$SCHED" "$1" >/dev/null 2>&1
}
