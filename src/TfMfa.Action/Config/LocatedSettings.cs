using Microsoft.Extensions.Configuration;

namespace TfMfa.Config;

/// <summary>A setting's value and where a person can find it: <c>.github/tfmfa.yml:4:12</c> or <c>input 'timeout'</c>.</summary>
public sealed record LocatedValue(string Value, string Where);

/// <summary>
/// One layer of the configuration (defaults, a config file, the action inputs) that remembers
/// where each value came from, so a validation error can point at the line that set it.
/// </summary>
public sealed class LocatedSettingsSource(IReadOnlyDictionary<string, LocatedValue> values) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new LocatedSettingsProvider(values);
}

public sealed class LocatedSettingsProvider : ConfigurationProvider
{
    private readonly Dictionary<string, string> _where = new(StringComparer.OrdinalIgnoreCase);

    public LocatedSettingsProvider(IReadOnlyDictionary<string, LocatedValue> values)
    {
        foreach (var (key, located) in values)
        {
            Data[key] = located.Value;
            _where[key] = located.Where;
        }
    }

    public string? WhereIs(string key) => _where.GetValueOrDefault(key);
}

public static class ConfigurationLocations
{
    /// <summary>Where the value that won for <paramref name="key"/> was set (the last layer that has it).</summary>
    public static string WhereIs(this IConfigurationRoot root, string key)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (provider is LocatedSettingsProvider located && located.TryGet(key, out _))
                return located.WhereIs(key) ?? key;
        }
        return key;
    }

    /// <summary>Where a section was declared, for errors about a missing or wrong child.</summary>
    public static string WhereIsSection(this IConfigurationRoot root, string sectionPath)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (provider is not LocatedSettingsProvider located) continue;
            if (located.TryGet(sectionPath, out _)) return located.WhereIs(sectionPath) ?? sectionPath;
            var child = located.GetChildKeys([], sectionPath).FirstOrDefault();
            if (child is not null && located.WhereIs($"{sectionPath}:{child}") is { } where) return where;
        }
        return sectionPath;
    }
}
