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

{
  cat zones/foobar.com.zone
  echo '*.wild IN A 192.0.2.77'
  echo 'alias IN CNAME www'
  echo 'sub IN NS ns.sub'
  echo 'ns.sub IN A 192.0.2.53'
  awk 'BEGIN { for (i = 0; i < 100000; i++) printf "host%d IN A 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }'
} >"$work/foobar.zone"
awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) { r = rand() * 100;
    if (r < 60) printf "host%d.foobar.com A\n", int(rand() * 100000);
    else if (r < 75) printf "missing%d.foobar.com A\n", i;
    else if (r < 85) print "alias.foobar.com A";
    else if (r < 95) printf "w%d.wild.foobar.com A\n", i;
    else printf "h%d.sub.foobar.com A\n", i; } }' >"$work/foobar.queries"
awk '$4 == "NS" && $1 != "." { print $1 }' "$root_zone" | sort -u >"$work/tlds"
awk -v tlds="$work/tlds" 'BEGIN { while ((getline t < tlds) > 0) tld[n++] = t; srand(11);
    for (i = 0; i < 20000; i++) { r = rand() * 100;
      if (r < 45) printf "www.example%d.%s A\n", i, tld[int(rand() * n)];
      else if (r < 90) printf "www.junk%d.invalidtld%d. A\n", i, i % 977;
      else if (r < 95) print ". NS";
      else printf "%c.root-servers.net. A\n", 97 + int(rand() * 13); } }' >"$work/root.queries"

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
  if [[ $z == foobar ]]; then zone=$work/foobar.zone origin=foobar.com; else zone=$root_zone origin=.; fi
  cmp -s "$work/old/build/dnsd/dnsd" "$build/dnsd/dnsd" && echo "(the two builds are the same binary)" >&2
  old=$(count "$work/old/build/dnsd/dnsd" "$zone" "$origin" "$work/$z.queries")
  new=$(count "$build/dnsd/dnsd" "$zone" "$origin" "$work/$z.queries")
  awk -v z=$z -v a="$old" -v b="$new" 'BEGIN { printf "| %s | %d | %d | %.3f× |\n", z, a, b, b / a }'
done
