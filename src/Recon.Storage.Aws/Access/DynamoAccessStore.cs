using System.Globalization;
using System.Security.Cryptography;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Recon.Core;
using Recon.Core.Ports;

namespace Recon.Storage.Aws.Access;

/// <summary>
/// API tokens and the audit list as items of the ledger table, under partitions no ledger item uses:
/// <c>ACCESS#TOKEN / {name}</c> (hash, role, entities, times) and <c>ACCESS#AUDIT / {time}#{random}</c>. Tokens are
/// few, so a lookup reads the token partition and compares every hash in constant time.
/// </summary>
public sealed class DynamoAccessStore(IAmazonDynamoDB dynamo, string table, AwsResilience resilience) : IAccessStore
{
    internal const string TokenPartition = "ACCESS#TOKEN";
    internal const string AuditPartition = "ACCESS#AUDIT";

    private readonly IAmazonDynamoDB _dynamo = dynamo ?? throw new ArgumentNullException(nameof(dynamo));
    private readonly string _table = string.IsNullOrEmpty(table) ? throw new ArgumentException("a table name is required", nameof(table)) : table;
    private readonly AwsResilience _resilience = resilience ?? throw new ArgumentNullException(nameof(resilience));

    public async ValueTask<bool> CreateTokenAsync(AccessTokenRecord token, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(token);
        var item = Key(TokenPartition, token.Name);
        item["role"] = new AttributeValue { S = token.Role };
        item["entities"] = new AttributeValue { S = string.Join(',', token.Entities) };
        item["hash"] = new AttributeValue { B = new MemoryStream(token.Hash) };
        item["created_at"] = new AttributeValue { S = IsoTime.Format(token.CreatedAt) };
        if (token.ExpiresAt is { } expires)
        {
            item["expires_at"] = new AttributeValue { S = IsoTime.Format(expires) };
        }

        try
        {
            await _resilience.ExecuteAsync("PutItem access token",
                t => _dynamo.PutItemAsync(new PutItemRequest { TableName = _table, Item = item, ConditionExpression = "attribute_not_exists(pk)" }, t), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async ValueTask<AccessTokenRecord?> FindTokenAsync(ReadOnlyMemory<byte> hash, CancellationToken ct)
    {
        AccessTokenRecord? found = null;
        foreach (var token in await ListTokensAsync(ct).ConfigureAwait(false))
        {
            // Compare every one, so the time taken does not tell which (if any) matched.
            if (CryptographicOperations.FixedTimeEquals(token.Hash, hash.Span))
            {
                found = token;
            }
        }

        return found;
    }

    public async ValueTask<IReadOnlyList<AccessTokenRecord>> ListTokensAsync(CancellationToken ct)
    {
        var tokens = new List<AccessTokenRecord>();
        foreach (var item in await QueryAsync(TokenPartition, forward: true, limit: null, ct).ConfigureAwait(false))
        {
            tokens.Add(new AccessTokenRecord
            {
                Name = item["sk"].S,
                Role = item["role"].S,
                Entities = item["entities"].S.Split(',', StringSplitOptions.RemoveEmptyEntries),
                Hash = item["hash"].B.ToArray(),
                CreatedAt = Time(item, "created_at")!.Value,
                ExpiresAt = Time(item, "expires_at"),
                RevokedAt = Time(item, "revoked_at"),
            });
        }

        return tokens;
    }

    public async ValueTask<bool> RevokeTokenAsync(string name, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            await _resilience.ExecuteAsync("UpdateItem access token revoke", t => _dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = _table,
                Key = Key(TokenPartition, name),
                UpdateExpression = "SET revoked_at = :at",
                ConditionExpression = "attribute_exists(pk) AND attribute_not_exists(revoked_at)",
                ExpressionAttributeValues = new() { [":at"] = new AttributeValue { S = IsoTime.Format(at) } },
            }, t), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async ValueTask AppendAuditAsync(AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        // The time first (fixed width, UTC) so the sort key orders entries; the random part keeps two at one instant apart.
        string sk = entry.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture) + "#" + Guid.NewGuid().ToString("N");
        var item = Key(AuditPartition, sk);
        item["at"] = new AttributeValue { S = IsoTime.Format(entry.At) };
        item["actor"] = new AttributeValue { S = entry.Actor };
        item["action"] = new AttributeValue { S = entry.Action };
        item["target"] = new AttributeValue { S = entry.Target };
        item["detail"] = new AttributeValue { S = entry.Detail.Length == 0 ? "-" : entry.Detail };
        item["detail_empty"] = new AttributeValue { BOOL = entry.Detail.Length == 0, IsBOOLSet = true };
        await _resilience.ExecuteAsync("PutItem access audit",
            t => _dynamo.PutItemAsync(new PutItemRequest { TableName = _table, Item = item }, t), ct).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAuditAsync(int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var entries = new List<AuditEntry>();
        foreach (var item in await QueryAsync(AuditPartition, forward: false, limit, ct).ConfigureAwait(false))
        {
            bool empty = item.TryGetValue("detail_empty", out var e) && e.BOOL == true;
            entries.Add(new AuditEntry(Time(item, "at")!.Value, item["actor"].S, item["action"].S, item["target"].S, empty ? "" : item["detail"].S));
        }

        return entries;
    }

    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string partition, bool forward, int? limit, CancellationToken ct)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = partition } },
                ConsistentRead = true,
                ScanIndexForward = forward,
                ExclusiveStartKey = start,
            };
            if (limit is { } l)
            {
                request.Limit = l - items.Count;
            }

            var response = await _resilience.ExecuteAsync("Query access " + partition, t => _dynamo.QueryAsync(request, t), ct).ConfigureAwait(false);
            items.AddRange(response.Items ?? []);
            start = response.LastEvaluatedKey is { Count: > 0 } next && (limit is null || items.Count < limit) ? next : null;
        }
        while (start is not null);

        return items;
    }

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        ["pk"] = new AttributeValue { S = pk },
        ["sk"] = new AttributeValue { S = sk },
    };

    private static DateTimeOffset? Time(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var v) && v.S is { } s && IsoTime.TryParse(s, out var t) ? t : null;
}
