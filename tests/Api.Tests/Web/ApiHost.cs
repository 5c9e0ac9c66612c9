using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Papers.Api.Data;

namespace Papers.Api.Tests.Web;

/// <summary>
/// The Api host itself (its Program, in-memory bus, SQLite files in a fresh folder), served
/// in-process; tests write the read model's rows straight into its database. Enrichment is not
/// running: searches fall back to keywords.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-api-").FullName;
    private readonly Dictionary<string, string?> _settings;

    public ApiHost(Dictionary<string, string?>? settings = null) => _settings = settings ?? [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataDirectory", _data);
        builder.UseSetting("RateLimits:Enabled", "false");
        builder.UseSetting("Reenrichment:Enabled", "false");
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
    }

    public async Task SeedAsync(params object[] rows)
    {
        using var scope = Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file; the OS temp cleaner takes it */ }
    }
}
