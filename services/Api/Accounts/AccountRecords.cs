using Microsoft.EntityFrameworkCore;
using Papers.ServiceDefaults.Data;

namespace Papers.Api.Accounts;

/// <summary>
/// A person signed in with an OpenID Connect provider: the provider's (issuer, subject), the e-mail
/// it vouched for, and the pseudonymous voter id the account acts as (the <c>v-…</c> id of the
/// visitor cookie it first signed in with). This row is the only link from the person to that id:
/// deleting it leaves votes and analytics events that no longer lead to anyone.
/// </summary>
public class Account
{
    public Guid Id { get; set; }
    public required string Issuer { get; set; }
    public required string Subject { get; set; }
    public string? Email { get; set; }

    /// <summary>The provider said the address is verified (<c>email_verified</c>); only then may it link to the subscription of that address.</summary>
    public bool EmailVerified { get; set; }

    public required string VoterId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastSignedInAt { get; set; }

    /// <summary>SHA-256 of the private feed token ("for you" as RSS/Atom), if one was issued; a new one revokes the old.</summary>
    public string? FeedTokenHash { get; set; }
}

/// <summary>A named collection of an account's saved papers; only its owner sees a private one.</summary>
public class Collection
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public required string Name { get; set; }
    public bool IsPublic { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<SavedPaper> Papers { get; set; } = [];
}

/// <summary>A paper saved in a collection, with the owner's tags.</summary>
public class SavedPaper
{
    public Guid CollectionId { get; set; }
    public required string PaperId { get; set; }
    public List<string> Tags { get; set; } = [];
    public DateTime SavedAt { get; set; }
}

public static class AccountsModel
{
    /// <summary>The accounts' tables in the Api's database.</summary>
    public static void AddAccounts(this ModelBuilder model)
    {
        model.Entity<Account>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.Property(a => a.Issuer).HasMaxLength(512);
            e.Property(a => a.Subject).HasMaxLength(256);
            e.Property(a => a.Email).HasMaxLength(320);
            e.Property(a => a.VoterId).HasMaxLength(64);
            e.Property(a => a.FeedTokenHash).HasMaxLength(64);
            e.HasIndex(a => new { a.Issuer, a.Subject }).IsUnique();
            e.HasIndex(a => a.FeedTokenHash).IsUnique();
        });
        model.Entity<Collection>(e =>
        {
            e.ToTable("collections");
            e.HasKey(c => c.Id);
            e.Property(c => c.Name).HasMaxLength(LibraryLimits.NameLength);
            e.HasIndex(c => c.AccountId);
            e.HasOne<Account>().WithMany().HasForeignKey(c => c.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Papers).WithOne().HasForeignKey(p => p.CollectionId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<SavedPaper>(e =>
        {
            e.ToTable("saved_papers");
            e.HasKey(p => new { p.CollectionId, p.PaperId });
            e.Property(p => p.PaperId).HasMaxLength(64);
            e.Property(p => p.Tags).HasJsonConversion();
        });
    }
}

/// <summary>What one account may keep: every count is checked before anything is written.</summary>
public static class LibraryLimits
{
    public const int NameLength = 100;
    public const int Collections = 100;
    public const int PapersPerCollection = 5_000;
    public const int TagsPerPaper = 20;
    public const int TagLength = 50;

    /// <summary>Entries one import may add, and its body in bytes.</summary>
    public const int ImportEntries = 500;
    public const long ImportBytes = 256 * 1024;
}
