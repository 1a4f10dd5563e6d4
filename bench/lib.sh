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
