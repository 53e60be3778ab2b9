using System.Globalization;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Transform;

/// <summary>
/// Type-checks an <see cref="Expr"/> against the columns of the current rows and compiles it to DuckDB SQL: names quoted,
/// literals bound as parameters, decimals kept exact (÷ is done in 128-bit integers and rounded half away from zero).
/// </summary>
/// <remarks>
/// With <see cref="SqlDialect.Trino"/> parameters (see <see cref="SqlParameters"/>) the same types compile to Athena's SQL:
/// a quotient is the engine's own DECIMAL division of the dividend cast to the result scale (Trino rounds it half away
/// from zero, as Recon does), guarded against a zero divisor (an error in Trino, empty in Recon); <c>round</c> is cast
/// to its result scale (Trino keeps the operand's); <c>concat</c> reads a null as empty text (null in Trino).
/// </remarks>
internal sealed class ExprCompiler(IReadOnlyDictionary<string, ValueType> columns, SqlParameters parameters, IReadOnlySet<string>? groupKeys = null)
{
    private SqlDialect Dialect => parameters.Dialect;

    /// <summary>Places after the point of a quotient, unless an operand has more (then that many, at most 18).</summary>
    public const int DivisionScale = 6;

    private bool _inAggregate;

    public (string Sql, ValueType Type) Compile(Expr e) => e switch
    {
        Expr.NumberLiteral n => Literal(n.Value),
        Expr.TextLiteral t => ($"CAST({parameters.Add(t.Value)} AS VARCHAR)", ValueType.Text),
        Expr.BoolLiteral b => (b.Value ? "TRUE" : "FALSE", ValueType.Bool),
        Expr.NullLiteral => ("NULL", ValueType.Null),
        Expr.Column c => Column(c.Name),
        Expr.IsNull i => ($"({Compile(i.Operand).Sql} IS {(i.Negated ? "NOT " : "")}NULL)", ValueType.Bool),
        Expr.Unary u => Unary(u),
        Expr.Binary b => Binary(b),
        Expr.Call call => Call(call),
        _ => throw JobErrors.ExpressionUnsupported(e),
    };

    private (string, ValueType) Literal(decimal value)
    {
        int precision = Math.Max(Digits(value), value.Scale + 1);
        return ($"CAST({parameters.Add(value.ToString(CultureInfo.InvariantCulture))} AS DECIMAL({precision},{value.Scale}))", ValueType.Decimal(value.Scale, precision));
    }

    private (string, ValueType) Column(string name)
    {
        if (!columns.TryGetValue(name, out var type))
        {
            var near = columns.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            throw JobErrors.UnknownColumn(name, near, columns.Keys);
        }

        if (groupKeys is not null && !_inAggregate && !groupKeys.Contains(name))
        {
            throw JobErrors.ColumnNotGrouped(name);
        }

        return (Sql.Id(name), type);
    }

    private (string, ValueType) Unary(Expr.Unary u)
    {
        var (sql, type) = Compile(u.Operand);
        if (u.Op == "not")
        {
            Require(type, ValueKind.Bool, "not");
            return ($"(NOT {sql})", ValueType.Bool);
        }

        RequireNumber(type, "-");
        return ($"(-{sql})", type);
    }

