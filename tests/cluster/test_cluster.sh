#!/usr/bin/env bash
# The suite `cluster`: the domain on hosts simulated with network
# namespaces (scripts/cluster), in a temporary directory and under
# namespace names of its own, taken down by PID and deleted whatever
# happens. Exit 77 (skipped) where namespaces cannot be made.
#   BUILD=DIR tests/cluster/test_cluster.sh
set -uo pipefail
cd "$(dirname "$0")/../.."

# A namespace must be made and entered: in a chroot whose / is not a mount
# point, `ip netns exec` cannot remount it.
probe=wsprobe$$
if ((EUID != 0)) || ! ip netns add "$probe" 2>/dev/null; then
  echo "SKIP: network namespaces need root here"
  exit 77
fi
if ! ip netns exec "$probe" true 2>/dev/null; then
  ip netns del "$probe"
  echo "SKIP: a network namespace cannot be entered here (ip netns exec failed)"
  exit 77
fi
ip netns del "$probe"

export CLUSTER_STATE
CLUSTER_STATE=$(mktemp -d /tmp/webstack-cluster-XXXXXX)
export CLUSTER_PREFIX="wst$$-"
cleanup() {
  # The load, if a failure left it running (it ends by itself in 120 s).
  [[ -n ${load_pid:-} ]] && kill -TERM "$load_pid" 2>/dev/null
  scripts/cluster down >/dev/null 2>&1
  rm -rf "$CLUSTER_STATE"
}
trap cleanup EXIT

failures=0
checks=0
check() {  # WHAT COMMAND...
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@"; then
    echo "ok: $what"
  else
    echo "FAILED: $what"
    failures=$((failures + 1))
  fi
}
on() {  # HOST COMMAND...
  scripts/cluster exec "$@"
}
dig_short() {  # SERVER NAME: the addresses, sorted, on one line
  on client dig @"$1" -p 5300 +short +time=1 +tries=2 "$2" A | sort | tr '\n' ' '
}
site_page() {  # WEB_ADDRESS
  on client curl -s --max-time 5 -H 'Host: www.foobar.com' "http://$1:8080/" | grep -q '<h1>foobar.com</h1>'
}

if ! scripts/cluster up; then
  echo "FAILED: scripts/cluster up"
  for log in "$CLUSTER_STATE"/*/*.log; do echo "== $log"; tail -5 "$log"; done
  exit 1
fi

check "every daemon runs (scripts/cluster status)" scripts/cluster status
check "web1 serves the site" site_page 198.18.0.21
check "web2 serves the site" site_page 198.18.0.22
check "ns1 answers www.foobar.com with both web hosts" \
  test "$(dig_short 198.18.0.11 www.foobar.com)" = "198.18.0.21 198.18.0.22 "
check "ns2 answers www.foobar.com with both web hosts" \
  test "$(dig_short 198.18.0.12 www.foobar.com)" = "198.18.0.21 198.18.0.22 "

# A change through one web host's API: both name servers answer it, and
# the other web host's API reads it (one database).
token=$(cat "$CLUSTER_STATE/admin.token")
api() {  # WEB_ADDRESS METHOD PATH [BODY]
  on client curl -s --max-time 5 -H "Authorization: Bearer $token" -H 'Host: www.foobar.com' \
    -H 'Content-Type: application/json' -X "$2" ${4:+-d "$4"} "http://$1:8080/api/v1/zones/foobar.com$3"
}
# Retries COMMAND... for up to about 10 s; `waited_ms` says how long.
within_10s() {
  local started passed=1
  started=$(date +%s%N)
  for _ in $(seq 1 100); do
    if "$@"; then
      passed=0
      break
    fi
    sleep 0.1
  done
  waited_ms=$((($(date +%s%N) - started) / 1000000))
  return "$passed"
}
both_name_servers_answer() {  # NAME ADDRESSES (as dig_short prints them)
  [[ $(dig_short 198.18.0.11 "$1") == "$2" && $(dig_short 198.18.0.12 "$1") == "$2" ]]
}

created=$(api 198.18.0.21 POST /records '{"name": "change", "type": "A", "content": "192.0.2.55"}')
within_10s both_name_servers_answer change.foobar.com "192.0.2.55 "
answered=$?
check "a record made through web1 ($created)" test -n "$created"
check "ns1 and ns2 answer it (${waited_ms} ms after the API's answer, dig included)" \
  test "$answered" = 0
web2_reads_it() {
  api 198.18.0.22 GET /records | grep -q 192.0.2.55
}
check "web2's API reads it" web2_reads_it
check "ns2 took it as a signed IXFR" grep -q "1 differences by IXFR from 198.18.0.11" \
  "$CLUSTER_STATE/ns2/dnsd.log"

# --- under load ---------------------------------------------------------------
# The client host browses www.foobar.com as browsers do and writes through
# the API (tests/cluster/cluster_load.cpp) while one kind of host at a time
# dies and comes back. A scenario passes when no request failed that a
# browser would have retried, every name lookup was answered, and no
# acknowledged write was lost.
load_out=$CLUSTER_STATE/load.out
start_load() {
  # ip netns exec execs the load itself: $! is what SIGTERM must reach.
  ip netns exec "${CLUSTER_PREFIX}client" "$BUILD/tests/cluster_load" \
    --ns 198.18.0.11:5300 --ns 198.18.0.12:5300 --users 4 --seconds 120 \
    --token-file "$CLUSTER_STATE/admin.token" >"$load_out" 2>&1 &
  load_pid=$!
  sleep 1
}
stop_load() {
  kill -TERM "$load_pid" 2>/dev/null
  wait "$load_pid"
  load_pid=""
  report=$(head -1 "$load_out")
}
counted() {  # WHAT: the number the load's report gives for it
  sed -n "s/.*$1 \([0-9]*\).*/\1/p" <<<"$report"
}
# Checks the report; CUT_ALLOWED: requests and writes in flight on a new
# connection to a host killed under them (a browser shows that error too).
judge() {  # SCENARIO CUT_ALLOWED
  echo "$1: $report"
  sed -n '2,$p' "$load_out"
  reports+=("$1: $report")
  check "$1: load ran (requests $(counted requests))" test "$(counted requests)" -gt 100
  check "$1: no request failed" test "$(counted 'requests [0-9]*, failed')" = 0
  check "$1: every lookup answered" test "$(counted 'second name server [0-9]*, failed')" = 0
  check "$1: no acknowledged write lost ($(counted 'writes acknowledged') acknowledged)" \
    test "$(counted 'lost')" = 0
  check "$1: cut in flight $(counted 'cut in flight'), writes not acknowledged $(counted 'not acknowledged') (at most $2)" \
    test "$(counted 'cut in flight')" -le "$2" -a "$(counted 'not acknowledged')" -le "$2"
}
reports=()

