namespace Recon.Lambda.Aws;

/// <summary>The credentials a call is signed with: in Lambda, the execution role's, from the function's environment.</summary>
internal sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken)
{
    /// <summary>AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, which Lambda sets for the execution role.</summary>
    public static AwsCredentials FromEnvironment(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var id = variable("AWS_ACCESS_KEY_ID");
        var secret = variable("AWS_SECRET_ACCESS_KEY");
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
        {
            throw new Core.ReconException(
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: Lambda sets them for the function's execution role; elsewhere set them to sign Step Functions calls.");
        }

        return new AwsCredentials(id, secret, variable("AWS_SESSION_TOKEN") is { Length: > 0 } token ? token : null);
    }
}
