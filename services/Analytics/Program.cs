using Papers.Analytics;
using Papers.Analytics.Commands;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

// A command that runs instead of the service: replay archived events to a named queue.
if (args is ["replay", ..])
    return await ReplayCommand.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var analytics = builder.AddAnalytics();
builder.AddMessaging(analytics);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAnalytics();
return await app.RunAsync(args);