    private (string, ValueType) Binary(Expr.Binary b)
    {
        var (l, lt) = Compile(b.Left);
        var (r, rt) = Compile(b.Right);
        switch (b.Op)
        {
            case "and" or "or":
                Require(lt, ValueKind.Bool, b.Op);
                Require(rt, ValueKind.Bool, b.Op);
                return ($"({l} {b.Op.ToUpperInvariant()} {r})", ValueType.Bool);
            case "=" or "!=" or "<" or "<=" or ">" or ">=":
                if (!(lt.IsNumber && rt.IsNumber) && lt.Kind != rt.Kind && lt.Kind != ValueKind.Null && rt.Kind != ValueKind.Null)
                {
                    throw JobErrors.ComparesUnlike(b.Op, lt, rt);
                }

                if (lt.IsNarrow && rt.IsNarrow && lt.Kind == ValueKind.Decimal && rt.Kind == ValueKind.Decimal && lt.Scale != rt.Scale)
                {
                    // Unequal scales would make the engine compare in 128 bits; one common 18-digit type keeps 64.
                    var common = ValueType.Decimal(Math.Max(lt.Scale, rt.Scale), ValueType.NarrowPrecision);
                    (l, r) = (Coerce(l, lt, common), Coerce(r, rt, common));
                }

                return ($"({l} {(b.Op == "!=" ? "<>" : b.Op)} {r})", ValueType.Bool);
            case "+" or "-":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                // Two decimals of up to 18 digits add in 64 bits in the engine (an overflow is an error, see TransformJob).
                return ($"({l} {b.Op} {r})", Combine(lt, rt, Math.Max(lt.Scale, rt.Scale), lt.IsNarrow && rt.IsNarrow));
            case "*":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                if (lt.Kind == ValueKind.Decimal && rt.Kind == ValueKind.Decimal && lt.Scale + rt.Scale > 38)
                {
                    throw JobErrors.ProductScaleTooLarge(lt.Scale, rt.Scale);
                }

                return ($"({l} * {r})", Combine(lt, rt, lt.Scale + rt.Scale, lt.IsNarrow && rt.IsNarrow && lt.Scale + rt.Scale < ValueType.NarrowPrecision));
            case "/":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                return Divide(l, lt, r, rt, Dialect);
            default:
                throw JobErrors.UnknownOperator(b.Op);
        }
    }

    private static (string, ValueType) Divide(string l, ValueType lt, string r, ValueType rt, SqlDialect dialect)
    {
        if (lt.Kind == ValueKind.Float || rt.Kind == ValueKind.Float)
        {
            return dialect == SqlDialect.Trino
                ? ($"(CASE WHEN ({r}) = 0 THEN NULL ELSE ({l}) / ({r}) END)", new ValueType(ValueKind.Float))
                : ($"({l} / {r})", new ValueType(ValueKind.Float));
        }

        int sa = lt.Scale, sb = rt.Scale;
        int scale = Math.Min(18, Math.Max(DivisionScale, Math.Max(sa, sb)));
        if (dialect == SqlDialect.Trino)
        {
            // Trino: DECIMAL(p1,s1) / DECIMAL(p2,s2) has scale max(s1, s2), rounded half away from zero, and an
            // overflow is an error. The dividend cast to the result scale (≥ s2) makes that scale Recon's.
            if (sb > scale)
            {
                throw JobErrors.DivisorScaleTooLarge(sb);
            }

            return ($"(CASE WHEN ({r}) = 0 THEN NULL ELSE CAST({l} AS DECIMAL(38,{scale})) / ({r}) END)", ValueType.Decimal(scale));
        }

        if (lt.IsNarrow && rt.IsNarrow)
        {
            var narrow = NarrowDivide(l, lt, r, rt, scale);
            if (narrow is not null)
            {
                return (narrow, ValueType.Decimal(scale, ValueType.NarrowPrecision));
            }
        }

        // a/b = A·10^sb / (B·10^sa) with A, B the unscaled integers; Q = N / D at the result scale, rounded half away
        // from zero. 64-bit integers when both operands are small enough that N and 2·|N| + |D| fit (fast), else
        // 128-bit (some 50 times slower in the engine); an overflow is an error, never a rounded result.
        string Quotient(string type, string pow10Sa, string pow10Sb, string pow10SbScale)
        {
            var n = $"(CAST(({l}) * {pow10Sa} AS {type}) * {pow10SbScale})";
            var d = $"(CAST(({r}) * {pow10Sb} AS {type}) * {pow10Sa})";
            return $"CAST(sign({n}) * sign({d}) * ((2 * abs({n}) + abs({d})) // (2 * abs({d}))) AS DECIMAL(38,0))";
        }

        var wide = Quotient("HUGEINT", Pow10(sa, "HUGEINT"), Pow10(sb, "HUGEINT"), Pow10(sb + scale, "HUGEINT"));
        int headroomA = 17 - sa - sb - scale, headroomB = 17 - sa - sb;
        var quotient = headroomA <= 0
            ? wide
            : $"(CASE WHEN abs({l}) < {Pow10(headroomA, "BIGINT")} AND abs({r}) < {Pow10(headroomB, "BIGINT")} " +
              $"THEN {Quotient("BIGINT", Pow10(sa, "BIGINT"), Pow10(sb, "BIGINT"), Pow10(sb + scale, "BIGINT"))} ELSE {wide} END)";
        return ($"(CASE WHEN ({r}) = 0 THEN NULL ELSE {quotient} * {Sql.ScaleUnit(scale)} END)", ValueType.Decimal(scale));
    }

