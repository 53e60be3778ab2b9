#!/usr/bin/env bash
# Synthesizes the Recon CDK app (infra/Recon.Infra) offline into infra/cdk.out (or $CDK_OUTDIR).
# Usage: infra/synth.sh [--no-build] [-c key=value ...]
#   --no-build     use the Release build already made (tools/test.sh builds the solution first)
#   -c lambdaZip=PATH  the zip of tools/package-lambda.sh; without it a placeholder asset is synthesized (not deployable)
#   -c deployment=NAME, -c workflows=DIR, ... (see infra/README.md)
# Node must be on PATH (the CDK library runs in it through jsii); nothing is downloaded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

build=1
context=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    -c|--context) [ $# -ge 2 ] || { echo "synth.sh: $1 needs key=value" >&2; exit 2; }; context+=("$2"); shift 2 ;;
    *) echo "synth.sh: unknown argument '$1' (use --no-build and -c key=value)" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# jsii unpacks the CDK library (~130 MB) once into this cache; keep it in the build folder, not $HOME.
export JSII_RUNTIME_PACKAGE_CACHE_ROOT="${JSII_RUNTIME_PACKAGE_CACHE_ROOT:-$root/infra/Recon.Infra/obj/jsii-cache}"
out="${CDK_OUTDIR:-$root/infra/cdk.out}"

if [ "$build" -eq 1 ]; then
  dotnet build infra/Recon.Infra -c Release -nologo -clp:ErrorsOnly >/dev/null || { echo "synth.sh: build of infra/Recon.Infra failed" >&2; exit 1; }
fi
dll=infra/Recon.Infra/bin/Release/net10.0/Recon.Infra.dll
[ -f "$dll" ] || { echo "synth.sh: $dll is missing; run without --no-build" >&2; exit 1; }

# The CDK app reads its context from CDK_CONTEXT_JSON, as the cdk CLI passes it.
json="{"
sep=""
for kv in "${context[@]}"; do
  key="${kv%%=*}"; value="${kv#*=}"
  [ "$key" != "$kv" ] || { echo "synth.sh: -c $kv is not key=value" >&2; exit 2; }
  value="${value//\\/\\\\}"; value="${value//\"/\\\"}"
  json+="$sep\"$key\":\"$value\""
  sep=","
done
json+="}"

rm -rf "$out"
mkdir -p "$out"
# jsii 1.91 prints a framed "Node 20 has reached end-of-life" notice on every start (no switch turns it off);
# the synth output is the same, so drop those lines and keep every other message.
CDK_OUTDIR="$out" CDK_CONTEXT_JSON="$json" dotnet "$dll" 2> >(grep -v '^!!' >&2)
template=$(ls "$out"/*.template.json 2>/dev/null | head -n 1)
[ -n "$template" ] || { echo "synth.sh: no template was written to $out" >&2; exit 1; }
echo "synthesized $(basename "$template") into $out"
