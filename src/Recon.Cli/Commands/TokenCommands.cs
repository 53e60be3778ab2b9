using System.CommandLine;
using System.Globalization;
using Recon.Api.Auth;
using Recon.Api.Json;
using Recon.Core;
using Recon.Core.Ports;
using Recon.Hosting;
using Spectre.Console;

namespace Recon.Cli.Commands;

/// <summary><c>recon tokens create|list|revoke</c>: API tokens, stored only as a hash next to the ledger.</summary>
internal static class TokenCommands
{
    public static void Add(RootCommand root, CliIO io)
    {
        var tokens = new Command("tokens", "API tokens of 'recon serve': create, list, revoke");

        var name = new Option<string>("--name") { Description = "A name for the token (letters, digits, '.', '_', '-')", Required = true };
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", ReconRoles.All)}", Required = true };
        var entities = new Option<string>("--entities") { Description = "Entities the token may see: E001,E002 or * for all", DefaultValueFactory = _ => "*" };
        var expires = new Option<int?>("--expires") { Description = "Days until the token expires (default: never)" };
        var create = new Command("create", "Create a token; it is printed once, as the last line") { name, role, entities, expires };
        create.SetAction(async (pr, ct) =>
        {
            string tokenName = pr.GetValue(name)!;
            if (!AccessTokens.IsValidName(tokenName))
            {
                throw CliErrors.TokenNameInvalid(tokenName);
            }

            string roleName = pr.GetValue(role)!;
            if (!ReconRoles.TryParse(roleName, out _))
            {
                throw CliErrors.RoleUnknown(roleName);
            }

            var list = ParseEntities(pr.GetValue(entities)!);
            int? days = pr.GetValue(expires);
            if (days is <= 0)
            {
                throw CliErrors.ExpiresNotPositive();
            }

            var settings = CliOptions.Settings(pr);
            using var access = ReconAccessStore.Open(settings);
            var now = TimeProvider.System.GetUtcNow();
            string token = AccessTokens.Generate();
            var record = new AccessTokenRecord
            {
                Name = tokenName,
                Role = roleName,
                Entities = list,
                Hash = AccessTokens.Hash(token),
                CreatedAt = now,
                ExpiresAt = days is { } d ? now.AddDays(d) : null,
            };
            if (!await access.Store.CreateTokenAsync(record, ct))
            {
                throw CliErrors.TokenNameTaken(tokenName);
            }

            await access.Store.AppendAuditAsync(new AuditEntry(now, $"cli:{Environment.UserName}", "token.create", tokenName,
                $"role={roleName} entities={string.Join(',', list)}{(record.ExpiresAt is { } e ? $" expires={IsoTime.Format(e)}" : "")}"), ct);
            io.Out.WriteLine($"created token '{tokenName}' (role {roleName}, entities {string.Join(',', list)}, expires {(record.ExpiresAt is { } x ? IsoTime.Format(x) : "never")}).");
            io.Out.WriteLine("Keep it now: it is shown only once. Send it as 'Authorization: Bearer TOKEN'.");
            io.Out.WriteLine(token);
            return 0;
        });
        tokens.Add(create);

        var json = CliOptions.Json();
        var list = new Command("list", "Every token: name, role, entities, created, expires, revoked (never the token)") { json };
        list.SetAction(async (pr, ct) =>
        {
            using var access = ReconAccessStore.Open(CliOptions.Settings(pr));
            var all = await access.Store.ListTokensAsync(ct);
            if (pr.GetValue(json))
            {
                JsonOut.Write(io.Out, w =>
                {
                    w.WriteStartArray();
                    foreach (var t in all)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", t.Name);
                        w.WriteString("role", t.Role);
                        w.WriteString("entities", string.Join(',', t.Entities));
                        ApiJson.Time(w, "created_at", t.CreatedAt);
                        ApiJson.Time(w, "expires_at", t.ExpiresAt);
                        ApiJson.Time(w, "revoked_at", t.RevokedAt);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return 0;
            }

            var table = new Table().AddColumns("name", "role", "entities", "created", "expires", "revoked");
            foreach (var t in all)
            {
                table.AddRow(Markup.Escape(t.Name), t.Role, Markup.Escape(string.Join(',', t.Entities)), IsoTime.Format(t.CreatedAt),
                    t.ExpiresAt is { } e ? IsoTime.Format(e) : "never", t.RevokedAt is { } r ? IsoTime.Format(r) : "");
            }

            io.Console.Write(table);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{all.Count} token(s)."));
            return 0;
        });
        tokens.Add(list);

        var revokeName = new Argument<string>("NAME") { Description = "The token's name" };
        var revoke = new Command("revoke", "Revoke a token (a running 'recon serve' refuses it within 5 seconds)") { revokeName };
        revoke.SetAction(async (pr, ct) =>
        {
            using var access = ReconAccessStore.Open(CliOptions.Settings(pr));
            string tokenName = pr.GetValue(revokeName)!;
            var now = TimeProvider.System.GetUtcNow();
            if (!await access.Store.RevokeTokenAsync(tokenName, now, ct))
            {
                var known = (await access.Store.ListTokensAsync(ct)).FirstOrDefault(t => t.Name == tokenName);
                throw known is null ? CliErrors.TokenNotFound(tokenName) : CliErrors.TokenAlreadyRevoked(tokenName, known.RevokedAt!.Value);
            }

            await access.Store.AppendAuditAsync(new AuditEntry(now, $"cli:{Environment.UserName}", "token.revoke", tokenName, ""), ct);
            io.Out.WriteLine($"revoked token '{tokenName}'.");
            return 0;
        });
        tokens.Add(revoke);
        root.Add(tokens);
    }

    public static string[] ParseEntities(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw CliErrors.EntitiesEmpty();
        }

        if (parts.Contains("*") && parts.Length > 1)
        {
            throw CliErrors.EntitiesMixed();
        }

        foreach (var p in parts)
        {
            if (p != "*" && (p.Length > 64 || p.Any(char.IsControl)))
            {
                throw CliErrors.EntityCodeInvalid(p);
            }
        }

        return parts.Distinct(StringComparer.Ordinal).ToArray();
    }
}
