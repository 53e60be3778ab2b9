namespace Recon.Workflows;

/// <summary>
/// SendTaskSuccess / SendTaskFailure refused, with the error code Step Functions gives: <c>TaskDoesNotExist</c> (no task
/// waits for this token: it ended, timed out or never existed) or <c>InvalidOutput</c> (the output is not JSON).
/// </summary>
public sealed class TaskTokenException : Exception
{
    public TaskTokenException(string errorCode, string message)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    public TaskTokenException()
        : this("TaskDoesNotExist", "no task waits for this token")
    {
    }

    public TaskTokenException(string message)
        : this("TaskDoesNotExist", message)
    {
    }

    public TaskTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = "TaskDoesNotExist";
    }

    public string ErrorCode { get; } = "TaskDoesNotExist";
}
