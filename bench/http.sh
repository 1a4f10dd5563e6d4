#!/usr/bin/env bash
# httpd against nginx: the same files, the same upstream, one worker each
# pinned to core 0, wrk on core 1 with the same load (keep-alive, -t 1
# -c 50). Cleartext cases: a 1 KiB file, a 100 KiB file, and a small
# response proxied from an upstream (nginx with `return 200`, on core 1,
# shared by both). HTTPS cases, both servers with the same ECDSA P-256
# certificate and OpenSSL's defaults (TLS 1.3, TLS_AES_256_GCM_SHA384): the
# 1 KiB file kept alive, and with `Connection: close`, so that every
# request is a new connection and handshake (wrk resumes each with the
# ticket its previous connection got); and HTTP/2 by
# h2load (-c 50, 10 streams at once on each connection), the file and the
# proxied response. Runs alternate between the servers; the table gives medians of
# requests/s, average latency, the server's CPU time per request (from
# /proc/PID/stat of the server and its children) and httpd/nginx.
# A benchmark, not a test: run it by hand on a quiet machine. Traffic stays
# on 127.0.0.1; every server is stopped by its PID.
#
#   bench/http.sh
#   ROUNDS=1 SECONDS_PER_RUN=5 bench/http.sh
#   ONLY=proxied bench/http.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${SECONDS_PER_RUN:-10}
connections=${CONNECTIONS:-50}
server_cpu=0
load_cpu=1

scripts/setup --bench
source bench/lib.sh
build_release httpd/httpd
make_workdir webstack-bench
chmod 755 "$work"  # nginx workers run as nobody

mkdir -p "$work/www"
(
  cd "$work"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -days 2 -subj '/CN=bench CA' 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.csr \
    -subj '/CN=www.foobar.com' 2>/dev/null
  printf 'subjectAltName=DNS:www.foobar.com\n' >ext
  openssl x509 -req -in tls.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile ext -out tls.pem 2>/dev/null
  chmod 600 tls.key
)
head -c 1024 /dev/urandom >"$work/www/1k.bin"
head -c 102400 /dev/urandom >"$work/www/100k.bin"
chmod -R a+rX "$work/www"

# --- the shared upstream -------------------------------------------------------
upstream_port=$(free_port)
mkdir -p "$work/upstream"
cat >"$work/upstream/nginx.conf" <<CONF
worker_processes 1;
pid $work/upstream/nginx.pid;
error_log $work/upstream/error.log error;
events { worker_connections 4096; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$upstream_port;
        keepalive_requests 1000000;
        location / { return 200 "a small dynamic answer\n"; }
    }
}
CONF
taskset -c $load_cpu nginx -e "$work/upstream/error.log" -p "$work/upstream" -c "$work/upstream/nginx.conf" -g 'daemon off;' &
pids+=($!)

# --- the servers under test ------------------------------------------------------
port=$(free_port)
tls_port=$(free_port)

start_httpd() {
  cat >"$work/httpd.toml" <<CONF
[httpd]
listen = ["127.0.0.1:$port"]
listen_tls = ["127.0.0.1:$tls_port"]
threads = 1
max_connections = 10000
[[httpd.upstream]]
name = "app"
members = ["127.0.0.1:$upstream_port"]
keepalive = 256
health_interval = "0s"
[[httpd.server]]
listen = ["127.0.0.1:$port", "127.0.0.1:$tls_port"]
tls_certificate = "$work/tls.pem"
tls_key = "$work/tls.key"
[[httpd.server.route]]
prefix = "/app/"
proxy = "app"
[[httpd.server.route]]
root = "$work/www"
CONF
  taskset -c $server_cpu "$build/httpd/httpd" --config "$work/httpd.toml" --log-level warn &
  server_pid=$!
}

