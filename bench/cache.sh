#!/usr/bin/env bash
# Response caching under load, in one run, all in front of bench/backend:
#   1. nginx-cache       nginx proxy_cache, every request a cache hit
#   2. stagecoach-cache  Stagecoach stage cache (cacheClusterEnabled, the
#                        method's caching/enabled, TTL 300 s): cache hits
#   3. stagecoach-proxy  the same gateway and route shape without caching:
#                        every request proxied to the backend
#      (2 and 3 on the main listener, net/http; h1-cache and h1-proxy the
#      same through the data-plane listener, --gateway-listen, on h1serve)
#   4. nginx-proxy       nginx proxy_pass without cache, for scale
#   5. go-constant       bench/backend itself: a bare Go net/http server
#                        answering a constant, the ceiling of any Go
#                        server on this core (Stagecoach's hits included)
# Target: Stagecoach cache hits/s >= nginx proxy_cache hits/s.
# wrk is pinned to one core, the servers to the other (taskset). Traffic
# goes to 127.0.0.1 only; each wrk run is bounded by -d. Rounds alternate
# targets; the median round is reported.
#
# Needs: go, wrk, nginx, curl, taskset (Debian: apt-get install wrk nginx-light curl util-linux).
# Usage: bench/cache.sh [duration per run (default 10s)] [connections (default 64)] [rounds (default 3)]
set -euo pipefail

DURATION=${1:-10s}
CONNS=${2:-64}
ROUNDS=${3:-3}
LOAD_CPU=${LOAD_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
BACKEND_PORT=18095 NGINX_PORT=18096 SC_PORT=18097 SC_GW_PORT=18098

source "$(dirname "$0")/lib.sh"

# --- nginx: one worker; /cached/ through proxy_cache, /proxied/ without ---
mkdir -p "$WORK/nginx/cache" "$WORK/nginx/proxy"
# Workers started by root run as nobody: they must reach the cache.
chmod 755 "$WORK" "$WORK/nginx"
chmod 777 "$WORK/nginx/cache" "$WORK/nginx/proxy"
cat >"$WORK/nginx/nginx.conf" <<CONF
$(nginx_conf_head)
	proxy_cache_path $WORK/nginx/cache keys_zone=stage:10m max_size=64m;
	upstream backend {
		server 127.0.0.1:$BACKEND_PORT;
		keepalive 256;
	}
	server {
		listen 127.0.0.1:$NGINX_PORT;
		proxy_http_version 1.1;
		proxy_set_header Connection "";
		location /cached/ {
			proxy_cache stage;
			proxy_cache_valid 200 300s;
			proxy_pass http://backend/;
		}
		location /proxied/ {
			proxy_pass http://backend/;
		}
	}
}
CONF
start_nginx

# --- Stagecoach: GET /cached/{proxy+} and GET /proxied/{proxy+}, both
# HTTP_PROXY; the stage cache on, caching enabled for the first only ---
taskset -c "$SERVER_CPU" "$WORK/stagecoach" serve --listen "127.0.0.1:$SC_PORT" --data-dir "$WORK/data" --log-level warn \
	--account-rate-limit 100000000 --account-burst-limit 100000000 \
	--gateway-listen "127.0.0.1:$SC_GW_PORT" --gateway-server h1serve &
SC_PID=$!
PIDS+=($!)
wait_port $SC_PORT
API=$(curl -sf -X POST "$CP/restapis" -H 'Content-Type: application/json' -d '{"name":"cache-bench"}' | json id)
ROOTID=$(curl -sf "$CP/restapis/$API/resources" | json id)
for part in cached proxied; do
	PARENT=$(curl -sf -X POST "$CP/restapis/$API/resources/$ROOTID" -H 'Content-Type: application/json' -d "{\"pathPart\":\"$part\"}" | json id)
	RES=$(curl -sf -X POST "$CP/restapis/$API/resources/$PARENT" -H 'Content-Type: application/json' -d '{"pathPart":"{proxy+}"}' | json id)
	curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/GET" -H 'Content-Type: application/json' \
		-d '{"authorizationType":"NONE","requestParameters":{"method.request.path.proxy":true}}'
	curl -sf -o /dev/null -X PUT "$CP/restapis/$API/resources/$RES/methods/GET/integration" -H 'Content-Type: application/json' \
		-d "{\"type\":\"HTTP_PROXY\",\"httpMethod\":\"GET\",\"uri\":\"http://127.0.0.1:$BACKEND_PORT/{proxy}\",\"requestParameters\":{\"integration.request.path.proxy\":\"method.request.path.proxy\"},\"cacheKeyParameters\":[\"method.request.path.proxy\"]}"
