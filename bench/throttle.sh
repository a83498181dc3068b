#!/usr/bin/env bash
# Throttling under a flood, in one run: a route limited to 1000 requests/s
# with a burst of 100, flooded by wrk, behind
#   1. nginx       (limit_req rate=1000r/s burst=100 nodelay, 429)
#   2. Stagecoach  (HTTP_PROXY {proxy+}, update-stage */* rateLimit 1000,
#                   burstLimit 100; the account limit lifted above it),
#                   on the main listener (net/http, "stagecoach") and on
#                   the data-plane listener (h1serve, "stagecoach-h1")
# Both proxy accepted requests to bench/backend. Reported per target:
#   - rejections served per second (429s / duration): how cheap a 429 is;
#   - accepted requests per second: should be (1000 x duration + 100) /
#     duration, 1010/s for 10 s, within 1 %.
# wrk is pinned to one core, the servers to the other (taskset). Traffic
# goes to 127.0.0.1 only; each run is bounded by -d, and each starts after
# an idle second so the buckets are full.
#
# Needs: go, wrk, nginx, curl, taskset (Debian: apt-get install wrk nginx-light curl util-linux).
# Usage: bench/throttle.sh [duration seconds (default 10)] [connections (default 64)] [rounds (default 3)]
set -euo pipefail

SECS=${1:-10}
CONNS=${2:-64}
ROUNDS=${3:-3}
LOAD_CPU=${LOAD_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
RATE=1000 BURST=100
BACKEND_PORT=18090 NGINX_PORT=18091 SC_PORT=18092 SC_GW_PORT=18093

source "$(dirname "$0")/lib.sh"

# --- nginx: one worker, limit_req in front of the same backend ---
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
$(nginx_conf_head crit)
	limit_req_zone \$server_port zone=flood:1m rate=${RATE}r/s;
	limit_req_status 429;
	limit_req_log_level info;
	upstream backend {
		server 127.0.0.1:$BACKEND_PORT;
		keepalive 256;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location / {
			limit_req zone=flood burst=$BURST nodelay;
			proxy_pass http://backend;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CONF
start_nginx

# --- Stagecoach: HTTP_PROXY route, stage default throttling 1000/100 ---
taskset -c "$SERVER_CPU" "$WORK/stagecoach" serve --listen "127.0.0.1:$SC_PORT" --data-dir "$WORK/data" --log-level warn \
	--account-rate-limit 100000000 --account-burst-limit 100000000 \
	--gateway-listen "127.0.0.1:$SC_GW_PORT" --gateway-server h1serve &
PIDS+=($!)
wait_port $SC_PORT
API=$(curl -sf -X POST "$CP/restapis" -H 'Content-Type: application/json' -d '{"name":"throttle-bench"}' | json id)
ROOTID=$(curl -sf "$CP/restapis/$API/resources" | json id)
RES=$(curl -sf -X POST "$CP/restapis/$API/resources/$ROOTID" -H 'Content-Type: application/json' -d '{"pathPart":"{proxy+}"}' | json id)
curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/ANY" -H 'Content-Type: application/json' \
	-d '{"authorizationType":"NONE","requestParameters":{"method.request.path.proxy":true}}'
curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/ANY/integration" -H 'Content-Type: application/json' \
	-d "{\"type\":\"HTTP_PROXY\",\"httpMethod\":\"ANY\",\"uri\":\"http://127.0.0.1:$BACKEND_PORT/{proxy}\",\"requestParameters\":{\"integration.request.path.proxy\":\"method.request.path.proxy\"}}"
curl -sf -o /dev/null -X POST "$CP/restapis/$API/deployments" -H 'Content-Type: application/json' -d '{"stageName":"prod"}'
curl -sf -o /dev/null -X PATCH "$CP/restapis/$API/stages/prod" -H 'Content-Type: application/json' \
	-d "{\"patchOperations\":[{\"op\":\"replace\",\"path\":\"/*/*/throttling/rateLimit\",\"value\":\"$RATE\"},{\"op\":\"replace\",\"path\":\"/*/*/throttling/burstLimit\",\"value\":\"$BURST\"}]}"
SC_URL="$CP/restapis/$API/prod/_user_request_/hello"
SC_H1_URL="http://127.0.0.1:$SC_GW_PORT/restapis/$API/prod/_user_request_/hello"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$SC_URL") == 200 ]] || { echo "Stagecoach route does not answer 200: $SC_URL" >&2; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$NGINX_PORT/hello") == 200 ]] || { echo "nginx route does not answer 200" >&2; exit 1; }

# --- measure ---
measure() { # name url round
	local name=$1 url=$2 round=$3 out="$WORK/$1.$3.txt"
	sleep 1 # idle: the bucket refills completely (burst 100 at 1000/s takes 0.1 s)
	taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${SECS}s" "$url" >"$out"
	awk -v name="$name" -v secs="$SECS" '
		/requests in/ { n = $1; t = $4; sub(/s,?$/, "", t) }
		/Non-2xx or 3xx responses:/ { rej = $NF }
		/Socket errors/ { err = 1 }
		END { printf "%s %d %d %.3f %.1f %.1f %s\n", name, n, rej, t, rej / t, (n - rej) / t, (err ? "errors" : "-") }
	' "$out" >>"$WORK/results.txt"
}
echo "wrk -t1 -c$CONNS -d${SECS}s on cpu $LOAD_CPU; servers on cpu $SERVER_CPU; limit $RATE r/s burst $BURST; $ROUNDS rounds"
for round in $(seq "$ROUNDS"); do
	measure nginx "http://127.0.0.1:$NGINX_PORT/hello" "$round"
	measure stagecoach "$SC_URL" "$round"
	measure stagecoach-h1 "$SC_H1_URL" "$round"
done
grep -q errors "$WORK/results.txt" && echo "warning: some runs had socket errors" >&2
# Median round per target (by rejections/s), then the comparison.
sort -k1,1 -k5,5n "$WORK/results.txt" | awk -v rounds="$ROUNDS" -v rate="$RATE" -v burst="$BURST" -v secs="$SECS" '
	{ n[$1]++; if (n[$1] == int((rounds+1)/2)) { rej[$1]=$5; acc[$1]=$6; tot[$1]=$2; r[$1]=$3 } }
	END {
		want = (rate * secs + burst) / secs
		printf "%-14s %12s %14s %14s   (median of %d rounds; accepted target %.0f/s +-1%%)\n", "target", "requests", "rejections/s", "accepted/s", rounds, want
		split("nginx stagecoach stagecoach-h1", order, " ")
		for (i = 1; i <= 3; i++) { t = order[i]; printf "%-14s %12d %14.0f %14.1f  (%+.2f%%)\n", t, tot[t], rej[t], acc[t], 100 * (acc[t] - want) / want }
		printf "stagecoach/nginx rejections served per second: %.2fx net/http, %.2fx h1serve\n", rej["stagecoach"] / rej["nginx"], rej["stagecoach-h1"] / rej["nginx"]
	}'
echo "all rounds (target requests rejected seconds rejections/s accepted/s):"
cat "$WORK/results.txt"
