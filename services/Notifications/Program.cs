using Papers.Notifications;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNotifications();
builder.AddMessaging();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapNotifications();
return await app.RunAsync(args);
