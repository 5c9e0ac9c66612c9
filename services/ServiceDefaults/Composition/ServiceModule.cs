using MassTransit;

namespace Papers.ServiceDefaults.Composition;

/// <summary>
/// One service composed into a host (its own, or the all-in-one Local host): what <c>AddX</c>
/// returns, to be handed to <c>AddMessaging</c>. It names the consumers the service needs on the
/// bus and the services it needs the host to provide (an <c>ITextEmbedder</c>, say); the
/// <see cref="CompositionCheck"/> stops start-up when either is missing, instead of a consumer or
/// a dependency being silently absent.
/// </summary>
/// <param name="Name">The service, for messages (<c>Api</c>).</param>
/// <param name="AddConsumers">Registers the service's consumers (with their definitions) on the bus.</param>
/// <param name="Requires">Service types the host must register for this service to work.</param>
public sealed record ServiceModule(string Name, Action<IBusRegistrationConfigurator> AddConsumers, params Type[] Requires)
{
    /// <summary>A service without consumers (it still must be given to AddMessaging, so a host composes every service the same way).</summary>
    public static ServiceModule WithoutConsumers(string name, params Type[] requires) => new(name, _ => { }, requires);
}

/// <summary>The services whose consumers <c>AddMessaging</c> put on this host's bus.</summary>
internal sealed record MessagingComposition(IReadOnlyList<string> Services);
