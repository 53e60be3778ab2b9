using System.Runtime.CompilerServices;

namespace Recon.Pipeline.Formats;

/// <summary>Stable hash partitioning of artifact ids (FNV-1a over UTF-8), the same in every process and machine.</summary>
internal static class ArtifactPartitioner
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PartitionOf(ReadOnlySpan<byte> artifactIdUtf8, int partitions)
    {
        uint hash = 2166136261;
        foreach (byte b in artifactIdUtf8)
        {
            hash = (hash ^ b) * 16777619;
        }

        return (int)(hash % (uint)partitions);
    }
}
