using Recon.Core;

namespace Recon.Lambda;

// The function's environment: each names the variable to set or correct.
internal static partial class LambdaErrors
{
    public static ReconException BackendNotAws(string backend) =>
        new($"RECON_BACKEND is '{backend}', but a Lambda function runs only on the aws backend: set RECON_BACKEND=aws or leave it unset.")
        {
            Action = "Set RECON_BACKEND=aws or leave it unset.",
        };

    public static ReconException BucketNotSet() =>
        new("RECON_S3_BUCKET is not set: the function needs the deployment's bucket (the CDK stack sets it).")
        {
            Action = "Set RECON_S3_BUCKET to the deployment's bucket.",
        };

    public static ReconException RegionNotSet() =>
        new("neither RECON_REGION nor AWS_REGION is set: Lambda sets AWS_REGION; it names the endpoints of S3, DynamoDB and Step Functions.")
        {
            Action = "Set RECON_REGION or AWS_REGION.",
        };

    public static ReconException BucketNameInvalid(string bucket) =>
        new($"RECON_S3_BUCKET '{bucket}' is not a valid S3 bucket name: 3 to 63 lower-case letters, digits, '-' or '.'.")
        {
            Action = "Set RECON_S3_BUCKET to a valid S3 bucket name.",
        };

    /// <param name="variable">RECON_INDEX_TABLE or RECON_LEDGER_TABLE.</param>
    public static ReconException TableNameInvalid(string variable, string table) =>
        new($"{variable} '{table}' is not a valid DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'.")
        {
            Action = $"Set {variable} to a valid DynamoDB table name.",
        };

    /// <param name="variable">RECON_S3_ENDPOINT or RECON_DYNAMODB_ENDPOINT.</param>
    public static ReconException EndpointNotUrl(string variable, string text) =>
        new($"{variable} '{text}' is not an http(s) URL.") { Action = $"Set {variable} to an http(s) URL or leave it unset." };

    /// <param name="detail">The parser's reason, which holds no password.</param>
    public static ReconException RedisConnectionInvalid(string detail) =>
        new($"RECON_REDIS is not a valid Redis connection: {detail}") { Action = "Correct RECON_REDIS." };

    public static ReconException MemorySizeInvalid(string size) =>
        new($"AWS_LAMBDA_FUNCTION_MEMORY_SIZE '{size}' is not a memory size in MB.");

    public static ReconException HandlerNotSet() =>
        new("_HANDLER is not set: the function's handler must be the name of a Recon function (e.g. recon-plan).")
        {
            Action = "Set the function's handler to the name of a Recon function (e.g. recon-plan).",
        };

    public static ReconException HandlerUnknown(string handler, IEnumerable<string> served)
    {
        var list = string.Join(", ", served);
        return new($"_HANDLER '{handler}' is not a Recon function; this package serves {list}.")
        {
            Action = $"Set the function's handler to one of {list}.",
        };
    }
}
