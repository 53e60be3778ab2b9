namespace Recon.Jobs.Transform;

/// <summary>A transform compiled to one SELECT over the inputs' views, with its bound values and its output columns.</summary>
internal sealed record CompiledTransform(string Select, IReadOnlyList<object?> Parameters, IReadOnlyList<(string Name, string Type)> Columns);