    /// <summary>
    /// a ÷ b for two decimals of at most 18 digits, giving DECIMAL(18, scale): Q = A·10^(sb+scale) / (B·10^sa) in 64-bit
    /// integers when the operands are small enough (checked per row), else in 128-bit integers; either way rounded half
    /// away from zero, exactly. A quotient that does not fit 18 digits is an engine error, never a rounded value (the job
    /// then runs again with 38-digit decimals, see <see cref="TransformJob"/>). Null when the scales leave no headroom.
    /// </summary>
    private static string? NarrowDivide(string l, ValueType lt, string r, ValueType rt, int scale)
    {
        int sa = lt.Scale, sb = rt.Scale;
        // |A·10^(sb+scale)| < 10^17 and |B·10^sa| < 10^17, so 2·|N| + |D| fits a BIGINT; the unscaled integer of x is
        // taken as CAST(x · 10^s AS BIGINT) in the operand's own 18-digit type, which needs |x| < 10^(18 − 2s).
        int guardA = Math.Min(17 - sa - sb - scale, 17 - 2 * sa), guardB = Math.Min(17 - sa - sb, 17 - 2 * sb);
        if (guardA <= 0 || guardB <= 0 || scale > 17)
        {
            return null;
        }

        static string Unscaled(string x, int s) => s == 0 ? $"CAST({x} AS BIGINT)" : $"CAST(({x}) * CAST({Pow10Digits(s)} AS DECIMAL(18,0)) AS BIGINT)";
        var n = $"({Unscaled(l, sa)} * {Pow10(sb + scale, "BIGINT")})";
        var d = $"({Unscaled(r, sb)} * {Pow10(sa, "BIGINT")})";
        var fast = $"(sign({n}) * sign({d}) * ((2 * abs({n}) + abs({d})) // (2 * abs({d}))))";
        var wideSql = WideQuotient(l, sa, r, sb, scale);
        var guard = $"abs({l}) < CAST({Pow10Digits(guardA)} AS DECIMAL(18,{sa})) AND abs({r}) < CAST({Pow10Digits(guardB)} AS DECIMAL(18,{sb}))";
        var q = $"CAST(CASE WHEN {guard} THEN {fast} ELSE CAST({wideSql} AS BIGINT) END AS DECIMAL(18,0))";
        var value = scale == 0 ? q : $"({q} * CAST('0.{new string('0', scale - 1)}1' AS DECIMAL({scale + 1},{scale})))";
        return $"(CASE WHEN ({r}) = 0 THEN NULL ELSE {value} END)";
    }

    /// <summary>The rounded quotient A·10^(sb+scale) / (B·10^sa) in 128-bit integers, as DECIMAL(38,0).</summary>
    private static string WideQuotient(string l, int sa, string r, int sb, int scale)
    {
        var n = $"(CAST(({l}) * {Pow10(sa, "HUGEINT")} AS HUGEINT) * {Pow10(sb + scale, "HUGEINT")})";
        var d = $"(CAST(({r}) * {Pow10(sb, "HUGEINT")} AS HUGEINT) * {Pow10(sa, "HUGEINT")})";
        return $"CAST(sign({n}) * sign({d}) * ((2 * abs({n}) + abs({d})) // (2 * abs({d}))) AS DECIMAL(38,0))";
    }

