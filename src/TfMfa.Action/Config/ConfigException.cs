
namespace TfMfa.Config;

/// <summary>A config or input that cannot be used; every line names where the problem is.</summary>
public sealed class ConfigException(IReadOnlyList<string> problems)
    : TfMfaException(problems.Count == 1
        ? problems[0]
        : $"{problems.Count} problems in the configuration:{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
