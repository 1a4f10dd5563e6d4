#!/usr/bin/env bash
# The change path against PowerDNS, and appsrv against its ceiling. A
# benchmark, not a test; every server is started here, on loopback, and
# stopped by its PID. Servers run on core 0, the clients on core 1.
#
# 1. webstack (appsrv + dnsd on SQLite) next to PowerDNS 4.7 (gsqlite3
#    backend, its HTTP API), both with SQLite in WAL mode, synchronous =
#    NORMAL, and both driven through the same PowerDNS API requests (appsrv
#    speaks that dialect): change-to-wire (bench/change_to_wire: PATCH a new
#    RRset, then ask the DNS server until it answers with it), writes with
#    1 and 16 clients (each REPLACEs one of ten RRsets: the zone keeps its
#    size), and reads of the zone; on foobar.com and on a zone of 100,000
#    records. Ratios are webstack/PowerDNS.
# 2. appsrv's record read and write through its HTTP API, next to the same
#    calls straight through the driver (bench/db_ceiling, the same
#    ZoneStore code without HTTP), on SQLite and a private MariaDB.
#
#   bench/app.sh                 both
#   ONLY=pdns bench/app.sh       the first
#   ONLY=ceiling bench/app.sh    the second
#   SECONDS_PER_RUN=5 ROUNDS=200 BIG=100000 bench/app.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-16}
workers=${WORKERS:-4}
rounds=${ROUNDS:-300}
big=${BIG:-100000}
only=${ONLY:-}

scripts/setup --bench
source bench/lib.sh
build_release appsrv/appsrv dnsd/dnsd bench/db_ceiling bench/change_to_wire
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

# --- 1. webstack against PowerDNS -------------------------------------

# A zone of `big` A records besides its SOA and NS, as a zone file.
make_big_zone() {  # name file
  {
    printf '$ORIGIN %s.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.53\n' "$1"
    awk -v n="$big" 'BEGIN { for (i = 0; i < n; i++) printf "h%d IN A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256 }'
  } >"$2"
}

# Successful writes/s (2xx answers) from a wrk output.
successes_per_second() {  # wrk-output
  awk -v d="$duration" '/requests in/ { n = $1 } /Non-2xx/ { bad = $NF } END { printf "%.0f", (n - bad) / d }' "$1"
}

# One wrk run of bench/pdns_write.lua; prints successful writes/s.
writes() {  # zone connections replace|new
  WRITES=$3 KEY=$api_key ZONE=$1. taskset -c 1 wrk -t 1 -c "$2" -d "$duration" -s bench/pdns_write.lua \
    "http://127.0.0.1:$api_port" >"$work/wrk.txt"
  successes_per_second "$work/wrk.txt"
}

# Measures the running system on `api_port` and `dns_port`; prints one
# line: label zone cw_ok cw_failed api_p50 cw_p50 cw_p99 cw_max api_p99
# reads writes1 writes1_new writes16 writes16_new. Reads first, while the
# zone is as loaded.
measure() {  # label zone
  local zone=$2 cw rd=- w1 w1n w16=- w16n=-
  if [[ $zone != big.test ]]; then
    KEY=$api_key ZONE=$zone. taskset -c 1 wrk -t 1 -c "$connections" -d "$duration" -s bench/pdns_read.lua \
      "http://127.0.0.1:$api_port" >"$work/r.txt"
    rd=$(successes_per_second "$work/r.txt")
  fi
  cw=$(taskset -c 1 "$build/bench/change_to_wire" "$api_port" "$api_key" "$dns_port" "$zone" "$rounds")
  w1=$(writes "$zone" 1 replace)
  w1n=$(writes "$zone" 1 new)
  if [[ $zone != big.test ]]; then
    w16=$(writes "$zone" "$connections" replace)
    w16n=$(writes "$zone" "$connections" new)
  fi
  echo "$1 $zone $cw $rd $w1 $w1n $w16 $w16n"
}

run_webstack() {
  local url="sqlite:$work/webstack.db" app_pid dns_pid
  api_key=$(make_token bench "$url")
  dns_port=$(free_port)
  api_port=$(free_port)
  cat >"$work/webstack.toml" <<CONF
[appsrv]
listen = ["127.0.0.1:$api_port"]
threads = 1
workers = $workers
log_level = "warn"
max_body_size = "64m"
notify = ["127.0.0.1:$dns_port"]
[dnsd]
listen = ["127.0.0.1:$dns_port"]
threads = 1
log_level = "warn"
database_zones = true
[db]
url = "$url"
CONF
  taskset -c 0 "$build/appsrv/appsrv" --config "$work/webstack.toml" &
  app_pid=$!
  pids+=("$app_pid")
  until curl -s -o /dev/null "http://127.0.0.1:$api_port/healthz"; do sleep 0.05; done
  local auth="Authorization: Bearer $api_key"
  for zone in foobar.com big.test; do
    curl -s -o /dev/null -H "$auth" -H 'Content-Type: application/json' -d "{\"name\": \"$zone\"}" \
      "http://127.0.0.1:$api_port/api/v1/zones"
  done
  curl -s -o /dev/null -H "$auth" -H 'Content-Type: text/dns' --data-binary @zones/foobar.com.zone \
    "http://127.0.0.1:$api_port/api/v1/zones/foobar.com/import"
  curl -s -o /dev/null -H "$auth" -H 'Content-Type: text/dns' --data-binary @"$work/big.zone" \
    --max-time 600 "http://127.0.0.1:$api_port/api/v1/zones/big.test/import"
  taskset -c 0 "$build/dnsd/dnsd" --config "$work/webstack.toml" 2>"$work/dnsd.log" &
  dns_pid=$!
  pids+=("$dns_pid")
  until dig @127.0.0.1 -p "$dns_port" +short +time=1 +tries=1 h0.big.test A | grep -q 10.0.0.0; do sleep 0.2; done
  server_pid=$app_pid
  measure webstack foobar.com
  measure webstack big.test
  echo "memory webstack $(($(ps -o rss= -p "$app_pid") + $(ps -o rss= -p "$dns_pid")))"
  kill "$app_pid" "$dns_pid"
  wait "$app_pid" "$dns_pid" 2>/dev/null || true
}

