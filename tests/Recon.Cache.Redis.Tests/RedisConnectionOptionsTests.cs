using Recon.Cache.Redis;

namespace Recon.Cache.Redis.Tests;

public class RedisConnectionOptionsTests
{
    [Fact]
    public void Parse_ConnectionString_ReadsEveryOption()
    {
        var options = RedisConnectionOptions.Parse(
            "cache-1.example:6380, cache-2.example ,user=app,password=s3cret,ssl=true,sslHost=cache.example,connectTimeout=1500,syncTimeout=250,poolSize=3,database=5");

        Assert.Equal([new RedisEndpoint("cache-1.example", 6380), new RedisEndpoint("cache-2.example", 6379)], options.Endpoints);
        Assert.Equal("app", options.User);
        Assert.Equal("s3cret", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal("cache.example", options.SslHost);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.SyncTimeout);
        Assert.Equal(3, options.PoolSize);
        Assert.Equal(5, options.Database);
    }

    [Fact]
    public void Parse_HostOnly_UsesDefaults()
    {
        var options = RedisConnectionOptions.Parse("localhost");

        Assert.Equal([new RedisEndpoint("localhost", 6379)], options.Endpoints);
        Assert.Null(options.User);
        Assert.Null(options.Password);
        Assert.False(options.Ssl);
        Assert.Equal(0, options.Database);
        Assert.Equal(RedisConnectionOptions.DefaultPoolSize, options.PoolSize);
    }

    [Fact]
    public void Parse_OptionNames_AreCaseInsensitive_AndStackExchangeExtrasAreAccepted()
    {
        var options = RedisConnectionOptions.Parse("h:1,SSL=True,Password=p,abortConnect=false,defaultDatabase=2");

        Assert.True(options.Ssl);
        Assert.Equal("p", options.Password);
        Assert.Equal(2, options.Database);
    }

    [Fact]
    public void Parse_PasswordContainingEquals_KeepsEverythingAfterTheFirstEquals()
    {
        Assert.Equal("a=b==", RedisConnectionOptions.Parse("h:1,password=a=b==").Password);
    }

    [Fact]
    public void Parse_Ipv6Endpoint_IsBracketed()
    {
        var options = RedisConnectionOptions.Parse("[::1]:7000");

        Assert.Equal(new RedisEndpoint("::1", 7000), options.Endpoints[0]);
        Assert.StartsWith("[::1]:7000,", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RedisUri_ReadsUserPasswordHostPortAndDatabase()
    {
        var options = RedisConnectionOptions.Parse("redis://app:p%40ss%3Aword@cache.example:6390/4?syncTimeout=100");

        Assert.Equal([new RedisEndpoint("cache.example", 6390)], options.Endpoints);
        Assert.Equal("app", options.User);
        Assert.Equal("p@ss:word", options.Password);
        Assert.Equal(4, options.Database);
        Assert.False(options.Ssl);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.SyncTimeout);
    }

    [Fact]
    public void Parse_RedissUri_TurnsOnTls_AndAPasswordWithoutUserIsThePassword()
    {
        var options = RedisConnectionOptions.Parse("rediss://:token@master.cache.amazonaws.com");

        Assert.True(options.Ssl);
        Assert.Null(options.User);
        Assert.Equal("token", options.Password);
        Assert.Equal(new RedisEndpoint("master.cache.amazonaws.com", 6379), options.Endpoints[0]);
        Assert.Equal(0, options.Database);
    }

    [Fact]
    public void ToString_RedactsThePassword_AndRoundTripsTheRest()
    {
        var options = RedisConnectionOptions.Parse("h:1,user=app,password=TopSecret-42,ssl=true,syncTimeout=250,database=3");

        var text = options.ToString();

        Assert.DoesNotContain("TopSecret-42", text, StringComparison.Ordinal);
        Assert.Contains("password=*****", text, StringComparison.Ordinal);
        var again = RedisConnectionOptions.Parse(text);
        Assert.Equal(text, again.ToString());
        Assert.Equal(options.Endpoints, again.Endpoints);
        Assert.Equal("app", again.User);
        Assert.Equal(3, again.Database);
    }

    [Fact]
    public void ToString_OfAUri_RedactsThePassword()
    {
        var text = RedisConnectionOptions.Parse("rediss://app:TopSecret-42@h:1/2").ToString();

        Assert.DoesNotContain("TopSecret-42", text, StringComparison.Ordinal);
        Assert.Contains("user=app", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h:1,password=TopSecret-42,poolSize=0")]
    [InlineData("h:1,password=TopSecret-42,ssl=maybe")]
    [InlineData("h:1,password=TopSecret-42,colour=blue")]
    [InlineData("h:notaport,password=TopSecret-42")]
    [InlineData("password=TopSecret-42")]
    [InlineData("redis://u:TopSecret-42@h:1/notadb")]
    public void Parse_Errors_NameTheProblem_ButNeverThePassword(string connectionString)
    {
        var error = Assert.ThrowsAny<Exception>(() => RedisConnectionOptions.Parse(connectionString));

        Assert.True(error is FormatException or ArgumentException, error.GetType().Name);
        Assert.DoesNotContain("TopSecret-42", error.Message, StringComparison.Ordinal);
    }
}
