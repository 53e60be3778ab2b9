namespace Recon.Jobs.Transform;

/// <summary>A parsed spec expression: columns, literals, operators and a small set of functions. Never SQL text.</summary>
internal abstract record Expr
{
    internal sealed record NumberLiteral(decimal Value) : Expr;

    internal sealed record TextLiteral(string Value) : Expr;

    internal sealed record BoolLiteral(bool Value) : Expr;

    internal sealed record NullLiteral : Expr;

    internal sealed record Column(string Name) : Expr;

    internal sealed record Unary(string Op, Expr Operand) : Expr;

    internal sealed record Binary(string Op, Expr Left, Expr Right) : Expr;

    internal sealed record IsNull(Expr Operand, bool Negated) : Expr;

    internal sealed record Call(string Function, IReadOnlyList<Expr> Arguments) : Expr;
}
