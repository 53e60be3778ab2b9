namespace Recon.Cache.Redis;

/// <summary>A connect or an operation took longer than its configured timeout; the connection it used was discarded.</summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(string message) : base(message) { }

    public RedisTimeoutException(string message, Exception inner) : base(message, inner) { }
}
