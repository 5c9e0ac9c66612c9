using Papers.Analytics;
using Papers.Api;
using Papers.Enrichment;
using Papers.Ingest;
using Papers.Local;
using Papers.Notifications;
using Papers.Notifications.Library;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;
using Papers.Training;

// The embedded default: the six services composed in one process from the same code as their own
// hosts. Enrichment runs the model here, so the Api, Notifications and Training embed in-process.
var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var ingest = builder.AddIngest();
var enrichment = builder.AddEnrichment();
var notifications = builder.AddNotifications();
var api = builder.AddApi();
var training = builder.AddTraining();
var analytics = builder.AddAnalytics();
builder.Services.AddSingleton<ILibraryRecommendations, InProcessLibrary>(); // "for you" digests read the Api's library in-process
builder.AddMessaging(ingest, enrichment, notifications, api, training, analytics);
builder.Services.AddHostedService<StartupBanner>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngest();
app.MapEnrichment();
app.MapNotifications();
app.MapApi();
app.MapTraining();
app.MapAnalytics();
return await app.RunAsync(args);

