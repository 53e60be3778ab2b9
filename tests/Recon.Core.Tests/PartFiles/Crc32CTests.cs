using FsCheck;
using FsCheck.Fluent;
using Recon.Core.PartFiles;

namespace Recon.Core.Tests.PartFiles;

public class Crc32CTests
{
    [Fact]
    public void Compute_OfStandardCheckInput_ReturnsTheCastagnoliCheckValue()
    {
        // The catalogued check value of CRC-32C (iSCSI, RFC 3720) for ASCII "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Compute_OfEmptyInput_ReturnsZero()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Compute_Of32ZeroBytes_ReturnsTheRfc3720TestVector()
    {
        // RFC 3720 B.4: 32 bytes of zeros give 0x8A9136AA.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
    }

    [Fact]
    public void Compute_ForRandomInputsOfAnyLength_MatchesABitwiseReferenceImplementation()
    {
        // Lengths 0..64 exercise the 8-byte loop and every tail length.
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), data => Crc32C.Compute(data) == Reference(data))
            .QuickCheckThrowOnFailure();
        for (int n = 0; n < 64; n++)
        {
            var data = new byte[n];
            new Random(n).NextBytes(data);
            Assert.Equal(Reference(data), Crc32C.Compute(data));
        }
    }

    private static uint Reference(byte[] data)
    {
        uint crc = 0xFFFF_FFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
