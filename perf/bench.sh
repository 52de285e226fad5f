#!/usr/bin/env bash
# Remora vs HAProxy vs nginx: throughput, latency and CPU per request through one proxy core.
# A benchmark, not a test: it measures and prints, it never fails on a number. See perf/README.md.
#
#   perf/bench.sh                          # DURATION=10s ROUNDS=3, all targets
#   DURATION=30s ROUNDS=5 perf/bench.sh
#   PROXIES="remora haproxy" perf/bench.sh
#
# Env: DURATION (10s), WARMUP (5s), ROUNDS (3), CONNECTIONS (64), PROXIES ("direct remora haproxy nginx"),
#      REMORA_JAVA (Temurin 25 if present, else java), REMORA_JAVA_OPTS ("-XX:+UseSerialGC -Xms64m -Xmx256m"),
#      REMORA_CONFIG (perf/conf/remora.yaml: Remora's config; @TMP@ in it becomes the temp dir; e.g.
#      perf/conf/remora-access-log.yaml adds a JSON access log, to measure what it costs),
#      PROXY_CPU (0), LOAD_CPU (1), QUIET_WAIT (120: seconds to wait for a quiet machine before each run),
#      RETRY_NOISY (2: a run in which other processes took >= 10% of the proxy's or the load CPU is measured
#      again, at most this many times; the last attempt counts, flagged),
#      KEEP_TMP=1 keeps the temp dir (configs, logs, raw wrk output).
#
# Layout on the machine: the proxy under test alone on CPU $PROXY_CPU; the nginx backend and wrk share
# CPU $LOAD_CPU. All traffic stays on 127.0.0.1: proxy on :18000, backends on :18081 and :18082.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
conf_dir="$here/conf"

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
PROXIES="${PROXIES:-direct remora haproxy nginx}"
PROXY_CPU="${PROXY_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
QUIET_WAIT="${QUIET_WAIT:-120}"
RETRY_NOISY="${RETRY_NOISY:-2}"
if [[ -z "${REMORA_JAVA:-}" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    REMORA_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    REMORA_JAVA="$(command -v java || true)"
  fi
fi
REMORA_JAVA_OPTS="${REMORA_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx256m}"
REMORA_CONFIG="${REMORA_CONFIG:-$conf_dir/remora.yaml}"

PROXY_PORT=18000
BACKEND_PORTS=(18081 18082)
EXPECTED_BODY=$'hello\n'
# Lines of Remora's log that mean trouble: JUL WARNING/SEVERE records ("2026-01-01 12:00:00.000 WARNING ..."),
# exceptions and stack frames, a JVM crash. The JDK's own "WARNING: A restricted method ..." notices
# (Netty loading its native transport on Java 22+) do not match.
REMORA_BAD_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ (WARNING|SEVERE|ERROR|WARN) |Exception|^[[:space:]]+at |OutOfMemoryError|fatal error|^remora: '

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- arguments
case "${1:-}" in
  -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  *) die "no arguments expected (settings are env vars; see --help)" ;;
esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$ROUNDS'"
[[ -f "$REMORA_CONFIG" ]] || die "REMORA_CONFIG: no such file: $REMORA_CONFIG"
[[ "$RETRY_NOISY" =~ ^[0-9]+$ ]] || die "RETRY_NOISY must be a number, got '$RETRY_NOISY'"
[[ "$QUIET_WAIT" =~ ^[0-9]+$ ]] || die "QUIET_WAIT must be a number of seconds, got '$QUIET_WAIT'"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer, got '$CONNECTIONS'"
dur_seconds() {  # 10s / 2m / 10 -> seconds
  local d="$1"
  case "$d" in
    *s) echo "${d%s}" ;; *m) echo $(( ${d%m} * 60 )) ;; *h) echo $(( ${d%h} * 3600 )) ;; *) echo "$d" ;;
  esac
}
for d in "$DURATION" "$WARMUP"; do
  [[ "$d" =~ ^[0-9]+[smh]?$ ]] || die "DURATION/WARMUP must look like 10s, 2m or 10 (got '$d')"
