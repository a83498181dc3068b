#!/usr/bin/env bash
# Load test of the HTTP_PROXY data path, in one run (the account throttle is
# lifted: AWS's default 10000 requests/s would answer 429):
#   1. wrk -> backend                      (direct)
#   2. wrk -> nginx -> backend             (reverse proxy, upstream keep-alive)
#   3. wrk -> Stagecoach -> backend        (HTTP_PROXY integration, {proxy+})
#      on the main listener (net/http) and on the data-plane listener
#      (--gateway-listen, served by h1serve): "stagecoach" and "stagecoach-h1"
# The backend is bench/backend (Go, a fixed 36-byte JSON answer) for all
# three. wrk is pinned to one core, every server to the other (taskset).
# Traffic goes to 127.0.0.1 only; each wrk run is bounded by -d.
#
# Needs: go, wrk, nginx, curl, taskset (Debian: apt-get install wrk nginx-light curl util-linux).
# Usage: bench/proxy.sh [duration per run (default 10s)] [connections (default 64)] [rounds (default 3)]
set -euo pipefail

DURATION=${1:-10s}
CONNS=${2:-64}
ROUNDS=${3:-3}
LOAD_CPU=${LOAD_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
BACKEND_PORT=18080 NGINX_PORT=18081 SC_PORT=18082 SC_GW_PORT=18083

source "$(dirname "$0")/lib.sh"

# --- nginx: one worker, upstream keep-alive ---
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<CONF
$(nginx_conf_head)
	upstream backend {
		server 127.0.0.1:$BACKEND_PORT;
		keepalive 256;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		location / {
			proxy_pass http://backend;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$proxy_host;
			proxy_set_header X-Forwarded-For \$remote_addr;
			proxy_set_header X-Forwarded-Proto \$scheme;
		}
	}
}
CONF
start_nginx

# --- Stagecoach with one HTTP_PROXY API, set up through the control API ---
GOGC=${STAGECOACH_GOGC:-100} taskset -c "$SERVER_CPU" "$WORK/stagecoach" serve --listen "127.0.0.1:$SC_PORT" --data-dir "$WORK/data" --log-level warn \
	--account-rate-limit 100000000 --account-burst-limit 100000000 \
	--gateway-listen "127.0.0.1:$SC_GW_PORT" --gateway-server h1serve &
SC_PID=$!
PIDS+=($!)
wait_port $SC_PORT
API=$(curl -sf -X POST "$CP/restapis" -H 'Content-Type: application/json' -d '{"name":"bench"}' | json id)
ROOTID=$(curl -sf "$CP/restapis/$API/resources" | json id)
RES=$(curl -sf -X POST "$CP/restapis/$API/resources/$ROOTID" -H 'Content-Type: application/json' -d '{"pathPart":"{proxy+}"}' | json id)
curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/ANY" -H 'Content-Type: application/json' \
	-d '{"authorizationType":"NONE","requestParameters":{"method.request.path.proxy":true}}'
curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/ANY/integration" -H 'Content-Type: application/json' \
	-d "{\"type\":\"HTTP_PROXY\",\"httpMethod\":\"ANY\",\"uri\":\"http://127.0.0.1:$BACKEND_PORT/{proxy}\",\"requestParameters\":{\"integration.request.path.proxy\":\"method.request.path.proxy\"}}"
curl -sf -o /dev/null -X POST "$CP/restapis/$API/deployments" -H 'Content-Type: application/json' -d '{"stageName":"prod"}'
SC_URL="$CP/restapis/$API/prod/_user_request_/hello"
curl -sf "$SC_URL" >/dev/null || { echo "Stagecoach proxy route does not answer: $SC_URL" >&2; exit 1; }
SC_H1_URL="http://127.0.0.1:$SC_GW_PORT/restapis/$API/prod/_user_request_/hello"
curl -sf "$SC_H1_URL" >/dev/null || { echo "Stagecoach data-plane listener does not answer: $SC_H1_URL" >&2; exit 1; }

# --- measure ---
# Targets are measured in alternating rounds and the median round is
# reported, so a burst of unrelated load on the machine skews one round of
# every target rather than all rounds of one.
# CPU time per request of the proxy process (and of the backend) is also
# reported: unlike requests/s it does not depend on what else the machine
# runs at the time.
measure() { # name url round proxy-pids...
	local name=$1 url=$2 round=$3; shift 3
	local out="$WORK/$name.$round.txt" p0 b0
	p0=$(ticks "$@"); b0=$(ticks "$BACKEND_PID")
	taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$url" >"$out"
	local pt=$(( $(ticks "$@") - p0 )) bt=$(( $(ticks "$BACKEND_PID") - b0 ))
	awk -v name="$name" -v pt="$pt" -v bt="$bt" -v clk="$CLK" '
		/^Requests\/sec/ {rps=$2}
		/requests in/ {n=$1}
		$1=="50%" {p50=$2} $1=="99%" {p99=$2}
		/Non-2xx|Socket errors/ {err=err $0}
		END { print name, rps, us(p50), us(p99), pt*1e6/clk/n, bt*1e6/clk/n, (err=="" ? "-" : "errors") }
		function us(v,  n) { n=v+0; if (v ~ /us$/) return n; if (v ~ /ms$/) return n*1000; if (v ~ /s$/) return n*1000000; return n }
	' "$out" >>"$WORK/results.txt"
}
echo "wrk -t1 -c$CONNS -d$DURATION --latency on cpu $LOAD_CPU; servers on cpu $SERVER_CPU; $ROUNDS rounds; $(nproc) cpus"
for round in $(seq "$ROUNDS"); do
	measure direct "http://127.0.0.1:$BACKEND_PORT/hello" "$round"
	measure nginx "http://127.0.0.1:$NGINX_PORT/hello" "$round" "$NGINX_PID" $(pgrep -P "$NGINX_PID")
	measure stagecoach "$SC_URL" "$round" "$SC_PID"
	measure stagecoach-h1 "$SC_H1_URL" "$round" "$SC_PID"
done
grep -q errors "$WORK/results.txt" && echo "warning: some runs had socket errors or non-2xx answers" >&2
# Median round per target (by requests/s), then the ratios.
sort -k1,1 -k2,2n "$WORK/results.txt" | awk -v rounds="$ROUNDS" '
	{ n[$1]++; if (n[$1] == int((rounds+1)/2)) { rps[$1]=$2; p50[$1]=$3; p99[$1]=$4; pcpu[$1]=$5; bcpu[$1]=$6 } }
	END {
		printf "%-14s %10s %10s %10s %14s %14s   (median of %d rounds)\n", "target", "req/s", "p50", "p99", "proxy cpu/req", "backend cpu/req", rounds
		split("direct nginx stagecoach stagecoach-h1", order, " ")
		for (i = 1; i <= 4; i++) { t = order[i]; printf "%-14s %10.0f %8.2fms %8.2fms %12.1fus %12.1fus\n", t, rps[t], p50[t]/1000, p99[t]/1000, pcpu[t], bcpu[t] }
		printf "stagecoach/nginx (net/http):    throughput %.2fx (target >= 0.60), p99 %.2fx (target <= 2.00), proxy cpu per request %.2fx\n", rps["stagecoach"]/rps["nginx"], p99["stagecoach"]/p99["nginx"], pcpu["stagecoach"]/pcpu["nginx"]
		printf "stagecoach-h1/nginx (h1serve):  throughput %.2fx (target >= 0.60), p99 %.2fx (target <= 2.00), proxy cpu per request %.2fx\n", rps["stagecoach-h1"]/rps["nginx"], p99["stagecoach-h1"]/p99["nginx"], pcpu["stagecoach-h1"]/pcpu["nginx"]
	}'
echo "all rounds (target req/s p50us p99us proxy-cpu-us/req backend-cpu-us/req):"
cat "$WORK/results.txt"
