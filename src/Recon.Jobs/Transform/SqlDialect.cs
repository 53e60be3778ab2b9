namespace Recon.Jobs.Transform;

/// <summary>The SQL a transform compiles to: the embedded engine's, or Athena's (Trino) for the AWS path.</summary>
internal enum SqlDialect
{
    DuckDb,
    Trino,
}
