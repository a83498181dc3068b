# Shared set-up of the wrk load scripts (proxy.sh, cache.sh, throttle.sh).
# The sourcing script sets BACKEND_PORT, NGINX_PORT, SC_PORT and SC_GW_PORT
# first. This checks the tools and that the ports are free, builds the
# backend and stagecoach into $WORK (removed on exit, with every process in
# PIDS), and starts the backend on the server core (BACKEND_PID).

for tool in go wrk nginx curl taskset pgrep getconf; do
	command -v "$tool" >/dev/null || { echo "missing $tool (Debian: apt-get install wrk nginx-light curl util-linux procps)" >&2; exit 1; }
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# wait_port PORT waits up to 10 s for something to answer on 127.0.0.1:PORT.
wait_port() {
	for _ in $(seq 100); do
		curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
		sleep 0.1
	done
	echo "nothing listening on 127.0.0.1:$1" >&2
	exit 1
}

for port in $BACKEND_PORT $NGINX_PORT $SC_PORT $SC_GW_PORT; do
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		echo "127.0.0.1:$port is already in use; stop whatever listens there first" >&2
		exit 1
	fi
done

echo "building..." >&2
(cd "$ROOT" && go build -o "$WORK/backend" ./bench/backend && go build -o "$WORK/stagecoach" ./cmd/stagecoach)

taskset -c "$SERVER_CPU" "$WORK/backend" -listen "127.0.0.1:$BACKEND_PORT" &
BACKEND_PID=$!
PIDS+=($!)
wait_port "$BACKEND_PORT"

CP="http://127.0.0.1:$SC_PORT" # the control API of the stagecoach under test

# nginx_conf_head prints the start of every script's nginx.conf: one
# worker in the foreground, files under $WORK, no access log, keep-alive
# without a request limit; $1 is the error log level (default warn). The
# caller closes the http block.
nginx_conf_head() {
	cat <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log ${1:-warn};
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $WORK/nginx/body;
	proxy_temp_path $WORK/nginx/proxy;
	fastcgi_temp_path $WORK/nginx/fastcgi;
	uwsgi_temp_path $WORK/nginx/uwsgi;
	scgi_temp_path $WORK/nginx/scgi;
	keepalive_requests 1000000;
CONF
}

# start_nginx starts nginx with $WORK/nginx/nginx.conf on the server core
# (NGINX_PID) and waits for it.
start_nginx() {
	taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
	NGINX_PID=$!
	PIDS+=($!)
	wait_port "$NGINX_PORT"
}

# json KEY prints the first string value of KEY in the JSON on stdin.
json() { sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p" | head -1; }

# ticks PID... prints the CPU time (user+system, in clock ticks) the
# processes used so far; pids that are gone count 0.
CLK=$(getconf CLK_TCK)
ticks() {
	local t=0 pid
	for pid in "$@"; do
		[[ -r /proc/$pid/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
