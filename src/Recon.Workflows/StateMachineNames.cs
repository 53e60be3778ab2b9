namespace Recon.Workflows;

/// <summary>Reduces a state machine ARN (<c>arn:aws:states:REGION:ACCOUNT:stateMachine:NAME</c>) or a bare name to the name.</summary>
internal static class StateMachineNames
{
    public static string Bare(string arnOrName)
    {
        const string marker = ":stateMachine:";
        var at = arnOrName.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return arnOrName;
        }

        var name = arnOrName[(at + marker.Length)..];
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? name[..colon] : name;
    }
}
