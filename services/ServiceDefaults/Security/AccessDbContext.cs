using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Data;

namespace Papers.ServiceDefaults.Security;

/// <summary>
/// The identity database every service shares (<c>ConnectionStrings:Identity</c>; <c>identity.db</c>
/// in the embedded default): API keys, and the Data Protection key ring that signs visitor cookies
/// and the links in e-mails, so any replica of any service accepts what another one issued.
/// </summary>
public sealed class AccessDbContext(DbContextOptions<AccessDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.Id);
            e.Property(k => k.Id).HasMaxLength(ApiKeyFormat.IdLength);
            e.Property(k => k.Name).HasMaxLength(ApiKeyRecord.MaxNameLength);
            e.Property(k => k.SecretHash).HasMaxLength(64);
            e.Property(k => k.Scopes).HasJsonConversion();
        });
        model.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));
    }
}

/// <summary>An API key as stored: never the secret itself, only its SHA-256.</summary>
public class ApiKeyRecord
{
    public const int MaxNameLength = 100;

    /// <summary>The public part of the key (<c>pk_&lt;id&gt;_…</c>): names it in lists, logs and limits.</summary>
    public required string Id { get; set; }

    /// <summary>Who or what it is for ("analytics team", "nightly exporter").</summary>
    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the secret part.</summary>
    public required string SecretHash { get; set; }

    /// <summary>What the key may do besides reading: <c>vote</c>, <c>submit</c>, <c>admin</c> (see <see cref="Scopes"/>).</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The key's own quota: read requests a minute (searches and embeddings cost more; see RateLimits).</summary>
    public int RequestsPerMinute { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Set when an admin revoked it; a revoked key is refused.</summary>
    public DateTime? RevokedAt { get; set; }
}

/// <summary>For <c>dotnet ef migrations add</c> on the identity database.</summary>
public sealed class AccessDesignTimeFactory : PostgresDesignTimeFactory<AccessDbContext>;
