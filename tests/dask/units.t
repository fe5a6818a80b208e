#!/bin/bash
# The driver's own logic, without a cluster: planning (order, ranges, merge
# tree shape) and the join of sightings lines (tests/dask/units.py).
. "$(dirname "$0")/../lib.sh"
if ! /usr/bin/python3 -c 'import distributed' 2>/dev/null; then
	echo "1..0 # SKIP python3-distributed is not installed (mk/packages.txt)"
	exit 0
fi
cd "$T" && exec /usr/bin/python3 "$ROOT/tests/dask/units.py" "$ROOT/dask"
