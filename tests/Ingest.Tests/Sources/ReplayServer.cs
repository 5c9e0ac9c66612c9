using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Papers.Ingest.Tests.Sources;

/// <summary>One request the replay server received, with when it arrived.</summary>
internal sealed record ReceivedRequest(string Path, IQueryCollection Query, TimeSpan At)
{
    public string? this[string key] => Query.TryGetValue(key, out var v) ? v.ToString() : null;
}

/// <summary>
/// A real HTTP server on 127.0.0.1 with an OS-chosen port (Kestrel), answering with whatever
/// the test's handler decides, and recording each request and its arrival time.
/// </summary>
internal sealed class ReplayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ReplayServer(Func<HttpContext, ReceivedRequest, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            var request = new ReceivedRequest(context.Request.Path, context.Request.Query, _clock.Elapsed);
            _requests.Enqueue(request);
            await handler(context, request);
        });
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public static async Task<ReplayServer> StartAsync(Func<HttpContext, ReceivedRequest, Task> handler)
    {
        var server = new ReplayServer(handler);
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.Single());
        return server;
    }

    public Uri Url(string path) => new(BaseUrl, path);

    public static Task Xml(HttpContext context, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml; charset=utf-8";
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