done
targets=()
for p in $PROXIES; do
  case "$p" in
    direct|remora|haproxy|nginx) targets+=("$p") ;;
    *) die "unknown proxy '$p' in PROXIES (choose from: direct remora haproxy nginx)" ;;
  esac
done
(( ${#targets[@]} > 0 )) || die "PROXIES is empty"
ncpu="$(getconf _NPROCESSORS_ONLN)"
(( ncpu > PROXY_CPU && ncpu > LOAD_CPU )) || die "need CPUs $PROXY_CPU and $LOAD_CPU, this machine has $ncpu"
(( PROXY_CPU != LOAD_CPU )) || log "WARNING: PROXY_CPU == LOAD_CPU; the proxy will compete with wrk and the backend"

# ---------------------------------------------------------------- tools
need_pkgs=()
command -v haproxy >/dev/null 2>&1 || need_pkgs+=(haproxy)
command -v nginx >/dev/null 2>&1 || need_pkgs+=(nginx)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
command -v pgrep >/dev/null 2>&1 || need_pkgs+=(procps)
if (( ${#need_pkgs[@]} > 0 )); then
  [[ "$(id -u)" == 0 ]] || die "missing ${need_pkgs[*]}; run as root or: apt-get install ${need_pkgs[*]}"
  log "installing ${need_pkgs[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null \
    || die "apt-get install ${need_pkgs[*]} failed"
  # Debian's packages may start system services; ours use their own configs and ports, so leave them be.
fi
[[ -n "$REMORA_JAVA" && -x "$REMORA_JAVA" ]] || die "no java found (set REMORA_JAVA)"
haproxy_version="$(haproxy -v 2>&1 | head -1)"
[[ "$haproxy_version" == *"version 2.6"* ]] || log "WARNING: expected HAProxy 2.6, found: $haproxy_version"
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- temp dir, cleanup
TMP="$(mktemp -d /tmp/remora-bench.XXXXXX)"
chmod 755 "$TMP"   # nginx workers run as nobody
declare -A started=()   # pid -> name, every process group we started
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${!started[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  local deadline=$(( SECONDS + 5 ))
  for pid in "${!started[@]}"; do
    while kill -0 -- "-$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- process helpers
# start NAME CPU LOGFILE CMD...: runs CMD pinned to CPU in a process group of its own; sets START_PID.
start() {
  local name="$1" cpu="$2" logf="$3"; shift 3
  # Not a group leader (no job control here), so setsid execs in place: $! is the server's own pid.
  setsid taskset -c "$cpu" "$@" >"$logf" 2>&1 < /dev/null &
  START_PID=$!
  started[$START_PID]="$name"
}
# stop PID: TERM the process group, KILL it after 5 s.
stop() {
  local pid="$1" deadline=$(( SECONDS + 5 ))
  kill -TERM -- "-$pid" 2>/dev/null || true
  while kill -0 -- "-$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "started[$pid]"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# wait_port PORT PID NAME LOG SECONDS: until PORT accepts; dies if the process exits or the deadline passes.
wait_port() {
  local port="$1" pid="$2" name="$3" logf="$4" deadline=$(( SECONDS + $5 ))
  until port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$logf" >&2 || true
      die "$name exited before listening on 127.0.0.1:$port (its log is above; KEEP_TMP=1 keeps $logf)"
    fi
    (( SECONDS < deadline )) || { tail -n 30 "$logf" >&2 || true; die "$name did not listen on 127.0.0.1:$port within $5 s"; }
    sleep 0.05
  done
}
wait_port_free() {
  local port="$1" deadline=$(( SECONDS + 10 ))
  while port_open "$port"; do
    (( SECONDS < deadline )) || die "127.0.0.1:$port is still in use (another server? check: ss -ltnp 'sport = :$port')"
    sleep 0.1
  done
}
# cpu_stat LINE ("cpu" = all CPUs, "cpu0" = CPU 0): "busy total" jiffies from /proc/stat.
cpu_stat() {
  awk -v l="$1" '$1 == l {b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6}' /proc/stat
}
# wait_quiet: other sessions may share this machine (builds, tests). Before each target starts, wait up to
# QUIET_WAIT seconds for a second in which the machine, our idle backend included, used < 15% of one CPU.
wait_quiet() {
  local deadline=$(( SECONDS + QUIET_WAIT )) b0 t0 b1 t1 pct said=0
  while :; do
    read -r b0 t0 < <(cpu_stat cpu)
    sleep 1
    read -r b1 t1 < <(cpu_stat cpu)
    pct=$(( (b1 - b0) * 100 * ncpu / (t1 - t0 > 0 ? t1 - t0 : 1) ))   # in % of one CPU
    (( pct < 15 )) && return 0
    if (( SECONDS >= deadline )); then
      log "WARNING: machine still busy (${pct}% of a CPU used by other processes); measuring anyway"
      return 0
    fi
    (( said )) || { log "machine busy (${pct}% of a CPU used by other processes), waiting up to ${QUIET_WAIT}s"; said=1; }
  done
}
# children_ticks: CPU of every finished child of this shell (wrk, mostly), from the "times" builtin, which must
# run in this shell itself (not in $(...)) to see them: sets CHILD_TICKS.
children_ticks() {
  times > "$TMP/times"
  CHILD_TICKS="$(awk -v hz="$CLK_TCK" 'NR == 2 {
    s = 0
    for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); s += a[1] * 60 + a[2] }
    printf "%d\n", s * hz + 0.5 }' "$TMP/times")"
}
group_pids() { pgrep -g "$1" 2>/dev/null || true; }   # every process of the group (nginx: master + worker)
# cpu_ticks PGID: utime+stime, in clock ticks, summed over the group's processes (all their threads).
cpu_ticks() {
  local total=0 p rest
  for p in $(group_pids "$1"); do
    rest="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    rest="${rest##*) }"                 # drop "pid (comm) ", comm may hold spaces
    set -- $rest                         # $1 = state (field 3) ... utime = field 14, stime = field 15
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}
rss_kb() {
  local total=0 p v
  for p in $(group_pids "$1"); do
    v="$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null)" || continue
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

# check_target NAME URL MIN_BACKENDS: 200 + exact body on several fresh connections; both backends reached.
check_target() {
  local name="$1" url="$2" min_backends="$3" i code body seen="" hdr="$TMP/check.hdr" out="$TMP/check.body"
  for i in 1 2 3 4 5 6; do
    code="$(curl -s --max-time 3 -D "$hdr" -o "$out" -w '%{http_code}' "$url" || true)"
    body="$(cat "$out" 2>/dev/null; echo x)"; body="${body%x}"
    if [[ "$code" != 200 || "$body" != "$EXPECTED_BODY" ]]; then
      log "$name check failed: status '$code', body $(printf '%q' "$body") (expected 200 and $(printf '%q' "$EXPECTED_BODY"))"
      [[ -s "$hdr" ]] && sed 's/^/    /' "$hdr" >&2
      return 1
    fi
    seen+=" $(tr -d '\r' < "$hdr" | awk -F': *' 'tolower($1)=="x-backend" {print $2}')"
  done
  local distinct
  distinct="$(tr ' ' '\n' <<< "$seen" | grep . | sort -u | wc -l | tr -d ' ')"
  if (( distinct < min_backends )); then
    log "WARNING: $name reached backends {$(tr ' ' '\n' <<< "$seen" | grep . | sort -u | tr '\n' ' ')} in 6 requests; expected both"
    FLAGS+=("$name: round robin check reached only backend(s)$(tr ' ' '\n' <<< "$seen" | grep . | sort -u | tr '\n' ' ')")
  fi
  return 0
}

# run_wrk SECONDS_ARG OUTFILE URL
run_wrk() {
  local dur="$1" out="$2" url="$3" secs
  secs="$(dur_seconds "$dur")"
  timeout --kill-after=5 $(( secs + 30 )) \
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$dur" --latency "$url" >"$out" 2>&1 || {
      log "wrk failed (rc=$?):"; cat "$out" >&2; return 1; }
}
# to_ms VALUE: wrk latency ("812.00us", "1.23ms", "2.00s", "1.00m") -> milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# ---------------------------------------------------------------- build Remora once, pin the jar
JAR=""
prepare_remora() {
  log "building Remora if stale (./remora version)"
  local tries=0
  until "$root/remora" version > "$TMP/remora-build.log" 2>&1; do
    tries=$(( tries + 1 ))
    if (( tries >= 3 )); then
      tail -n 20 "$TMP/remora-build.log" >&2
      if [[ -f "$root/proxy-cli/target/remora.jar" ]]; then
        log "WARNING: build failed 3 times; benchmarking the existing proxy-cli/target/remora.jar"
        FLAGS+=("remora: build failed, benchmarked the jar already in proxy-cli/target (may not match the work tree)")
        break
      fi
      die "cannot build Remora (log above)"
    fi
    log "build failed (the tree may be mid-edit), retrying in 20 s"
    sleep 20
  done
  [[ -f "$root/proxy-cli/target/remora.jar" ]] || die "no proxy-cli/target/remora.jar after the build"
  # A copy, so every round runs the same bits even if someone rebuilds meanwhile.
  JAR="$TMP/remora.jar"
  cp "$root/proxy-cli/target/remora.jar" "$JAR"
  JAR_SHA="$(sha256sum "$JAR" | cut -c1-12)"
  "$REMORA_JAVA" -jar "$JAR" validate "$TMP/remora.yaml" > "$TMP/remora-validate.log" 2>&1 \
    || { cat "$TMP/remora-validate.log" >&2; die "Remora rejects $REMORA_CONFIG"; }
}

# ---------------------------------------------------------------- configs
render() { sed "s#@TMP@#$TMP#g" "$conf_dir/$1" > "$TMP/$1"; }
render nginx-backend.conf
render nginx-proxy.conf
render haproxy.cfg
sed "s#@TMP@#$TMP#g" "$REMORA_CONFIG" > "$TMP/remora.yaml"
mkdir -p "$TMP/nginx-backend-tmp" "$TMP/nginx-proxy-tmp"
nginx -t -q -e "$TMP/nginx-t.err" -p "$TMP" -c "$TMP/nginx-backend.conf" 2>"$TMP/nginx-t.log" \
  || { cat "$TMP/nginx-t.log" >&2; die "nginx rejects the backend config"; }
nginx -t -q -e "$TMP/nginx-t.err" -p "$TMP" -c "$TMP/nginx-proxy.conf" 2>"$TMP/nginx-t.log" \
  || { cat "$TMP/nginx-t.log" >&2; die "nginx rejects the proxy config"; }
haproxy -c -q -f "$TMP/haproxy.cfg" >"$TMP/haproxy-c.log" 2>&1 \
  || { cat "$TMP/haproxy-c.log" >&2; die "haproxy rejects its config"; }

FLAGS=()
CRASH_LOGS=()
RETRIED=()
JAR_SHA=""
for t in "${targets[@]}"; do [[ "$t" == remora ]] && prepare_remora; done

remora_cmd=(taskset -c "$PROXY_CPU" "$REMORA_JAVA" $REMORA_JAVA_OPTS -jar "$TMP/remora.jar" run --config "$TMP/remora.yaml" --workers 1)
haproxy_cmd=(taskset -c "$PROXY_CPU" haproxy -db -f "$TMP/haproxy.cfg")
nginx_cmd=(taskset -c "$PROXY_CPU" nginx -e "$TMP/nginx-proxy.error.log" -p "$TMP" -c "$TMP/nginx-proxy.conf")
backend_cmd=(taskset -c "$LOAD_CPU" nginx -e "$TMP/nginx-backend.error.log" -p "$TMP" -c "$TMP/nginx-backend.conf")
wrk_cmd_text="taskset -c $LOAD_CPU wrk -t1 -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$PROXY_PORT/   (warm-up: same with -d$WARMUP; direct: http://127.0.0.1:${BACKEND_PORTS[0]}/)"

# ---------------------------------------------------------------- backend
for port in "$PROXY_PORT" "${BACKEND_PORTS[@]}"; do
  port_open "$port" && die "127.0.0.1:$port is already in use; stop whatever listens there (ss -ltnp 'sport = :$port')"
done
log "starting nginx backend on 127.0.0.1:${BACKEND_PORTS[0]} and :${BACKEND_PORTS[1]} (CPU $LOAD_CPU)"
start backend "$LOAD_CPU" "$TMP/backend.out" "${backend_cmd[@]:3}"
BACKEND_PID=$START_PID
for port in "${BACKEND_PORTS[@]}"; do wait_port "$port" "$BACKEND_PID" "nginx backend" "$TMP/backend.out" 10; done
check_target "backend :${BACKEND_PORTS[0]}" "http://127.0.0.1:${BACKEND_PORTS[0]}/" 1 || die "the nginx backend does not answer 200 hello"
check_target "backend :${BACKEND_PORTS[1]}" "http://127.0.0.1:${BACKEND_PORTS[1]}/" 1 || die "the nginx backend does not answer 200 hello"

# ---------------------------------------------------------------- one measured run
# Appends a line to $TMP/runs.tsv:
# round target rps p50ms p99ms requests non2xx sockerrs proxy_cpu_us_per_req rss_mb backend_cpu_us_per_req status
# other_pct (busy time on the proxy's CPU not spent in the proxy, in %) load_other_pct (same, load CPU) warmup_rps
RUNS="$TMP/runs.tsv"
: > "$RUNS"
# measure ROUND TARGET ATTEMPT: returns 3 (nothing recorded) for a noisy run that may still be retried.
measure() {
  local round="$1" target="$2" attempt="$3" pid="" url="http://127.0.0.1:$PROXY_PORT/" cmd=()
  local logf="$TMP/$2-r$1-a$3.log"
  case "$target" in
    direct)  url="http://127.0.0.1:${BACKEND_PORTS[0]}/" ;;
    remora)  cmd=("${remora_cmd[@]}") ;;
    haproxy) cmd=("${haproxy_cmd[@]}") ;;
    nginx)   cmd=("${nginx_cmd[@]}") ;;
  esac
  if [[ "$target" != direct ]]; then
    wait_port_free "$PROXY_PORT"
    wait_quiet
    start "$target" "$PROXY_CPU" "$logf" "${cmd[@]:3}"
    pid=$START_PID
    wait_port "$PROXY_PORT" "$pid" "$target" "$logf" 60
  fi
  if ! check_target "$target" "$url" "$([[ $target == direct ]] && echo 1 || echo 2)"; then
    [[ -n "$pid" ]] && { tail -n 30 "$logf" >&2 || true; }
    die "$target does not answer 200 with body 'hello' on $url; not loading it"
  fi

  log "round $round/$ROUNDS: $target warm-up $WARMUP"
  run_wrk "$WARMUP" "$TMP/wrk-$target-r$round-a$attempt-warmup.txt" "$url" || die "warm-up of $target failed"
  local warm_rps
  warm_rps="$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$TMP/wrk-$target-r$round-a$attempt-warmup.txt")"
  local t0=0 b0 t1=0 b1 status=ok
  if [[ "$target" == direct ]]; then wait_quiet; fi
  local c0b c0t c1b c1t l0b l0t l1b l1t w0 w1
  read -r c0b c0t < <(cpu_stat "cpu$PROXY_CPU")
  read -r l0b l0t < <(cpu_stat "cpu$LOAD_CPU")
  children_ticks; w0=$CHILD_TICKS
  [[ -n "$pid" ]] && t0="$(cpu_ticks "$pid")"
  b0="$(cpu_ticks "$BACKEND_PID")"
  log "round $round/$ROUNDS: $target measuring $DURATION"
  local out="$TMP/wrk-$target-r$round-a$attempt.txt"
  run_wrk "$DURATION" "$out" "$url" || die "measured run of $target failed"
  [[ -n "$pid" ]] && t1="$(cpu_ticks "$pid")"
  read -r c1b c1t < <(cpu_stat "cpu$PROXY_CPU")
  read -r l1b l1t < <(cpu_stat "cpu$LOAD_CPU")
  children_ticks; w1=$CHILD_TICKS
  b1="$(cpu_ticks "$BACKEND_PID")"
  # Busy time on the proxy's CPU not spent in the proxy: other processes, interrupts, the hypervisor's steal.
  # Same on the load CPU, less the backend and wrk.
  local other_pct load_other_pct
  other_pct="$(awk -v b=$(( c1b - c0b - (t1 - t0) )) -v t=$(( c1t - c0t )) 'BEGIN {v = t > 0 ? b * 100 / t : 0; if (v < 0) v = 0; printf "%.0f", v}')"
  load_other_pct="$(awk -v b=$(( l1b - l0b - (b1 - b0) - (w1 - w0) )) -v t=$(( l1t - l0t )) 'BEGIN {v = t > 0 ? b * 100 / t : 0; if (v < 0) v = 0; printf "%.0f", v}')"
  local rss=0
  if [[ -n "$pid" ]]; then
    rss="$(rss_kb "$pid")"
    kill -0 "$pid" 2>/dev/null || status="exited"
  fi
  kill -0 "$BACKEND_PID" 2>/dev/null || die "the nginx backend died during the $target run"

  local rps p50 p99 reqs non2xx sockerr
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50="$(to_ms "$(awk '$1=="50%" {print $2}' "$out")")"
  p99="$(to_ms "$(awk '$1=="99%" {print $2}' "$out")")"
  reqs="$(awk '/requests in/ {print $1}' "$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"; non2xx="${non2xx:-0}"
  sockerr="$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")"; sockerr="${sockerr:-0}"
  [[ -n "$rps" && -n "$reqs" ]] || { cat "$out" >&2; die "cannot parse wrk output for $target"; }
  local cpu_us="-" bcpu_us rss_mb="-"
  if [[ -n "$pid" ]] && (( reqs > 0 )); then
    cpu_us="$(awk -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {printf "%.2f", d * 1e6 / hz / n}')"
    rss_mb="$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')"
  fi
  bcpu_us="$(awk -v d=$(( b1 - b0 )) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {if (n > 0) printf "%.2f", d * 1e6 / hz / n; else print "-"}')"
  local noisy=0
  if [[ "$target" != direct ]] && (( other_pct >= 10 )); then noisy=1; fi
  if (( load_other_pct >= 10 )); then noisy=1; fi
  if (( noisy && attempt <= RETRY_NOISY )) && [[ "$status" == ok ]] && (( non2xx == 0 && sockerr == 0 )); then
    log "round $round/$ROUNDS: $target $rps req/s, but other processes took ${other_pct}% of CPU $PROXY_CPU / ${load_other_pct}% of CPU $LOAD_CPU: noisy, measuring again"
    RETRIED+=("$target round $round ($rps req/s; ${other_pct}%/${load_other_pct}% of CPU $PROXY_CPU/$LOAD_CPU taken by others)")
    if [[ -n "$pid" ]]; then stop "$pid"; fi
    return 3
  fi
  if [[ "$target" == remora ]]; then
    local warn
    warn="$(grep -cE "$REMORA_BAD_RE" "$logf" || true)"
    if (( warn > 0 )); then
      status="${status}+${warn}-log-warnings"
      FLAGS+=("remora round $round: $warn WARNING/SEVERE/exception line(s) in its log")
    fi
  fi
  if (( non2xx > 0 )); then FLAGS+=("$target round $round: $non2xx non-2xx/3xx responses"); fi
  if (( sockerr > 0 )); then FLAGS+=("$target round $round: $sockerr socket errors ($(grep 'Socket errors' "$out" | sed 's/^ *//'))"); fi
  if [[ "$status" == exited* ]]; then
    FLAGS+=("$target round $round: the proxy process exited during the run")
    CRASH_LOGS+=("$logf")
  fi
  if [[ "$target" != direct ]] && (( other_pct >= 10 )); then
    FLAGS+=("$target round $round: ${other_pct}% of CPU $PROXY_CPU went to something other than the proxy (other processes, softirq, steal): noisy run")
  fi
  if (( load_other_pct >= 10 )); then
    FLAGS+=("$target round $round: ${load_other_pct}% of CPU $LOAD_CPU went to something other than wrk and the backend: noisy run")
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$round" "$target" "$rps" "$p50" "$p99" "$reqs" "$non2xx" "$sockerr" "$cpu_us" "$rss_mb" "$bcpu_us" "$status" "$other_pct" "$load_other_pct" "${warm_rps:--}" >> "$RUNS"
  log "round $round/$ROUNDS: $target $rps req/s, p50 ${p50} ms, p99 ${p99} ms, CPU ${cpu_us} µs/req, RSS ${rss_mb} MB, non-2xx $non2xx, socket errors $sockerr"
  if [[ -n "$pid" ]]; then stop "$pid"; fi
}

log "targets: ${targets[*]}; $ROUNDS round(s) of $DURATION after a $WARMUP warm-up each; proxy on CPU $PROXY_CPU, wrk + backend on CPU $LOAD_CPU"
for (( r = 1; r <= ROUNDS; r++ )); do
  for t in "${targets[@]}"; do
    a=1
    until measure "$r" "$t" "$a"; do a=$(( a + 1 )); done
  done
done

# ---------------------------------------------------------------- summary
# median COLUMN TARGET (1-based column of runs.tsv)
median() {
  awk -F'\t' -v c="$1" -v t="$2" '$2 == t && $c != "-" {print $c}' "$RUNS" | sort -g \
    | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
sum_col() { awk -F'\t' -v c="$1" -v t="$2" '$2 == t {s += $c} END {print s + 0}' "$RUNS"; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN {if (v == "-" || v == "") print "—"; else printf f, v}'; }

declare -A med_rps med_cpu
for t in "${targets[@]}"; do med_rps[$t]="$(median 3 "$t")"; med_cpu[$t]="$(median 9 "$t")"; done
table="$TMP/table.md"
{
  echo "| proxy | req/s | p50 | p99 | CPU µs/req | RSS MB | req/s vs HAProxy | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for t in "${targets[@]}"; do
    vs="—"
    if [[ -n "${med_rps[haproxy]:-}" && "${med_rps[haproxy]}" != "-" ]]; then
      vs="$(awk -v a="${med_rps[$t]}" -v b="${med_rps[haproxy]}" 'BEGIN {printf "%.2f×", a / b}')"
    fi
    n2="$(sum_col 7 "$t")"; se="$(sum_col 8 "$t")"
    ex="$(awk -F'\t' -v t="$t" '$2 == t && $12 != "ok" {n++} END {print n + 0}' "$RUNS")"
    errs="none"
    if (( n2 > 0 || se > 0 || ex > 0 )); then
      errs=""
      if (( n2 > 0 )); then errs+="⚠ ${n2} non-2xx "; fi
      if (( se > 0 )); then errs+="⚠ ${se} socket errors "; fi
      if (( ex > 0 )); then errs+="⚠ ${ex} run(s) with crash/log warnings"; fi
    fi
    name="$t"; [[ "$t" == direct ]] && name="direct (no proxy)"
    printf '| %s | %s | %s ms | %s ms | %s | %s | %s | %s |\n' "$name" \
      "$(fmt "${med_rps[$t]}" '%.0f')" "$(fmt "$(median 4 "$t")" '%.2f')" "$(fmt "$(median 5 "$t")" '%.2f')" \
      "$(fmt "${med_cpu[$t]}" '%.1f')" "$(fmt "$(median 10 "$t")" '%.1f')" "$vs" "${errs% }"
  done
} > "$table"
ratios=""
if [[ -n "${med_rps[remora]:-}" && -n "${med_rps[haproxy]:-}" ]]; then
  ratios="$(awk -v rr="${med_rps[remora]}" -v hr="${med_rps[haproxy]}" -v rc="${med_cpu[remora]}" -v hc="${med_cpu[haproxy]}" \
    'BEGIN {printf "Remora / HAProxy: req/s %.2f×, CPU per request %.2f× (medians of the rounds)", rr / hr, rc / hc}')"
fi

# ---------------------------------------------------------------- results file
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo nogit)"
dirty=""; [[ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]] && dirty=" (work tree has uncommitted changes)"
mkdir -p "$here/results"
result="$here/results/$(date +%Y-%m-%d)-$commit.md"
[[ -e "$result" ]] && result="$here/results/$(date +%Y-%m-%d-%H%M%S)-$commit.md"
cpu_model="$(lscpu 2>/dev/null | awk -F': *' '/^Model name/ {print $2; exit}')"
[[ -n "$cpu_model" ]] || cpu_model="$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
java_version="$("$REMORA_JAVA" -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
{
  echo "# Remora benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
  echo
  echo "Commit \`$commit\`$dirty; jar sha256 \`${JAR_SHA:-n/a}\`."
  echo
  echo "- CPU: $cpu_model, $ncpu core(s) online ($(nproc --all 2>/dev/null || echo '?') total); kernel $(uname -r)"
  echo "- Java (Remora): \`$REMORA_JAVA\`: $java_version"
  echo "- $haproxy_version; $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
  echo "- $ROUNDS round(s), targets alternating (${targets[*]}), each: fresh proxy process, $WARMUP warm-up, then $DURATION measured; medians below"
  echo "- Proxy pinned to CPU $PROXY_CPU alone; nginx backend (1 worker) and wrk share CPU $LOAD_CPU"
  echo "- Remora config: \`${REMORA_CONFIG#"$root"/}\`"
  echo
  cat "$table"
  echo
  [[ -n "$ratios" ]] && { echo "$ratios"; echo; }
  echo "CPU µs/req = (utime+stime of the proxy's processes over the measured run, from /proc/PID/stat, all threads: JIT and GC included for the JVM) / requests completed. RSS = VmRSS after the run (nginx: master + worker). The direct row is wrk straight at backend :${BACKEND_PORTS[0]}."
  echo
  if (( ${#FLAGS[@]} > 0 )); then
    echo "## Flags"
    echo
    for f in "${FLAGS[@]}"; do echo "- $f"; done
    echo
  fi
  if (( ${#RETRIED[@]} > 0 )); then
    echo "## Runs measured again (other processes were using the CPUs; these attempts are not in the numbers)"
    echo
    for f in "${RETRIED[@]}"; do echo "- $f"; done
    echo
  fi
  echo "## Every run"
  echo
  echo "| round | target | warm-up req/s | req/s | p50 ms | p99 ms | requests | non-2xx | socket errors | proxy CPU µs/req | RSS MB | backend CPU µs/req | CPU $PROXY_CPU other % | CPU $LOAD_CPU other % | status |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' '{printf "| %s |\n", $1 " | " $2 " | " $15 " | " $3 " | " $4 " | " $5 " | " $6 " | " $7 " | " $8 " | " $9 " | " $10 " | " $11 " | " $13 " | " $14 " | " $12}' "$RUNS"
  echo
  echo "## Commands"
  echo
  echo '```'
  echo "perf/bench.sh   # DURATION=$DURATION WARMUP=$WARMUP ROUNDS=$ROUNDS CONNECTIONS=$CONNECTIONS PROXIES=\"${targets[*]}\" QUIET_WAIT=$QUIET_WAIT RETRY_NOISY=$RETRY_NOISY REMORA_JAVA_OPTS=\"$REMORA_JAVA_OPTS\" REMORA_CONFIG=${REMORA_CONFIG#"$root"/}"
  echo "backend: ${backend_cmd[*]}"
  echo "remora:  ${remora_cmd[*]}"
  echo "haproxy: ${haproxy_cmd[*]}"
  echo "nginx:   ${nginx_cmd[*]}"
  echo "load:    $wrk_cmd_text"
  echo '```'
  echo
  echo "Configs: perf/conf/ (TMP = a fresh temp dir; remora.jar there is a copy of proxy-cli/target/remora.jar)."
  if compgen -G "$TMP/remora-r*.log" >/dev/null && grep -qE "$REMORA_BAD_RE" "$TMP"/remora-r*.log 2>/dev/null; then
    echo
    echo "## Remora log warnings (first 40 lines)"
    echo
    echo '```'
    grep -hE "$REMORA_BAD_RE" "$TMP"/remora-r*.log | head -40
    echo '```'
  fi
  for f in "${CRASH_LOGS[@]}"; do
    echo
    echo "## Last lines of $(basename "$f") (the process exited during the run)"
    echo
    echo '```'
    tail -n 40 "$f"
    echo '```'
  done
} > "$result"

echo
cat "$table"
echo
[[ -n "$ratios" ]] && echo "$ratios"
if (( ${#FLAGS[@]} > 0 )); then echo; echo "Flags:"; printf '  - %s\n' "${FLAGS[@]}"; fi
echo
echo "written: ${result#"$root"/}"
