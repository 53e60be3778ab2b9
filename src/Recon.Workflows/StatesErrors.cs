namespace Recon.Workflows;

/// <summary>The predefined ASL error names the runner raises or matches.</summary>
public static class StatesErrors
{
    public const string All = "States.ALL";
    public const string TaskFailed = "States.TaskFailed";
    public const string Timeout = "States.Timeout";
    public const string Runtime = "States.Runtime";
    public const string NoChoiceMatched = "States.NoChoiceMatched";
    public const string IntrinsicFailure = "States.IntrinsicFailure";
    public const string HeartbeatTimeout = "States.HeartbeatTimeout";
    public const string DataLimitExceeded = "States.DataLimitExceeded";
}
