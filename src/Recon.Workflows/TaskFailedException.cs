namespace Recon.Workflows;

/// <summary>Thrown by a task handler to fail its Task state with a chosen ASL error name (e.g. Recon.Throttled).</summary>
public class TaskFailedException : Exception
{
    public TaskFailedException(string error, string cause)
        : base(cause)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        Error = error;
        Cause = cause;
    }

    public TaskFailedException(string error, string cause, Exception innerException)
        : base(cause, innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        Error = error;
        Cause = cause;
    }

    public TaskFailedException()
        : this("States.TaskFailed", "the task failed")
    {
    }

    public TaskFailedException(string message)
        : this("States.TaskFailed", message)
    {
    }

    public string Error { get; }

    public string Cause { get; }
}
