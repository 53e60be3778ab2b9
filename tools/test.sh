#!/usr/bin/env bash
# Runs every test of the solution and ends with the line "N passed, N failed[, N skipped]".
# Issue 2 needs no server: the embedded default is a folder and SQLite. Later issues add the servers
# (redis-server, s3rver, dynalite) here, installed and started by this script.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build Recon.sln -c Release -nologo -clp:ErrorsOnly 2>&1 | tee "$log"
build=${PIPESTATUS[0]}
if [ "$build" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

dotnet test Recon.sln -c Release --no-build -nologo 2>&1 | tee "$log"
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

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
