using Microsoft.EntityFrameworkCore;

namespace Papers.ServiceDefaults.Leases;

/// <summary>
/// One occurrence of a job that a replica completed under the lease (<see cref="ClusterLease{TContext}"/>):
/// a scheduled digest run, say. A replica that gets the lease after another finished the same
/// occurrence finds this row and skips it.
/// </summary>
public class JobRun
{
    /// <summary>The job (<c>digests</c>, <c>harvest:arxiv-oai</c>).</summary>
    public required string Job { get; set; }

    /// <summary>Which occurrence: the scheduled time (<c>2026-11-30T07:00Z</c>), or any key the job chooses.</summary>
    public required string Occurrence { get; set; }

    /// <summary>UTC.</summary>
    public DateTime StartedAt { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CompletedAt { get; set; }

    /// <summary>The process that ran it (host name and process id).</summary>
    public required string Holder { get; set; }
}

/// <summary>Occurrence keys of scheduled jobs.</summary>
public static class Occurrences
{
    /// <summary>The key of a scheduled run at <paramref name="time"/>, to the minute in UTC: <c>2026-11-30T07:00Z</c>.</summary>
    public static string At(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

public static class LeaseModel
{
    /// <summary>
    /// Adds the <c>job_runs</c> table that <see cref="ClusterLease{TContext}"/> needs for "once per
    /// occurrence" to a service's model. Every service with an outbox needs it (the outbox cleanup
    /// runs under a lease); start-up fails without it.
    /// </summary>
    public static ModelBuilder AddLeases(this ModelBuilder model)
    {
        model.Entity<JobRun>(e =>
        {
            e.ToTable("job_runs");
            e.HasKey(r => new { r.Job, r.Occurrence });
            e.Property(r => r.Job).HasMaxLength(200);
            e.Property(r => r.Occurrence).HasMaxLength(100);
            e.Property(r => r.Holder).HasMaxLength(200);
            e.HasIndex(r => r.CompletedAt);
        });
        return model;
    }
}
