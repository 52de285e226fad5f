#!/usr/bin/env bash
# mTLS: Remora vs HAProxy, each terminating mutual TLS with the same certificates (minted by `remora certs`)
# in front of the nginx backend of perf/bench.sh. A benchmark, not a test: it measures and prints, it never
# fails on a number. See perf/README.md, "mTLS".
#
#   perf/bench-mtls.sh                      # DURATION=10s ROUNDS=3, remora and haproxy, both modes
#   MODES=handshake perf/bench-mtls.sh
#   REMORA_JAR=/path/remora.jar perf/bench-mtls.sh   # benchmark a jar built elsewhere (no ./remora build)
#
# Two measurements per target and round, each after a warm-up:
#   keepalive  requests/s over long-lived mTLS connections: wrk -c$CONNECTIONS (plain HTTP) -> an "outbound
#              sidecar" HAProxy on the load CPU that originates mTLS with the client certificate and reuses its
#              connections -> the proxy under test (:18443) -> nginx backend.
#   handshake  full mTLS handshakes/s, one request per connection: $HANDSHAKE_CLIENTS parallel
#              `openssl s_time -new -www /` (client certificate, HTTP/1.0 GET, the proxy closes) straight at
#              the proxy under test. Each counted connection is one handshake (no resumption) plus one request.
#
# Env: DURATION (10s), WARMUP (15s: the JVM's TLS and crypto code needs it), ROUNDS (3), CONNECTIONS (64), HANDSHAKE_CLIENTS (8),
#      PROXIES ("remora haproxy"), MODES ("keepalive handshake"),
#      REMORA_JAVA (Temurin 25 if present, else java), REMORA_JAVA_OPTS ("-XX:+UseSerialGC -Xms64m -Xmx256m"),
#      REMORA_JAR (a prebuilt remora.jar; default: build with ./remora version and use proxy-cli/target/remora.jar),
#      PROXY_CPU (0), LOAD_CPU (1), QUIET_WAIT (120), KEEP_TMP=1 keeps the temp dir.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
conf_dir="$here/conf"

DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-15s}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
HANDSHAKE_CLIENTS="${HANDSHAKE_CLIENTS:-8}"
PROXIES="${PROXIES:-remora haproxy}"
MODES="${MODES:-keepalive handshake}"
PROXY_CPU="${PROXY_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
QUIET_WAIT="${QUIET_WAIT:-120}"
if [[ -z "${REMORA_JAVA:-}" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
    REMORA_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
  else
    REMORA_JAVA="$(command -v java || true)"
  fi
fi
REMORA_JAVA_OPTS="${REMORA_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx256m}"

PROXY_PORT=18443          # the proxy under test, mTLS
SIDECAR_PORT=18100        # the outbound sidecar (load side): plain HTTP in, mTLS out
BACKEND_PORTS=(18181 18182)   # not bench.sh's 18081/18082: the two scripts must not trip over each other
REMORA_ADMIN_PORT=18901
EXPECTED_BODY=$'hello\n'
CLIENT_ID="spiffe://cluster.local/ns/bench/sa/client"
SERVER_ID="spiffe://cluster.local/ns/bench/sa/server"
REMORA_BAD_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ (WARNING|SEVERE|ERROR|WARN) |Exception|^[[:space:]]+at |OutOfMemoryError|fatal error|^remora: '

log() { printf '[bench-mtls %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[bench-mtls] ERROR: %s\n' "$*" >&2; exit 1; }

case "${1:-}" in
  -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; exit 0 ;;
  "") ;;
  *) die "no arguments expected (settings are env vars; see --help)" ;;
esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer, got '$ROUNDS'"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive integer, got '$CONNECTIONS'"
[[ "$HANDSHAKE_CLIENTS" =~ ^[1-9][0-9]*$ ]] || die "HANDSHAKE_CLIENTS must be a positive integer"
dur_seconds() { local d="$1"; case "$d" in *s) echo "${d%s}" ;; *m) echo $(( ${d%m} * 60 )) ;; *) echo "$d" ;; esac; }
for d in "$DURATION" "$WARMUP"; do [[ "$d" =~ ^[0-9]+[sm]?$ ]] || die "DURATION/WARMUP must look like 10s or 2m"; done
targets=(); for p in $PROXIES; do case "$p" in remora|haproxy) targets+=("$p") ;; *) die "unknown proxy '$p' (remora haproxy)" ;; esac; done
modes=(); for m in $MODES; do case "$m" in keepalive|handshake) modes+=("$m") ;; *) die "unknown mode '$m' (keepalive handshake)" ;; esac; done
(( ${#targets[@]} > 0 && ${#modes[@]} > 0 )) || die "PROXIES and MODES must not be empty"
ncpu="$(getconf _NPROCESSORS_ONLN)"
(( ncpu > PROXY_CPU && ncpu > LOAD_CPU )) || die "need CPUs $PROXY_CPU and $LOAD_CPU, this machine has $ncpu"

# ---------------------------------------------------------------- tools
need_pkgs=()
command -v haproxy >/dev/null 2>&1 || need_pkgs+=(haproxy)
command -v nginx >/dev/null 2>&1 || need_pkgs+=(nginx)
command -v wrk >/dev/null 2>&1 || need_pkgs+=(wrk)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v taskset >/dev/null 2>&1 || need_pkgs+=(util-linux)
command -v pgrep >/dev/null 2>&1 || need_pkgs+=(procps)
if (( ${#need_pkgs[@]} > 0 )); then
  [[ "$(id -u)" == 0 ]] || die "missing ${need_pkgs[*]}; run as root or: apt-get install ${need_pkgs[*]}"
  log "installing ${need_pkgs[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null || die "apt-get install failed"
fi
[[ -n "$REMORA_JAVA" && -x "$REMORA_JAVA" ]] || die "no java found (set REMORA_JAVA)"
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- temp dir, cleanup, process helpers
TMP="$(mktemp -d /tmp/remora-bench-mtls.XXXXXX)"
chmod 755 "$TMP"
declare -A started=()
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
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
start() {  # start NAME CPU LOGFILE CMD...: pinned, in a process group of its own; sets START_PID
  local name="$1" cpu="$2" logf="$3"; shift 3
  setsid taskset -c "$cpu" "$@" >"$logf" 2>&1 < /dev/null &
  START_PID=$!
  started[$START_PID]="$name"
}
stop() {
  local pid="$1" deadline=$(( SECONDS + 5 ))
  kill -TERM -- "-$pid" 2>/dev/null || true
  while kill -0 -- "-$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "started[$pid]"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {  # PORT PID NAME LOG SECONDS
  local port="$1" pid="$2" name="$3" logf="$4" deadline=$(( SECONDS + $5 ))
  until port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$logf" >&2 || true; die "$name exited before listening on :$port"; }
    (( SECONDS < deadline )) || { tail -n 30 "$logf" >&2 || true; die "$name did not listen on :$port within $5 s"; }
    sleep 0.05
  done
}
wait_port_free() {
  local port="$1" deadline=$(( SECONDS + 10 ))
  while port_open "$port"; do
    (( SECONDS < deadline )) || die "127.0.0.1:$port is still in use (check: ss -ltnp 'sport = :$port')"
    sleep 0.1
  done
}
cpu_stat() { awk -v l="$1" '$1 == l {b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6}' /proc/stat; }
wait_quiet() {  # up to QUIET_WAIT s for a second in which the machine used < 15 % of one CPU
  local deadline=$(( SECONDS + QUIET_WAIT )) b0 t0 b1 t1 pct said=0
  while :; do
    read -r b0 t0 < <(cpu_stat cpu); sleep 1; read -r b1 t1 < <(cpu_stat cpu)
    pct=$(( (b1 - b0) * 100 * ncpu / (t1 - t0 > 0 ? t1 - t0 : 1) ))
    (( pct < 15 )) && return 0
    if (( SECONDS >= deadline )); then log "WARNING: machine still busy (${pct}% of a CPU); measuring anyway"; return 0; fi
    (( said )) || { log "machine busy (${pct}% of a CPU used by other processes), waiting up to ${QUIET_WAIT}s"; said=1; }
  done
}
group_pids() { pgrep -g "$1" 2>/dev/null || true; }
cpu_ticks() {
  local total=0 p rest
  for p in $(group_pids "$1"); do
    rest="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    rest="${rest##*) }"
    set -- $rest
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# ---------------------------------------------------------------- Remora jar
FLAGS=()
JAR="$TMP/remora.jar"
if [[ -n "${REMORA_JAR:-}" ]]; then
  [[ -f "$REMORA_JAR" ]] || die "REMORA_JAR: no such file: $REMORA_JAR"
  cp "$REMORA_JAR" "$JAR"
  FLAGS+=("remora: REMORA_JAR=$REMORA_JAR (built elsewhere, not from this work tree)")
else
  log "building Remora if stale (./remora version)"
  if ! "$root/remora" version > "$TMP/remora-build.log" 2>&1; then
    tail -n 20 "$TMP/remora-build.log" >&2
    [[ -f "$root/proxy-cli/target/remora.jar" ]] || die "cannot build Remora and there is no proxy-cli/target/remora.jar"
    log "WARNING: build failed; benchmarking the existing proxy-cli/target/remora.jar"
    FLAGS+=("remora: build failed, benchmarked the jar already in proxy-cli/target (may not match the work tree)")
  fi
  cp "$root/proxy-cli/target/remora.jar" "$JAR"
fi
JAR_SHA="$(sha256sum "$JAR" | cut -c1-12)"

# ---------------------------------------------------------------- certificates (remora certs), configs
C="$TMP/certs"
"$REMORA_JAVA" -jar "$JAR" certs init-ca --trust-domain cluster.local --out "$C/ca" > "$TMP/certs.log" 2>&1 \
  || { cat "$TMP/certs.log" >&2; die "remora certs init-ca failed"; }
for who in server client; do
  id="$SERVER_ID"; [[ "$who" == client ]] && id="$CLIENT_ID"
  "$REMORA_JAVA" -jar "$JAR" certs issue --ca "$C/ca" --spiffe-id "$id" --dns localhost --ttl 72h --out "$C/$who" \
    >> "$TMP/certs.log" 2>&1 || { cat "$TMP/certs.log" >&2; die "remora certs issue $who failed"; }
  cat "$C/$who/tls.crt" "$C/$who/tls.key" > "$C/$who.pem"   # HAProxy wants certificate and key in one file
done
openssl verify -CAfile "$C/ca/ca.crt" "$C/server/tls.crt" "$C/client/tls.crt" >> "$TMP/certs.log" 2>&1 \
  || { cat "$TMP/certs.log" >&2; die "openssl verify rejects the minted certificates"; }

sed -e "s#@TMP@#$TMP#g" -e "s#127.0.0.1:18081#127.0.0.1:${BACKEND_PORTS[0]}#" -e "s#127.0.0.1:18082#127.0.0.1:${BACKEND_PORTS[1]}#" \
  "$conf_dir/nginx-backend.conf" > "$TMP/nginx-backend.conf"
grep -q "127.0.0.1:${BACKEND_PORTS[1]}" "$TMP/nginx-backend.conf" || die "cannot move the backend to ports ${BACKEND_PORTS[*]}"
mkdir -p "$TMP/nginx-backend-tmp"
cat > "$TMP/remora.yaml" <<EOF
# Remora terminating mTLS on 127.0.0.1:$PROXY_PORT: client certificate required, chained to the bench CA,
# identity checked against allowed_identities; round robin over both backends, pooled keep-alive upstream.
admin:
  address: 127.0.0.1:$REMORA_ADMIN_PORT
drain_timeout: 1s
listeners:
  - name: bench-mtls
    address: 127.0.0.1:$PROXY_PORT
    protocol: http
    tls:
      cert_file: $C/server/tls.crt
      key_file: $C/server/tls.key
      ca_file: $C/server/ca.crt
      allowed_identities: ["$CLIENT_ID"]
    routes:
      - match: { prefix: / }
        cluster: backend
clusters:
  - name: backend
    lb_policy: round_robin
    endpoints:
      - address: 127.0.0.1:${BACKEND_PORTS[0]}
      - address: 127.0.0.1:${BACKEND_PORTS[1]}
EOF
cat > "$TMP/haproxy.cfg" <<EOF
# HAProxy terminating mTLS on 127.0.0.1:$PROXY_PORT: client certificate required and verified against the bench
# CA (HAProxy 2.6 has no URI-SAN fetch, so the SPIFFE ID itself is not checked); TLS 1.2+ AEAD only, like Remora.
global
    nbthread 1
    maxconn 4096
    ssl-default-bind-options ssl-min-ver TLSv1.2
    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305
    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
defaults
    mode http
    option http-keep-alive
    http-reuse always
    timeout connect 1s
    timeout client 30s
    timeout server 15s
    timeout http-request 10s
    timeout http-keep-alive 60s
frontend bench
    bind 127.0.0.1:$PROXY_PORT ssl crt $C/server.pem ca-file $C/server/ca.crt verify required alpn http/1.1
    http-request set-header X-Forwarded-Proto https
    http-request set-header X-Forwarded-Client-Cert "Subject=\"%[ssl_c_s_dn]\""
    default_backend backend
backend backend
    balance roundrobin
    server s1 127.0.0.1:${BACKEND_PORTS[0]}
    server s2 127.0.0.1:${BACKEND_PORTS[1]}
EOF
cat > "$TMP/sidecar.cfg" <<EOF
# The outbound sidecar on the load CPU: plain HTTP from wrk on :$SIDECAR_PORT, mTLS to the proxy under test with
# the client certificate, verifying it (CA + DNS SAN localhost), connections reused.
global
    nbthread 1
    maxconn 4096
defaults
    mode http
    option http-keep-alive
    http-reuse always
    # 5 s: HAProxy counts the TLS handshake as part of connecting; a JVM's first handshakes are slow
    timeout connect 5s
    timeout client 30s
    timeout server 15s
    timeout http-keep-alive 60s
frontend out
    bind 127.0.0.1:$SIDECAR_PORT
    default_backend mesh
backend mesh
    server mtls 127.0.0.1:$PROXY_PORT ssl crt $C/client.pem ca-file $C/client/ca.crt verify required sni str(localhost) alpn http/1.1
EOF
"$REMORA_JAVA" -jar "$JAR" validate "$TMP/remora.yaml" > "$TMP/remora-validate.log" 2>&1 \
  || { cat "$TMP/remora-validate.log" >&2; die "Remora rejects its mTLS config"; }
for f in haproxy sidecar; do
  haproxy -c -q -f "$TMP/$f.cfg" >"$TMP/$f-c.log" 2>&1 || { cat "$TMP/$f-c.log" >&2; die "haproxy rejects $f.cfg"; }
done

remora_cmd=("$REMORA_JAVA" $REMORA_JAVA_OPTS -jar "$JAR" run --config "$TMP/remora.yaml" --workers 1)
haproxy_cmd=(haproxy -db -f "$TMP/haproxy.cfg")
sidecar_cmd=(haproxy -db -f "$TMP/sidecar.cfg")
backend_cmd=(nginx -e "$TMP/nginx-backend.error.log" -p "$TMP" -c "$TMP/nginx-backend.conf")

# ---------------------------------------------------------------- backend and the outbound sidecar (load CPU)
for p in "${BACKEND_PORTS[@]}" "$PROXY_PORT" "$SIDECAR_PORT"; do wait_port_free "$p"; done
start backend "$LOAD_CPU" "$TMP/backend.out" "${backend_cmd[@]}"; BACKEND_PID=$START_PID
for p in "${BACKEND_PORTS[@]}"; do wait_port "$p" "$BACKEND_PID" "nginx backend" "$TMP/backend.out" 10; done
SIDECAR_PID=""
if [[ " ${modes[*]} " == *" keepalive "* ]]; then
  start sidecar "$LOAD_CPU" "$TMP/sidecar.out" "${sidecar_cmd[@]}"; SIDECAR_PID=$START_PID
  wait_port "$SIDECAR_PORT" "$SIDECAR_PID" "outbound sidecar haproxy" "$TMP/sidecar.out" 10
fi

# check NAME: over mTLS with curl (client cert) and through the sidecar: 200 hello; without a certificate: refused
check_target() {
  local name="$1" code body
  for i in 1 2 3; do
    code="$(curl -s --max-time 5 --cacert "$C/ca/ca.crt" --cert "$C/client/tls.crt" --key "$C/client/tls.key" \
      -o "$TMP/check.body" -w '%{http_code}' "https://localhost:$PROXY_PORT/" || true)"
    body="$(cat "$TMP/check.body" 2>/dev/null; echo x)"; body="${body%x}"
    [[ "$code" == 200 && "$body" == "$EXPECTED_BODY" ]] || { log "$name: mTLS check got $code $(printf '%q' "$body")"; return 1; }
  done
  code="$(curl -s --max-time 5 --cacert "$C/ca/ca.crt" -o /dev/null -w '%{http_code}' "https://localhost:$PROXY_PORT/" || true)"
  [[ "$code" != 200 ]] || { log "$name answered 200 to a client without a certificate"; return 1; }
  if [[ -n "$SIDECAR_PID" ]]; then
    code="$(curl -s --max-time 5 -o "$TMP/check.body" -w '%{http_code}' "http://127.0.0.1:$SIDECAR_PORT/" || true)"
    [[ "$code" == 200 ]] || { log "$name: through the outbound sidecar got $code"; return 1; }
  fi
  NEGOTIATED="$(timeout 10 openssl s_client -connect "127.0.0.1:$PROXY_PORT" -servername localhost \
    -CAfile "$C/ca/ca.crt" -cert "$C/client/tls.crt" -key "$C/client/tls.key" < /dev/null 2>/dev/null \
    | awk '/^New, / {sub(/,$/, "", $2); p = $2 " " $NF} /^(Server|Peer) Temp Key:/ {k = $4; sub(/,$/, "", k)}
           END {print p (k == "" ? "" : ", " k)}')"
  return 0
}

# remora_metric NAME: the sum of Remora's samples of NAME for the bench listener ("-" for other targets)
remora_metric() {
  [[ "$CURRENT" == remora ]] || { echo "-"; return; }
  curl -s --max-time 5 "http://127.0.0.1:$REMORA_ADMIN_PORT/stats/prometheus" \
    | awk -v n="$1" 'index($0, n "{") == 1 && /listener="bench-mtls"/ {s += $NF} END {printf "%d\n", s}'
}

# ---------------------------------------------------------------- one target, one round
RUNS="$TMP/runs.tsv"; : > "$RUNS"
CURRENT=""
# round target mode rate p50 p99 count errors proxy_cpu_us_per_unit other_pct extra
declare -A negotiated=()
measure_keepalive() {  # ROUND TARGET PID
  local round="$1" target="$2" pid="$3" secs out="$TMP/wrk-$2-r$1.txt"
  secs="$(dur_seconds "$DURATION")"
  timeout $(( $(dur_seconds "$WARMUP") + 30 )) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" \
    "http://127.0.0.1:$SIDECAR_PORT/" > "$TMP/wrk-$target-r$round-warmup.txt" 2>&1 || die "warm-up wrk failed"
  local t0 t1 c0b c0t c1b c1t
  local conns0 conns1 fails0 fails1
  conns0="$(remora_metric remora_downstream_connections_total)"; fails0="$(remora_metric remora_tls_handshake_failures_total)"
  read -r c0b c0t < <(cpu_stat "cpu$PROXY_CPU"); t0="$(cpu_ticks "$pid")"
  timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency \
    "http://127.0.0.1:$SIDECAR_PORT/" > "$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
  t1="$(cpu_ticks "$pid")"; read -r c1b c1t < <(cpu_stat "cpu$PROXY_CPU")
  conns1="$(remora_metric remora_downstream_connections_total)"; fails1="$(remora_metric remora_tls_handshake_failures_total)"
  local extra="-"
  [[ "$conns0" == - ]] || extra="$(( conns1 - conns0 )) new conns, $(( fails1 - fails0 )) failed handshakes"
  local rps p50 p99 reqs non2xx sockerr cpu other
  rps="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  p50="$(to_ms "$(awk '$1=="50%" {print $2}' "$out")")"
  p99="$(to_ms "$(awk '$1=="99%" {print $2}' "$out")")"
  reqs="$(awk '/requests in/ {print $1}' "$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"; non2xx="${non2xx:-0}"
  sockerr="$(awk '/Socket errors:/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")"; sockerr="${sockerr:-0}"
  [[ -n "$rps" && -n "$reqs" && "$reqs" -gt 0 ]] || { cat "$out" >&2; die "cannot parse wrk output for $target"; }
  cpu="$(awk -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {printf "%.1f", d * 1e6 / hz / n}')"
  other="$(awk -v b=$(( c1b - c0b - (t1 - t0) )) -v t=$(( c1t - c0t )) 'BEGIN {v = t > 0 ? b * 100 / t : 0; if (v < 0) v = 0; printf "%.0f", v}')"
  printf '%s\t%s\tkeepalive\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$rps" "$p50" "$p99" "$reqs" \
    $(( non2xx + sockerr )) "$cpu" "$other" "$extra" >> "$RUNS"
  (( non2xx + sockerr == 0 )) || FLAGS+=("$target round $round keepalive: $non2xx non-2xx, $sockerr socket errors")
  (( other < 10 )) || FLAGS+=("$target round $round keepalive: ${other}% of CPU $PROXY_CPU went to other processes: noisy")
  log "round $round: $target keep-alive $rps req/s, p50 $p50 ms, p99 $p99 ms, CPU $cpu µs/req ($extra)"
}
# s_time_all SECONDS PREFIX: HANDSHAKE_CLIENTS parallel s_time runs, pinned to LOAD_CPU
s_time_all() {
  local secs="$1" prefix="$2" i pids=()
  for (( i = 0; i < HANDSHAKE_CLIENTS; i++ )); do
    timeout $(( secs + 30 )) taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:$PROXY_PORT" -new \
      -time "$secs" -www / -cert "$C/client/tls.crt" -key "$C/client/tls.key" -CAfile "$C/ca/ca.crt" \
      > "$prefix-$i.txt" 2>&1 < /dev/null &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
}
measure_handshake() {  # ROUND TARGET PID
  local round="$1" target="$2" pid="$3" secs prefix="$TMP/stime-$2-r$1"
  secs="$(dur_seconds "$DURATION")"
  s_time_all "$(dur_seconds "$WARMUP")" "$prefix-warmup"
  local t0 t1 c0b c0t c1b c1t
  read -r c0b c0t < <(cpu_stat "cpu$PROXY_CPU"); t0="$(cpu_ticks "$pid")"
  s_time_all "$secs" "$prefix"
  t1="$(cpu_ticks "$pid")"; read -r c1b c1t < <(cpu_stat "cpu$PROXY_CPU")
  # "N connections in T real seconds, B bytes read per connection", one line per client
  local conns rate bytes failed=0 cpu other
  # (real seconds are whole seconds, too coarse for a rate: the rate is connections / the -time asked for)
  read -r conns rate bytes < <(cat "$prefix"-[0-9]*.txt | awk -v secs="$secs" '/connections in .* real seconds/ {
      n += $1; b = $(NF - 4) } END {printf "%d %.1f %s\n", n, n / secs, b + 0}')
  for f in "$prefix"-[0-9]*.txt; do grep -q "real seconds" "$f" || failed=$(( failed + 1 )); done
  (( conns > 0 )) || { cat "$prefix"-0.txt >&2; die "openssl s_time made no connection to $target"; }
  cpu="$(awk -v d=$(( t1 - t0 )) -v hz="$CLK_TCK" -v n="$conns" 'BEGIN {printf "%.0f", d * 1e6 / hz / n}')"
  other="$(awk -v b=$(( c1b - c0b - (t1 - t0) )) -v t=$(( c1t - c0t )) 'BEGIN {v = t > 0 ? b * 100 / t : 0; if (v < 0) v = 0; printf "%.0f", v}')"
  printf '%s\t%s\thandshake\t%s\t-\t-\t%s\t%s\t%s\t%s\t%s\n' "$round" "$target" "$rate" "$conns" "$failed" "$cpu" \
    "$other" "$bytes" >> "$RUNS"
  (( failed == 0 )) || FLAGS+=("$target round $round handshake: $failed of $HANDSHAKE_CLIENTS s_time clients failed")
  (( other < 10 )) || FLAGS+=("$target round $round handshake: ${other}% of CPU $PROXY_CPU went to other processes: noisy")
  log "round $round: $target $rate handshakes/s ($conns in ${secs}s, $bytes bytes read per connection), CPU $cpu µs/handshake"
}
run_target() {  # ROUND TARGET
  local round="$1" target="$2" cmd=() logf="$TMP/$2-r$1.log" pid
  case "$target" in remora) cmd=("${remora_cmd[@]}") ;; haproxy) cmd=("${haproxy_cmd[@]}") ;; esac
  CURRENT="$target"
  wait_port_free "$PROXY_PORT"
  wait_quiet
  start "$target" "$PROXY_CPU" "$logf" "${cmd[@]}"; pid=$START_PID
  wait_port "$PROXY_PORT" "$pid" "$target" "$logf" 60
  check_target "$target" || { tail -n 30 "$logf" >&2 || true; die "$target does not serve 200 hello over mTLS"; }
  negotiated[$target]="$NEGOTIATED"
  local m
  for m in "${modes[@]}"; do "measure_$m" "$round" "$target" "$pid"; done
  kill -0 "$pid" 2>/dev/null || FLAGS+=("$target round $round: the proxy process exited during the run")
  if [[ "$target" == remora ]]; then
    local warn; warn="$(grep -cE "$REMORA_BAD_RE" "$logf" || true)"
    (( warn == 0 )) || FLAGS+=("remora round $round: $warn WARNING/SEVERE/exception line(s) in its log (first: $(grep -m1 -E "$REMORA_BAD_RE" "$logf" | cut -c1-160))")
  fi
  stop "$pid"
}

log "targets: ${targets[*]}; modes: ${modes[*]}; $ROUNDS round(s) of $DURATION after $WARMUP warm-up; proxy on CPU $PROXY_CPU, load + backend on CPU $LOAD_CPU"
for (( r = 1; r <= ROUNDS; r++ )); do
  for t in "${targets[@]}"; do run_target "$r" "$t"; done
done

# ---------------------------------------------------------------- summary (medians over rounds)
median() {  # COLUMN TARGET MODE
  awk -F'\t' -v c="$1" -v t="$2" -v m="$3" '$2 == t && $3 == m && $c != "-" {print $c}' "$RUNS" | sort -g \
    | awk '{a[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}
errsum() { awk -F'\t' -v t="$1" -v m="$2" '$2 == t && $3 == m {s += $8} END {print s + 0}' "$RUNS"; }
table="$TMP/table.md"
{
  echo "| proxy | keep-alive req/s | p50 | p99 | CPU µs/req | handshakes/s | CPU µs/handshake | errors | negotiated |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---|"
  for t in "${targets[@]}"; do
    e=$(( $(errsum "$t" keepalive) + $(errsum "$t" handshake) ))
    printf '| %s | %s | %s ms | %s ms | %s | %s | %s | %s | %s |\n' "$t" \
      "$(median 4 "$t" keepalive | awk '{printf ($1 == "-" ? "—" : "%.0f"), $1}')" "$(median 5 "$t" keepalive)" \
      "$(median 6 "$t" keepalive)" "$(median 9 "$t" keepalive)" \
      "$(median 4 "$t" handshake | awk '{printf ($1 == "-" ? "—" : "%.0f"), $1}')" "$(median 9 "$t" handshake)" \
      "$([[ $e == 0 ]] && echo none || echo "⚠ $e")" "${negotiated[$t]:-?}"
  done
} > "$table"
ratio=""
if [[ " ${targets[*]} " == *" remora "* && " ${targets[*]} " == *" haproxy "* ]]; then
  ratio="$(awk -v a="$(median 4 remora keepalive)" -v b="$(median 4 haproxy keepalive)" \
      -v c="$(median 9 remora keepalive)" -v d="$(median 9 haproxy keepalive)" \
      -v e="$(median 4 remora handshake)" -v f="$(median 4 haproxy handshake)" \
      -v g="$(median 9 remora handshake)" -v h="$(median 9 haproxy handshake)" 'BEGIN {
        s = "Remora / HAProxy:"
        if (a != "-" && b > 0) s = s sprintf(" keep-alive req/s %.2f×, CPU per request %.2f×;", a / b, c / d)
        if (e != "-" && f > 0) s = s sprintf(" handshakes/s %.2f×, CPU per handshake %.2f×", e / f, g / h)
        print s }')"
fi
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo nogit)"
dirty=""; [[ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]] && dirty=" (work tree has uncommitted changes)"
mkdir -p "$here/results"
result="$here/results/$(date +%Y-%m-%d-%H%M%S)-$commit-mtls.md"
{
  echo "# Remora mTLS benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
  echo
  echo "Commit \`$commit\`$dirty; jar sha256 \`$JAR_SHA\`."
  echo
  echo "- CPU: $(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo), $ncpu core(s); kernel $(uname -r)"
  echo "- Java (Remora): \`$REMORA_JAVA\`: $("$REMORA_JAVA" -version 2>&1 | head -1) ($REMORA_JAVA_OPTS); Remora's TLS provider: $(grep -h -m1 -o 'TLS provider: [^;]*' "$TMP"/remora-r*.log 2>/dev/null | head -1 || echo '?')"
  echo "- $(haproxy -v 2>&1 | head -1); $(openssl version); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
  echo "- $ROUNDS round(s); per target and round a fresh proxy process on CPU $PROXY_CPU; nginx backend, load generators and the outbound-sidecar HAProxy on CPU $LOAD_CPU"
  echo "- certificates: \`remora certs init-ca\` / \`issue --ttl 72h\` (EC P-256; 72 h: Remora warns about certificates with less than 24 h left), server $SERVER_ID (DNS localhost), client $CLIENT_ID"
  echo "- keep-alive: wrk -t1 -c$CONNECTIONS -d$DURATION (after $WARMUP) -> outbound sidecar HAProxy (mTLS, connections reused) -> proxy; handshake: $HANDSHAKE_CLIENTS × openssl s_time -new -www / -time $(dur_seconds "$DURATION") (after $WARMUP) -> proxy"
  echo
  cat "$table"
  echo
  [[ -n "$ratio" ]] && { echo "$ratio"; echo; }
  echo "Medians over rounds. CPU µs = the proxy's utime+stime (all threads, /proc/PID/stat) over the measured run divided by requests (keep-alive) or connections (handshake: one full mTLS handshake + one HTTP/1.0 request + close each). The load CPU is shared by wrk, the sidecar and the backend (keep-alive) or the s_time clients and the backend (handshake), so req/s and handshakes/s are capped by that CPU as much as by the proxy's: compare the CPU columns."
  echo
  if (( ${#FLAGS[@]} > 0 )); then echo "## Flags"; echo; for f in "${FLAGS[@]}"; do echo "- $f"; done; echo; fi
  echo "## Every run"
  echo
  echo "| round | target | mode | rate/s | p50 ms | p99 ms | count | errors | proxy CPU µs/unit | CPU $PROXY_CPU other % | bytes/conn (handshake) or Remora's new connections (keep-alive) |"
  echo "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '{print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " | " $7 " | " $8 " | " $9 " | " $10 " | " $11 " |"}' "$RUNS"
  echo
  echo "## Configs"
  for f in remora.yaml haproxy.cfg sidecar.cfg; do echo; echo "\`$f\` (TMP = a temp dir):"; echo; echo '```'; sed "s#$TMP#TMP#g" "$TMP/$f"; echo '```'; done
} > "$result"
echo
cat "$table"
echo
[[ -n "$ratio" ]] && echo "$ratio"
if (( ${#FLAGS[@]} > 0 )); then echo; echo "Flags:"; printf '  - %s\n' "${FLAGS[@]}"; fi
echo
echo "written: ${result#"$root"/}"