    private static string Pow10Digits(int exponent) => exponent == 0 ? "1" : "1" + new string('0', exponent);

    private static string Pow10(int exponent, string type) => $"CAST({(exponent == 0 ? "1" : "1" + new string('0', exponent))} AS {type})";

    private (string, ValueType) Call(Expr.Call call)
    {
        var name = call.Function;
        var args = call.Arguments;
        switch (name)
        {
            case "round":
            {
                Arity(call, 1, 2);
                var (x, xt) = Compile(args[0]);
                RequireNumber(xt, name);
                int places = 0;
                if (args.Count == 2)
                {
                    places = args[1] is Expr.NumberLiteral { Value: var p } && p == decimal.Truncate(p) && p is >= 0 and <= 18
                        ? (int)p
                        : throw JobErrors.RoundPlacesInvalid();
                }

                var rounded = xt.Kind == ValueKind.Decimal ? ValueType.Decimal(Math.Min(places, xt.Scale), xt.Precision) : xt;
                return Dialect == SqlDialect.Trino && xt.Kind == ValueKind.Decimal
                    ? ($"CAST(round({x}, {Sql.Number(places)}) AS DECIMAL(38,{rounded.Scale}))", ValueType.Decimal(rounded.Scale))
                    : ($"round({x}, {Sql.Number(places)})", rounded);
            }

            case "abs":
            {
                Arity(call, 1, 1);
                var (x, xt) = Compile(args[0]);
                RequireNumber(xt, name);
                return ($"abs({x})", xt);
            }

            case "coalesce":
            {
                if (args.Count < 1)
                {
                    throw JobErrors.CoalesceWithoutArguments();
                }

                var compiled = args.Select(Compile).ToList();
                var type = Unify(compiled.Select(c => c.Type).ToList(), name);
                return ($"coalesce({Sql.Join(compiled.Select(c => Coerce(c.Sql, c.Type, type)))})", type);
            }

            case "if":
            {
                Arity(call, 3, 3);
                var (cond, ct) = Compile(args[0]);
                Require(ct, ValueKind.Bool, "if");
                var (a, at) = Compile(args[1]);
                var (b, bt) = Compile(args[2]);
                var type = Unify([at, bt], name);
                return ($"(CASE WHEN {cond} THEN {Coerce(a, at, type)} ELSE {Coerce(b, bt, type)} END)", type);
            }

            case "lower" or "upper" or "trim":
            {
                Arity(call, 1, 1);
                var (x, xt) = Compile(args[0]);
                Require(xt, ValueKind.Text, name);
                return ($"{name}({x})", ValueType.Text);
            }

            case "concat":
            {
                var compiled = args.Select(Compile).ToList();
                if (Dialect == SqlDialect.Trino)
                {
                    // Trino's concat is null when an argument is; Recon's reads a null as empty text.
                    var parts = compiled.Select(c => $"coalesce(CAST({c.Sql} AS VARCHAR), '')").ToList();
                    return (parts.Count switch { 0 => "''", 1 => parts[0], _ => $"concat({Sql.Join(parts)})" }, ValueType.Text);
                }

                return ($"concat({Sql.Join(compiled.Select(c => $"CAST({c.Sql} AS VARCHAR)"))})", ValueType.Text);
            }

            case "sum" or "min" or "max" or "count" or "avg":
                return Aggregate(call);
            default:
                throw JobErrors.UnknownFunction(name);
        }
    }

