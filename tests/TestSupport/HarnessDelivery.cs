using MassTransit;
using MassTransit.Testing;

namespace Papers.TestSupport;

/// <summary>Publishes on a MassTransit test harness and waits until one consumer has finished with the message.</summary>
public static class HarnessDelivery
{
    /// <remarks>
    /// Polls the harness's async <c>Any</c>. A single <c>Any</c> is not enough: the harness's own
    /// wait ends at its first inactivity and never waits again, so on a loaded machine it answered
    /// "no" before the consumer had started (a CI run failed that way). Its blocking <c>Select</c>
    /// once hung a whole run, so it is not used either.
    /// </remarks>
    public static async Task DeliverAsync<TConsumer, T>(ITestHarness harness, T message)
        where TConsumer : class, IConsumer
        where T : class
    {
        var id = NewId.NextGuid();
        await harness.Bus.Publish(message, c => c.MessageId = id);
        var consumed = harness.GetConsumerHarness<TConsumer>().Consumed;
        await Eventually.UntilAsync(() => consumed.Any<T>(m => m.Context.MessageId == id), TimeSpan.FromSeconds(60),
            $"{typeof(TConsumer).Name} finishing a {typeof(T).Name}");
    }
}
