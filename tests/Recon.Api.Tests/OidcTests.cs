using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Recon.Api.Tests;

/// <summary>OIDC: an identity provider on loopback (discovery + JWKS) served by the test, RSA tokens it signs.</summary>
public sealed class OidcTests : IAsyncLifetime
{
    private const string Audience = "recon-api";
    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private WebApplication? _idp;
    private string _issuer = "";
    private ApiWorld _world = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _idp = builder.Build();
        var parameters = _key.ExportParameters(false);
        _idp.MapGet("/.well-known/openid-configuration", (HttpContext c) => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = _issuer,
            ["jwks_uri"] = _issuer + "/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        _idp.MapGet("/jwks", () => Results.Json(new Dictionary<string, object>
        {
            ["keys"] = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = "k1",
                    ["n"] = Base64UrlEncoder.Encode(parameters.Modulus), ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                },
            },
        }));
        await _idp.StartAsync();
        _issuer = _idp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        _world = await ApiWorld.CreateAsync(aws: false);
        await _world.WriteBatchAsync("b-1", 0, ApiWorld.Event("e-1", "ORD-1", "E1", "1.00"), ApiWorld.Event("e-2", "ORD-2", "E2", "2.00"));
        await _world.RunAsync();
        await _world.StartAsync(new ReconApiOptions { Ingest = false, OidcAuthority = _issuer, OidcAudience = Audience });
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        if (_idp is not null)
        {
            await _idp.DisposeAsync();
        }

        _key.Dispose();
        _otherKey.Dispose();
    }

    [Fact]
    public async Task Jwt_WithRoleAndEntitiesClaims_ReadsOwnEntityAndGets404ForAnother()
    {
        using var client = _world.Client(Sign(_key, "alice", "reader", entitiesArray: ["E1"]));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/artifacts/ORD-2", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("/api/backlog", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Jwt_OperatorWithCommaListClaim_ReachesOperationsRoutes()
    {
        using var client = _world.Client(Sign(_key, "bob", "operator", entitiesText: "E1,E2"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/backlog", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/artifacts/ORD-2", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Jwt_SignedByAnotherKeyExpiredOrForAnotherAudience_Is401()
    {
        foreach (var token in new[]
        {
            Sign(_otherKey, "mallory", "admin", entitiesText: "*"),
            Sign(_key, "old", "admin", entitiesText: "*", expires: DateTime.UtcNow.AddMinutes(-5)),
            Sign(_key, "elsewhere", "admin", entitiesText: "*", audience: "another-api"),
        })
        {
            using var client = _world.Client(token);
            using var response = await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("OIDC token was refused", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Jwt_WithoutARoleClaim_Is403WithTheReason()
    {
        using var client = _world.Client(Sign(_key, "norole", null, entitiesText: "E1"));

        using var response = await client.GetAsync(new Uri("/api/artifacts/ORD-1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("recon_role", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private string Sign(RSA key, string subject, string? role, string[]? entitiesArray = null, string? entitiesText = null, DateTime? expires = null, string audience = Audience)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (role is not null)
        {
            claims["recon_role"] = role;
        }

        if (entitiesArray is not null)
        {
            claims["recon_entities"] = entitiesArray;
        }
        else if (entitiesText is not null)
        {
            claims["recon_entities"] = entitiesText;
        }

        var exp = expires ?? DateTime.UtcNow.AddMinutes(10);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = exp.AddMinutes(-20),
            NotBefore = exp.AddMinutes(-20),
            Expires = exp,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "k1" }, SecurityAlgorithms.RsaSha256),
        });
    }
}
