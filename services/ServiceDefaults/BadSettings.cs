using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Papers.ServiceDefaults;

/// <summary>
/// Settings that fail their validation (<c>ValidateOnStart</c>), told as one line each naming the
/// setting and its value, with exit code <see cref="ExitCode"/>: for a service at start-up and for a
/// command however deep in its run the option is first read; never an unhandled exception with its
/// stack trace.
/// </summary>
public static class BadSettings
{
    /// <summary>The documented exit code of a configuration error (as of a usage error for commands).</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// The validation failures an exception holds (start-up validation aggregates them), or the
    /// binder's "Failed to convert configuration value 'abc' at 'Sources:…' to type …" (a value of
    /// the wrong type); empty for any other exception.
    /// </summary>
    public static List<string> Of(Exception ex) => ex switch
    {
        OptionsValidationException options => [.. options.Failures],
        InvalidOperationException conversion when conversion.Source == "Microsoft.Extensions.Configuration.Binder" => [conversion.Message],
        AggregateException all when all.InnerExceptions.All(e => e is OptionsValidationException) => [.. all.InnerExceptions.SelectMany(Of)],
        _ => [],
    };

    /// <summary>Writes "<paramref name="who"/>: bad setting: …" for each failure.</summary>
    public static async Task<int> ReportAsync(string who, IEnumerable<string> failures, TextWriter error)
    {
        foreach (var failure in failures)
            await error.WriteLineAsync($"{who}: bad setting: {failure}");
        return ExitCode;
    }

    /// <summary>
    /// Runs every <c>ValidateOnStart</c> check before the host starts (the host would log a failing one
    /// with its stack trace and end the process with an unhandled exception); null when all pass.
    /// </summary>
    public static async Task<int?> CheckAsync(IServiceProvider services, string who, TextWriter error)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            return null;
        }
        catch (Exception ex) when (Of(ex) is [_, ..] failures)
        {
            return await ReportAsync(who, failures, error);
        }
    }
}
