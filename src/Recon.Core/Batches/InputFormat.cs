namespace Recon.Core.Batches;

public enum InputFormat
{
    JsonLines,
    JsonLinesGzip,
    Csv,

    /// <summary>One row per event, columns named as the event's fields, read by row group.</summary>
    Parquet,
}
