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

# web1's httpd dies: each name server, on its own checks, stops handing
# out web1; the site stays reachable at the address still answered.
kill -TERM "$(cat "$CLUSTER_STATE/web1/httpd.pid")"
within_10s both_name_servers_answer www.foobar.com "198.18.0.22 "
withdrawn=$?
check "ns1 and ns2 stop answering web1 once its httpd is gone (${waited_ms} ms)" \
  test "$withdrawn" = 0
check "the site is served at the address answered" site_page 198.18.0.22

# Scaling out: a third web host with one command; both name servers hand
# it out beside web2 (web1 is still down).
check "scripts/cluster add-web web3" scripts/cluster add-web web3
within_10s both_name_servers_answer www.foobar.com "198.18.0.22 198.18.0.23 "
added=$?
check "ns1 and ns2 answer web3 beside web2 (${waited_ms} ms after add-web)" test "$added" = 0
check "web3 serves the site" site_page 198.18.0.23

# Nothing reaches outside: a host has no route but its bridge's.
check "the client has no route out" bash -c "! scripts/cluster exec client ip route get 8.8.8.8 >/dev/null 2>&1"

pids=$(cat "$CLUSTER_STATE"/*/*.pid)
scripts/cluster down >/dev/null
check "down stops every daemon" bash -c "for pid in $(echo $pids); do ! kill -0 \$pid 2>/dev/null || exit 1; done"
check "down deletes every host" bash -c "! ip netns list | grep -q '^$CLUSTER_PREFIX'"

echo "cluster: $checks checks, $failures failed"
((failures == 0))
