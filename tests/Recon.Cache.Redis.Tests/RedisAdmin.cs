using StackExchange.Redis;

namespace Recon.Cache.Redis.Tests;

/// <summary>A direct connection to the test server, to look at what the cache did: keys, TTLs, the server's command counts.</summary>
public sealed class RedisAdmin : IDisposable
{
    private readonly ConnectionMultiplexer _connection;

    public RedisAdmin(string endpoint, string extra = "")
    {
        _connection = ConnectionMultiplexer.Connect($"{endpoint},allowAdmin=true{extra}");
        Db = _connection.GetDatabase();
    }

    public IDatabase Db { get; }

    public async Task<string> RunAsync(params object[] command) =>
        (await Db.ExecuteAsync((string)command[0], command[1..])).ToString();

    /// <summary>Calls of one command since the last <c>CONFIG RESETSTAT</c>, from <c>INFO commandstats</c>.</summary>
    public async Task<long> CallsOfAsync(string command)
    {
        var stats = await RunAsync("INFO", "commandstats");
        var marker = $"cmdstat_{command}:calls=";
        int at = stats.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return 0;
        }

        at += marker.Length;
        int end = stats.IndexOf(',', at);
        return long.Parse(stats[at..end], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _connection.Dispose();
}
