using System.Runtime.CompilerServices;
using System.Text;

namespace Recon.Pipeline.Formats;

/// <summary>
/// A partition's consolidated pre-fetch file, in key order:
/// <c>[u16 id len][id][i64 version][u16 file len][file][i64 offset][i32 record len][record]</c>;
/// a negative length marks the head of a format 2 record rather than the whole record.
/// </summary>
internal static class PrefetchFile
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Write(string path, IEnumerable<PrefetchedRecord> records)
    {
        using var w = new BinaryWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20));
        foreach (var r in records)
        {
            WriteString(w, r.ArtifactId);
            w.Write(r.Version);
            WriteString(w, r.File);
            w.Write(r.Offset);
            w.Write(r.HeadOnly ? -r.Record.Length : r.Record.Length);
            w.Write(r.Record);
        }

        // Not synced here: publishing makes the file durable (IObjectStore.PublishAsync).
        w.Flush();
    }

    /// <summary>Streams the records; they come in the key order of the partition's key list.</summary>
    public static IEnumerable<PrefetchedRecord> Read(Stream stream)
    {
        using var r = new BinaryReader(new BufferedStream(stream, 1 << 20));
        var text = new byte[256];
        string lastFile = "";
        while (true)
        {
            string id;
            try
            {
                id = ReadString(r, ref text);
            }
            catch (EndOfStreamException)
            {
                yield break;
            }

            long version = r.ReadInt64();
            // A partition's records come from a few part-files, in runs: one string per run of the same file.
            string file = ReadString(r, ref text, lastFile);
            lastFile = file;
            long offset = r.ReadInt64();
            int len = r.ReadInt32();
            yield return new PrefetchedRecord(id, version, file, offset, r.ReadBytes(Math.Abs(len)), len < 0);
        }
    }

    private static void WriteString(BinaryWriter w, string s)
    {
        // Ids are at most 512 characters: their UTF-8 fits on the stack, so a record's write allocates nothing.
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        Span<byte> bytes = max <= 2048 ? stackalloc byte[2048] : new byte[max];
        int n = Encoding.UTF8.GetBytes(s, bytes);
        w.Write((ushort)n);
        w.Write(bytes[..n]);
    }

    private static string ReadString(BinaryReader r, ref byte[] buffer, string? same = null)
    {
        int len = r.ReadUInt16();
        if (buffer.Length < len)
        {
            buffer = new byte[Math.Max(len, buffer.Length * 2)];
        }

        var bytes = buffer.AsSpan(0, len);
        r.BaseStream.ReadExactly(bytes);
        return same is not null && same.Length == len && Ascii.Equals(bytes, same) ? same : Encoding.UTF8.GetString(bytes);
    }
}
