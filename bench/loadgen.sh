#!/usr/bin/env bash
# The issue's check, reproduced: ../shared/tools/loadgen (aws-sdk-go-v2,
# 1 KB items, 10 per partition, concurrency 16) against virga on disk
# (bin/virga up, and bin/virga up --fsync for PutItem), dynalite on disk,
# the loopback ceiling (okserver) and
# bench/constddb (constant answers: loadgen's own client-bound maximum), in
# interleaved rounds, then a table of medians and ratios.
#
#   make build && bash bench/loadgen.sh        # RUNS=3 DUR=5s WARM=1s
#   VIRGA_ARGS=--pprof bash bench/loadgen.sh   # extra flags for virga up
#
# Servers run on fixed loopback ports 18566 (virga), 18569 (virga --fsync),
# 18567 (dynalite), 18568 (constddb) and 18099 (okserver) and are ended by
# PID on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${TOOLS:-$ROOT/../shared/tools}
RUNS=${RUNS:-3} DUR=${DUR:-5s} WARM=${WARM:-1s} ITEMS=${ITEMS:-10000} C=${C:-16}
WORK=$(mktemp -d /tmp/virga-loadgen.XXXXXX)
OUT=${OUT:-$WORK/results.jsonl}
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK/virga" "$WORK/virga-fsync" "$WORK/dynalite" "$WORK/loadgen" "$WORK/okserver" "$WORK/constddb"
  echo "results: $OUT" >&2
}
trap cleanup EXIT

wait_port() { for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 not up" >&2; return 1; }

(cd "$TOOLS/loadgen" && go build -o "$WORK/loadgen" .)
(cd "$TOOLS/peers" && go build -o "$WORK/okserver" ./okserver)
(cd "$ROOT" && go build -o "$WORK/constddb" ./bench/constddb)
[ -x "$ROOT/bin/virga" ] || { echo "run make build first" >&2; exit 1; }
[ -f "$ROOT/bench/node_modules/dynalite/cli.js" ] || npm ci --prefix "$ROOT/bench" --no-audit --no-fund >&2

"$WORK/okserver" -addr 127.0.0.1:18099 & PIDS+=($!)
"$WORK/constddb" -addr 127.0.0.1:18568 -size 1024 -per-pk 10 & PIDS+=($!)
"$ROOT/bin/virga" up --listen 127.0.0.1:18566 --data-dir "$WORK/virga" --log-level warn ${VIRGA_ARGS:-} & PIDS+=($!)
"$ROOT/bin/virga" up --listen 127.0.0.1:18569 --data-dir "$WORK/virga-fsync" --fsync --log-level warn ${VIRGA_ARGS:-} & PIDS+=($!)
node "$ROOT/bench/node_modules/dynalite/cli.js" --host 127.0.0.1 --port 18567 --createTableMs 0 --path "$WORK/dynalite" >/dev/null & PIDS+=($!)
for p in 18099 18566 18567 18568 18569; do wait_port $p; done

# record TAG ARGS...: one loadgen run, its JSON line tagged and appended to $OUT.
record() {
  local tag=$1; shift
  "$WORK/loadgen" "$@" 2>/dev/null | tail -n 1 |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d["tag"]=sys.argv[1]; print(json.dumps(d))' "$tag" | tee -a "$OUT" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("%-22s %9.0f ops/s  p50 %6.2f ms  p99 %6.2f ms  errors %d" % (d["tag"], d["ops_per_s"], d["p50_ms"], d["p99_ms"], d["errors"]))' >&2
}

ddb() { # ddb NAME PORT OP [loadgen flags]
  local name=$1 port=$2 op=$3; shift 3
  record "$name $op" ddb --endpoint "http://127.0.0.1:$port" --op "$op" --items "$ITEMS" --size 1024 --concurrency "$C" "$@"
}

# Create and preload the tables once (not recorded as measurements).
for t in virga:18566 virga-fsync:18569 dynalite:18567; do
  "$WORK/loadgen" ddb --endpoint "http://127.0.0.1:${t#*:}" --op get --items "$ITEMS" --size 1024 --concurrency 16 --duration 1s --warmup 0s >/dev/null
done

cells=("ceiling -" "const get" "const put" "const query" "virga get" "virga put" "virga query" "virga-fsync put" "dynalite get" "dynalite put" "dynalite query")
for r in $(seq "$RUNS"); do
  echo "round $r/$RUNS" >&2
  for i in "${!cells[@]}"; do
    # Each round starts one cell further, so no cell always runs first.
    read -r name op <<<"${cells[$(( (i + r - 1) % ${#cells[@]} ))]}"
    case $name in
      ceiling) record "ceiling" http --url http://127.0.0.1:18099/ --concurrency "$C" --duration "$DUR" --warmup "$WARM" ;;
      const) ddb const 18568 "$op" --preload=false --duration "$DUR" --warmup "$WARM" ;;
      virga) ddb virga 18566 "$op" --preload=false --duration "$DUR" --warmup "$WARM" ;;
      virga-fsync) ddb virga-fsync 18569 "$op" --preload=false --duration "$DUR" --warmup "$WARM" ;;
      dynalite) ddb dynalite-disk 18567 "$op" --preload=false --duration "$DUR" --warmup "$WARM" ;;
    esac
  done
done

python3 - "$OUT" <<'PY'
import json, sys, statistics
by = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    by.setdefault(r["tag"], []).append(r)
def ratio(rs, base):
    # median over rounds of ops/s ÷ the baseline's ops/s in the same round
    if not base:
        return "–"
    return "%.2f" % statistics.median(a["ops_per_s"] / b["ops_per_s"] for a, b in zip(rs, base))
print("| target | op | ops/s | p50 | p99 | vs ceiling | vs const | errors | ops/s of each run |")
print("|---|---|--:|--:|--:|--:|--:|--:|---|")
def line(tag, name, op):
    rs = by.get(tag)
    if not rs:
        return
    med = sorted(rs, key=lambda r: r["ops_per_s"])[(len(rs) - 1) // 2]
    print("| %s | %s | %.0f | %.2f ms | %.2f ms | %s | %s | %d | %s |" % (
        name, op, med["ops_per_s"], med["p50_ms"], med["p99_ms"],
        ratio(rs, by["ceiling"]), ratio(rs, by.get("const " + op)),
        sum(r["errors"] for r in rs), ", ".join("%.0f" % r["ops_per_s"] for r in rs)))
line("ceiling", "okserver (ceiling)", "GET")
for op in ("get", "put", "query"):
    line("const " + op, "constddb", op)
    line("virga " + op, "virga (disk)", op)
    line("virga-fsync " + op, "virga (disk, --fsync)", op)
    line("dynalite-disk " + op, "dynalite (disk)", op)
PY
