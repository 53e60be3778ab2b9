namespace Recon.Cache.Redis.Protocol;

/// <summary>The first line of a RESP2 reply: its type byte and either its number (<c>: $ *</c>) or its text (<c>+ -</c>).</summary>
internal readonly record struct RespLine(byte Prefix, long Number, string? Text)
{
    public const byte SimpleString = (byte)'+';
    public const byte Error = (byte)'-';
    public const byte Integer = (byte)':';
    public const byte Bulk = (byte)'$';
    public const byte Array = (byte)'*';
}
