using System.Globalization;
using Recon.Core;
using Recon.Jobs.Engine;

namespace Recon.Jobs.Transform;

/// <summary>
/// Type-checks an <see cref="Expr"/> against the columns of the current rows and compiles it to DuckDB SQL: names quoted,
/// literals bound as parameters, decimals kept exact (÷ is done in 128-bit integers and rounded half away from zero).
/// </summary>
internal sealed class ExprCompiler(IReadOnlyDictionary<string, ValueType> columns, SqlParameters parameters, IReadOnlySet<string>? groupKeys = null)
{
    /// <summary>Places after the point of a quotient, unless an operand has more (then that many, at most 18).</summary>
    public const int DivisionScale = 6;

    private bool _inAggregate;

    public (string Sql, ValueType Type) Compile(Expr e) => e switch
    {
        Expr.NumberLiteral n => ($"CAST({parameters.Add(n.Value.ToString(CultureInfo.InvariantCulture))} AS DECIMAL({Math.Max(Digits(n.Value), n.Value.Scale + 1)},{n.Value.Scale}))", ValueType.Decimal(n.Value.Scale)),
        Expr.TextLiteral t => ($"CAST({parameters.Add(t.Value)} AS VARCHAR)", ValueType.Text),
        Expr.BoolLiteral b => (b.Value ? "TRUE" : "FALSE", ValueType.Bool),
        Expr.NullLiteral => ("NULL", ValueType.Null),
        Expr.Column c => Column(c.Name),
        Expr.IsNull i => ($"({Compile(i.Operand).Sql} IS {(i.Negated ? "NOT " : "")}NULL)", ValueType.Bool),
        Expr.Unary u => Unary(u),
        Expr.Binary b => Binary(b),
        Expr.Call call => Call(call),
        _ => throw new ReconException($"unsupported expression {e}"),
    };

    private (string, ValueType) Column(string name)
    {
        if (!columns.TryGetValue(name, out var type))
        {
            var near = columns.Keys.Where(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)).ToList();
            throw new ReconException($"unknown column '{name}'{(near.Count > 0 ? $" (did you mean '{near[0]}'?)" : "")}; the rows have: {string.Join(", ", columns.Keys)}");
        }

        if (groupKeys is not null && !_inAggregate && !groupKeys.Contains(name))
        {
            throw new ReconException($"column '{name}' is neither grouped by nor inside an aggregate (sum, min, max, count, avg)");
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
                    throw new ReconException($"'{b.Op}' compares {lt.Describe()} with {rt.Describe()}");
                }

                return ($"({l} {(b.Op == "!=" ? "<>" : b.Op)} {r})", ValueType.Bool);
            case "+" or "-":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                return ($"({l} {b.Op} {r})", Combine(lt, rt, Math.Max(lt.Scale, rt.Scale)));
            case "*":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                if (lt.Kind == ValueKind.Decimal && rt.Kind == ValueKind.Decimal && lt.Scale + rt.Scale > 38)
                {
                    throw new ReconException($"'*' of numbers with {lt.Scale} and {rt.Scale} decimal places exceeds 38 places: round() one side first");
                }

