#!/usr/bin/env bash
# Packages the Recon Lambda functions (src/Recon.Lambda) as a custom runtime for provided.al2023: a self-contained
# publish for each architecture, the executable renamed `bootstrap`, zipped as recon-lambda-<arch>.zip. One zip per
# architecture serves every function: the CDK stack (infra/Recon.Infra) sets each function's handler to its name
# (recon-plan, recon-reduce-scan, ...) and the bootstrap serves the function named by _HANDLER.
# Usage: tools/package-lambda.sh [--arch arm64|x64|all] [--out DIR]
#   --arch  arm64 (Lambda's arm64 = Graviton, the stack's default), x64 (x86_64), or all (default)
#   --out   where the zips go (default artifacts/lambda)
# The SDK picks the runtime pack version (Microsoft.NETCore.App.Runtime.linux-<arch>) from the restore sources.
# The job functions (recon-compare-*, recon-transform-*) run DuckDB: DuckDB.NET.Bindings.Full carries natives for five
# platforms under runtimes/<rid>/native/, and a publish with -r linux-<arch> copies only that RID's libduckdb.so
# (linux-x64 ~68 MB, linux-arm64 ~61 MB) next to bootstrap, where DuckDB.NET loads it. (Directory.Build.targets trims
# the other natives only from builds without a RuntimeIdentifier.) The script checks that the zip holds libduckdb.so
# for its own architecture (the ELF machine field). The native needs glibc 2.25 and libstdc++ (GLIBCXX 3.4.22), which
# provided.al2023 has (glibc 2.34; .NET's own libcoreclr.so needs libstdc++ too). A zip is ~60 MB, ~160 MB unzipped:
# above Lambda's 50 MB direct upload, so it is deployed from S3 (the CDK asset), within the 250 MB unzipped limit.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

archs=(arm64 x64)
out="$root/artifacts/lambda"
while [ $# -gt 0 ]; do
  case "$1" in
    --arch)
      [ $# -ge 2 ] || { echo "package-lambda.sh: --arch needs arm64, x64 or all" >&2; exit 2; }
      case "$2" in
        arm64|x64) archs=("$2") ;;
        all) archs=(arm64 x64) ;;
        *) echo "package-lambda.sh: --arch '$2' is not arm64, x64 or all" >&2; exit 2 ;;
      esac
      shift 2 ;;
    --out)
      [ $# -ge 2 ] || { echo "package-lambda.sh: --out needs a folder" >&2; exit 2; }
      out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    *) echo "package-lambda.sh: unknown argument '$1' (use --arch and --out)" >&2; exit 2 ;;
  esac
done
command -v zip >/dev/null 2>&1 || { echo "package-lambda.sh: zip is not on PATH (apt-get install zip)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$out"

for arch in "${archs[@]}"; do
  rid="linux-$arch"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  # Self-contained: provided.al2023 has no .NET. No ReadyToRun or trimming: the AWS SDK and System.Text.Json
  # reflection paths are not trim-safe, and the package stays one quick publish.
  dotnet publish src/Recon.Lambda/Recon.Lambda.csproj -c Release -r "$rid" --self-contained true \
    -p:PublishReadyToRun=false -p:PublishTrimmed=false -p:PublishSingleFile=false -p:GenerateDocumentationFile=false \
    -o "$stage" -nologo -clp:ErrorsOnly >/dev/null || { echo "package-lambda.sh: dotnet publish for $rid failed" >&2; exit 1; }
  # The apphost finds Recon.Lambda.dll by the name written into it, so it may be renamed.
  mv "$stage/Recon.Lambda" "$stage/bootstrap"
  chmod 755 "$stage/bootstrap"
  rm -f "$stage"/*.pdb
  # The embedded engine's native for this architecture, and only it (ELF e_machine at byte 18: 0x3e x86-64, 0xb7 aarch64).
  [ -f "$stage/libduckdb.so" ] || { echo "package-lambda.sh: $rid publish holds no libduckdb.so (DuckDB.NET.Bindings.Full runtimes/$rid/native)" >&2; exit 1; }
  machine="$(od -An -tx1 -j18 -N1 "$stage/libduckdb.so" | tr -d ' ')"
  case "$arch:$machine" in
    x64:3e|arm64:b7) ;;
    *) echo "package-lambda.sh: libduckdb.so in the $rid publish is for ELF machine 0x$machine, not $arch" >&2; exit 1 ;;
  esac
  if ls "$stage"/runtimes/*/native/*duckdb* >/dev/null 2>&1; then
    echo "package-lambda.sh: the $rid publish carries other platforms' DuckDB natives under runtimes/" >&2; exit 1
  fi
  zip_name="recon-lambda-$arch.zip"
  rm -f "$out/$zip_name"
  (cd "$stage" && zip -q -r -X "$out/$zip_name" .)
  rm -rf "$stage"
  trap - EXIT
  echo "$out/$zip_name ($(du -h "$out/$zip_name" | cut -f1), $rid, handler = function name, runtime provided.al2023)"
done
