using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Papers.TestSupport;

/// <summary>The few calls of the RabbitMQ management HTTP API the tests need, as the AMQP URI's user.</summary>
public sealed class RabbitMqManagement : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _user;

    public RabbitMqManagement(Uri baseUri, Uri amqp)
    {
        var userInfo = Uri.UnescapeDataString(amqp.UserInfo);
        var (user, password) = userInfo.Split(':', 2) is [var u, var p] ? (u, p) : ("guest", "guest");
        _user = user;
        _http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(15) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    private static string V(string vhost) => Uri.EscapeDataString(vhost);

    public async Task CreateVhostAsync(string vhost)
    {
        (await _http.PutAsync($"api/vhosts/{V(vhost)}", null)).EnsureSuccessStatusCode();
        (await _http.PutAsJsonAsync($"api/permissions/{V(vhost)}/{Uri.EscapeDataString(_user)}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
    }

    public async Task DeleteVhostAsync(string vhost)
    {
        using var response = await _http.DeleteAsync($"api/vhosts/{V(vhost)}");
    }

    public async Task<IReadOnlyList<QueueInfo>> QueuesAsync(string vhost) =>
        await _http.GetFromJsonAsync<List<QueueInfo>>($"api/queues/{V(vhost)}?columns=name,messages,consumers") ?? [];

    /// <summary>Reads up to <paramref name="count"/> messages and puts them back (exact, unlike the cached queue counters).</summary>
    public async Task<IReadOnlyList<PeekedMessage>> PeekAsync(string vhost, string queue, int count = 100)
    {
        using var response = await _http.PostAsJsonAsync($"api/queues/{V(vhost)}/{Uri.EscapeDataString(queue)}/get",
            new { count, ackmode = "ack_requeue_true", encoding = "auto", truncate = 50_000 });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<PeekedMessage>>() ?? [];
    }

    /// <summary>Publishes raw bytes straight onto a queue through the default exchange (with a new message id unless one is given).</summary>
    public async Task PublishToQueueAsync(string vhost, string queue, string payload, string contentType, Guid? messageId = null)
    {
        using var response = await _http.PostAsJsonAsync($"api/exchanges/{V(vhost)}/amq.default/publish", new
        {
            properties = new Dictionary<string, object> { ["content_type"] = contentType, ["delivery_mode"] = 2, ["message_id"] = (messageId ?? Guid.NewGuid()).ToString() },
            routing_key = queue,
            payload,
            payload_encoding = "string",
        });
        response.EnsureSuccessStatusCode();
        var routed = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!routed.GetProperty("routed").GetBoolean())
            throw new InvalidOperationException($"the message to {queue} in {vhost} was not routed (no such queue?)");
    }

    public void Dispose() => _http.Dispose();
}

public sealed record QueueInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("messages")] long? Messages,
    [property: JsonPropertyName("consumers")] int? Consumers);

public sealed record PeekedMessage(
    [property: JsonPropertyName("payload")] string Payload,
    [property: JsonPropertyName("properties")] JsonElement Properties)
{
    public IReadOnlyDictionary<string, string> Headers =>
        Properties.TryGetProperty("headers", out var h) && h.ValueKind == JsonValueKind.Object
            ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString())
            : new Dictionary<string, string>();
}
