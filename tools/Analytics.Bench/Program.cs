using System.Globalization;
using Papers.Analytics.Bench;

// writer [events] | e2e [events] | queries [events]: see README, "For analysts".
return args switch
{
    ["writer", .. var rest] when Count(rest, 1_000_000) is { } n => await WriterBench.RunAsync(n),
    ["e2e", .. var rest] when Count(rest, 50_000) is { } n => await EndToEndBench.RunAsync(n),
    ["queries", .. var rest] when Count(rest, 10_000_000) is { } n => await QueryBench.RunAsync(n),
    _ => Usage(),
};

static int? Count(string[] rest, int fallback) => rest switch
{
    [] => fallback,
    [var text] when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => n,
    _ => null,
};

static int Usage()
{
    Console.Error.WriteLine("usage: Papers.Analytics.Bench writer [events, default 1000000]   the Parquet writer alone: events/s, bytes/event");
    Console.Error.WriteLine("       Papers.Analytics.Bench e2e [events, default 50000]         from RabbitMQ (PAPERS_TEST_RABBITMQ, _MANAGEMENT; PAPERS_TEST_POSTGRES or SQLite), as a ratio to MassTransit's raw consume rate");
    Console.Error.WriteLine("       Papers.Analytics.Bench queries [events, default 10000000]  the ready queries over a synthetic year of that many events");
    return 2;
}
