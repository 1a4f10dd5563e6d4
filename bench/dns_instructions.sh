#!/usr/bin/env bash
# Instructions dnsd spends answering, this tree against an earlier revision:
# callgrind counts only inside dnsd::handle_message (parse, answer, write),
# for 20,000 queries of each bench/dns.sh mix. Unlike queries/s on a shared
# machine, the count does not vary from run to run, so a change of a few
# percent shows. A benchmark, not a test; traffic stays on 127.0.0.1.
#
#   bench/dns_instructions.sh REV     # e.g. HEAD~3
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/dns_instructions.sh REV}
root_zone=${ROOT_ZONE:-../shared/data/root.zone}

scripts/setup --bench
source bench/lib.sh
build_release dnsd/dnsd
make_workdir webstack-instr
git worktree add -q --detach "$work/old" "$rev"
trap 'git worktree remove --force "$work/old" >/dev/null 2>&1 || true; cleanup' EXIT
meson setup "$work/old/build" "$work/old" --buildtype=release -Dtests=false >/dev/null
ninja -C "$work/old/build" dnsd/dnsd >/dev/null

make_foobar 20000
make_root "$root_zone" 20000

port=$((20000 + RANDOM % 20000))
count() {  # binary zone origin queries
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='dnsd::handle_message*' \
    --callgrind-out-file="$work/cg.out" "$1" --listen "127.0.0.1:$port" --threads 1 \
    --log-level warn --zone "$2" >/dev/null 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  for _ in $(seq 1 600); do
    dig +time=1 +tries=1 @127.0.0.1 -p "$port" "$3" SOA +short 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  dnsperf -s 127.0.0.1 -p "$port" -d "$4" -c 1 -n 1 -q 10 >/dev/null 2>&1
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  local total
  total=$(callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
  echo $((total / 20000))
}

echo "| zone | $rev | this tree | ratio |"
echo "|---|---|---|---|"
for z in foobar root; do
  if [[ $z == foobar ]]; then zone=$work/foobar.com.zone origin=foobar.com; else zone=$work/root.zone origin=.; fi
  cmp -s "$work/old/build/dnsd/dnsd" "$build/dnsd/dnsd" && echo "(the two builds are the same binary)" >&2
  old=$(count "$work/old/build/dnsd/dnsd" "$zone" "$origin" "$work/$z.queries")
  new=$(count "$build/dnsd/dnsd" "$zone" "$origin" "$work/$z.queries")
  awk -v z=$z -v a="$old" -v b="$new" 'BEGIN { printf "| %s | %d | %d | %.3f× |\n", z, a, b, b / a }'
done
