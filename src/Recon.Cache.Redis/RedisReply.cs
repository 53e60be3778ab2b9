using System.Globalization;
using System.Text;

namespace Recon.Cache.Redis;

/// <summary>One reply of a general command (<see cref="RedisClient.ExecuteAsync"/>). The bulk paths (MGET, SET pipelines) do not build these.</summary>
public sealed class RedisReply
{
    public static readonly RedisReply Nil = new(RedisReplyKind.Null, null, 0, null, null);

    private RedisReply(RedisReplyKind kind, string? text, long integer, byte[]? bulk, IReadOnlyList<RedisReply>? items)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Bulk = bulk;
        Items = items ?? [];
    }

    public RedisReplyKind Kind { get; }

    /// <summary>The text of a simple string or an error reply.</summary>
    public string? Text { get; }

    public long Integer { get; }

    public byte[]? Bulk { get; }

    public IReadOnlyList<RedisReply> Items { get; }

    public bool IsNull => Kind == RedisReplyKind.Null;

    internal static RedisReply Simple(string text) => new(RedisReplyKind.SimpleString, text, 0, null, null);

    internal static RedisReply Error(string text) => new(RedisReplyKind.Error, text, 0, null, null);

    internal static RedisReply FromInteger(long value) => new(RedisReplyKind.Integer, null, value, null, null);

    internal static RedisReply FromBulk(byte[] value) => new(RedisReplyKind.BulkString, null, 0, value, null);

    internal static RedisReply FromArray(RedisReply[] items) => new(RedisReplyKind.Array, null, 0, null, items);

    /// <summary>The reply as text: a simple string, a bulk string decoded as UTF-8, or an integer.</summary>
    public override string ToString() => Kind switch
    {
        RedisReplyKind.SimpleString or RedisReplyKind.Error => Text!,
        RedisReplyKind.BulkString => Encoding.UTF8.GetString(Bulk!),
        RedisReplyKind.Integer => Integer.ToString(CultureInfo.InvariantCulture),
        RedisReplyKind.Null => "(nil)",
        _ => "[" + string.Join(", ", Items) + "]",
    };
}
