#!/usr/bin/env bash
# Runs every test of the solution and ends with the line "N passed, N failed[, N skipped]"; each workflows/*.asl.json
# validated by asl-validator, the Lambda package of this machine's architecture (tools/package-lambda.sh) and the synth
# of infra/ with it (infra/synth.sh) count as one test each. The package is also what tests/Recon.Lambda.Tests starts.
# Installs what the tests need when it is missing: redis-server and chromium (Debian's packages) and the npm servers pinned by
# tools/package-lock.json (s3rver, dynalite, local-aws-sqs, asl-validator). The test fixtures start their own server processes on
# free loopback ports; a server that cannot be installed or started is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail_setup() {
  echo "test setup failed: $1"
  echo "0 passed, 1 failed"
  exit 1
}

if ! command -v redis-server >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing redis-server (apt)"
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq redis-server; } >/dev/null 2>&1 ||
    fail_setup "could not install redis-server with apt-get"
fi
command -v redis-server >/dev/null 2>&1 || fail_setup "redis-server is not on PATH"

# The page tests drive Debian's chromium through Playwright (which ships its own driver, never a browser download).
if [ ! -x /usr/bin/chromium ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing chromium (apt)"
  { $sudo_cmd apt-get update -qq && $sudo_cmd apt-get install -y -qq chromium; } >/dev/null 2>&1 ||
    fail_setup "could not install chromium with apt-get"
fi
[ -x /usr/bin/chromium ] || fail_setup "/usr/bin/chromium is missing"

# npm ci when node_modules is missing or older than the lock file. A tools/node_modules that is a symlink (a git
# worktree sharing another checkout's servers) is never reinstalled: npm ci would empty the shared folder under every
# other user of it. There only the binaries are checked.
if [ ! -L tools/node_modules ] &&
  { [ ! -x tools/node_modules/.bin/s3rver ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; }; then
  echo "installing the pinned npm test servers (npm ci --prefix tools)"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error >/dev/null 2>&1 || fail_setup "npm ci --prefix tools failed"
fi
for bin in s3rver dynalite asl-validator; do
  [ -x "tools/node_modules/.bin/$bin" ] || fail_setup "tools/node_modules/.bin/$bin is missing after npm ci"
done
# local-aws-sqs has no command of its own: tools/sqs-server.js starts it with node.
[ -f tools/node_modules/local-aws-sqs/package.json ] || fail_setup "tools/node_modules/local-aws-sqs is missing after npm ci"
command -v node >/dev/null 2>&1 || fail_setup "node is not on PATH (tools/sqs-server.js runs the SQS test server)"

# Every workflow definition must pass asl-validator; a failure counts as one failed test.
asl_failed=0
asl_passed=0
for def in workflows/*.asl.json; do
  [ -e "$def" ] || continue
  if tools/node_modules/.bin/asl-validator --json-path "$def" >"$log" 2>&1; then
    asl_passed=$((asl_passed + 1))
  else
    echo "asl-validator rejected $def:"
    cat "$log"
    asl_failed=$((asl_failed + 1))
  fi
done

dotnet build Recon.sln -c Release -nologo -clp:ErrorsOnly 2>&1 | tee "$log"
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# The Lambda package (one architecture: the other is the same publish for another runtime pack) counts as one test;
# Recon.Lambda.Tests runs its bootstrap (RECON_LAMBDA_ZIP) and the synth below deploys it.
package_failed=0
package_dir=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$package_dir"' EXIT
case "$(uname -m)" in aarch64|arm64) package_arch=arm64; cdk_arch=arm64 ;; *) package_arch=x64; cdk_arch=x86_64 ;; esac
synth_zip=()
if bash tools/package-lambda.sh --arch "$package_arch" --out "$package_dir" >"$log" 2>&1; then
  tail -n 1 "$log"
  export RECON_LAMBDA_ZIP="$package_dir/recon-lambda-$package_arch.zip"
  synth_zip=(-c "lambdaZip=$RECON_LAMBDA_ZIP" -c "lambdaArchitecture=$cdk_arch")
else
  echo "tools/package-lambda.sh failed:"
  cat "$log"
  package_failed=1
fi

# The CDK app (infra/Recon.Infra) must synthesize from the workflows as they are; it counts as one test.
synth_failed=0
if bash infra/synth.sh --no-build "${synth_zip[@]}" >"$log" 2>&1; then
  tail -n 1 "$log"
else
  echo "infra/synth.sh failed:"
  cat "$log"
  synth_failed=1
fi

# Test temp folders go to tmpfs when it has room (unless TMPDIR is set): the local backend syncs every file it
# publishes, and those syncs were a third of the Pipeline tests' time (run alone, side by side: 22-25 s with temp on
# disk, 13-16 s on /dev/shm; 55-65 s against 37-43 s on a busy machine). What a killed process wrote survives on both,
# which is all the crash tests can observe.
test_tmp=""
shm_free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')
mem_free_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null)
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ] && [ "${shm_free_kb:-0}" -ge 4194304 ] && [ "${mem_free_kb:-0}" -ge 6291456 ]; then
  test_tmp=$(mktemp -d /dev/shm/recon-tests.XXXXXX) && export TMPDIR="$test_tmp"
fi
trap 'rm -f "$log"; rm -rf "$package_dir"; [ -z "$test_tmp" ] || rm -rf "$test_tmp"' EXIT

# A test that hangs is killed after 10 minutes and counted as failed, so a wedged test can never hold CI to its limit.
dotnet test Recon.sln -c Release --no-build -nologo --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Each test assembly prints "Failed: F, Passed: P, Skipped: S, Total: T"; add them up.
read -r passed failed skipped < <(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log" |
  awk -F'[:,]' '{f+=$2; p+=$4; s+=$6} END {printf "%d %d %d\n", p, f, s}')
assemblies=$(grep -Ec 'Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+' "$log")
expected=$(find tests -name '*.Tests.csproj' | wc -l)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test host crashed or an assembly did not report: count it as a failure
fi
if [ "$assemblies" -lt "$expected" ]; then
  echo "only $assemblies of $expected test assemblies reported results"
  [ "$failed" -eq 0 ] && failed=1
  status=1
fi

passed=$((passed + asl_passed + 2 - synth_failed - package_failed))
failed=$((failed + asl_failed + synth_failed + package_failed))
[ "$asl_failed" -gt 0 ] && status=1
[ "$synth_failed" -gt 0 ] && status=1
[ "$package_failed" -gt 0 ] && status=1

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
