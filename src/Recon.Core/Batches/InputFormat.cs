namespace Recon.Core.Batches;

public enum InputFormat
{
    JsonLines,
    JsonLinesGzip,
    Csv,
}
