using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Papers.ServiceDefaults.Security;

public enum CallerKind
{
    /// <summary>No credentials: limited by client address.</summary>
    Anonymous,

    /// <summary>A web visitor with the signed visitor cookie.</summary>
    Visitor,

    /// <summary>An API client with a key.</summary>
    ApiKey,
}

/// <summary>
/// Who is calling, as authentication decided: the kind, a pseudonymous id to record with votes and
/// submissions (<c>v-…</c> for a visitor, <c>k-…</c> for a key; never an address or the key), and the
/// client address (after trusted proxies' forwarded headers) that anonymous limits count by. A
/// visitor signed in to an account also has its <see cref="AccountId"/>: its limits follow the account.
/// </summary>
public sealed record Caller(CallerKind Kind, string? Id, string Address, int? KeyRequestsPerMinute, string? AccountId = null)
{
    public const string IdClaim = "papers:caller";
    public const string QuotaClaim = "papers:quota";
    public const string AccountClaim = "papers:account";

    public static Caller Of(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress is { } ip ? Normalise(ip) : "unknown";
        var user = http.User;
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(IdClaim) is not { } id)
            return new Caller(CallerKind.Anonymous, null, address, null);
        return user.Identity.AuthenticationType == AuthenticationSchemes.ApiKey
            ? new Caller(CallerKind.ApiKey, id, address, int.TryParse(user.FindFirstValue(QuotaClaim), out var quota) ? quota : null)
            : new Caller(CallerKind.Visitor, id, address, null, user.FindFirstValue(AccountClaim));
    }

    /// <summary>Whom limits count by: a key, an account (on any device and address), or the client address.</summary>
    public string LimitPartition => Kind == CallerKind.ApiKey ? Id! : AccountId is { } account ? "account:" + account : Address;

    /// <summary>IPv4-mapped IPv6 as IPv4, and IPv6 clients by their /64 (one host holds a whole /64).</summary>
    private static string Normalise(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
            return ip.MapToIPv4().ToString();
        if (ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            return ip.ToString();
        var bytes = ip.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}

/// <summary>Names of the authentication schemes.</summary>
public static class AuthenticationSchemes
{
    /// <summary>Picks <see cref="ApiKey"/> when an Authorization header is sent, else <see cref="Visitor"/>.</summary>
    public const string Default = "papers";

    /// <summary><c>Authorization: Bearer pk_…</c>.</summary>
    public const string ApiKey = "api-key";

    /// <summary>The signed, server-issued visitor cookie of the web page.</summary>
    public const string Visitor = "visitor";
}
