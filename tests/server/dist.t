#!/bin/bash
# dist/sighted.service is a valid systemd unit that runs the real binary
# with the sandboxing the deployment promises.
. "$(dirname "$0")/lib.sh"
unit="$(dirname "$0")/../../dist/sighted.service"
for k in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes 'SystemCallFilter=@system-service' PrivateTmp=yes 'ExecReload=/bin/kill -HUP $MAINPID'; do
	like "unit sets $k" "$(cat "$unit")" "^$(printf '%s' "$k" | sed 's/[$]/[$]/g')"
done
serve_args=$(sed -n 's|^ExecStart=[^ ]* serve ||p' "$unit")
# the unit's own command line is accepted by this binary
"$SIGHTED" serve $serve_args --help >/dev/null 2>&1
is "the unit's serve options parse" "$?" 0
if command -v systemd-analyze >/dev/null; then
	sed -e "s|^ExecStart=[^ ]*|ExecStart=$SIGHTED|" -e '/^Documentation=/d' "$unit" >"$T/sighted.service"
	out=$(systemd-analyze verify "$T/sighted.service" 2>&1)
	is "systemd-analyze verify finds nothing to say" "$out" ""
else
	n=$((n + 1)); echo "ok $n # SKIP systemd-analyze is not installed"
fi
done_testing
