using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Recon.Pipeline.Formats;

/// <summary>Reads a partition's sorted key list: <c>[i32 count]</c> then <c>[u16 len][key]</c> each.</summary>
internal static class KeyListReader
{
    public static async Task<List<string>> ReadAllAsync(Stream stream, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms, ct).ConfigureAwait(false);
        return Parse(ms.GetBuffer().AsSpan(0, (int)ms.Length));
    }

    // Called once per partition with a loop over every key: compiled optimized at once (an async method's loop
    // would run unoptimized until on-stack replacement).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<string> Parse(ReadOnlySpan<byte> data)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(data);
        var keys = new List<string>(count);
        int p = 4;
        for (int i = 0; i < count; i++)
        {
            int len = BinaryPrimitives.ReadUInt16LittleEndian(data[p..]);
            keys.Add(System.Text.Encoding.UTF8.GetString(data.Slice(p + 2, len)));
            p += 2 + len;
        }

        return keys;
    }
}
