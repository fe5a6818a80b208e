# Shared by the end-to-end tests (tests/*/*.t): TAP output helpers.
# Source it; it sets $T (a private temp dir removed at exit) and $ROOT.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${SIGHTED:=$ROOT/build/release/sighted}"
: "${TESTS_DATA:=$ROOT/tests/data}"
T=$(mktemp -d "${TMPDIR:-/tmp}/sighted-e2e.XXXXXX")
_n=0
_pids=()
cleanup() {
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
export SIGHTED_NO_PROGRESS=1

ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
# check DESCRIPTION COMMAND...: ok if the command succeeds
check() { local d=$1; shift; if "$@" >"$T/.out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/# /' "$T/.out" | head -20; fi; }
# expect_status WANT DESCRIPTION COMMAND...
expect_status() {
	local want=$1 d=$2; shift 2
	"$@" >"$T/.out" 2>&1
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$d"; else not_ok "$d (exit $rc, wanted $want)"; sed 's/^/# /' "$T/.out" | head -20; fi
}
# contains DESCRIPTION FILE PATTERN: ok if grep -E finds PATTERN
contains() { if grep -qE -- "$3" "$2"; then ok "$1"; else not_ok "$1"; echo "# no /$3/ in $2:"; head -20 "$2" | sed 's/^/#   /'; fi; }
lacks() { if ! grep -qE -- "$3" "$2"; then ok "$1"; else not_ok "$1"; grep -E -- "$3" "$2" | head -5 | sed 's/^/#   /'; fi; }
equals() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (got '$2', wanted '$3')"; fi; }
done_testing() { echo "1..$_n"; }
