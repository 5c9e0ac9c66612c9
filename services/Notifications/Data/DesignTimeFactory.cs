using Papers.ServiceDefaults.Data;

namespace Papers.Notifications.Data;

/// <summary>For <c>dotnet ef migrations add</c>; see README, "Changing the schema".</summary>
public sealed class DesignTimeFactory : PostgresDesignTimeFactory<NotificationsDbContext>;
