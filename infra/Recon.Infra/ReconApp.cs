using System.Globalization;
using Amazon.CDK;

namespace Recon.Infra;

/// <summary>Builds the app's one stack from CDK context; shared by Program and the tests.</summary>
internal static class ReconApp
{
    /// <summary>The placeholder asset's bootstrap: it fails every invocation with a message saying what to deploy instead.</summary>
    private const string PlaceholderBootstrap = """
        #!/bin/sh
        # Placeholder written by infra/Recon.Infra: synthesized without -c lambdaZip=PATH. Not deployable.
        echo "This Recon function was deployed from a placeholder asset: build the zip with tools/package-lambda.sh and deploy with -c lambdaZip=PATH." >&2
        exit 1
        """;

    public static ReconInfraOptions ReadOptions(Func<string, string?> context)
    {
        string workflows = context("workflows") ?? Path.Combine(RepositoryRoot(), "workflows");
        string? zip = context("lambdaZip");
        bool placeholder = zip is null;
        if (zip is not null && !File.Exists(zip) && !Directory.Exists(zip))
        {
            throw new InvalidOperationException($"-c lambdaZip={zip}: no such file; build it with tools/package-lambda.sh.");
        }

        string architecture = context("lambdaArchitecture") ?? "arm64";
        if (architecture is not ("arm64" or "x86_64"))
        {
            throw new InvalidOperationException($"-c lambdaArchitecture={architecture}: use arm64 or x86_64, the architecture tools/package-lambda.sh built the zip for.");
        }

        var defaults = new ReconInfraOptions { WorkflowsDirectory = workflows, LambdaCodePath = "" };
        return defaults with
        {
            Deployment = context("deployment") ?? defaults.Deployment,
            LambdaCodePath = zip ?? WritePlaceholderAsset(Path.Combine(Path.GetTempPath(), "recon-infra-placeholder-lambda")),
            LambdaCodeIsPlaceholder = placeholder,
            LambdaArchitecture = architecture,
            S3Prefix = context("s3Prefix")?.Trim('/') ?? defaults.S3Prefix,
            MaxAzs = Int(context, "maxAzs", defaults.MaxAzs),
            NatGateways = Int(context, "natGateways", defaults.NatGateways),
            WorkerEphemeralStorageMb = Int(context, "workerEphemeralStorageMb", defaults.WorkerEphemeralStorageMb),
            ServeCpu = Int(context, "serveCpu", defaults.ServeCpu),
            ServeMemoryMb = Int(context, "serveMemoryMb", defaults.ServeMemoryMb),
            ServeContainerPort = Int(context, "servePort", defaults.ServeContainerPort),
            ServeHealthCheckPath = context("serveHealthCheckPath") ?? defaults.ServeHealthCheckPath,
            // -c transform=true: also workflows/transform.asl.json, with the jobs' Athena workgroup and Glue database.
            DeployedWorkflows = context("transform") == "true" ? [.. defaults.DeployedWorkflows, "transform"] : defaults.DeployedWorkflows,
            // -c jobInputBuckets=a,b/extracts: what s3:// inputs of compare and transform jobs the job functions may read.
            JobInputBuckets = context("jobInputBuckets") is { Length: > 0 } buckets ? JobInputBuckets(buckets) : defaults.JobInputBuckets,
            JobEphemeralStorageMb = Int(context, "jobEphemeralStorageMb", defaults.JobEphemeralStorageMb),
            // -c jobWorkRetentionDays=0: keep the jobs' work and Athena's results for ever.
            JobWorkRetentionDays = context("jobWorkRetentionDays") == "0" ? 0 : Int(context, "jobWorkRetentionDays", defaults.JobWorkRetentionDays),
            AthenaBytesScannedCutoffPerQuery = context("athenaBytesScannedCutoff") is { } cutoff
                ? long.TryParse(cutoff, NumberStyles.Integer, CultureInfo.InvariantCulture, out long bytes) && bytes >= 10_000_000
                    ? bytes
                    : throw new InvalidOperationException($"-c athenaBytesScannedCutoff={cutoff}: expected a whole number of bytes, at least 10000000 (Athena's minimum).")
                : defaults.AthenaBytesScannedCutoffPerQuery,
        };
    }

    /// <summary>
    /// The stack is environment-agnostic on purpose (no account or region, CDK_DEFAULT_* ignored): its AZs are
    /// Fn::GetAZs of the region it is deployed to, so a synthesized assembly needs no context lookups and deploys
    /// anywhere with <c>cdk deploy --app infra/cdk.out</c>.
    /// </summary>
    public static ReconStack AddStack(App app, ReconInfraOptions options) =>
        new(app, $"{options.Deployment}-stack", options, new StackProps
        {
            Description = $"Recon deployment '{options.Deployment}' (infra/Recon.Infra)",
        });

    /// <summary>A folder with a failing <c>bootstrap</c>, so synth and tests work before tools/package-lambda.sh has run.</summary>
    public static string WritePlaceholderAsset(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "bootstrap"), PlaceholderBootstrap.ReplaceLineEndings("\n") + "\n");
        return folder;
    }

    /// <summary>The repository root: the nearest folder upwards holding Recon.sln (from the working folder, then the binary).</summary>
    public static string RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Recon.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Recon.sln) above the working folder; pass -c workflows=DIR.");
    }

    /// <summary><c>a,b/extracts</c>: bucket names, each optionally with a key prefix, as IAM resource names.</summary>
    internal static IReadOnlyList<string> JobInputBuckets(string text)
    {
        var list = new List<string>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var trimmed = item.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) ? item[5..] : item;
            trimmed = trimmed.Trim('/');
            var bucket = trimmed.Split('/')[0];
            if (bucket.Length is < 3 or > 63 || bucket.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
                || trimmed.Any(c => c is '*' or '?' or ' ' or '$' or '{' or '}'))
            {
                throw new InvalidOperationException($"-c jobInputBuckets: '{item}' is not a bucket name (3 to 63 lower-case letters, digits, '-' or '.') with an optional /prefix.");
            }

            list.Add(trimmed);
        }

        return list;
    }

    private static int Int(Func<string, string?> context, string key, int fallback)
    {
        string? text = context(key);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidOperationException($"-c {key}={text}: expected a positive whole number.");
    }
}
