using System.Collections;

namespace TfMfa.Hosting;

/// <summary>The process environment: the one place the program reads environment variables from.</summary>
public interface IEnvironment
{
    string? Get(string name);

    IReadOnlyDictionary<string, string> All();
}

public sealed class ProcessEnvironment : IEnvironment
{
    public string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    public IReadOnlyDictionary<string, string> All()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            all[(string)entry.Key] = (string?)entry.Value ?? "";
        return all;
    }
}

/// <summary>A fixed environment, for tests and for front ends that gather variables themselves.</summary>
public sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string> variables) : IEnvironment
{
    public string? Get(string name) => variables.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public IReadOnlyDictionary<string, string> All() => variables;
}
