using System.Text.RegularExpressions;
using MassTransit;
using Papers.Enrichment.Consumers;

namespace Papers.Enrichment.Tests;

/// <summary>
/// KEDA scales enrichment on queues named in the chart's values: they must be the endpoints the
/// consumers really read, or the autoscaler watches an empty queue while the backlog grows.
/// </summary>
public sealed class ChartQueueTests
{
    [Fact]
    public void The_charts_autoscaling_queues_are_the_enrichment_consumers_endpoints()
    {
        var values = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy/helm/papers/values.yaml"));
        string Value(string key)
        {
            var match = Regex.Match(values, $@"^\s+{key}: ([-a-z0-9_.]+)", RegexOptions.Multiline);
            Assert.True(match.Success, $"{key} is not in the chart's values.yaml");
            return match.Groups[1].Value;
        }

        // The bus names endpoints this way (ServiceDefaults' SetKebabCaseEndpointNameFormatter; no definition names its own).
        var names = KebabCaseEndpointNameFormatter.Instance;
        Assert.Equal(names.Consumer<EnrichPaperConsumer>(), Value("queueName"));
        Assert.Equal(names.Consumer<RetagPaperConsumer>(), Value("retagQueueName"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "platform.sln")))
                return dir;
        throw new InvalidOperationException("platform.sln not found above the test binaries");
    }
}
