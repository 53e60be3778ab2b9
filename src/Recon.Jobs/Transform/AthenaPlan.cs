namespace Recon.Jobs.Transform;

/// <summary>
/// A transform compiled for Athena: <see cref="Statements"/> run in order (the inputs' external tables, then one UNLOAD
/// of the whole job), <see cref="Cleanup"/> after them whatever happened (the tables dropped); the output's columns.
/// </summary>
public sealed record AthenaPlan(IReadOnlyList<AthenaStatement> Statements, IReadOnlyList<AthenaStatement> Cleanup, IReadOnlyList<string> Columns);
