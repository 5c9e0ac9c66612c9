using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Tests;

/// <summary>
/// One Data Protection key ring for every replica and service: what one host signed (a visitor
/// cookie, a mailed confirmation link) another host on the same identity database accepts, also
/// after both restarted; and an API key issued through one host works on another.
/// </summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-keyring-").FullName;

    private async Task<IHost> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Database:DataDirectory"] = _data });
        builder.AddAccessControl();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    [Fact]
    public async Task What_one_replica_signs_another_reads_even_after_restarts()
    {
        string token;
        using (var first = await StartAsync())
            token = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("a visitor");

        using var second = await StartAsync();
        using var third = await StartAsync();
        Assert.Equal("a visitor", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(token));
        Assert.Equal("a visitor", third.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(token));
    }

    [Fact]
    public async Task A_key_issued_on_one_host_is_accepted_on_another_and_refused_once_revoked()
    {
        using var issuer = await StartAsync();
        using var other = await StartAsync();
        var issued = await issuer.Services.GetRequiredService<ApiKeyStore>().IssueAsync("partner", [Scopes.Vote], 120, default);

        var seen = await other.Services.GetRequiredService<ApiKeyStore>().FindValidAsync(issued.Key, default);
        Assert.Equal(("partner", 120), (seen?.Name, seen?.RequestsPerMinute));
        Assert.Null(await other.Services.GetRequiredService<ApiKeyStore>().FindValidAsync(issued.Key[..^1] + (issued.Key[^1] == 'A' ? 'B' : 'A'), default));

        Assert.True(await other.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(issued.Info.Id, default));
        Assert.Null(await other.Services.GetRequiredService<ApiKeyStore>().FindValidAsync(issued.Key, default));
        var fresh = await StartAsync();
        Assert.Null(await fresh.Services.GetRequiredService<ApiKeyStore>().FindValidAsync(issued.Key, default));
        fresh.Dispose();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
