#!/usr/bin/env bash
# recon bench --backend aws against local servers: s3rver, dynalite and redis-server on free loopback ports with
# temporary folders, stopped on exit. These are slow emulators: the figures show the adapters' overheads and
# concurrency, not AWS speed.
# Usage: tools/bench-aws.sh [extra bench flags, e.g. --json --artifacts 50000 --events 100000 --lookups 5000]
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command -v redis-server >/dev/null 2>&1 || { echo "bench-aws: redis-server is not on PATH (apt-get install redis-server)" >&2; exit 1; }
if [ ! -x tools/node_modules/.bin/s3rver ] || [ ! -x tools/node_modules/.bin/dynalite ] || [ ! -f tools/node_modules/local-aws-sqs/package.json ]; then
  echo "bench-aws: installing the pinned npm servers (npm ci --prefix tools)" >&2
  npm ci --prefix tools --no-audit --no-fund --loglevel=error >&2
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # name port pid
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
      return 0
    fi
    kill -0 "$3" 2>/dev/null || { echo "bench-aws: $1 exited; its log:" >&2; cat "$tmp/$1.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "bench-aws: $1 did not listen on 127.0.0.1:$2" >&2
  exit 1
}

s3_port=$(free_port)
mkdir -p "$tmp/s3"
# s3rver encrypts ListObjectsV2 continuation tokens with DES: Node 17+ has it only in the legacy provider.
NODE_OPTIONS=--openssl-legacy-provider tools/node_modules/.bin/s3rver -d "$tmp/s3" -a 127.0.0.1 -p "$s3_port" --silent \
  >"$tmp/s3rver.log" 2>&1 &
pids+=($!)
wait_port s3rver "$s3_port" "$!"

dynamo_port=$(free_port)
tools/node_modules/.bin/dynalite --host 127.0.0.1 --port "$dynamo_port" --createTableMs 1 --deleteTableMs 1 --updateTableMs 1 \
  >"$tmp/dynalite.log" 2>&1 &
pids+=($!)
wait_port dynalite "$dynamo_port" "$!"

# recon init (run by the bench) creates the jobs queues too: local-aws-sqs, through the environment so that builds
# from before the SQS job queue, which do not know the setting, run unchanged.
[ -f tools/node_modules/local-aws-sqs/package.json ] || { echo "bench-aws: tools/node_modules/local-aws-sqs is missing (npm ci --prefix tools)" >&2; exit 1; }
sqs_port=$(free_port)
node tools/sqs-server.js "$sqs_port" >"$tmp/sqs.log" 2>&1 &
pids+=($!)
wait_port sqs "$sqs_port" "$!"
export RECON_SQS_ENDPOINT="http://127.0.0.1:$sqs_port"

redis_port=$(free_port)
mkdir -p "$tmp/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp/redis" >"$tmp/redis.log" 2>&1 &
pids+=($!)
wait_port redis "$redis_port" "$!"

# s3rver's fixed credentials; the bench reads them through the standard AWS chain.
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1

echo "bench-aws: s3rver :$s3_port, dynalite :$dynamo_port, sqs :$sqs_port, redis :$redis_port" >&2
dotnet run --project src/Recon.Cli -c Release -- bench --backend aws --data "$tmp/data" \
  --s3-bucket recon-bench --s3-endpoint "http://127.0.0.1:$s3_port" --dynamodb-endpoint "http://127.0.0.1:$dynamo_port" \
  --redis "127.0.0.1:$redis_port" "$@"