# PowerDNS as ../shared/BENCHMARKING.md runs it (`defaults`: SQLite's
# rollback journal, synchronous FULL), or with SQLite set as appsrv sets
# it (`wal`: WAL, synchronous NORMAL), which is kinder to its writes.
run_powerdns() {  # defaults|wal
  local d=$work/pdns-$1 pid pragma=""
  mkdir -p "$d"
  sqlite3 "$d/pdns.db" </usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql
  if [[ $1 == wal ]]; then
    sqlite3 "$d/pdns.db" 'PRAGMA journal_mode = WAL;' >/dev/null
    pragma="gsqlite3-pragma-synchronous=1"
  fi
  api_key=pdns-bench-key
  dns_port=$(free_port)
  api_port=$(free_port)
  cat >"$d/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$d/pdns.db
$pragma
local-address=127.0.0.1
local-port=$dns_port
api=yes
api-key=$api_key
webserver=yes
webserver-address=127.0.0.1
webserver-port=$api_port
webserver-allow-from=127.0.0.0/8
socket-dir=$d
daemon=no
guardian=no
disable-syslog=yes
loglevel=3
setuid=
setgid=
CONF
  pdnsutil --config-dir="$d" load-zone foobar.com zones/foobar.com.zone >/dev/null 2>&1
  pdnsutil --config-dir="$d" load-zone big.test "$work/big.zone" >/dev/null 2>&1
  taskset -c 0 pdns_server --config-dir="$d" >"$d/pdns.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  until dig @127.0.0.1 -p "$dns_port" +short +time=1 +tries=1 h0.big.test A | grep -q 10.0.0.0; do sleep 0.2; done
  server_pid=$pid
  measure "powerdns-$1" foobar.com
  measure "powerdns-$1" big.test
  echo "memory powerdns $(ps -o rss= -p "$pid")"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

bench_powerdns() {
  make_big_zone big.test "$work/big.zone"
  run_webstack >"$work/webstack.txt"
  run_powerdns defaults >"$work/powerdns.txt"
  run_powerdns wal >"$work/powerdns-wal.txt"
  echo
  echo "webstack (appsrv + dnsd, SQLite) and PowerDNS $(pdns_server --version 2>&1 | grep -o 'Server [0-9.]*' | head -1 | cut -d' ' -f2) (gsqlite3), both through the PowerDNS API; servers on core 0, clients on core 1; ${duration}s per wrk run, $rounds change-to-wire rounds; big.test holds $big records"
  echo
  echo "| case | zone | webstack | PowerDNS | webstack/PowerDNS | PowerDNS, WAL | webstack/that |"
  echo "|---|---|---|---|---|---|---|"
  # Each file's lines: label zone ok failed api_p50 cw_p50 cw_p99 cw_max api_p99 reads w1 w1new w16 w16new
  awk -v c="$connections" '
    FNR == 1 { side++ }
    !/^memory/ { for (i = 3; i <= NF; i++) v[side, $2, i] = $i; if (side == 1) order[++n] = $2 }
    function ratio(z, i, other) {
      return v[other, z, i] > 0 ? sprintf("%.2f", v[1, z, i] / v[other, z, i]) : ""
    }
    function row(what, z, i, with_ratio) {
      printf "| %s | %s | %s | %s | %s | %s | %s |\n", what, z, v[1, z, i], v[2, z, i],
        with_ratio ? ratio(z, i, 2) : "", v[3, z, i], with_ratio ? ratio(z, i, 3) : ""
    }
    END {
      for (k = 1; k <= n; k++) {
        z = order[k]
        row("change-to-wire p50 (ms)", z, 6, 1)
        row("change-to-wire p99 (ms)", z, 7, 1)
        row("change-to-wire max (ms)", z, 8, 0)
        row("API answer p50 (ms)", z, 5, 1)
        row("changes not on the wire within 5 s", z, 4, 0)
        if (v[1, z, 10] != "-") row("API read of the zone as loaded, " c " clients (req/s)", z, 10, 1)
        row("API write, 1 client, replacing one of ten RRsets (writes/s)", z, 11, 1)
        row("API write, 1 client, a new RRset each (writes/s)", z, 12, 1)
        if (v[1, z, 13] != "-") row("API write, " c " clients, replacing (successful writes/s)", z, 13, 1)
        if (v[1, z, 14] != "-") row("API write, " c " clients, a new RRset each (successful writes/s)", z, 14, 1)
      }
    }' "$work/webstack.txt" "$work/powerdns.txt" "$work/powerdns-wal.txt"
  awk '/^webstack big.test/ { big = $11 } /^webstack foobar.com/ { small = $11 }
    END { printf "\nA write into big.test costs %.2fx a write into foobar.com (webstack, 1 client, replacing)\n", small / big }' "$work/webstack.txt"
  echo "Resident memory at the end: webstack $(awk '/memory/ { printf "%.0f", $3 / 1024 }' "$work/webstack.txt") MiB (appsrv + dnsd), PowerDNS $(awk '/memory/ { printf "%.0f", $3 / 1024 }' "$work/powerdns.txt") MiB"
}

if [[ $only == pdns || -z $only ]]; then
  bench_powerdns
fi
[[ $only == pdns ]] && exit 0

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