start_nginx() {
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log error;
events { worker_connections 10000; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    upstream app {
        server 127.0.0.1:$upstream_port;
        keepalive 256;
    }
    server {
        listen 127.0.0.1:$port;
        listen 127.0.0.1:$tls_port ssl http2;
        ssl_certificate $work/tls.pem;
        ssl_certificate_key $work/tls.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $work/www;
        location /app/ {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
  taskset -c $server_cpu nginx -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
  server_pid=$!
}



wait_ready() {
  for _ in $(seq 1 200); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/1k.bin"; then return 0; fi
    sleep 0.05
  done
  echo "server did not come up" >&2
  return 1
}


hz=$(getconf CLK_TCK)

# h2load's mean time for a request, in ms.
h2load_latency_ms() {
  awk '/time for request:/ { v = $6; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v; exit }'
}

# One HTTP/2 run, as run_one.
run_h2() {  # url
  local load=(taskset -c $load_cpu h2load -t 1 -c "$connections" -m 10)
  "${load[@]}" -D 1 "$1" >/dev/null  # warm-up
  local before after out
  before=$(cpu_ticks)
  out=$("${load[@]}" -D "$duration" "$1")
  after=$(cpu_ticks)
  stop_server
  local requests rps latency
  requests=$(awk '/^requests:/ { print $8 }' <<<"$out")
  rps=$(awk '/^finished in/ { print $4 }' <<<"$out")
  latency=$(h2load_latency_ms <<<"$out")
  if ! grep -q "status codes: [0-9]* 2xx, 0 3xx, 0 4xx, 0 5xx" <<<"$out"; then
    echo "warning: $1 answered non-2xx or failed" >&2
  fi
  awk -v r="$rps" -v l="$latency" -v n="$requests" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.3f %.2f\n", r, l, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

# One run: prints "requests/s latency_ms cpu_us_per_request".
run_one() {  # server target (path, https:path, https-close:path or h2:path)
  "start_$1"
  pids+=("$server_pid")
  wait_ready
  if [[ $2 == h2:* ]]; then
    run_h2 "https://127.0.0.1:$tls_port${2#h2:}"
    return
  fi
  local url="http://127.0.0.1:$port$2" extra=()
  case $2 in
    https:*) url="https://127.0.0.1:$tls_port${2#https:}" ;;
    https-close:*)
      url="https://127.0.0.1:$tls_port${2#https-close:}"
      extra=(-H "Connection: close")
      ;;
  esac
  # Warm-up: caches, keep-alive pools.
  taskset -c $load_cpu wrk -t 1 -c "$connections" -d 1 "${extra[@]}" "$url" >/dev/null
  local before after out
  before=$(cpu_ticks)
  out=$(taskset -c $load_cpu wrk -t 1 -c "$connections" -d "$duration" "${extra[@]}" "$url")
  after=$(cpu_ticks)
  stop_server
  local requests rps latency
  requests=$(awk '/requests in/ { print $1 }' <<<"$out")
  rps=$(awk '/Requests\/sec/ { print $2 }' <<<"$out")
  latency=$(awk '/Latency/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v; exit }' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "warning: $1 $2 answered non-2xx" >&2; fi
  awk -v r="$rps" -v l="$latency" -v n="$requests" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN { printf "%.0f %.3f %.2f\n", r, l, (n > 0 ? t / hz * 1e6 / n : 0) }'
}


cases=("1 KiB file|/1k.bin" "100 KiB file|/100k.bin" "proxied small response|/app/x"
  "HTTPS 1 KiB file, kept alive|https:/1k.bin" "HTTPS new handshake per request|https-close:/1k.bin"
  "h2 1 KiB file|h2:/1k.bin" "h2 proxied small response|h2:/app/x")
if [[ -n ${ONLY:-} ]]; then  # ONLY=proxied: the cases whose name holds it
  for i in "${!cases[@]}"; do [[ ${cases[$i]%%|*} == *"$ONLY"* ]] || unset "cases[$i]"; done
fi
declare -A results
for ((round = 1; round <= rounds; round++)); do
  for case in "${cases[@]}"; do
    path=${case#*|}
    for server in httpd nginx; do
      results["$server|$case"]+="$(run_one "$server" "$path")"$'\n'
    done
  done
done

echo
echo "wrk -t 1 -c $connections, ${duration}s per run, $rounds alternating rounds, medians; one server worker on core $server_cpu"
echo
echo "| case | httpd req/s | nginx req/s | ratio | httpd latency ms | nginx latency ms | httpd CPU µs/req | nginx CPU µs/req | CPU ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
for case in "${cases[@]}"; do
  name=${case%%|*}
  declare -A m=()
  for server in httpd nginx; do
    lines=${results["$server|$case"]}
    m[$server.rps]=$(awk 'NF { print $1 }' <<<"$lines" | median)
    m[$server.lat]=$(awk 'NF { print $2 }' <<<"$lines" | median)
    m[$server.cpu]=$(awk 'NF { print $3 }' <<<"$lines" | median)
  done
  # Ratios are paired: each round's httpd run against the nginx run right
  # after it, then the median, so that the machine's drift cancels.
  paired=$(paste <(awk 'NF' <<<"${results["httpd|$case"]}") <(awk 'NF' <<<"${results["nginx|$case"]}"))
  rps_ratio=$(awk '{ print $1 / $4 }' <<<"$paired" | median)
  cpu_ratio=$(awk '{ print $3 / $6 }' <<<"$paired" | median)
  awk -v n="$name" -v hr="${m[httpd.rps]}" -v nr="${m[nginx.rps]}" -v hl="${m[httpd.lat]}" \
      -v nl="${m[nginx.lat]}" -v hc="${m[httpd.cpu]}" -v nc="${m[nginx.cpu]}" -v rr="$rps_ratio" -v cr="$cpu_ratio" \
    'BEGIN { printf "| %s | %d | %d | %.2f | %.3f | %.3f | %.2f | %.2f | %.2f |\n", n, hr, nr, rr, hl, nl, hc, nc, cr }'
done
