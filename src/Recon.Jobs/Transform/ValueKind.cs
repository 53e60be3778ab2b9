namespace Recon.Jobs.Transform;

internal enum ValueKind
{
    Decimal,
    Float,
    Text,
    Bool,
    Null,
    Other,
}
