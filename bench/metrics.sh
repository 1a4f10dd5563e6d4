#!/usr/bin/env bash
# What counting for /metrics costs on the answer and request paths. Each
# daemon runs under callgrind (one loop thread, counted apart from the
# main thread that loads the configuration and zones) while a load goes
# through it; the instructions of the counting function (inclusive) are
# compared with all of the loop thread's. Instructions are not seconds,
# but they are repeatable, and the kernel's share (send, receive), which
# counting never touches, is left out: the real share of CPU is smaller
# than printed. Target: under 2 %. Traffic stays on 127.0.0.1; servers
# stop by PID.
#
#   bench/metrics.sh
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup --bench
source bench/lib.sh
build_release dnsd/dnsd httpd/httpd
make_workdir webstack-metrics

# The loop thread's profile: the per-thread file that holds `pattern`.
thread_file() {  # prefix pattern
  local file
  for file in "$1"-*; do
    # grep without -q reads to the end: an early exit would fail the pipe.
    if callgrind_annotate --inclusive=yes --threshold=100 "$file" 2>/dev/null | grep -- "$2" >/dev/null; then
      echo "$file"
      return
    fi
  done
}

report() {  # daemon prefix counting-function
  local file total counting
  file=$(thread_file "$2" "$3")
  [[ -n $file ]] || { echo "$1: no thread ran $3"; return 1; }
  total=$(callgrind_annotate "$file" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  counting=$(callgrind_annotate --inclusive=yes --threshold=100 "$file" 2>/dev/null |
    awk -v f="$3" 'index($0, f) && !found { gsub(",", "", $1); print $1; found = 1 }')
  awk -v d="$1" -v c="$counting" -v t="$total" -v f="$3" 'BEGIN {
    printf "%-6s %-28s %12d of %13d instructions on the loop thread: %.2f %%\n", d, f, c, t, 100 * c / t }'
}

# Starts `daemon` on 127.0.0.1:$port with one loop thread under callgrind
# (a profile per thread in $work/DAEMON.cg-NN) and waits until it serves.
under_callgrind() {  # daemon arguments...
  local daemon=$1
  shift
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/$daemon.cg" \
    "$build/$daemon/$daemon" "$@" --listen "127.0.0.1:$port" --threads 1 2>"$work/$daemon.log" &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 300); do grep -q "state serving" "$work/$daemon.log" && break; sleep 0.2; done
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
under_callgrind dnsd --zone "$zone"
dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries" -n 1 -c 1 -Q 2000 >"$work/dnsperf.out"
grep -E "Queries completed" "$work/dnsperf.out"
stop_server

# httpd: a small static file, keep-alive, through wrk.
mkdir -p "$work/www"
head -c 2048 /dev/urandom | base64 >"$work/www/index.html"
port=$(free_port)
under_callgrind httpd --root "$work/www"
wrk -t1 -c4 -d10s "http://127.0.0.1:$port/index.html" | grep -E "requests in"
stop_server

echo
report dnsd "$work/dnsd.cg" 'ThreadMetrics::count_answer'
report httpd "$work/httpd.cg" 'Counters::count_request'
