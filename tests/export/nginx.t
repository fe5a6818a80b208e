#!/bin/bash
# The exported MMDB in nginx with libnginx-mod-http-geoip2 on loopback: a
# response header set from the file, for listed and unlisted addresses of
# both families, checked with curl against `sighted check`.
. "$(dirname "$0")/setup.sh"
MOD=/usr/lib/nginx/modules/ngx_http_geoip2_module.so
check "build a snapshot" build_snapshot
check "export mmdb" "$SIGHTED" export --format mmdb "$SDB" -o "$T/out.mmdb"
need nginx nginx && need curl curl || { done_testing; exit 0; }
if [ ! -f "$MOD" ]; then
	not_ok "nginx geoip2 module missing: install Debian package libnginx-mod-http-geoip2"
	done_testing; exit 0
fi
port=$(free_port tcp)
N=$T/nginx; mkdir -p "$N/tmp"
cat > "$N/nginx.conf" <<CONF
load_module $MOD;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $N/tmp; proxy_temp_path $N/tmp; fastcgi_temp_path $N/tmp;
	uwsgi_temp_path $N/tmp; scgi_temp_path $N/tmp;
	geoip2 $T/out.mmdb {
		\$sighted_network default=none source=\$http_x_check_ip network;
		\$sighted_campaign default=none source=\$http_x_check_ip campaigns 0;
		\$sighted_count default=0 source=\$http_x_check_ip count;
		\$sighted_listed default=0 source=\$http_x_check_ip listed;
	}
	server {
		listen 127.0.0.1:$port;
		location / {
			add_header X-Sighted-Network \$sighted_network always;
			add_header X-Sighted-Campaign \$sighted_campaign always;
			add_header X-Sighted-Count \$sighted_count always;
			add_header X-Sighted-Listed \$sighted_listed always;
			return 200 "ok\n";
		}
	}
}
CONF
timeout 120 nginx -p "$N" -e "$N/error.log" -c "$N/nginx.conf" -g 'daemon off;' 2>"$N/stderr" &
pid=$!
_pids+=("$pid")
if wait_port "$port"; then ok "nginx loads the MMDB and listens on 127.0.0.1:$port"; else
	not_ok "nginx started"; sed 's/^/# /' "$N/stderr" "$N/error.log" | head; done_testing; exit 0
fi
"$SIGHTED" export --format jsonl "$SDB" -o "$T/all.jsonl" 2>/dev/null
probe_addresses "$T/all.jsonl" | awk 'NR % 3 == 1' | head -80 > "$T/addrs"
"$SIGHTED" check --db "$SDB" --json - < "$T/addrs" > "$T/check.jsonl"
bad=0 n=0 listed=0
while IFS= read -r q; do
	a=$(jq -r .query <<<"$q")
	want_net=$(jq -r 'if .listed then .matches[0].key else "none" end' <<<"$q")
	want_count=$(jq -r '[.matches[].sightings[].count] | add // 0' <<<"$q")
	curl -s -m 5 -D "$T/h" -o /dev/null -H "X-Check-IP: $a" "http://127.0.0.1:$port/"
	got_net=$(tr -d '\r' < "$T/h" | sed -n 's/^X-Sighted-Network: //p')
	got_count=$(tr -d '\r' < "$T/h" | sed -n 's/^X-Sighted-Count: //p')
	n=$((n + 1)); [ "$want_net" != none ] && listed=$((listed + 1))
	if [ "$got_net" != "$want_net" ] || [ "$got_count" != "$want_count" ]; then
		bad=$((bad + 1)); echo "# $a: nginx says $got_net/$got_count, sighted check $want_net/$want_count"
	fi
done < "$T/check.jsonl"
equals "nginx headers agree with sighted check on $n addresses ($listed listed)" "$bad" 0
curl -s -m 5 -D "$T/h" -o /dev/null -H "X-Check-IP: 203.0.113.9" "http://127.0.0.1:$port/"
contains "campaign header for a listed address" "$T/h" "X-Sighted-Campaign: (3cx|gopuram)-2023"
contains "the boolean listed flag as a header" "$T/h" "X-Sighted-Listed: 1"
curl -s -m 5 -D "$T/h" -o /dev/null -H "X-Check-IP: 2001:db8:77::9" "http://127.0.0.1:$port/"
contains "IPv6 address inside a listed /48 and itself listed" "$T/h" "X-Sighted-Network: 2001:db8:77::9"
curl -s -m 5 -D "$T/h" -o /dev/null -H "X-Check-IP: 192.0.2.255" "http://127.0.0.1:$port/"
contains "unlisted address gets the default" "$T/h" "X-Sighted-Network: none"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
done_testing
