namespace Recon.Jobs.Transform;

/// <summary>
/// One statement of a transform compiled for Athena: its role (<c>table</c>: an input's external table, <c>unload</c>:
/// the job, <c>drop</c>: removes a table), the Trino SQL with <c>?</c> placeholders, and the value of each placeholder
/// as a SQL string literal, for StartQueryExecution's <c>ExecutionParameters</c>.
/// </summary>
public sealed record AthenaStatement(string Role, string Sql, IReadOnlyList<string> Parameters);
