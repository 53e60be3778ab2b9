using Parquet;
using Parquet.Schema;
using Recon.Core;
using Recon.Core.Artifacts;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

/// <summary>
/// Writes artifact versions as Parquet for a query engine, with balances and totals exploded into rows so that every
/// column is flat: per version one row per balance (<c>measure</c> = balance, by <c>currency</c>) and one per total
/// (<c>measure</c> = total, by <c>event_type</c> and <c>currency</c>), each carrying the version's columns (id, entity,
/// version, run, updated_at, status, line count, first and last event times); a version with neither gets one row
/// with null measure. <c>amount</c> is DECIMAL(38, 18): exact for every amount of up to 18 decimals, and an amount with
/// more is refused rather than rounded. Times are TIMESTAMP(MICROS, UTC), what Spark, Athena and DuckDB read; the
/// sub-microsecond digit of .NET's 100 ns ticks is dropped (the JSON Lines export keeps it).
/// </summary>
internal sealed class ArtifactParquetExporter : IAsyncDisposable
{
    public const int AmountPrecision = 38;
    public const int AmountScale = 18;
    private const int RowsPerGroup = 100_000;

    private static readonly DataField ArtifactId = new("artifact_id", typeof(string));
    private static readonly DataField Entity = new("entity", typeof(string));
    private static readonly DataField Version = new("version", typeof(long));
    private static readonly DataField RunId = new("run_id", typeof(string));
    private static readonly DateTimeDataField UpdatedAt = new("updated_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros);
    private static readonly DataField Status = new("status", typeof(string));
    private static readonly DataField LineCount = new("line_count", typeof(long));
    private static readonly DateTimeDataField FirstEventAt = new("first_event_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros, isNullable: true);
    private static readonly DateTimeDataField LastEventAt = new("last_event_at", DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros, isNullable: true);
    private static readonly DataField Measure = new("measure", typeof(string), isNullable: true);
    private static readonly DataField EventType = new("event_type", typeof(string), isNullable: true);
    private static readonly DataField Currency = new("currency", typeof(string), isNullable: true);
    private static readonly DecimalDataField Amount = new("amount", AmountPrecision, AmountScale, isNullable: true);

    /// <summary>The file's schema, in column order.</summary>
    public static readonly ParquetSchema Schema = new(
        ArtifactId, Entity, Version, RunId, UpdatedAt, Status, LineCount, FirstEventAt, LastEventAt, Measure, EventType, Currency, Amount);

    private readonly ParquetWriter _writer;
    private readonly List<string> _ids = [], _entities = [], _runs = [], _statuses = [];
    private readonly List<string?> _measures = [], _types = [], _currencies = [];
    private readonly List<long> _versions = [], _lineCounts = [];
    private readonly List<DateTime> _updated = [];
    private readonly List<DateTime?> _first = [], _last = [];
    private readonly List<decimal?> _amounts = [];

    private ArtifactParquetExporter(ParquetWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Artifact versions added so far.</summary>
    public long Versions { get; private set; }

    public static async Task<ArtifactParquetExporter> CreateAsync(Stream output, CancellationToken ct) =>
        new(await ParquetWriter.CreateAsync(Schema, output, null, false, ct).ConfigureAwait(false));

    public async Task AddAsync(IndexRow row, ArtifactState state, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        Versions++;
        bool any = false;
        foreach (var (currency, amount) in state.Balances)
        {
            AddRow(state, row, "balance", null, currency, amount);
            any = true;
        }

        foreach (var (type, byCurrency) in state.Totals)
        {
            foreach (var (currency, amount) in byCurrency)
            {
                AddRow(state, row, "total", type, currency, amount);
                any = true;
            }
        }

        if (!any)
        {
            AddRow(state, row, null, null, null, null);
        }

        if (_ids.Count >= RowsPerGroup)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the rows still buffered; the file is complete once this instance is disposed.</summary>
    public Task CompleteAsync(CancellationToken ct) => FlushAsync(ct);

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private void AddRow(ArtifactState state, IndexRow row, string? measure, string? type, string? currency, decimal? amount)
    {
        if (amount is { Scale: > AmountScale } exact)
        {
            throw ReconErrors.AmountTooPreciseForParquet(state.ArtifactId, state.Version, exact, AmountScale);
        }

        _ids.Add(state.ArtifactId);
        _entities.Add(state.Entity);
        _versions.Add(state.Version);
        _runs.Add(state.RunId);
        _updated.Add(state.UpdatedAt.UtcDateTime);
        _statuses.Add(state.Status);
        _lineCounts.Add(state.LineCount);
        _first.Add(state.FirstEventAt?.UtcDateTime);
        _last.Add(state.LastEventAt?.UtcDateTime);
        _measures.Add(measure);
        _types.Add(type);
        _currencies.Add(currency);
        _amounts.Add(amount);
        _ = row;
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        if (_ids.Count == 0)
        {
            return;
        }

        using (var group = _writer.CreateRowGroup())
        {
            await group.WriteAsync(ArtifactId, _ids, null).ConfigureAwait(false);
            await group.WriteAsync(Entity, _entities, null).ConfigureAwait(false);
            await group.WriteAsync<long>(Version, _versions.ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(RunId, _runs, null).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(UpdatedAt, _updated.ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(Status, _statuses, null).ConfigureAwait(false);
            await group.WriteAsync<long>(LineCount, _lineCounts.ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(FirstEventAt, _first.ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync<DateTime>(LastEventAt, _last.ToArray(), null, null, ct).ConfigureAwait(false);
            await group.WriteAsync(Measure, _measures!, null).ConfigureAwait(false);
            await group.WriteAsync(EventType, _types!, null).ConfigureAwait(false);
            await group.WriteAsync(Currency, _currencies!, null).ConfigureAwait(false);
            await group.WriteAsync<decimal>(Amount, _amounts.ToArray(), null, null, ct).ConfigureAwait(false);
        }

        foreach (var list in new System.Collections.IList[] { _ids, _entities, _runs, _statuses, _measures, _types, _currencies, _versions, _lineCounts, _updated, _first, _last, _amounts })
        {
            list.Clear();
        }
    }
}