done
curl -sf -o /dev/null -X POST "$CP/restapis/$API/deployments" -H 'Content-Type: application/json' -d '{"stageName":"prod"}'
M='/~1cached~1{proxy+}/GET'
curl -sf -o /dev/null -X PATCH "$CP/restapis/$API/stages/prod" -H 'Content-Type: application/json' -d "{\"patchOperations\":[
	{\"op\":\"replace\",\"path\":\"/cacheClusterEnabled\",\"value\":\"true\"},
	{\"op\":\"replace\",\"path\":\"$M/caching/enabled\",\"value\":\"true\"},
	{\"op\":\"replace\",\"path\":\"$M/caching/ttlInSeconds\",\"value\":\"300\"},
	{\"op\":\"replace\",\"path\":\"$M/throttling/rateLimit\",\"value\":\"-1\"},
	{\"op\":\"replace\",\"path\":\"$M/throttling/burstLimit\",\"value\":\"-1\"}]}"
SC_CACHED="$CP/restapis/$API/prod/_user_request_/cached/hello"
SC_PROXIED="$CP/restapis/$API/prod/_user_request_/proxied/hello"
GW="http://127.0.0.1:$SC_GW_PORT"
H1_CACHED="$GW/restapis/$API/prod/_user_request_/cached/hello"
H1_PROXIED="$GW/restapis/$API/prod/_user_request_/proxied/hello"
for url in "$SC_CACHED" "$SC_PROXIED" "$H1_CACHED" "$H1_PROXIED" "http://127.0.0.1:$NGINX_PORT/cached/hello" "http://127.0.0.1:$NGINX_PORT/proxied/hello"; do
	[[ $(curl -s -o /dev/null -w '%{http_code}' "$url") == 200 ]] || { echo "does not answer 200: $url" >&2; exit 1; }
done

# --- measure ---
measure() { # name url round server-pids...
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
		END { print name, rps, us(p50), us(p99), pt*1e6/clk/n, bt/clk, (err=="" ? "-" : "errors") }
		function us(v,  n) { n=v+0; if (v ~ /us$/) return n; if (v ~ /ms$/) return n*1000; if (v ~ /s$/) return n*1000000; return n }
	' "$out" >>"$WORK/results.txt"
}
NGINX_PIDS="$NGINX_PID $(pgrep -P "$NGINX_PID" | tr '\n' ' ')"
echo "wrk -t1 -c$CONNS -d$DURATION --latency on cpu $LOAD_CPU; servers on cpu $SERVER_CPU; $ROUNDS rounds; $(nproc) cpus"
for round in $(seq "$ROUNDS"); do
	measure nginx-cache "http://127.0.0.1:$NGINX_PORT/cached/hello" "$round" $NGINX_PIDS
	measure stagecoach-cache "$SC_CACHED" "$round" "$SC_PID"
	measure stagecoach-proxy "$SC_PROXIED" "$round" "$SC_PID"
	measure h1-cache "$H1_CACHED" "$round" "$SC_PID"
	measure h1-proxy "$H1_PROXIED" "$round" "$SC_PID"
	measure nginx-proxy "http://127.0.0.1:$NGINX_PORT/proxied/hello" "$round" $NGINX_PIDS
	measure go-constant "http://127.0.0.1:$BACKEND_PORT/hello" "$round" "$BACKEND_PID"
done
grep -q errors "$WORK/results.txt" && echo "warning: some runs had socket errors or non-2xx answers" >&2
sort -k1,1 -k2,2n "$WORK/results.txt" | awk -v rounds="$ROUNDS" '
	{ n[$1]++; if (n[$1] == int((rounds+1)/2)) { rps[$1]=$2; p50[$1]=$3; p99[$1]=$4; cpu[$1]=$5; bcpu[$1]=$6 } }
	END {
		printf "%-17s %10s %10s %10s %14s %16s   (median of %d rounds)\n", "target", "req/s", "p50", "p99", "server cpu/req", "backend cpu (s)", rounds
		split("nginx-cache stagecoach-cache h1-cache stagecoach-proxy h1-proxy nginx-proxy go-constant", order, " ")
		for (i = 1; i <= 7; i++) { t = order[i]; printf "%-17s %10.0f %8.2fms %8.2fms %12.1fus %16.2f\n", t, rps[t], p50[t]/1000, p99[t]/1000, cpu[t], bcpu[t] }
		printf "stagecoach cache hits / nginx proxy_cache hits: %.2fx net/http, %.2fx h1serve (target >= 1.00)\n", rps["stagecoach-cache"]/rps["nginx-cache"], rps["h1-cache"]/rps["nginx-cache"]
		printf "stagecoach proxied / nginx proxied: %.2fx net/http, %.2fx h1serve\n", rps["stagecoach-proxy"]/rps["nginx-proxy"], rps["h1-proxy"]/rps["nginx-proxy"]
		printf "h1serve / net/http: cache hits %.2fx, proxied %.2fx\n", rps["h1-cache"]/rps["stagecoach-cache"], rps["h1-proxy"]/rps["stagecoach-proxy"]
		printf "stagecoach cache hits / stagecoach proxied: %.2fx\n", rps["stagecoach-cache"]/rps["stagecoach-proxy"]
		printf "stagecoach cache hits / bare Go net/http constant answer: %.2fx\n", rps["stagecoach-cache"]/rps["go-constant"]
	}'
echo "all rounds (target req/s p50us p99us server-cpu-us/req backend-cpu-s):"
cat "$WORK/results.txt"
