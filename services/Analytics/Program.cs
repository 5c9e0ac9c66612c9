using Papers.Analytics;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var analytics = builder.AddAnalytics();
builder.AddMessaging(analytics);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapAnalytics();
return await app.RunAsync(args);
