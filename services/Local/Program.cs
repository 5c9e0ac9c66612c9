using Papers.Api;
using Papers.Enrichment;
using Papers.Ingest;
using Papers.Local;
using Papers.Notifications;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

// The embedded default: the four services composed in one process from the same code as their own hosts.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngest();
builder.AddEnrichment();
builder.AddNotifications();
builder.AddApi();
builder.AddMessaging();
builder.Services.AddHostedService<StartupBanner>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngest();
app.MapEnrichment();
app.MapNotifications();
app.MapApi();
return await app.RunAsync(args);

