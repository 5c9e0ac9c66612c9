using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Papers.ServiceDefaults.Security;

/// <summary>Problem details (RFC 9457) written by middleware, and the rule for echoing input in them.</summary>
public static class Problems
{
    /// <summary>The most characters of a caller's input an error message repeats.</summary>
    public const int MaxEcho = 100;

    /// <summary>The input as an error message may quote it: at most <see cref="MaxEcho"/> characters, control characters dropped.</summary>
    public static string Echo(string? input)
    {
        if (input is null)
            return "";
        var clean = new string(input.Take(MaxEcho + 1).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return clean.Length > MaxEcho ? clean[..MaxEcho] + "…" : clean;
    }

    /// <summary>
    /// Writes the problem as JSON whatever the request's <c>Accept</c> says (the problem details
    /// service alone refuses, with an exception, a client that accepts only HTML or XML).
    /// </summary>
    public static async Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        if (http.Response.HasStarted)
            return;
        await TypedResults.Problem(new ProblemDetails { Status = status, Title = title, Detail = detail }).ExecuteAsync(http);
    }

    /// <summary>The stable <c>code</c> of a problem that did not name its own: from its status.</summary>
    public static void AddCode(ProblemDetails problem)
    {
        if (problem.Extensions.ContainsKey("code"))
            return;
        problem.Extensions["code"] = problem.Status switch
        {
            StatusCodes.Status400BadRequest => problem is HttpValidationProblemDetails ? "invalid_parameter" : "bad_request",
            StatusCodes.Status401Unauthorized => "unauthorized",
            StatusCodes.Status403Forbidden => "forbidden",
            StatusCodes.Status404NotFound => "not_found",
            StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
            StatusCodes.Status409Conflict => "conflict",
            StatusCodes.Status413PayloadTooLarge => "payload_too_large",
            StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
            StatusCodes.Status429TooManyRequests => "rate_limited",
            >= 500 => "internal_error",
            _ => "error",
        };
    }
}
