using System.Globalization;
using DuckDB.NET.Data;
using Recon.Jobs.Engine;
using Recon.Jobs.Sources;

namespace Recon.Jobs.Compare;

/// <summary>
/// The first step of a compare: checks the spec against both inputs, writes each side hash-partitioned by its key
/// (Parquet, one folder per partition) and decides per column whether it compares as exact decimals or as text.
/// </summary>
internal static class ComparePreparer
{
    private const long BytesPerPartition = 64L << 20;

    public static ComparePlan Prepare(CompareSpec spec, string work, JobEngineOptions engineOptions, CancellationToken ct)
    {
        Validate(spec);
        using var engine = new JobEngine(engineOptions, work);
        var source = InputTable.Open(engine, spec.Source, Path.Combine(work, "in-source"), "source", ct);
        var target = InputTable.Open(engine, spec.Target, Path.Combine(work, "in-target"), "target", ct);

        // Source columns under their target names.
        var sourceNames = new Dictionary<string, string>(StringComparer.Ordinal); // mapped -> original
        foreach (var original in source.Columns)
        {
            var mapped = spec.Map.TryGetValue(original, out var m) ? m : original;
            if (!sourceNames.TryAdd(mapped, original))
            {
                throw JobErrors.MapNameTwice(mapped, sourceNames[mapped], original);
            }
        }

        foreach (var from in spec.Map.Keys)
        {
            if (!source.Columns.Contains(from, StringComparer.Ordinal))
            {
                throw JobErrors.MapColumnUnknown(from, spec.Source, source.Columns);
            }
        }

        string Resolve(string name) => spec.Map.TryGetValue(name, out var m) ? m : name;
        var targetSet = target.Columns.ToHashSet(StringComparer.Ordinal);
        var keys = spec.Key.Select(Resolve).ToList();
        foreach (var k in keys)
        {
            RequireBoth(k, sourceNames, targetSet, spec, "--key");
        }

        var common = sourceNames.Keys.Where(targetSet.Contains).ToList();
        var compared = (spec.Columns.Count > 0 ? spec.Columns.Select(Resolve) : common).Where(c => !keys.Contains(c, StringComparer.Ordinal)).Distinct().ToList();
        foreach (var c in compared)
        {
            RequireBoth(c, sourceNames, targetSet, spec, "--columns");
        }

        var tolerances = new Dictionary<string, (decimal Abs, decimal Rel)>(StringComparer.Ordinal);
        foreach (var (column, text) in spec.Tolerance)
        {
            var name = Resolve(column);
            if (!compared.Contains(name, StringComparer.Ordinal))
            {
                throw JobErrors.ToleranceColumnNotCompared(column, compared);
            }

            tolerances[name] = ParseTolerance(column, text);
        }

        int partitions = spec.Partitions > 0 ? spec.Partitions : DefaultPartitions(source, target);
        bool ordinal = spec.Duplicates == "first";
        WritePartitions(engine, source, sourceNames, keys, compared, spec, partitions, ordinal, Path.Combine(work, "source"), "source");
        var targetIdentity = target.Columns.ToDictionary(c => c, c => c, StringComparer.Ordinal);
        WritePartitions(engine, target, targetIdentity, keys, compared, spec, partitions, ordinal, Path.Combine(work, "target"), "target");

        var sourceProfile = Profile(engine, Path.Combine(work, "source"), compared, out long sourceRows);
        var targetProfile = Profile(engine, Path.Combine(work, "target"), compared, out long targetRows);
        var columns = new List<ColumnPlan>();
        for (int i = 0; i < compared.Count; i++)
        {
            var s = sourceProfile[i];
            var t = targetProfile[i];
            bool numeric = (s.IsNumeric || s.Values == 0) && (t.IsNumeric || t.Values == 0) && s.Values + t.Values > 0
                && Math.Max(s.Scale, t.Scale) + Math.Max(s.IntegerDigits, t.IntegerDigits) <= 37;
            var tol = tolerances.GetValueOrDefault(compared[i]);
            if (tolerances.ContainsKey(compared[i]) && !numeric)
            {
                throw JobErrors.ToleranceOnText(compared[i], s.NonNumeric, t.NonNumeric);
            }

            int scale = Math.Max(s.Scale, t.Scale);
            // Text to DECIMAL(38,s) is slow in the engine (some 100 µs a value); to DECIMAL(18,s) it is fast.
            int precision = Math.Max(s.IntegerDigits, t.IntegerDigits) + scale <= 17 ? 18 : 38;
            columns.Add(new ColumnPlan { Name = compared[i], Numeric = numeric, Scale = scale, Precision = precision, Abs = tol.Abs, Rel = tol.Rel });
        }

        var plan = new ComparePlan
        {
            Spec = spec,
            Work = work,
            Partitions = partitions,
            Keys = keys,
            Columns = columns,
            SourceRows = sourceRows,
            TargetRows = targetRows,
            ColumnsOnlyInSource = sourceNames.Keys.Where(c => !targetSet.Contains(c)).Order(StringComparer.Ordinal).ToList(),
            ColumnsOnlyInTarget = target.Columns.Where(c => !sourceNames.ContainsKey(c)).Order(StringComparer.Ordinal).ToList(),
            FirstOrdinal = ordinal,
        };
        plan.Save();
        return plan;
    }

