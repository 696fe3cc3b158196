#!/usr/bin/env bash
# Two virgas side by side under ../shared/tools/loadgen's Lambda Invoke of
# the Go echo function (bench/echofn), at concurrency 1 and 8; A and B
# alternate cell by cell. Prints requests/s, p50, p99 and the server
# process's CPU per request (the function's own processes excluded). A and
# B are commands that run virga (each is given `up --listen ...`):
#
#   git worktree add /tmp/old REV && (cd /tmp/old && go build -o /tmp/virga-old ./cmd/virga)
#   make build && bash bench/lambda_abtest.sh /tmp/virga-old bin/virga
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${TOOLS:-$ROOT/../shared/tools}
A=${1:?binary A} B=${2:?binary B} ROUNDS=${ROUNDS:-3} DUR=${DUR:-4}
W=$(mktemp -d /tmp/virga-lambda-abtest.XXXXXX); PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT
$A up --listen 127.0.0.1:18621 --data-dir "$W/a" --log-level warn & PIDS+=($!)
$B up --listen 127.0.0.1:18622 --data-dir "$W/b" --log-level warn & PIDS+=($!)
(cd "$TOOLS/loadgen" && go build -o "$W/loadgen" .)
(cd "$ROOT" && CGO_ENABLED=0 GOOS=linux go build -trimpath -tags lambda.norpc -ldflags "-s -w" -o "$W/bootstrap" ./bench/echofn)
(cd "$W" && python3 -m zipfile -c fn.zip bootstrap)
sleep 2
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
for p in 18621 18622; do
  /usr/bin/aws --endpoint-url http://127.0.0.1:$p lambda create-function --function-name echo --runtime provided.al2023 --handler bootstrap \
    --role arn:aws:iam::000000000000:role/r --zip-file fileb://$W/fn.zip >/dev/null
  sleep 1
  $W/loadgen lambda --endpoint http://127.0.0.1:$p --function echo --concurrency 8 --duration 2s --warmup 0s >/dev/null 2>&1
done
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
for r in $(seq "$ROUNDS"); do
  for c in 1 8; do
    for t in "A ${PIDS[0]} 18621" "B ${PIDS[1]} 18622"; do
      set -- $t
      c0=$(cpu "$2")
      out=$($W/loadgen lambda --endpoint "http://127.0.0.1:$3" --function echo --concurrency $c --duration "${DUR}s" --warmup 0s 2>/dev/null | tail -n 1)
      c1=$(cpu "$2")
      echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); n=d["ops_per_s"]*float(sys.argv[5]); t=(int(sys.argv[3])-int(sys.argv[2]))*1e6/float(sys.argv[6]); print("%s c=%s %6.0f ops/s  %5.0f us server-cpu/op  p50 %.2f ms  p99 %.2f ms errors %s" % (sys.argv[1], sys.argv[4], d["ops_per_s"], t/n, d["p50_ms"], d["p99_ms"], d.get("errors")))' \
        "$1" "$c0" "$c1" "$c" "$DUR" "$(getconf CLK_TCK)"
    done
  done
done
