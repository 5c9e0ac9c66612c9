namespace Papers.Analytics.Bench;

/// <summary>
/// CPU seconds spent, on Linux, by this process, the broker (<c>RABBITMQ_PID_FILE</c>, as
/// scripts/infra.sh exports it) and every PostgreSQL process: on a machine shared with other work,
/// what each side costs per event varies less than its rate. The two servers' figures include
/// whatever else uses them meanwhile (a backend that exits meanwhile takes its time with it).
/// </summary>
internal sealed record CpuUse(double Bench, double? Broker, double Postgres)
{
    private const double TicksPerSecond = 100; // USER_HZ: 100 on the Linux kernels this runs on

    public static CpuUse Now() => new(Seconds(Environment.ProcessId), BrokerPid() is { } broker ? Seconds(broker) : null, PostgresSeconds());

    public CpuUse Since(CpuUse start) => new(Bench - start.Bench, Broker - start.Broker, Postgres - start.Postgres);

    /// <summary>All three (the broker's counted as zero when its process is unknown).</summary>
    public double Total => Bench + (Broker ?? 0) + Postgres;

    public string PerEvent(int events) =>
        $"CPU per event: this process {Bench * 1e6 / events:N0} µs, broker {(Broker is { } b ? (b * 1e6 / events).ToString("N0") : "?")} µs, PostgreSQL {Postgres * 1e6 / events:N0} µs (whole servers)";

    private static int? BrokerPid() =>
        Environment.GetEnvironmentVariable("RABBITMQ_PID_FILE") is { } file && File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;

    private static double PostgresSeconds()
    {
        double total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "postgres")
                    total += Seconds(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return total;
    }

    private static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command's closing parenthesis.
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
