using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recon.Workflows.Running;

namespace Recon.Workflows.Paths;

/// <summary>An intrinsic function call; a failure at run time is States.IntrinsicFailure, as in AWS.</summary>
internal sealed class IntrinsicCall(string name, IReadOnlyList<ValueExpression> args, string text) : ValueExpression
{
    private static readonly Dictionary<string, (int Min, int Max)> Arity = new(StringComparer.Ordinal)
    {
        ["States.Format"] = (1, int.MaxValue),
        ["States.StringToJson"] = (1, 1),
        ["States.JsonToString"] = (1, 1),
        ["States.Array"] = (0, int.MaxValue),
        ["States.ArrayPartition"] = (2, 2),
        ["States.ArrayContains"] = (2, 2),
        ["States.ArrayRange"] = (3, 3),
        ["States.ArrayGetItem"] = (2, 2),
        ["States.ArrayLength"] = (1, 1),
        ["States.ArrayUnique"] = (1, 1),
        ["States.Base64Encode"] = (1, 1),
        ["States.Base64Decode"] = (1, 1),
        ["States.Hash"] = (2, 2),
        ["States.JsonMerge"] = (3, 3),
        ["States.MathRandom"] = (2, 3),
        ["States.MathAdd"] = (2, 2),
        ["States.StringSplit"] = (2, 2),
        ["States.UUID"] = (0, 0),
    };

    public string Name { get; } = name;

    public override string Text => text;

    public static bool IsKnown(string name) => Arity.ContainsKey(name);

    public void CheckArity()
    {
        var (min, max) = Arity[Name];
        if (args.Count < min || args.Count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new FormatException($"intrinsic function {Name} takes {expected} argument(s), not {args.Count}");
        }
    }

    public override JsonNode? Evaluate(JsonNode? data, ContextObject context, string field)
    {
        var values = new JsonNode?[args.Count];
        for (var i = 0; i < args.Count; i++)
        {
            values[i] = args[i].Evaluate(data, context, field);
        }

        try
        {
            return Invoke(values, context);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or OverflowException or ArgumentException)
        {
            throw new StatesErrorException(StatesErrors.IntrinsicFailure, $"{Name} in field '{field}': {ex.Message}");
        }
    }

    private JsonNode? Invoke(JsonNode?[] v, ContextObject context)
    {
        switch (Name)
        {
            case "States.Format":
                return JsonValue.Create(Format(v));
            case "States.StringToJson":
                return JsonNode.Parse(String(v, 0));
            case "States.JsonToString":
                return JsonValue.Create(v[0]?.ToJsonString() ?? "null");
            case "States.Array":
                return new JsonArray(v);
            case "States.ArrayPartition":
            {
                var array = Array(v, 0);
                var size = Integer(v, 1);
                if (size <= 0)
                {
                    throw new ArgumentException("the chunk size must be a positive integer");
                }

                var result = new JsonArray();
                for (var i = 0; i < array.Count; i += (int)size)
                {
                    var chunk = new JsonArray();
                    for (var j = i; j < Math.Min(array.Count, i + size); j++)
                    {
                        chunk.Add(array[j]?.DeepClone());
                    }

                    result.Add(chunk);
                }

                return result;
            }

            case "States.ArrayContains":
            {
                var array = Array(v, 0);
                return JsonValue.Create(array.Any(item => JsonNode.DeepEquals(item, v[1])));
            }

            case "States.ArrayRange":
            {
                var start = Integer(v, 0);
                var end = Integer(v, 1);
                var step = Integer(v, 2);
                if (step == 0)
                {
                    throw new ArgumentException("the step must not be 0");
                }

                var result = new JsonArray();
                for (var x = start; step > 0 ? x <= end : x >= end; x += step)
                {
                    if (result.Count == 1000)
                    {
                        throw new ArgumentException("the range has more than 1000 items");
                    }

                    result.Add(JsonValue.Create(x));
                }

                return result;
            }

            case "States.ArrayGetItem":
            {
                var array = Array(v, 0);
                var index = Integer(v, 1);
                if (index < 0 || index >= array.Count)
                {
                    throw new ArgumentException($"index {index} is outside the array of {array.Count} items");
                }

                return array[(int)index]?.DeepClone();
            }

            case "States.ArrayLength":
                return JsonValue.Create(Array(v, 0).Count);
            case "States.ArrayUnique":
            {
                var result = new JsonArray();
                foreach (var item in Array(v, 0))
                {
                    if (!result.Any(seen => JsonNode.DeepEquals(seen, item)))
                    {
                        result.Add(item?.DeepClone());
                    }
                }

                return result;
            }

            case "States.Base64Encode":
                return JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(String(v, 0))));
            case "States.Base64Decode":
                return JsonValue.Create(Encoding.UTF8.GetString(Convert.FromBase64String(String(v, 0))));
            case "States.Hash":
                return JsonValue.Create(Hash(String(v, 0), String(v, 1)));
            case "States.JsonMerge":
            {
                if (v[2] is not JsonValue deep || !deep.TryGetValue<bool>(out var isDeep))
                {
                    throw new ArgumentException("the third argument must be a boolean");
                }

                if (isDeep)
                {
                    throw new ArgumentException("only shallow merge (false) is supported, as in AWS");
                }

                if (v[0] is not JsonObject left || v[1] is not JsonObject right)
                {
                    throw new ArgumentException("both arguments to merge must be JSON objects");
                }

                var merged = left.DeepClone().AsObject();
                foreach (var property in right)
                {
                    merged[property.Key] = property.Value?.DeepClone();
                }

                return merged;
            }

