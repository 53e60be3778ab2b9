using System.Globalization;
using Recon.Core;
using Recon.Api.Auth;

namespace Recon.Cli;

// Bad option values and arguments (UsageException: printed like a parse error, exit code 2). Messages name the
// option and say what it takes.
internal static partial class CliErrors
{
    /// <summary>A layer's own refusal of the options it was given (PipelineOptions, a compare spec) shown as a usage error.</summary>
    public static UsageException Usage(ReconException refused) =>
        new(refused.Message) { Action = refused.Action, File = refused.File };

    public static UsageException NotAnIsoTime(string option, string value) =>
        new($"{option} '{value}' is not an ISO 8601 time with an offset, e.g. 2026-11-21T10:00:00Z.");

    public static UsageException PollNotPositive(double seconds) =>
        new($"--poll must be positive (got {seconds.ToString(CultureInfo.InvariantCulture)}).");

    public static UsageException MaxBatchMbNotPositive() => new("--max-batch-mb must be positive.");

    public static UsageException SpecFileMissing(string path) => new($"spec file '{path}' does not exist.") { File = path };

    public static UsageException LinesRangeInvalid(string value) =>
        new($"--lines takes OFFSET:LIMIT, two whole numbers such as 0:100 (got '{value}').");

    public static UsageException ParquetExportNeedsOut() => new("--format parquet writes a binary file: give it with --out FILE.");

    /// <param name="option">--map or --tolerance.</param>
    public static UsageException PairNotNameValue(string option, string pair) => new($"{option} '{pair}' is not NAME=VALUE.");

    public static UsageException PairNameTwice(string option, string name) => new($"{option} names '{name}' twice.");

    public static UsageException TokenNameInvalid(string name) => new($"--name '{name}' must be 1 to 64 letters, digits, '.', '_' or '-'.");

    public static UsageException RoleUnknown(string role) => new($"--role '{role}' is not one of {string.Join(", ", ReconRoles.All)}.");

    public static UsageException ExpiresNotPositive() => new("--expires must be a positive number of days.");

    public static UsageException EntitiesEmpty() => new("--entities needs at least one entity, or * for all.");

    public static UsageException EntitiesMixed() => new("--entities is either * (all entities) or a list of entities, not both.");

    public static UsageException EntityCodeInvalid(string value) => new($"--entities: '{value}' is not an entity code.");

    public static UsageException GenerateSizesInvalid() => new("--batches, --events and --artifacts must be at least 1, and --bad-rate between 0 and 1.");

    public static UsageException BenchSizesInvalid() =>
        new("--artifacts must be at least 2, --events at least --artifacts, --lookups and --concurrency at least 1.");

    public static UsageException BenchAwsNeedsBucket() =>
        new("bench --backend aws needs --s3-bucket (it writes under its own prefix bench-XXXXXXXX and its own tables).");

    public static UsageException BenchHotSizesInvalid() => new("--runs and --lines must be at least 1.");

    public static UsageException BenchHotLocalOnly() => new("bench hot runs on the local backend only.");

    public static UsageException BenchJobsRowsTooFew() => new("--rows must be at least 1000.");

    public static UsageException BenchApiSizesInvalid() =>
        new("--artifacts, --clients and --requests must be at least 1, --seconds positive, --corrections 0 or more.");

    public static UsageException DeployedWorkflowsNeedAws() =>
        new("--compare-state-machine and --transform-state-machine need the aws backend (--backend aws): the deployed workflows read and write the deployment's bucket.");

    public static UsageException StatesEndpointInvalid(string endpoint) => new($"--states-endpoint '{endpoint}' is not an http(s) URL.");

    public static UsageException NotAStateMachineArn(string option, string arn) =>
        new($"{option} '{arn}' is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME).");
}