# ns1 dies: lookups go to ns2, as a resolver moves on.
start_load
scripts/cluster kill ns1
sleep 6
scripts/cluster start ns1
within_10s both_name_servers_answer www.foobar.com "198.18.0.21 198.18.0.22 "
stop_load
judge "ns1 killed for 6 s" 0
check "lookups went to ns2 meanwhile ($(counted 'from the second name server'))" \
  test "$(counted 'from the second name server')" -gt 0

# web1 dies (httpd and both appsrv): each name server, on its own checks,
# stops handing it out; users whose connection dies move to web2.
start_load
# Timed from the SIGKILL, not from the kill command's end: it waits for
# the processes to be gone, which under ASan takes a second or two.
killed_at=$(date +%s%N)
scripts/cluster kill web1 &
killing=$!
within_10s both_name_servers_answer www.foobar.com "198.18.0.22 "
withdrawn=$?
withdrawn_ms=$((($(date +%s%N) - killed_at) / 1000000))
wait "$killing"
check "ns1 and ns2 stop answering web1 once it is gone (${withdrawn_ms} ms)" test "$withdrawn" = 0
sleep 2
scripts/cluster start web1
within_10s both_name_servers_answer www.foobar.com "198.18.0.21 198.18.0.22 "
back=$?
check "ns1 and ns2 answer web1 again once it serves (${waited_ms} ms after its start)" \
  test "$back" = 0
stop_load
judge "web1 killed, withdrawn from DNS after ${withdrawn_ms} ms" 5

# One appsrv dies: web2's httpd sends its requests to the other.
start_load
scripts/cluster kill web2 appsrv-9000
sleep 4
scripts/cluster start web2
sleep 2
stop_load
judge "web2's appsrv on :9000 killed for 4 s" 0

# A database node dies: appsrv and dnsd move to the next node; the others
# go on (a commit waits until they agree db1 is gone, ~2 s); db1 comes back
# and catches up (IST).
start_load
scripts/cluster kill db1
sleep 6
scripts/cluster start db1
sleep 1
stop_load
judge "db1 killed for 6 s, then rejoined" 0

# Scaling out: a third web host with one command; both name servers hand
# it out, and visitors arriving after their resolver's TTL reach it.
start_load
check "scripts/cluster add-web web3" scripts/cluster add-web web3
within_10s both_name_servers_answer www.foobar.com "198.18.0.21 198.18.0.22 198.18.0.23 "
added=$?
check "ns1 and ns2 answer web3 beside web1 and web2 (${waited_ms} ms after add-web)" \
  test "$added" = 0
sleep 7
stop_load
judge "web3 added" 0
web3_requests=$(grep -c cluster_load "$CLUSTER_STATE/web3/access.log")
check "web3 took load ($web3_requests requests)" test "$web3_requests" -gt 0

# A deploy: a new release rolled over every host, one at a time.
start_load
deploy_started=$(date +%s)
scripts/deploy >"$CLUSTER_STATE/deploy.out" 2>&1
deployed=$?
deploy_seconds=$(($(date +%s) - deploy_started))
stop_load
cat "$CLUSTER_STATE/deploy.out"
check "scripts/deploy rolled release 2 over every host (${deploy_seconds} s)" test "$deployed" = 0
judge "deploy of every host (${deploy_seconds} s)" 0
runs_release_2() {  # compared as files: a path read from /proc differs in a chroot
  local file daemon
  for file in "$CLUSTER_STATE"/{ns,web}*/*.pid; do
    daemon=$(basename "$file" .pid)
    daemon=${daemon%%-*}
    [[ /proc/$(cat "$file")/exe -ef $CLUSTER_STATE/releases/2/$daemon/$daemon ]] || return 1
  done
}
check "every daemon runs release 2" runs_release_2
check "every daemon runs (scripts/cluster status)" scripts/cluster status

# Nothing reaches outside: a host has no route but its bridge's.
check "the client has no route out" bash -c "! scripts/cluster exec client ip route get 8.8.8.8 >/dev/null 2>&1"

pids=$(cat "$CLUSTER_STATE"/*/*.pid)
scripts/cluster down >/dev/null
check "down stops every daemon" bash -c "for pid in $(echo $pids); do ! kill -0 \$pid 2>/dev/null || exit 1; done"
check "down deletes every host" bash -c "! ip netns list | grep -q '^$CLUSTER_PREFIX'"

echo "cluster: the load in each scenario"
printf '  %s\n' "${reports[@]}"
echo "cluster: $checks checks, $failures failed"
((failures == 0))
