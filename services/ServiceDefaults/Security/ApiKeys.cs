using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Papers.ServiceDefaults.Security;

/// <summary>
/// The shape of a key: <c>pk_&lt;id&gt;_&lt;secret&gt;</c>, 12 lower-case letters and digits of id (public:
/// lists, logs, rate-limit partitions) and 43 base64url characters of secret (256 random bits,
/// stored only as its SHA-256). High-entropy secrets need no slow hash.
/// </summary>
public static class ApiKeyFormat
{
    public const int IdLength = 12;
    private const string Prefix = "pk_";
    private const int SecretLength = 43;

    public static (string Id, string Secret, string Key) New()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, secret, $"{Prefix}{id}_{secret}");
    }

    public static bool TryParse(string? key, [NotNullWhen(true)] out string? id, [NotNullWhen(true)] out string? secret)
    {
        id = secret = null;
        if (key is null || key.Length != Prefix.Length + IdLength + 1 + SecretLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + IdLength] != '_')
            return false;
        id = key.Substring(Prefix.Length, IdLength);
        secret = key[(Prefix.Length + IdLength + 1)..];
        return id.All(char.IsAsciiHexDigitLower) && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}

/// <summary>An API key as callers and admins see it (never its secret).</summary>
public record ApiKeyInfo(string Id, string Name, IReadOnlyList<string> Scopes, int RequestsPerMinute, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>A key just issued: the only time its full value is shown.</summary>
public record IssuedApiKey(string Key, ApiKeyInfo Info);

/// <summary>
/// Issues, lists, revokes and checks API keys in the identity database. Checks are cached for
/// <see cref="CacheFor"/>, so a revoked key stops working on every replica within that time.
/// </summary>
public sealed class ApiKeyStore(IServiceScopeFactory scopeFactory, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);
    public const int MinQuota = 1, MaxQuota = 1_000_000;

    public async Task<IssuedApiKey> IssueAsync(string name, IReadOnlyCollection<string> scopes, int requestsPerMinute, CancellationToken cancellationToken)
    {
        var (id, secret, key) = ApiKeyFormat.New();
        var record = new ApiKeyRecord
        {
            Id = id,
            Name = name,
            SecretHash = ApiKeyFormat.Hash(secret),
            Scopes = [.. scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            RequestsPerMinute = requestsPerMinute,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        await using var scope = OpenDb(out var db);
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedApiKey(key, Info(record));
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await using var scope = OpenDb(out var db);
        return (await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken)).Select(Info).ToList();
    }

    /// <summary>Revokes a key; false when there is no such key. Revoking twice keeps the first time.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await using var scope = OpenDb(out var db);
        var record = await db.ApiKeys.FindAsync([id], cancellationToken);
        if (record is null)
            return false;
        record.RevokedAt ??= clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        cache.Remove(CacheKey(id));
        return true;
    }

    /// <summary>The key's record when <paramref name="key"/> is a valid, unrevoked key; else null.</summary>
    public async Task<ApiKeyInfo?> FindValidAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(key, out var id, out var secret))
            return null;
        var record = await cache.GetOrCreateAsync(CacheKey(id), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var scope = OpenDb(out var db);
            return await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        });
        if (record is null || record.RevokedAt is not null)
            return null;
        var given = Encoding.ASCII.GetBytes(ApiKeyFormat.Hash(secret));
        return CryptographicOperations.FixedTimeEquals(given, Encoding.ASCII.GetBytes(record.SecretHash)) ? Info(record) : null;
    }

    private AsyncServiceScope OpenDb(out AccessDbContext db)
    {
        var scope = scopeFactory.CreateAsyncScope();
        db = scope.ServiceProvider.GetRequiredService<AccessDbContext>();
        return scope;
    }

    private static string CacheKey(string id) => "papers.api-key:" + id;

    private static ApiKeyInfo Info(ApiKeyRecord r) => new(r.Id, r.Name, r.Scopes, r.RequestsPerMinute, r.CreatedAt, r.RevokedAt);
}
