using System.Buffers.Binary;
using System.Text;

namespace Recon.Core.PartFiles;

/// <summary>
/// Writes one part-file to a local staging path. Records are appended in the caller's order; <see cref="Complete"/>
/// writes the footer and flushes to disk, after which the file can be published under its final key.
/// </summary>
public sealed class PartFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly List<PartFileEntry> _entries = [];
    private readonly byte[] _header = new byte[PartFileFormat.RecordHeaderSize];
    private long _position;
    private bool _completed;

    public PartFileWriter(string stagingPath, string runId, int partition)
    {
        StagingPath = stagingPath;
        _stream = new FileStream(stagingPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.None);
        var id = Encoding.UTF8.GetBytes(runId);
        Span<byte> header = stackalloc byte[14 + id.Length];
        PartFileFormat.HeaderMagic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], PartFileFormat.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], partition);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], (ushort)id.Length);
        id.CopyTo(header[14..]);
        _stream.Write(header);
        _position = header.Length;
    }

    public string StagingPath { get; }

    /// <summary>Bytes written so far; the caller rolls over to a new file past its size limit.</summary>
    public long Length => _position;

    public int Count => _entries.Count;

    public IReadOnlyList<PartFileEntry> Entries => _entries;

    public PartFileEntry Append(string artifactId, long version, ReadOnlySpan<byte> payload)
    {
        long recordLength = PartFileFormat.RecordHeaderSize + (long)payload.Length;
        if (recordLength > int.MaxValue)
        {
            throw ReconErrors.RecordTooLarge(artifactId, recordLength);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(_header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(_header.AsSpan(4), Crc32C.Compute(payload));
        _stream.Write(_header);
        _stream.Write(payload);
        var entry = new PartFileEntry(artifactId, version, _position, (int)recordLength);
        _entries.Add(entry);
        _position += recordLength;
        return entry;
    }

    /// <summary>Writes the footer and trailer and makes the file durable.</summary>
    public void Complete()
    {
        long footerOffset = _position;
        var footer = new MemoryStream();
        Span<byte> fixedPart = stackalloc byte[20];
        foreach (var e in _entries)
        {
            var id = Encoding.UTF8.GetBytes(e.ArtifactId);
            BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)id.Length);
            footer.Write(fixedPart[..2]);
            footer.Write(id);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, e.Version);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart[8..], e.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[16..], e.Length);
            footer.Write(fixedPart);
        }

        var footerBytes = footer.GetBuffer().AsSpan(0, (int)footer.Length);
        _stream.Write(footerBytes);
        Span<byte> trailer = stackalloc byte[PartFileFormat.TrailerSize];
        BinaryPrimitives.WriteInt64LittleEndian(trailer, footerOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[8..], (uint)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[12..], Crc32C.Compute(footerBytes));
        PartFileFormat.TrailerMagic.CopyTo(trailer[16..]);
        _stream.Write(trailer);
        _position += footerBytes.Length + trailer.Length;
        _stream.Flush(flushToDisk: true);
        _completed = true;
        _stream.Dispose();
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (!_completed)
        {
            File.Delete(StagingPath);
        }
    }
}
