using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Hosting;

/// <summary>
/// How every options class of the project is registered: bound once to its configuration section
/// and checked by its validator when the host starts, so a setting the code cannot use stops the
/// process naming it (see <see cref="SettingChecks"/>) instead of failing the first call that reads it.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IHostApplicationBuilder builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        return builder.Services.AddOptions<TOptions>().Bind(builder.Configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// <see cref="AddValidatedOptions{TOptions, TValidator}"/> for a section whose settings the wiring needs
    /// before the container exists: returned as <see cref="Checked{TOptions, TValidator}"/> reads them.
    /// </summary>
    public static TOptions AddCheckedOptions<TOptions, TValidator>(this IHostApplicationBuilder builder, string section)
        where TOptions : class, new()
        where TValidator : class, IValidateOptions<TOptions>, new()
    {
        builder.AddValidatedOptions<TOptions, TValidator>(section);
        return builder.Configuration.Checked<TOptions, TValidator>(section);
    }

    /// <summary>
    /// A section whose settings decide the wiring itself (which endpoints to listen on, which storage to
    /// use), read before the container exists: bound and checked by the same validator now, so a bad
    /// setting stops the build with the message it would stop the start with.
    /// </summary>
    public static TOptions Checked<TOptions, TValidator>(this IConfiguration configuration, string section)
        where TOptions : class, new()
        where TValidator : IValidateOptions<TOptions>, new()
    {
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        var result = new TValidator().Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(TOptions), result.Failures) : options;
    }
}
