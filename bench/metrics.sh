#!/usr/bin/env bash
# What counting for /metrics costs on the answer and request paths. Each
# daemon runs under callgrind (one loop thread) while a load goes through
# it; the instructions of the counting functions (inclusive) are compared
# with those of the whole event loop, uv__io_poll, which holds every
# answer and request. Instructions are not seconds, but they are
# repeatable, and the kernel's share (send, receive), which counting never
# touches, is left out: the real share of CPU is smaller than printed.
# Target: under 2 %. Traffic stays on 127.0.0.1; servers stop by PID.
#
#   bench/metrics.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup --bench
source bench/lib.sh
build_release dnsd/dnsd httpd/httpd
make_workdir webstack-metrics

# Inclusive instructions of the first function matching `pattern`.
inclusive() {  # file pattern
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    grep -m1 -- "$2" | awk '{ gsub(",", "", $1); print $1 }'
}

report() {  # daemon file counting-function
  local loop counting
  loop=$(inclusive "$2" ':uv__io_poll')
  counting=$(inclusive "$2" "$3")
  awk -v d="$1" -v c="${counting:-0}" -v l="$loop" -v f="$3" 'BEGIN {
    printf "%-6s %-32s %12d of %13d instructions in the loop: %.2f %%\n", d, f, c, l, 100 * c / l }'
}

# dnsd: the 100,000-name zone and query mix of bench/dns.sh, over UDP.
zone=$work/foobar.com.zone
{
  cat zones/foobar.com.zone
  awk 'BEGIN { for (i = 0; i < 100000; i++) printf "host%d IN A 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }'
} >"$zone"
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) { r = rand() * 100;
    if (r < 70) printf "host%d.foobar.com A\n", int(rand() * 100000);
    else if (r < 90) printf "missing%d.foobar.com A\n", i;
    else printf "www.foobar.com AAAA\n"; } }' >"$work/queries"
port=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$work/dnsd.cg" \
  "$build/dnsd/dnsd" --zone "$zone" --listen "127.0.0.1:$port" --threads 1 2>"$work/dnsd.log" &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 1 300); do grep -q "state serving" "$work/dnsd.log" && break; sleep 0.2; done
dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -n 1 -c 1 -Q 2000 >"$work/dnsperf.out"
grep -E "Queries completed" "$work/dnsperf.out"
stop_server

# httpd: a small static file, keep-alive, through wrk.
mkdir -p "$work/www"
head -c 2048 /dev/urandom | base64 >"$work/www/index.html"
port=$(free_port)
valgrind --tool=callgrind --callgrind-out-file="$work/httpd.cg" \
  "$build/httpd/httpd" --listen "127.0.0.1:$port" --root "$work/www" --threads 1 2>"$work/httpd.log" &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 1 300); do grep -q "state serving" "$work/httpd.log" && break; sleep 0.2; done
wrk -t1 -c4 -d10s "http://127.0.0.1:$port/index.html" | grep -E "requests in"
stop_server

echo
report dnsd "$work/dnsd.cg" 'ThreadMetrics::count_answer'
report httpd "$work/httpd.cg" 'Counters::count_request'
