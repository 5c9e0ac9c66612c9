using Papers.Notifications;
using Papers.Notifications.Library;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// Topic vectors for digests: nobody waits, so the standard budget.
builder.AddEnrichmentClient(EmbedBudget.Batch);
// "For you" digests read the Api's library over internal HTTP (Services:Api, Services:ApiKey).
builder.AddApiLibraryClient();
var notifications = builder.AddNotifications();
builder.AddMessaging(notifications);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotifications();
return await app.RunAsync(args);
