using MassTransit;
using Papers.Api.Data;
using Papers.Contracts;
using Papers.ServiceDefaults.Composition;
using Papers.TestSupport;

namespace Papers.Api.Tests;

/// <summary>
/// The <c>Papers.Messaging.Received</c> lines the cluster tests count: one per message a consumer
/// receives, named by type, id and queue; a batch consumer's messages one by one (Enrichment's
/// consumer is one), and off unless the category is at Debug.
/// </summary>
public sealed class DiagnosticsTests
{
    [Fact]
    public async Task Each_message_a_batch_consumer_receives_is_logged_once_with_its_queue()
    {
        await using var database = await SqliteFileTestDatabase<ApiDbContext>.CreateAsync();
        await using var replica = await ReplicaHost<ApiDbContext>.StartAsync(database,
            new ServiceModule("Test", bus => bus.AddConsumer<CountViewsConsumer, CountViewsConsumerDefinition>()));
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        foreach (var id in ids)
            await replica.PublishAsync(new PaperViewed("2501.00001", DateTimeOffset.UtcNow), id);

        await Eventually.UntilAsync(() => Task.FromResult(replica.Logs.Of("Papers.Messaging.Received").Count), n => n >= 3, TimeSpan.FromSeconds(20), "three Received lines");
        await replica.WaitConsumedAsync(ids[0], TimeSpan.FromSeconds(20));
        Assert.Equal(ids.Select(id => $"Received PaperViewed {id} on count-views").Order(), replica.Logs.Of("Papers.Messaging.Received").Order());
    }

    [Fact]
    public async Task Received_lines_are_off_at_the_default_level()
    {
        await using var database = await SqliteFileTestDatabase<ApiDbContext>.CreateAsync();
        await using var replica = await ReplicaHost<ApiDbContext>.StartAsync(database,
            new ServiceModule("Test", bus => bus.AddConsumer<CountViewsConsumer, CountViewsConsumerDefinition>()), null, receivedAtDebug: false);
        var id = Guid.NewGuid();

        await replica.PublishAsync(new PaperViewed("2501.00001", DateTimeOffset.UtcNow), id);

        await replica.WaitConsumedAsync(id, TimeSpan.FromSeconds(20));
        Assert.Empty(replica.Logs.Of("Papers.Messaging.Received"));
    }

    public sealed class CountViewsConsumer : IConsumer<Batch<PaperViewed>>
    {
        public Task Consume(ConsumeContext<Batch<PaperViewed>> context) => Task.CompletedTask;
    }

    public sealed class CountViewsConsumerDefinition : ConsumerDefinition<CountViewsConsumer>
    {
        protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<CountViewsConsumer> consumerConfigurator,
            IRegistrationContext context) =>
            consumerConfigurator.Options<BatchOptions>(o => o.SetMessageLimit(10).SetTimeLimit(TimeSpan.FromMilliseconds(200)));
    }
}
