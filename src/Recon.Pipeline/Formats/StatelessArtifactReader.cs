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
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);

    public StatelessArtifactReader(Stream stream) => _stream = new BufferedStream(stream, 1 << 20);

    /// <summary>Reads the next group; false at the end of the file.</summary>
    public bool TryReadGroup(out string artifactId, out byte[] keyUtf8, out List<FinancialEvent> events)
    {
        Span<byte> head = stackalloc byte[4];
        if (_stream.ReadAtLeast(head[..2], 2, throwOnEndOfStream: false) == 0)
        {
            artifactId = "";
            keyUtf8 = [];
            events = [];
            return false;
        }

        int keyLen = BinaryPrimitives.ReadUInt16LittleEndian(head);
        keyUtf8 = new byte[keyLen];
        _stream.ReadExactly(keyUtf8);
        artifactId = Encoding.UTF8.GetString(keyUtf8);
        _stream.ReadExactly(head);
        int count = BinaryPrimitives.ReadInt32LittleEndian(head);
        events = new List<FinancialEvent>(count);
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