            case "States.MathRandom":
            {
                var start = Integer(v, 0);
                var end = Integer(v, 1);
                if (end <= start)
                {
                    throw new ArgumentException("the end must be greater than the start");
                }

                if (v.Length == 3)
                {
                    var seeded = new Random((int)Integer(v, 2));
                    return JsonValue.Create(seeded.NextInt64(start, end));
                }

                return JsonValue.Create(context.Entropy.NextInt64(start, end));
            }

            case "States.MathAdd":
                return JsonValue.Create(checked(Integer(v, 0) + Integer(v, 1)));
            case "States.StringSplit":
            {
                var delimiters = String(v, 1).ToCharArray();
                var parts = String(v, 0).Split(delimiters, StringSplitOptions.RemoveEmptyEntries);
                return new JsonArray([.. parts.Select(p => (JsonNode?)JsonValue.Create(p))]);
            }

            case "States.UUID":
                return JsonValue.Create(context.Entropy.NextUuid().ToString());
            default:
                throw new InvalidOperationException($"{Name} has no implementation");
        }
    }

    private string Format(JsonNode?[] v)
    {
        var template = args[0] is LiteralExpression { RawString: { } raw } ? raw : String(v, 0);
        var output = new StringBuilder();
        var next = 1;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '\\' && i + 1 < template.Length)
            {
                output.Append(template[++i]);
            }
            else if (c == '{' && i + 1 < template.Length && template[i + 1] == '}')
            {
                if (next >= v.Length)
                {
                    throw new ArgumentException("the template has more {} placeholders than arguments");
                }

                output.Append(v[next++] switch
                {
                    JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
                    null => "null",
                    JsonValue value => value.ToJsonString(),
                    _ => throw new ArgumentException("only strings, numbers, booleans and null can be formatted"),
                });
                i++;
            }
            else
            {
                output.Append(c);
            }
        }

        if (next != v.Length)
        {
            throw new ArgumentException("the template has fewer {} placeholders than arguments");
        }

        return output.ToString();
    }

    private string String(JsonNode?[] v, int i) =>
        v[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : throw new ArgumentException($"argument {i + 1} must be a string");

    private JsonArray Array(JsonNode?[] v, int i) =>
        v[i] as JsonArray ?? throw new ArgumentException($"argument {i + 1} must be an array");

    private long Integer(JsonNode?[] v, int i)
    {
        if (v[i] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            && decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            && number == decimal.Truncate(number))
        {
            return (long)number;
        }

        throw new ArgumentException($"argument {i + 1} must be an integer");
    }

    private static string Hash(string data, string algorithm)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        // ASL defines MD5 and SHA-1 for checksums; they are computed on request, not relied on for security.
#pragma warning disable CA5350, CA5351
        var hash = algorithm switch
        {
            "MD5" => MD5.HashData(bytes),
            "SHA-1" => SHA1.HashData(bytes),
            "SHA-256" => SHA256.HashData(bytes),
            "SHA-384" => SHA384.HashData(bytes),
            "SHA-512" => SHA512.HashData(bytes),
            _ => throw new ArgumentException($"hash algorithm '{algorithm}' is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512"),
        };
#pragma warning restore CA5350, CA5351
        return Convert.ToHexStringLower(hash);
    }
}
