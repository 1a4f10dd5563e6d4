# What the benchmark scripts share; sourced, not run. Each script starts
# servers by PID into `pids`, and `server_pid` is the one being measured.

# Builds the release tree (without tests) and the given targets.
build=build-release
build_release() {
  [[ -f $build/build.ninja ]] || meson setup "$build" --buildtype=release -Dtests=false >/dev/null
  ninja -C "$build" "$@" >/dev/null
}

# A temporary directory in $work, removed on exit with every started server.
# Keep the prefix short: a MariaDB socket path lives there.
make_workdir() {  # prefix
  work=$(mktemp -d "/tmp/$1-XXXXXX")
  pids=()
  trap cleanup EXIT
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The server's process and all its descendants (NSD serves from children
# of a reload process, nginx from workers).
server_tasks() {
  local pid=$1 child
  echo "$pid"
  for child in $(pgrep -P "$pid" || true); do server_tasks "$child"; done
}

# User + system clock ticks of the measured server and its children.
cpu_ticks() {
  local total=0 p
  for p in $(server_tasks "$server_pid"); do
    [[ -r /proc/$p/stat ]] || continue
    # utime and stime, counted after the command name, which may hold spaces ("nsd: main").
    total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# --- dnsd's zones and query mixes (bench/dns.sh, bench/dns_instructions.sh) ----
# $work/foobar.com.zone: zones/foobar.com.zone plus a wildcard, a CNAME, a
# delegation and 100,000 A records; $work/foobar.queries: `count` queries,
# 60 % hits, 15 % NXDOMAIN, 10 % CNAME, 10 % wildcard, 5 % referral.
make_foobar() {  # count
  {
    cat zones/foobar.com.zone
    echo '*.wild IN A 192.0.2.77'
    echo 'alias IN CNAME www'
    echo 'sub IN NS ns.sub'
    echo 'ns.sub IN A 192.0.2.53'
    awk 'BEGIN { for (i = 0; i < 100000; i++) printf "host%d IN A 10.%d.%d.%d\n", i, int(i/65536), int(i/256)%256, i%256 }'
  } >"$work/foobar.com.zone"
  awk -v count="$1" 'BEGIN { srand(7); for (i = 0; i < count; i++) { r = rand() * 100;
      if (r < 60) printf "host%d.foobar.com A\n", int(rand() * 100000);
      else if (r < 75) printf "missing%d.foobar.com A\n", i;
      else if (r < 85) print "alias.foobar.com A";
      else if (r < 95) printf "w%d.wild.foobar.com A\n", i;
      else printf "h%d.sub.foobar.com A\n", i; } }' >"$work/foobar.queries"
}

# $work/root.zone: a copy of `root_zone`; $work/root.queries: `count`
# queries, 45 % names under existing TLDs (referrals), 45 % junk TLDs
# (NXDOMAIN), 5 % the apex, 5 % root-servers.net.
make_root() {  # root_zone count
  cp "$1" "$work/root.zone"
  awk '$4 == "NS" && $1 != "." { print $1 }' "$1" | sort -u >"$work/tlds"
  awk -v tlds="$work/tlds" -v count="$2" 'BEGIN { while ((getline t < tlds) > 0) tld[n++] = t; srand(11);
      for (i = 0; i < count; i++) { r = rand() * 100;
        if (r < 45) printf "www.example%d.%s A\n", i, tld[int(rand() * n)];
        else if (r < 90) printf "www.junk%d.invalidtld%d. A\n", i, i % 977;
        else if (r < 95) print ". NS";
        else printf "%c.root-servers.net. A\n", 97 + int(rand() * 13); } }' >"$work/root.queries"
}
