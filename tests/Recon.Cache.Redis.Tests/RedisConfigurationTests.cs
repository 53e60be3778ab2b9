using System.Net;
using StackExchange.Redis;

namespace Recon.Cache.Redis.Tests;

public class RedisConfigurationTests
{
    [Fact]
    public void Parse_StackExchangeString_KeepsEveryOptionAndAddsTheCacheDefaults()
    {
        var options = RedisConfiguration.Parse(
            "cache-1.example:6380,cache-2.example,user=app,password=s3cret,ssl=true,sslHost=cache.example,connectTimeout=1500,asyncTimeout=250,defaultDatabase=5");

        Assert.Equal(2, options.EndPoints.Count);
        Assert.Equal(new DnsEndPoint("cache-1.example", 6380), options.EndPoints[0]);
        Assert.Equal("app", options.User);
        Assert.Equal("s3cret", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal("cache.example", options.SslHost);
        Assert.Equal(1500, options.ConnectTimeout);
        Assert.Equal(250, options.AsyncTimeout);
        Assert.Equal(5, options.DefaultDatabase);
        Assert.False(options.AbortOnConnectFail);
        Assert.Same(BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void Parse_AbortConnectGiven_IsKept()
    {
        Assert.True(RedisConfiguration.Parse("h:1,abortConnect=true").AbortOnConnectFail);
    }

    [Fact]
    public void Parse_RedisUri_BecomesEndpointUserPasswordAndDatabase()
    {
        var options = RedisConfiguration.Parse("redis://app:p%40ss%3Aword,x@cache.example:6390/4?connectTimeout=100");

        Assert.Equal(new DnsEndPoint("cache.example", 6390), Assert.Single(options.EndPoints));
        Assert.Equal("app", options.User);
        Assert.Equal("p@ss:word,x", options.Password);
        Assert.Equal(4, options.DefaultDatabase);
        Assert.False(options.Ssl);
        Assert.Equal(100, options.ConnectTimeout);
    }

    [Fact]
    public void Parse_RedissUri_TurnsOnTlsAndALonePasswordIsThePassword()
    {
        var options = RedisConfiguration.Parse("rediss://:token@master.cache.amazonaws.com");

        Assert.True(options.Ssl);
        Assert.Null(options.User);
        Assert.Equal("token", options.Password);
        Assert.Equal(new DnsEndPoint("master.cache.amazonaws.com", 6379), Assert.Single(options.EndPoints));
    }

    [Theory]
    [InlineData("h:1,password=Secret-1,poolSize=4", "poolSize")]
    [InlineData("h:1,password=Secret-1,database=2", "defaultDatabase")]
    [InlineData("redis://u:Secret-1@h:1?poolSize=2", "poolSize")]
    [InlineData("h:1,password=Secret-1,colour=blue", "colour")]
    public void Parse_RetiredOrUnknownOption_IsRefusedByNameWithoutThePassword(string text, string named)
    {
        var error = Assert.Throws<FormatException>(() => RedisConfiguration.Parse(text));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Secret-1", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("password=x")]
    [InlineData("redis://")]
    [InlineData("redis://h/notanumber")]
    public void Parse_WithoutEndpointOrWithABadUri_IsRefused(string text)
    {
        Assert.Throws<FormatException>(() => RedisConfiguration.Parse(text));
    }
}
