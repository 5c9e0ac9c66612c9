using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Papers.ServiceDefaults.Security;

/// <summary>What a key must be: a name, known scopes, a quota within bounds. Shared by the CLI and <c>POST /api/admin/keys</c>.</summary>
public static class KeyRules
{
    public static Dictionary<string, string[]> Validate(string? name, IReadOnlyCollection<string>? scopes, int? requestsPerMinute)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > ApiKeyRecord.MaxNameLength)
            errors["name"] = [$"name must be 1 to {ApiKeyRecord.MaxNameLength} characters; got '{Problems.Echo(name)}'."];
        if (scopes is { Count: > 10 })
            errors["scopes"] = [$"At most {Scopes.All.Count} scopes; got {scopes.Count}."];
        else if (scopes?.Any(s => s is null || !Scopes.All.Contains(s)) == true)
            errors["scopes"] = [$"Scopes are {string.Join(", ", Scopes.All)} (reading needs none); got '{Problems.Echo(scopes?.FirstOrDefault(s => s is null || !Scopes.All.Contains(s)))}'."];
        if (requestsPerMinute is < ApiKeyStore.MinQuota or > ApiKeyStore.MaxQuota)
            errors["requestsPerMinute"] = [$"requestsPerMinute must be between {ApiKeyStore.MinQuota} and {ApiKeyStore.MaxQuota}; got {requestsPerMinute}."];
        return errors;
    }
}

/// <summary>
/// <c>keys issue --name N [--scopes vote,submit,admin,library] [--quota requests-per-minute]</c>,
/// <c>keys list</c>, <c>keys revoke &lt;id&gt;</c>: key management for operators, run by any service
/// host against the shared identity database (how the first admin key is made).
/// </summary>
public static class KeysCommand
{
    public const string Usage = "usage: keys issue --name <name> [--scopes vote,submit,admin,library] [--quota <requests per minute>] | keys list | keys revoke <id>";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error)
    {
        var keys = services.GetRequiredService<ApiKeyStore>();
        switch (args)
        {
            case ["list"]:
                foreach (var k in await keys.ListAsync(CancellationToken.None))
                    await output.WriteLineAsync($"{k.Id}\t{k.Name}\t{(k.Scopes.Count == 0 ? "read" : string.Join(",", k.Scopes))}\t{k.RequestsPerMinute}/min\t{(k.RevokedAt is null ? "active" : $"revoked {k.RevokedAt:u}")}");
                return 0;
            case ["revoke", var id]:
                if (await keys.RevokeAsync(id, CancellationToken.None))
                {
                    await output.WriteLineAsync($"revoked {id}; every replica refuses it within {(int)ApiKeyStore.CacheFor.TotalSeconds} s");
                    return 0;
                }
                await error.WriteLineAsync($"keys: no key has the id '{Problems.Echo(id)}'");
                return 1;
            case ["issue", .. var options]:
                string? name = null, scopes = null, quota = null;
                for (var i = 0; i < options.Length; i++)
                {
                    var value = i + 1 < options.Length ? options[i + 1] : null;
                    switch (options[i])
                    {
                        case "--name": name = value; i++; break;
                        case "--scopes": scopes = value; i++; break;
                        case "--quota": quota = value; i++; break;
                        default:
                            await error.WriteLineAsync($"keys: unknown option '{Problems.Echo(options[i])}'\n{Usage}");
                            return 2;
                    }
                }
                if (quota is not null && !int.TryParse(quota, out _))
                {
                    await error.WriteLineAsync($"keys: --quota must be a whole number of requests per minute; got '{Problems.Echo(quota)}'");
                    return 2;
                }
                var scopeList = (scopes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                int? perMinute = quota is null ? null : int.Parse(quota, System.Globalization.CultureInfo.InvariantCulture);
                var problems = KeyRules.Validate(name, scopeList, perMinute);
                if (problems.Count > 0)
                {
                    foreach (var (field, messages) in problems)
                        await error.WriteLineAsync($"keys: --{(field == "requestsPerMinute" ? "quota" : field)}: {string.Join(" ", messages)}");
                    return 2;
                }
                var limits = services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var issued = await keys.IssueAsync(name!.Trim(), scopeList, perMinute ?? limits.DefaultKeyRequestsPerMinute, CancellationToken.None);
                await output.WriteLineAsync(issued.Key);
                await error.WriteLineAsync($"issued key {issued.Info.Id} '{issued.Info.Name}' ({(scopeList.Length == 0 ? "read" : string.Join(",", scopeList))}, {issued.Info.RequestsPerMinute}/min); the line above is its only copy: store it now");
                return 0;
            default:
                await error.WriteLineAsync(Usage);
                return 2;
        }
    }
}
