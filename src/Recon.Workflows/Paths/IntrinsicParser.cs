using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Recon.Workflows.Paths;

/// <summary>Parses <c>States.Name(arg, ...)</c> where an argument is a 'string', a number, true/false/null, a path or a nested call.</summary>
internal sealed class IntrinsicParser
{
    private readonly string _text;
    private int _at;

    private IntrinsicParser(string text) => _text = text;

    public static IntrinsicCall Parse(string text)
    {
        var parser = new IntrinsicParser(text);
        var call = parser.ParseCall();
        parser.SkipSpace();
        if (parser._at != text.Length)
        {
            throw new FormatException($"intrinsic function '{text}': unexpected text after the closing parenthesis");
        }

        return call;
    }

    private IntrinsicCall ParseCall()
    {
        var open = _text.IndexOf('(', _at);
        if (open < 0)
        {
            throw new FormatException($"intrinsic function '{_text}': missing '('");
        }

        var name = _text[_at..open].Trim();
        if (!IntrinsicCall.IsKnown(name))
        {
            throw new FormatException($"intrinsic function {name} is not supported by the local runner");
        }

        _at = open + 1;
        var args = new List<ValueExpression>();
        SkipSpace();
        if (Peek() == ')')
        {
            _at++;
        }
        else
        {
            while (true)
            {
                args.Add(ParseArgument());
                SkipSpace();
                var c = Peek();
                _at++;
                if (c == ')')
                {
                    break;
                }

                if (c != ',')
                {
                    throw new FormatException($"intrinsic function '{_text}': expected ',' or ')' at position {_at - 1}");
                }

                SkipSpace();
            }
        }

        var call = new IntrinsicCall(name, args, _text);
        call.CheckArity();
        return call;
    }

    private ValueExpression ParseArgument()
    {
        SkipSpace();
        var c = Peek();
        if (c == '\'')
        {
            return ParseString();
        }

        if (c == '$')
        {
            var start = _at;
            var inQuote = false;
            while (_at < _text.Length)
            {
                var ch = _text[_at];
                if (ch == '\'' && _at > 0 && _text[_at - 1] == '[')
                {
                    inQuote = true;
                }
                else if (ch == '\'' && inQuote)
                {
                    inQuote = false;
                }
                else if (!inQuote && (ch == ',' || ch == ')'))
                {
                    break;
                }

                _at++;
            }

            return new PathExpression(JsonPath.Parse(_text[start.._at].TrimEnd()));
        }

        if (_text.AsSpan(_at).StartsWith("States.", StringComparison.Ordinal))
        {
            return ParseCall();
        }

        var end = _at;
        while (end < _text.Length && _text[end] != ',' && _text[end] != ')')
        {
            end++;
        }

        var token = _text[_at..end].Trim();
        _at = end;
        switch (token)
        {
            case "true":
                return new LiteralExpression(JsonValue.Create(true), token);
            case "false":
                return new LiteralExpression(JsonValue.Create(false), token);
            case "null":
                return new LiteralExpression(null, token);
        }

        if (decimal.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
        {
            // Keep the number as written: it is parsed as JSON so that its text survives unchanged.
            return new LiteralExpression(JsonNode.Parse(token), token);
        }

        throw new FormatException($"intrinsic function '{_text}': argument '{token}' is not a string, number, boolean, null, path or function");
    }

    private LiteralExpression ParseString()
    {
        var start = _at;
        _at++;
        var value = new StringBuilder();
        var raw = new StringBuilder();
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw new FormatException($"intrinsic function '{_text}': unterminated string literal");
            }

            var c = _text[_at++];
            if (c == '\'')
            {
                break;
            }

            if (c == '\\' && _at < _text.Length)
            {
                var escaped = _text[_at++];
                value.Append(escaped);
                if (escaped is '{' or '}' or '\\')
                {
                    raw.Append('\\');
                }

                raw.Append(escaped);
                continue;
            }

            value.Append(c);
            raw.Append(c);
        }

        return new LiteralExpression(JsonValue.Create(value.ToString()), _text[start.._at]) { RawString = raw.ToString() };
    }

    private char Peek() => _at < _text.Length ? _text[_at] : '\0';

    private void SkipSpace()
    {
        while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
        {
            _at++;
        }
    }
}
