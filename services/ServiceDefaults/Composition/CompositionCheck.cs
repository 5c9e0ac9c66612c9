using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Papers.ServiceDefaults.Composition;

/// <summary>
/// Fails start-up, before any hosted service starts, when a host is composed wrongly: a service
/// added with <c>AddX</c> whose module was not given to <c>AddMessaging</c> (its consumers would be
/// missing), or a service type a module requires that nothing registered.
/// </summary>
internal sealed class CompositionCheck(IEnumerable<ServiceModule> modules, IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var messaging = services.GetService<MessagingComposition>();
        var isService = services.GetRequiredService<IServiceProviderIsService>();
        foreach (var module in modules)
        {
            if (messaging is null)
                problems.Add($"{module.Name} was added but AddMessaging was not called: its consumers are not on a bus.");
            else if (!messaging.Services.Contains(module.Name))
                problems.Add($"{module.Name} was added but its module was not given to AddMessaging: its consumers would be missing.");
            foreach (var required in module.Requires.Where(t => !isService.IsService(t)))
                problems.Add($"{module.Name} needs a {required.Name}, and this host registers none (see the service's Program.cs).");
        }
        if (problems.Count > 0)
            throw new InvalidOperationException("This host is composed wrongly: " + string.Join(" ", problems));
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
