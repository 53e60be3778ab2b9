using System.Text;

namespace Recon.Testing.Fuzzing;

/// <summary>
/// Deterministic byte mutations for the fuzz properties: FsCheck draws the seed and the input, this turns them into the
/// kinds of damage hostile or broken input shows (flipped bits, cut files, spliced control bytes, invalid UTF-8, huge
/// numbers, duplicated or dropped spans). The same seed gives the same mutation, so a failure replays.
/// </summary>
public static class Mutations
{
    private static readonly byte[][] Splices =
    [
        [0x1B, (byte)'[', (byte)'3', (byte)'1', (byte)'m'], [0x1B, (byte)']', (byte)'0', (byte)';', 0x07], [0xC3, 0x28], [0xFF],
        [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC2, 0x9B], [0x00], [(byte)'\r'], [(byte)'\n'], [(byte)'"'], [(byte)'\\'], [(byte)','],
        "9223372036854775807"u8.ToArray(), "1e400"u8.ToArray(), "0.00000000000000000000000000001"u8.ToArray(),
        "-79228162514264337593543950336"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "[[[[[[[[[[[[[[[["u8.ToArray(),
        "\\u001b"u8.ToArray(), "\\ud800"u8.ToArray(), "null"u8.ToArray(), "\uFEFF"u8.ToArray(), "\u202E"u8.ToArray(),
    ];

    /// <summary>Applies 1 to 4 random mutations to <paramref name="input"/>.</summary>
    public static byte[] Mutate(byte[] input, int seed)
    {
        var random = new Random(seed);
        var bytes = new List<byte>(input);
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(bytes, random);
        }

        return [.. bytes];
    }

    private static void MutateOnce(List<byte> bytes, Random random)
    {
        int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(8))
        {
            case 0 when bytes.Count > 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when bytes.Count > 0:
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                break;
            case 2:
                bytes.InsertRange(at, Splices[random.Next(Splices.Length)]);
                break;
            case 3 when bytes.Count > 0:
                bytes.RemoveRange(at, bytes.Count - at); // cut short
                break;
            case 4 when bytes.Count > 0:
                bytes[at] = (byte)random.Next(256);
                break;
            case 5 when bytes.Count > 1:
                {
                    int from = random.Next(bytes.Count);
                    int length = Math.Min(bytes.Count - from, 1 + random.Next(32));
                    bytes.InsertRange(at, bytes.GetRange(from, length));
                    break;
                }

            case 6:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(new string((char)random.Next(0x20, 0x7F), 1 + random.Next(3))));
                break;
            default:
                bytes.InsertRange(at, Splices[random.Next(Splices.Length)]);
                break;
        }
    }
}
