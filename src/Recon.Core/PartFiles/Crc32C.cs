using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Recon.Core.PartFiles;

/// <summary>CRC-32C (Castagnoli), using the CPU's crc32 instruction where the runtime has it.</summary>
public static class Crc32C
{
    // Hot for every record written and read: compiled optimized at once rather than after seconds in the lower tiers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFF_FFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
