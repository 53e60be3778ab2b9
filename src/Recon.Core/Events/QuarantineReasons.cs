namespace Recon.Core.Events;

/// <summary>The reason codes a quarantined line can carry; stable strings, shown to users and stored in the ledger.</summary>
public static class QuarantineReasons
{
    public const string InvalidJson = "invalid-json";
    public const string NotAnObject = "not-an-object";
    public const string MissingField = "missing-field";
    public const string InvalidFieldType = "invalid-field-type";
    public const string InvalidAmount = "invalid-amount";
    public const string InvalidCurrency = "invalid-currency";
    public const string InvalidTime = "invalid-time";
    public const string InvalidId = "invalid-id";

    /// <summary>The line is not valid UTF-8; the quarantine keeps its raw bytes in base64.</summary>
    public const string InvalidEncoding = "invalid-encoding";
    public const string InvalidCsvRow = "invalid-csv-row";
    public const string ConflictingDuplicate = "conflicting-duplicate";
}