    private (string, ValueType) Aggregate(Expr.Call call)
    {
        if (groupKeys is null)
        {
            throw JobErrors.AggregateOutsideGroup(call.Function);
        }

        if (_inAggregate)
        {
            throw JobErrors.AggregateInAggregate(call.Function);
        }

        if (call.Function == "count" && call.Arguments.Count == 0)
        {
            return ("count(*)", CountType);
        }

        Arity(call, 1, 1);
        _inAggregate = true;
        var (x, xt) = Compile(call.Arguments[0]);
        _inAggregate = false;
        switch (call.Function)
        {
            case "count":
                return ($"count({x})", CountType);
            case "min" or "max":
                return ($"{call.Function}({x})", xt);
            case "sum":
                RequireNumber(xt, "sum");
                return ($"sum({x})", SumType(xt));
            default:
                RequireNumber(xt, "avg");
                return Divide($"sum({x})", SumType(xt), $"count({x})", CountType, Dialect);
        }
    }

    /// <summary>count() is a BIGINT in the engine.</summary>
    private static readonly ValueType CountType = ValueType.Decimal(0, 20);

    /// <summary>The engine sums decimals as DECIMAL(38, s).</summary>
    private static ValueType SumType(ValueType t) => t.Kind == ValueKind.Decimal ? ValueType.Decimal(t.Scale) : t;

    public static (string Sql, ValueType Type) AggregateOf(string function, string columnSql, ValueType type, SqlDialect dialect = SqlDialect.DuckDb) => function switch
    {
        "sum" => ($"sum({columnSql})", SumType(type)),
        "min" or "max" => ($"{function}({columnSql})", type),
        "count" => ($"count({columnSql})", CountType),
        "avg" => Divide($"sum({columnSql})", SumType(type), $"count({columnSql})", CountType, dialect),
        _ => throw JobErrors.UnknownAggregate(function),
    };

    private static ValueType Unify(IReadOnlyList<ValueType> types, string function)
    {
        var known = types.Where(t => t.Kind != ValueKind.Null).ToList();
        if (known.Count == 0)
        {
            return ValueType.Null;
        }

        if (known.All(t => t.IsNumber))
        {
            return known.Any(t => t.Kind == ValueKind.Float)
                ? new ValueType(ValueKind.Float)
                : ValueType.Decimal(known.Max(t => t.Scale), known.All(t => t.IsNarrow) ? ValueType.NarrowPrecision : 38);
        }

        if (known.Any(t => t.Kind != known[0].Kind))
        {
            throw JobErrors.MixedTypes(function, known);
        }

        return known[0];
    }

    private static ValueType Combine(ValueType a, ValueType b, int scale, bool narrow) =>
        a.Kind == ValueKind.Float || b.Kind == ValueKind.Float ? new ValueType(ValueKind.Float) : ValueType.Decimal(scale, narrow ? ValueType.NarrowPrecision : 38);

    /// <summary>
    /// A narrow decimal branch cast to the common 18-digit type: left to itself the engine would widen a mix of scales
    /// past 18 digits (DECIMAL(18,2) and DECIMAL(18,4) give DECIMAL(20,4)) and compute in 128 bits from there on. A
    /// value that does not fit is an engine error, never rounded.
    /// </summary>
    private static string Coerce(string sql, ValueType from, ValueType to) =>
        to.Kind == ValueKind.Decimal && to.IsNarrow && from.Kind == ValueKind.Decimal && (from.Scale != to.Scale || from.Precision != to.Precision)
            ? $"CAST({sql} AS DECIMAL({to.Precision},{to.Scale}))"
            : sql;

    private static void Arity(Expr.Call call, int min, int max)
    {
        if (call.Arguments.Count < min || call.Arguments.Count > max)
        {
            throw JobErrors.WrongArgumentCount(call.Function, min, max, call.Arguments.Count);
        }
    }

    private static void Require(ValueType type, ValueKind kind, string op)
    {
        if (type.Kind != kind && type.Kind != ValueKind.Null)
        {
            throw JobErrors.OperandType(op, kind, type);
        }
    }

    private static void RequireNumber(ValueType type, string op)
    {
        if (!type.IsNumber)
        {
            throw JobErrors.OperandNotNumber(op, type);
        }
    }

    private static int Digits(decimal value)
    {
        var text = decimal.Abs(value).ToString(CultureInfo.InvariantCulture).Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        return Math.Max(1, text.Length);
    }

}
