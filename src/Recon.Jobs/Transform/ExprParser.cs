using System.Globalization;
using System.Text;
using Recon.Core;

namespace Recon.Jobs.Transform;

/// <summary>
/// Recursive-descent parser of spec expressions:
/// <c>or → and ('or' and)*; and → not ('and' not)*; not → 'not' not | cmp; cmp → sum (op sum | 'is' ['not'] 'null')?;
/// sum → product (('+'|'-') product)*; product → unary (('*'|'/') unary)*; unary → '-' unary | primary;
/// primary → number | 'text' | true | false | null | name | name '(' args ')' | '(' or ')'</c>.
/// Names are bare (<c>amount</c>), double-quoted (<c>"unit price"</c>) or bracketed (<c>[unit price]</c>).
/// </summary>
internal sealed class ExprParser
{
    private readonly string _text;
    private int _pos;

    private ExprParser(string text) => _text = text;

    public static Expr Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw JobErrors.ExpressionEmpty();
        }

        var p = new ExprParser(text);
        var e = p.Or();
        p.SkipSpace();
        if (p._pos < text.Length)
        {
            throw p.Error($"unexpected '{text[p._pos..Math.Min(text.Length, p._pos + 10)]}'");
        }

        return e;
    }

    private Expr Or()
    {
        var left = And();
        while (Keyword("or"))
        {
            left = new Expr.Binary("or", left, And());
        }

        return left;
    }

    private Expr And()
    {
        var left = Not();
        while (Keyword("and"))
        {
            left = new Expr.Binary("and", left, Not());
        }

        return left;
    }

    private Expr Not() => Keyword("not") ? new Expr.Unary("not", Not()) : Comparison();

    private Expr Comparison()
    {
        var left = Sum();
        if (Keyword("is"))
        {
            bool negated = Keyword("not");
            return Keyword("null") ? new Expr.IsNull(left, negated) : throw Error("expected 'null' after 'is'");
        }

        foreach (var op in new[] { "==", "!=", "<>", "<=", ">=", "=", "<", ">" })
        {
            if (Symbol(op))
            {
                var normalized = op switch { "==" => "=", "<>" => "!=", _ => op };
                return new Expr.Binary(normalized, left, Sum());
            }
        }

        return left;
    }

    private Expr Sum()
    {
        var left = Product();
        while (true)
        {
            if (Symbol("+"))
            {
                left = new Expr.Binary("+", left, Product());
            }
            else if (Symbol("-") || Symbol("−"))
            {
                left = new Expr.Binary("-", left, Product());
            }
            else
            {
                return left;
            }
        }
    }

    private Expr Product()
    {
        var left = Unary();
        while (true)
        {
            if (Symbol("*") || Symbol("×"))
            {
                left = new Expr.Binary("*", left, Unary());
            }
            else if (Symbol("/") || Symbol("÷"))
            {
                left = new Expr.Binary("/", left, Unary());
            }
            else
            {
                return left;
            }
        }
    }

    private Expr Unary()
    {
        if (Symbol("-") || Symbol("−"))
        {
            return new Expr.Unary("-", Unary());
        }

        return Primary();
    }

    private Expr Primary()
    {
        SkipSpace();
        if (_pos >= _text.Length)
        {
            throw Error("the expression ends too early");
        }

        char c = _text[_pos];
        if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1])))
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
            {
                _pos++;
            }

            var digits = _text[start.._pos];
            return decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                ? new Expr.NumberLiteral(value)
                : throw Error($"'{digits}' is not a number");
        }

        if (c == '\'')
        {
            return new Expr.TextLiteral(Quoted('\'', '\''));
        }

        if (c == '"')
        {
            return new Expr.Column(Quoted('"', '"'));
        }

        if (c == '[')
        {
            int end = _text.IndexOf(']', _pos + 1);
            if (end < 0)
            {
                throw Error("'[' without ']'");
            }

            var name = _text[(_pos + 1)..end];
            _pos = end + 1;
            return new Expr.Column(name);
        }

        if (Symbol("("))
        {
            var inner = Or();
            return Symbol(")") ? inner : throw Error("expected ')'");
        }

        if (char.IsLetter(c) || c == '_')
        {
            int start = _pos;
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            {
                _pos++;
            }

            var word = _text[start.._pos];
            switch (word.ToLowerInvariant())
            {
                case "true":
                    return new Expr.BoolLiteral(true);
                case "false":
                    return new Expr.BoolLiteral(false);
                case "null":
                    return new Expr.NullLiteral();
            }

            if (Symbol("("))
            {
                var args = new List<Expr>();
                if (!Symbol(")"))
                {
                    do
                    {
                        args.Add(Or());
                    }
                    while (Symbol(","));

                    if (!Symbol(")"))
                    {
                        throw Error($"expected ')' after the arguments of {word}");
                    }
                }

                return new Expr.Call(word.ToLowerInvariant(), args);
            }

            return new Expr.Column(word);
        }

        throw Error($"unexpected '{c}'");
    }

    private string Quoted(char open, char close)
    {
        var sb = new StringBuilder();
        _pos++; // opening quote
        while (_pos < _text.Length)
        {
            char ch = _text[_pos++];
            if (ch == close)
            {
                if (_pos < _text.Length && _text[_pos] == close)
                {
                    sb.Append(close); // doubled quote
                    _pos++;
                    continue;
                }

                return sb.ToString();
            }

            sb.Append(ch);
        }

        throw Error($"{open} without a closing {close}");
    }

    private bool Keyword(string word)
    {
        SkipSpace();
        if (_pos + word.Length <= _text.Length
            && string.Compare(_text, _pos, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0
            && (_pos + word.Length == _text.Length || !(char.IsLetterOrDigit(_text[_pos + word.Length]) || _text[_pos + word.Length] == '_')))
        {
            _pos += word.Length;
            return true;
        }

        return false;
    }

    private bool Symbol(string symbol)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) == 0)
        {
            _pos += symbol.Length;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private ReconException Error(string problem) => JobErrors.ExpressionSyntax(problem, _pos + 1);
}
