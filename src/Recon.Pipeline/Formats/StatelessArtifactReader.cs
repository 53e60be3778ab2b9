using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Recon.Core.Events;

namespace Recon.Pipeline.Formats;

/// <summary>Streams the groups of a stateless artifact file in key order.</summary>
internal sealed class StatelessArtifactReader : IDisposable
{
    private readonly Stream _stream;
    private readonly StringPool _pool = new();
    private readonly byte[] _key = new byte[ushort.MaxValue];
    private readonly List<FinancialEvent> _events = [];
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);

    public StatelessArtifactReader(Stream stream) => _stream = new BufferedStream(stream, 1 << 20);

    /// <summary>
    /// Reads the next group; false at the end of the file. The key's bytes and the list are the reader's own, reused
    /// by the next call (the events in it are not).
    /// </summary>
    public bool TryReadGroup(out string artifactId, out ReadOnlyMemory<byte> keyUtf8, out List<FinancialEvent> events)
    {
        Span<byte> head = stackalloc byte[4];
        _events.Clear();
        events = _events;
        if (_stream.ReadAtLeast(head[..2], 2, throwOnEndOfStream: false) == 0)
        {
            artifactId = "";
            keyUtf8 = default;
            return false;
        }

        int keyLen = BinaryPrimitives.ReadUInt16LittleEndian(head);
        var key = _key.AsSpan(0, keyLen);
        _stream.ReadExactly(key);
        keyUtf8 = _key.AsMemory(0, keyLen);
        artifactId = Encoding.UTF8.GetString(key);
        _stream.ReadExactly(head);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head);
        events.EnsureCapacity(count);
        for (int i = 0; i < count; i++)
        {
            _stream.ReadExactly(head);
            int bodyLen = BinaryPrimitives.ReadInt32LittleEndian(head);
            if (_buffer.Length < bodyLen + 4)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(bodyLen + 4);
            }

            head.CopyTo(_buffer);
            _stream.ReadExactly(_buffer, 4, bodyLen);
            events.Add(EventBinaryCodec.Read(_buffer.AsSpan(0, bodyLen + 4), _pool, artifactId));
        }

        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
