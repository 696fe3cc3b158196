#!/usr/bin/env bash
# Two virgas side by side under ../shared/tools/loadgen (DynamoDB, 1 KB
# items, c=16; A and B alternate cell by cell, so both see the same noise):
# requests/s, p50, p99 and each server's CPU per request (from /proc), then
# both peak RSS. For telling a change's cost from the machine's noise. A
# and B are commands that run virga (each is given `up --listen ...`):
#
#   git worktree add /tmp/old REV && (cd /tmp/old && go build -o /tmp/virga-old ./cmd/virga)
#   make build && bash bench/abtest.sh /tmp/virga-old bin/virga
#   make build && bash bench/abtest.sh "env GOGC=100 bin/virga" bin/virga
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${TOOLS:-$ROOT/../shared/tools}
A=${1:?binary A} B=${2:?binary B}
ROUNDS=${ROUNDS:-3} DUR=${DUR:-3}
WORK=$(mktemp -d /tmp/virga-abtest.XXXXXX)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$TOOLS/loadgen" && go build -o "$WORK/loadgen" .)
$A up --listen 127.0.0.1:18611 --data-dir "$WORK/a" --log-level warn & PIDS+=($!)
$B up --listen 127.0.0.1:18612 --data-dir "$WORK/b" --log-level warn & PIDS+=($!)
sleep 2
for p in 18611 18612; do
  "$WORK/loadgen" ddb --endpoint "http://127.0.0.1:$p" --op get --items 10000 --size 1024 --concurrency 16 --duration 1s --warmup 0s >/dev/null 2>&1
done
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; } # utime+stime, clock ticks
for r in $(seq "$ROUNDS"); do
  for op in get put query; do
    for t in "A ${PIDS[0]} 18611" "B ${PIDS[1]} 18612"; do
      set -- $t
      c0=$(cpu "$2")
      out=$("$WORK/loadgen" ddb --endpoint "http://127.0.0.1:$3" --op "$op" --items 10000 --size 1024 --concurrency 16 \
        --duration "${DUR}s" --warmup 0s --preload=false 2>/dev/null | tail -n 1)
      c1=$(cpu "$2")
      echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); n=d["ops_per_s"]*float(sys.argv[5]); t=(int(sys.argv[3])-int(sys.argv[2]))*1e6/float(sys.argv[6]); print("%s %-5s %6.0f ops/s  %5.0f us cpu/op  p50 %.2f ms  p99 %.1f ms" % (sys.argv[1], sys.argv[4], d["ops_per_s"], t/n, d["p50_ms"], d["p99_ms"]))' \
        "$1" "$c0" "$c1" "$op" "$DUR" "$(getconf CLK_TCK)"
    done
  done
done
grep VmHWM "/proc/${PIDS[0]}/status" "/proc/${PIDS[1]}/status"
