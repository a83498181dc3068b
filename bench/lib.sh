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
