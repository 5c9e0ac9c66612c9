using Xunit;

namespace Papers.TestSupport;

/// <summary>
/// A test that needs the PostgreSQL server named by <c>PAPERS_TEST_POSTGRES</c> (an Npgsql
/// connection string without a database; <c>scripts/test.sh</c> always sets it). Skipped, saying
/// so, only when that variable is unset.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "PAPERS_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"{Variable} is not set: this test needs a PostgreSQL server (scripts/test.sh starts one; or source the file scripts/infra.sh writes).";
    }
}

/// <summary>A test that needs the RabbitMQ broker named by <c>PAPERS_TEST_RABBITMQ</c> and its management API; skipped only when they are unset.</summary>
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public RabbitMqFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ")) ||
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("PAPERS_TEST_RABBITMQ_MANAGEMENT")))
            Skip = "PAPERS_TEST_RABBITMQ or PAPERS_TEST_RABBITMQ_MANAGEMENT is not set: this test needs a RabbitMQ broker (scripts/test.sh starts one).";
    }
}

/// <summary>A test that needs the SMTP sink named by <c>PAPERS_TEST_SMTP</c> (host:port) and its Maildir <c>PAPERS_TEST_MAILDIR</c>; skipped only when they are unset.</summary>
public sealed class SmtpSinkFactAttribute : FactAttribute
{
    public SmtpSinkFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("PAPERS_TEST_SMTP")) ||
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("PAPERS_TEST_MAILDIR")))
            Skip = "PAPERS_TEST_SMTP or PAPERS_TEST_MAILDIR is not set: this test needs the SMTP sink (scripts/test.sh starts one).";
    }
}
