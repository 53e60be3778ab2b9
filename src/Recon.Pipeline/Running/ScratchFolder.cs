namespace Recon.Pipeline.Running;

/// <summary>The local folder where a stage writes a file before it publishes it to the store.</summary>
internal sealed class ScratchFolder(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>A new, unique path in the folder (created when missing); <paramref name="hint"/> says what the file is.</summary>
    public string NewPath(string hint)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, $"{hint}.{Guid.NewGuid():N}.tmp");
    }
}
