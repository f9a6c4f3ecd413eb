namespace TfMfa.StandIns.World;

/// <summary>A job's variables as a process's environment: the world's, and none of this machine's own AWS, GitHub, input or terraform settings.</summary>
public static class JobEnvironment
{
    private static readonly string[] AmbientPrefixes = ["AWS_", "GITHUB_", "INPUT_", "TF_"];

    /// <summary>The given variables; every other variable of this process with one of those prefixes is removed (null).</summary>
    public static Dictionary<string, string?> Isolated(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (AmbientPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
                environment[name] = null;
        foreach (var (name, value) in variables) environment[name] = value;
        return environment;
    }
}
