#!/usr/bin/env bash
# dnsd against NSD and Knot DNS on the same zone, the same thread count and
# the same query mix, driven by dnsperf over UDP and TCP. Prints queries/s,
# latency, server CPU time per answered query, resident memory, and the
# ratio dnsd/peer. A benchmark, not a test: run it by hand on a quiet
# machine. Traffic stays on 127.0.0.1; every server is stopped by its PID.
#
#   bench/dns.sh                 # both zones, UDP and TCP, 3 alternating rounds
#   ROUNDS=1 SECONDS_PER_RUN=5 bench/dns.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${SECONDS_PER_RUN:-10}
root_zone=${ROOT_ZONE:-../shared/data/root.zone}
server_cpu=0
load_cpu=1

scripts/setup --bench
source bench/lib.sh
build_release dnsd/dnsd
make_workdir webstack-bench

# --- servers -------------------------------------------------------------------
port=$((20000 + RANDOM % 20000))

start_dnsd() {  # zone-file origin
  taskset -c $server_cpu "$build/dnsd/dnsd" --listen "127.0.0.1:$port" --threads 1 --log-level warn \
    --zone "$1" >"$work/dnsd.log" 2>&1 &
  server_pid=$!
}

start_nsd() {  # zone-file origin
  local dir=$work/nsd
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$dir"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    rrl-ratelimit: 0
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: "$2"
    zonefile: "$1"
CONF
  taskset -c $server_cpu nsd -d -c "$dir/nsd.conf" >"$dir/stdout" 2>&1 &
  server_pid=$!
}

start_knot() {  # zone-file origin
  local dir=$work/knot
  rm -rf "$dir" && mkdir -p "$dir/db"
  cat >"$dir/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$port
    rundir: "$dir"
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
database:
    storage: "$dir/db"
log:
  - target: stderr
    any: error
zone:
  - domain: "$2"
    file: "$1"
    journal-content: none
    zonefile-sync: -1
CONF
  taskset -c $server_cpu knotd -c "$dir/knot.conf" >"$dir/stdout" 2>&1 &
  server_pid=$!
}

# Every thread of the server pinned again after start-up: Knot pins its own.
pin_server() {
  local p t
  for p in $(server_tasks "$server_pid"); do
    for t in /proc/"$p"/task/*; do taskset -p -c $server_cpu "${t##*/}" >/dev/null 2>&1 || true; done
  done
}

rss_kib() {
  local total=0 p
  for p in $(server_tasks "$server_pid"); do
    [[ -r /proc/$p/status ]] || continue
    total=$((total + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status")))
  done
  echo "$total"
}

wait_ready() {  # name
  for _ in $(seq 1 200); do
    if dig +time=1 +tries=1 @127.0.0.1 -p "$port" "$1" SOA +short 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.05
  done
  echo "server did not come up" >&2
  return 1
}


hz=$(getconf CLK_TCK)

# One run: prints "qps latency_ms cpu_us_per_query rss_mib".
run_one() {  # server zone-file origin queries transport
  "start_$1" "$2" "$3"
  pids+=("$server_pid")
  wait_ready "$3"
  pin_server
  local rss before after out
  rss=$(rss_kib)
  before=$(cpu_ticks)
  local mode=()
  [[ $5 == tcp ]] && mode=(-m tcp)
  out=$(taskset -c $load_cpu dnsperf -s 127.0.0.1 -p "$port" -d "$4" -c 8 -T 1 -q 100 -l "$duration" "${mode[@]}" 2>&1)
  after=$(cpu_ticks)
  stop_server
  local qps completed latency
  qps=$(awk '/Queries per second/ { print $4 }' <<<"$out")
  completed=$(awk '/Queries completed/ { print $3 }' <<<"$out")
  latency=$(awk '/Average Latency/ { print $4 * 1000; exit }' <<<"$out")
  awk -v q="$qps" -v l="$latency" -v c="$completed" -v t=$((after - before)) -v hz="$hz" -v r="$rss" \
    'BEGIN { printf "%.0f %.3f %.2f %.1f\n", q, l, (c > 0 ? t / hz * 1e6 / c : 0), r / 1024 }'
}


bench_zone() {  # label zone-file origin queries
  local label=$1 zone=$2 origin=$3 queries=$4 transport server round
  for transport in udp tcp; do
    declare -A results=()
    for round in $(seq 1 "$rounds"); do
      for server in dnsd nsd knot; do
        results[$server]+="$(run_one "$server" "$zone" "$origin" "$queries" "$transport")"$'\n'
      done
    done
    echo
    echo "### $label, $transport (medians of $rounds alternating runs, ${duration} s each, 1 thread, dnsperf -c 8 -T 1 -q 100)"
    echo
    echo "| server | queries/s | avg latency ms | CPU µs/query | RSS MiB |"
    echo "|---|---|---|---|---|"
    local s col
    declare -A med=()
    for s in dnsd nsd knot; do
      for col in 1 2 3 4; do
        med[$s,$col]=$(awk -v c=$col 'NF { print $c }' <<<"${results[$s]}" | median)
      done
      echo "| $s | ${med[$s,1]} | ${med[$s,2]} | ${med[$s,3]} | ${med[$s,4]} |"
    done
    for s in nsd knot; do
      awk -v a="${med[dnsd,1]}" -v b="${med[$s,1]}" -v c="${med[dnsd,3]}" -v d="${med[$s,3]}" \
        -v e="${med[dnsd,4]}" -v f="${med[$s,4]}" -v s=$s \
        'BEGIN { printf "| dnsd/%s | %.2f× | | %.2f× | %.2f× |\n", s, a / b, c / d, e / f }'
    done
  done
}

echo "## DNS benchmark: $(date -u +%Y-%m-%d), $(nproc) cores, $(awk -F: '/model name/ { print $2; exit }' /proc/cpuinfo | sed 's/^ *//')"
make_foobar 100000
bench_zone "foobar.com + 100,000 names" "$work/foobar.com.zone" foobar.com "$work/foobar.queries"
if [[ -r $root_zone ]]; then
  make_root "$root_zone" 100000
  bench_zone "the root zone" "$work/root.zone" . "$work/root.queries"
else
  echo
  echo "(no $root_zone: the root-zone run is skipped)"
fi