    internal static void Validate(CompareSpec spec)
    {
        if (spec.Key.Count == 0 || spec.Key.Any(string.IsNullOrWhiteSpace))
        {
            throw JobErrors.CompareWithoutKey();
        }

        if (spec.Duplicates is not ("error" or "first" or "aggregate"))
        {
            throw JobErrors.DuplicatesModeUnknown(spec.Duplicates);
        }

        if (spec.FailOn < 0)
        {
            throw JobErrors.FailOnNegative(spec.FailOn);
        }

        if (spec.Partitions is < 0 or > 4096)
        {
            throw JobErrors.PartitionsOutOfRange(spec.Partitions);
        }

        foreach (var (column, text) in spec.Tolerance)
        {
            ParseTolerance(column, text);
        }
    }

    /// <summary>"ABS" or "ABS:REL%": |s − t| ≤ ABS + REL%·|t|.</summary>
    internal static (decimal Abs, decimal Rel) ParseTolerance(string column, string text)
    {
        var parts = text.Split(':');
        decimal abs = 0, rel = 0;
        bool ok = parts.Length is 1 or 2
            && decimal.TryParse(parts[0], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out abs)
            && (parts.Length == 1 || (parts[1].EndsWith('%')
                && decimal.TryParse(parts[1][..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out rel)));
        return ok
            ? (abs, rel / 100m)
            : throw JobErrors.ToleranceMalformed(column, text);
    }

    private static void RequireBoth(string column, Dictionary<string, string> source, HashSet<string> target, CompareSpec spec, string option)
    {
        if (!source.ContainsKey(column))
        {
            throw JobErrors.ColumnNotInSource(option, column, spec.Source, source.Keys);
        }

        if (!target.Contains(column))
        {
            throw JobErrors.ColumnNotInTarget(option, column, spec.Target, target);
        }
    }

    private static int DefaultPartitions(InputTable source, InputTable target)
    {
        static long Weight(InputTable t) => t.Files.Sum(f => new FileInfo(f).Length) *
            (t.Format == InputFormat.Parquet || t.Files.Any(f => f.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) ? 5 : 1);
        long bytes = Math.Max(Weight(source), Weight(target));
        return (int)Math.Clamp((bytes + BytesPerPartition - 1) / BytesPerPartition, 1, 256);
    }

    private static void WritePartitions(JobEngine engine, InputTable input, Dictionary<string, string> names, List<string> keys,
        List<string> compared, CompareSpec spec, int partitions, bool ordinal, string directory, string label)
    {
        string Normalized(string column)
        {
            var e = Sql.Id(names[column]);
            e = spec.Trim ? $"trim({e})" : e;
            e = spec.IgnoreCase ? $"lower({e})" : e;
            return $"{e} AS {Sql.Id(column)}";
        }

        var select = keys.Concat(compared).Select(Normalized).ToList();
        var hash = $"CAST(hash({string.Join(", ", keys.Select(Sql.Id))}) % {Sql.Number(partitions)} AS INTEGER) AS __p";
        var from = input.From;
        if (ordinal)
        {
            select.Add("row_number() OVER () AS __ord");
        }

        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var sql = $"COPY (SELECT *, {hash} FROM (SELECT {Sql.Join(select)} FROM {from}) AS n) TO {Sql.Text(directory)} (FORMAT parquet, PARTITION_BY (__p))";
        try
        {
            engine.Execute(sql);
        }
        catch (DuckDBException e)
        {
            throw JobEngine.Fail($"{label} '{input.Path}' could not be read and partitioned", e);
        }
    }

    private static IReadOnlyList<ColumnProfile> Profile(JobEngine engine, string directory, List<string> columns, out long rows)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.parquet", SearchOption.AllDirectories) : [];
        if (files.Length == 0)
        {
            rows = 0;
            return columns.Select(c => new ColumnProfile(c, 0, 0, 0, 0)).ToList();
        }

        var from = $"read_parquet({Sql.Text(Path.Combine(directory, "*", "*.parquet"))})";
        rows = engine.Scalar<long>($"SELECT count(*) FROM {from}");
        return ColumnProfile.Measure(engine, from, columns);
    }
}
