#!/usr/bin/env bash
# appsrv against its ceiling: wrk on a record read and a record write
# through appsrv's HTTP API, next to the same queries issued straight
# through the driver (bench/db_ceiling, the same ZoneStore code without
# HTTP) by as many threads as appsrv has database workers. The server side
# (appsrv, MariaDB, the ceiling) runs on core 0 and wrk on core 1, so that
# appsrv and its ceiling have the same CPU. On SQLite and on a private
# MariaDB that this script starts and stops by its PID. Prints requests/s
# and appsrv/ceiling. A benchmark, not a test.
#
#   bench/app.sh
#   SECONDS_PER_RUN=5 bench/app.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-16}
workers=${WORKERS:-4}

scripts/setup --bench
source bench/lib.sh
build_release appsrv/appsrv bench/db_ceiling
make_workdir wsb  # short: MariaDB's socket path lives here

start_mariadb() {
  mariadb-install-db --no-defaults --datadir="$work/mdb" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$work/install.log" 2>&1
  mysql_port=$(free_port)
  taskset -c 0 mariadbd --no-defaults --datadir="$work/mdb" --socket="$work/s.sock" --port="$mysql_port" \
    --bind-address=127.0.0.1 --pid-file="$work/mdb.pid" --user=root --skip-log-bin \
    --log-error="$work/mariadb.log" --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_general_ci --innodb-log-file-size=64M \
    --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=1 &
  pids+=($!)
  until mariadb-admin --no-defaults --socket="$work/s.sock" -uroot ping >/dev/null 2>&1; do sleep 0.1; done
  mariadb --no-defaults --socket="$work/s.sock" -uroot -e "
    CREATE DATABASE bench CHARACTER SET utf8mb4;
    CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY 'bench';
    GRANT ALL ON bench.* TO 'bench'@'127.0.0.1';"
}

# Starts an appsrv on core 0 over `url`; sets `port` and `pid`.
start_appsrv() {  # name url
  local config=$work/$1.toml
  port=$(free_port)
  cat >"$config" <<CONF
[appsrv]
listen = ["127.0.0.1:$port"]
threads = 1
workers = $workers
log_level = "warn"
[db]
url = "$2"
CONF
  taskset -c 0 "$build/appsrv/appsrv" --config "$config" &
  pid=$!
  pids+=("$pid")
  until curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; do sleep 0.05; done
}

make_token() {  # name url
  printf '[db]\nurl = "%s"\n' "$2" >"$work/token.toml"
  "$build/appsrv/appsrv" --config "$work/token.toml" token create "$1" 2>/dev/null
}

# One engine: prints its two table rows.
bench_engine() {  # name url
  local name=$1 url=$2 port pid token record
  token=$(make_token "bench-$name" "$url")
  start_appsrv "$name" "$url"
  curl -s -o /dev/null -H "Authorization: Bearer $token" -d '{"name": "bench.test"}' \
    "http://127.0.0.1:$port/api/v1/zones"
  record=$(curl -s -H "Authorization: Bearer $token" \
    -d '{"name": "read", "type": "A", "content": "192.0.2.1"}' \
    "http://127.0.0.1:$port/api/v1/zones/bench.test/records" | sed 's/.*"id":\([0-9]*\).*/\1/')

  local mode rps ceiling
  for mode in read write; do
    rps=$(TOKEN=$token ZONE=bench.test RECORD=$record taskset -c 1 wrk -t 1 -c "$connections" -d "$duration" \
      -s "bench/$mode.lua" "http://127.0.0.1:$port" | awk '/Requests\/sec/ { print $2 }')
    ceiling=$(taskset -c 0 "$build/bench/db_ceiling" "$url" "$token" bench.test "$record" "$mode" "$workers" "$duration")
    awk -v n="$name" -v m="record $mode" -v r="$rps" -v c="$ceiling" \
      'BEGIN { printf "| %s | %s | %.0f | %.0f | %.2f |\n", n, m, r, c, r / c }'
  done
  # What the HTTP side alone costs: an answer that touches no database.
  taskset -c 1 wrk -t 1 -c "$connections" -d "$duration" "http://127.0.0.1:$port/healthz" |
    awk '/Requests\/sec/ { printf "%.0f\n", $2 }' >"$work/healthz-$name.txt"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

# Two appsrv writing to one SQLite file, each driven by its own wrk: one
# writer at a time is SQLite's rule, so what is measured is whether both
# get their turn (writes/s and the 99th percentile latency of each).
bench_shared_file() {
  local url="sqlite:$work/shared.db" token port pid ports=() servers=() drivers=() n
  token=$(make_token shared "$url")
  for n in 1 2; do
    start_appsrv "shared$n" "$url"
    ports+=("$port")
    servers+=("$pid")
  done
  curl -s -o /dev/null -H "Authorization: Bearer $token" -d '{"name": "shared.test"}' \
    "http://127.0.0.1:${ports[0]}/api/v1/zones"
  for n in 1 2; do
    TOKEN=$token ZONE=shared.test PREFIX=p$n taskset -c 1 wrk -t 1 -c $((connections / 2)) \
      -d "$duration" --latency -s bench/write.lua "http://127.0.0.1:${ports[n - 1]}" >"$work/wrk$n.txt" &
    drivers+=("$!")
  done
  wait "${drivers[@]}"
  kill "${servers[@]}"
  wait "${servers[@]}" 2>/dev/null || true
  for n in 1 2; do
    awk -v n="$n" '/Requests\/sec/ { r = $2 } / 99%/ { p = $2 } /Non-2xx/ { e = $NF }
      END { printf "| appsrv %s | %.0f | %s | %d |\n", n, r, p, e }' "$work/wrk$n.txt"
  done
}

echo
echo "wrk -t 1 -c $connections on core 1, ${duration}s per run; on core 0: appsrv (1 loop thread, $workers database workers), MariaDB, and the ceiling ($workers threads)"
echo
echo "| engine | case | appsrv req/s | ceiling ops/s | appsrv/ceiling |"
echo "|---|---|---|---|---|"
bench_engine sqlite "sqlite:$work/bench.db"
bench_shared_file >"$work/shared.md"
# Started only now: its background threads share core 0.
start_mariadb >/dev/null 2>&1
bench_engine mariadb "mysql://bench:bench@127.0.0.1:$mysql_port/bench"
echo
echo "The same appsrv answering GET /healthz (no database): $(cat "$work/healthz-sqlite.txt") req/s on SQLite, $(cat "$work/healthz-mariadb.txt") on MariaDB"
echo
echo "Two appsrv writing to one SQLite file, each driven by wrk -c $((connections / 2)) on core 1:"
echo
echo "| process | writes/s | p99 latency | errors |"
echo "|---|---|---|---|"
cat "$work/shared.md"
