using System.Buffers.Binary;
using System.Text;
using Recon.Core.PartFiles;

namespace Recon.Core.Tests.PartFiles;

public sealed class PartFileWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recon-pf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Complete_OfEmptyLargeAndNonAsciiRecords_WritesHeaderRecordsFooterAndTrailerInTheDocumentedLayout()
    {
        var path = Path.Combine(_dir, "p" + PartFileFormat.Extension);
        var payloads = new[] { "{\"a\":1}"u8.ToArray(), [], Encoding.UTF8.GetBytes(new string('x', 5000)) };
        var ids = new[] { "ORD-1", "ORD-é", "ORD-3" };
        PartFileEntry[] entries;
        using (var writer = new PartFileWriter(path, "r-000042", partition: 7))
        {
            for (int i = 0; i < payloads.Length; i++)
            {
                writer.Append(ids[i], i + 1, payloads[i]);
            }

            entries = [.. writer.Entries];
            writer.Complete();
        }

        var file = File.ReadAllBytes(path);

        // Header: magic, u16 version, u16 reserved, i32 partition, u16 run-id length, run id.
        Assert.Equal("RCPF"u8.ToArray(), file[..4]);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(4)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6)));
        Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(8)));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(12)));
        Assert.Equal("r-000042", Encoding.UTF8.GetString(file, 14, 8));

        // Records follow the header back to back.
        long expectedOffset = 22;
        for (int i = 0; i < payloads.Length; i++)
        {
            Assert.Equal(new PartFileEntry(ids[i], i + 1, expectedOffset, 8 + payloads[i].Length), entries[i]);
            var record = file.AsSpan((int)entries[i].Offset, entries[i].Length);
            Assert.Equal((uint)payloads[i].Length, BinaryPrimitives.ReadUInt32LittleEndian(record));
            Assert.Equal(Crc32C.Compute(payloads[i]), BinaryPrimitives.ReadUInt32LittleEndian(record[4..]));
            Assert.Equal(payloads[i], PartFileRecord.Verify(record, path, entries[i].Offset, ids[i]).ToArray());
            expectedOffset += 8 + payloads[i].Length;
        }

        // Trailer: i64 footer offset, u32 entry count, u32 footer crc, "RCPE".
        var trailer = file.AsSpan(file.Length - 20);
        long footerOffset = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        Assert.Equal(expectedOffset, footerOffset);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..]));
        Assert.Equal("RCPE"u8.ToArray(), trailer[16..].ToArray());
        var footer = file.AsSpan((int)footerOffset, file.Length - 20 - (int)footerOffset);
        Assert.Equal(Crc32C.Compute(footer), BinaryPrimitives.ReadUInt32LittleEndian(trailer[12..]));

        // Footer entries: u16 id length, id, i64 version, i64 offset, i32 length — enough to rebuild the index.
        var rebuilt = new List<PartFileEntry>();
        while (!footer.IsEmpty)
        {
            int idLength = BinaryPrimitives.ReadUInt16LittleEndian(footer);
            var id = Encoding.UTF8.GetString(footer.Slice(2, idLength));
            footer = footer[(2 + idLength)..];
            rebuilt.Add(new PartFileEntry(id, BinaryPrimitives.ReadInt64LittleEndian(footer),
                BinaryPrimitives.ReadInt64LittleEndian(footer[8..]), BinaryPrimitives.ReadInt32LittleEndian(footer[16..])));
            footer = footer[20..];
        }

        Assert.Equal(entries, rebuilt);
    }

    [Fact]
    public void Length_FromHeaderToComplete_TracksEveryByteWritten()
    {
        var path = Path.Combine(_dir, "len.rpf");
        using var writer = new PartFileWriter(path, "r-1", 0);
        Assert.Equal(14 + 3, writer.Length);

        writer.Append("A", 1, new byte[100]);
        Assert.Equal(17 + 108, writer.Length);
        Assert.Equal(1, writer.Count);

        writer.Complete();
        Assert.Equal(new FileInfo(path).Length, writer.Length);
    }

    [Fact]
    public void Dispose_WhenNotCompleted_DeletesTheStagingFile()
    {
        var path = Path.Combine(_dir, "abandoned.rpf");
        using (var writer = new PartFileWriter(path, "r-1", 0))
        {
            writer.Append("A", 1, new byte[10]);
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Verify_WhenAPayloadByteIsFlipped_ThrowsNamingFileOffsetAndArtifact()
    {
        var (path, entry, file) = WriteOne("ORD-77", "{\"artifact_id\":\"ORD-77\"}"u8.ToArray());
        var record = file.AsSpan((int)entry.Offset, entry.Length).ToArray();
        record[^3] ^= 0x01;

        var ex = Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(record, path, entry.Offset, "ORD-77"));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {entry.Offset}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ORD-77", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CRC", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.File);
        Assert.Equal(entry.Offset, ex.Offset);
        Assert.Equal("ORD-77", ex.ArtifactId);
    }

    [Fact]
    public void Verify_WhenTheStoredCrcIsFlipped_Throws()
    {
        var (path, entry, file) = WriteOne("ORD-1", new byte[64]);
        var record = file.AsSpan((int)entry.Offset, entry.Length).ToArray();
        record[5] ^= 0x80;

        Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(record, path, entry.Offset, "ORD-1"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(-8)]
    public void Verify_WhenTheRangeHasTheWrongLength_ThrowsNamingFileOffsetAndArtifact(int delta)
    {
        var (path, entry, file) = WriteOne("ORD-5", new byte[32]);
        var record = file.AsSpan((int)entry.Offset, entry.Length + delta).ToArray();

        var ex = Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(record, path, entry.Offset, "ORD-5"));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(entry.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Contains("ORD-5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenTheLengthFieldIsCorrupted_Throws()
    {
        var (path, entry, file) = WriteOne("ORD-5", new byte[32]);
        var record = file.AsSpan((int)entry.Offset, entry.Length).ToArray();
        record[0] ^= 0x04;

        var ex = Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(record, path, entry.Offset, "ORD-5"));
        Assert.Contains("length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_WhenRecordIsShorterThanItsHeader_Throws()
    {
        Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(new byte[7], "f.rpf", 0, null));
    }

    [Fact]
    public void Verify_WhenEverySingleByteOfARecordIsFlippedInTurn_DetectsEachOne()
    {
        var payload = Encoding.UTF8.GetBytes("{\"artifact_id\":\"ORD-1\",\"version\":3}");
        var (path, entry, file) = WriteOne("ORD-1", payload);
        for (int i = 0; i < entry.Length; i++)
        {
            var record = file.AsSpan((int)entry.Offset, entry.Length).ToArray();
            record[i] ^= 0x10;
            Assert.Throws<CorruptRecordException>(() => PartFileRecord.Verify(record, path, entry.Offset, "ORD-1"));
        }
    }

    private (string Path, PartFileEntry Entry, byte[] File) WriteOne(string artifactId, byte[] payload)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + PartFileFormat.Extension);
        PartFileEntry entry;
        using (var writer = new PartFileWriter(path, "r-000001", 0))
        {
            writer.Append("before", 1, new byte[13]);
            entry = writer.Append(artifactId, 2, payload);
            writer.Complete();
        }

        return (path, entry, File.ReadAllBytes(path));
    }
}