                return ($"({l} * {r})", Combine(lt, rt, lt.Scale + rt.Scale));
            case "/":
                RequireNumber(lt, b.Op);
                RequireNumber(rt, b.Op);
                return Divide(l, lt, r, rt);
            default:
                throw new ReconException($"unknown operator '{b.Op}'");
        }
    }

    private static (string, ValueType) Divide(string l, ValueType lt, string r, ValueType rt)
    {
        if (lt.Kind == ValueKind.Float || rt.Kind == ValueKind.Float)
        {
            return ($"({l} / {r})", new ValueType(ValueKind.Float));
        }

        int sa = lt.Scale, sb = rt.Scale;
        int scale = Math.Min(18, Math.Max(DivisionScale, Math.Max(sa, sb)));
        // a/b = A·10^sb / (B·10^sa) with A, B the unscaled integers; Q = N / D at the result scale, rounded half away from zero.
        var n = $"(CAST(({l}) * {Pow10Decimal(sa)} AS HUGEINT) * {Pow10Int(sb + scale)})";
        var d = $"(CAST(({r}) * {Pow10Decimal(sb)} AS HUGEINT) * {Pow10Int(sa)})";
        var q = $"(sign({n}) * sign({d}) * ((2 * abs({n}) + abs({d})) // (2 * abs({d}))))";
        return ($"(CASE WHEN ({r}) = 0 THEN NULL ELSE CAST({q} AS DECIMAL(38,0)) * {Sql.ScaleUnit(scale)} END)", ValueType.Decimal(scale));
    }

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
                        : throw new ReconException("round(x, places) needs places as a whole number from 0 to 18");
                }

                return ($"round({x}, {Sql.Number(places)})", xt.Kind == ValueKind.Decimal ? ValueType.Decimal(Math.Min(places, xt.Scale)) : xt);
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
                    throw new ReconException("coalesce needs at least one argument");
                }

                var compiled = args.Select(Compile).ToList();
                var type = Unify(compiled.Select(c => c.Type).ToList(), name);
                return ($"coalesce({Sql.Join(compiled.Select(c => c.Sql))})", type);
            }

            case "if":
            {
                Arity(call, 3, 3);
                var (cond, ct) = Compile(args[0]);
                Require(ct, ValueKind.Bool, "if");
                var (a, at) = Compile(args[1]);
                var (b, bt) = Compile(args[2]);
                return ($"(CASE WHEN {cond} THEN {a} ELSE {b} END)", Unify([at, bt], name));
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
                return ($"concat({Sql.Join(compiled.Select(c => $"CAST({c.Sql} AS VARCHAR)"))})", ValueType.Text);
            }

            case "sum" or "min" or "max" or "count" or "avg":
                return Aggregate(call);
            default:
                throw new ReconException($"unknown function '{name}': use round, abs, coalesce, if, lower, upper, trim, concat (and sum, min, max, count, avg in group)");
        }
    }

    private (string, ValueType) Aggregate(Expr.Call call)
    {
        if (groupKeys is null)
        {
            throw new ReconException($"{call.Function}() is an aggregate: use it in a group step");
        }

        if (_inAggregate)
        {
            throw new ReconException($"{call.Function}() inside another aggregate");
        }

        if (call.Function == "count" && call.Arguments.Count == 0)
        {
            return ("count(*)", ValueType.Decimal(0));
        }

        Arity(call, 1, 1);
        _inAggregate = true;
        var (x, xt) = Compile(call.Arguments[0]);
        _inAggregate = false;
        switch (call.Function)
        {
            case "count":
                return ($"count({x})", ValueType.Decimal(0));
            case "min" or "max":
                return ($"{call.Function}({x})", xt);
            case "sum":
                RequireNumber(xt, "sum");
                return ($"sum({x})", xt);
            default:
                RequireNumber(xt, "avg");
                return Divide($"sum({x})", xt, $"count({x})", ValueType.Decimal(0));
        }
    }

    public static (string Sql, ValueType Type) AggregateOf(string function, string columnSql, ValueType type) => function switch
    {
        "sum" => ($"sum({columnSql})", type),
        "min" or "max" => ($"{function}({columnSql})", type),
        "count" => ($"count({columnSql})", ValueType.Decimal(0)),
        "avg" => Divide($"sum({columnSql})", type, $"count({columnSql})", ValueType.Decimal(0)),
        _ => throw new ReconException($"aggregate '{function}' is not one of sum, min, max, count, avg"),
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
            return known.Any(t => t.Kind == ValueKind.Float) ? new ValueType(ValueKind.Float) : ValueType.Decimal(known.Max(t => t.Scale));
        }

        if (known.Any(t => t.Kind != known[0].Kind))
        {
            throw new ReconException($"{function} mixes {string.Join(" and ", known.Select(t => t.Describe()).Distinct())}");
        }

        return known[0];
    }

    private static ValueType Combine(ValueType a, ValueType b, int scale) =>
        a.Kind == ValueKind.Float || b.Kind == ValueKind.Float ? new ValueType(ValueKind.Float) : ValueType.Decimal(scale);

    private static void Arity(Expr.Call call, int min, int max)
    {
        if (call.Arguments.Count < min || call.Arguments.Count > max)
        {
            throw new ReconException($"{call.Function} takes {(min == max ? $"{min}" : $"{min} or {max}")} argument(s), not {call.Arguments.Count}");
        }
    }

    private static void Require(ValueType type, ValueKind kind, string op)
    {
        if (type.Kind != kind && type.Kind != ValueKind.Null)
        {
            throw new ReconException($"'{op}' needs {new ValueType(kind).Describe()}, not {type.Describe()}");
        }
    }

    private static void RequireNumber(ValueType type, string op)
    {
        if (!type.IsNumber)
        {
            throw new ReconException($"'{op}' needs a number, not {type.Describe()}");
        }
    }

    private static int Digits(decimal value)
    {
        var text = decimal.Abs(value).ToString(CultureInfo.InvariantCulture).Replace(".", "", StringComparison.Ordinal).TrimStart('0');
        return Math.Max(1, text.Length);
    }

    private static string Pow10Decimal(int exponent) => $"CAST('1{new string('0', exponent)}' AS DECIMAL(38,0))";

    private static string Pow10Int(int exponent) => $"CAST('1{new string('0', exponent)}' AS HUGEINT)";
}
