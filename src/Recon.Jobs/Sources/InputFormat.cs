namespace Recon.Jobs.Sources;

/// <summary>File formats a job reads; a folder holds files of one format.</summary>
public enum InputFormat
{
    Csv,
    JsonLines,
    Parquet,
}
