namespace TfMfa.Terraform;

/// <param name="Pattern">A variable name, or a prefix ending in <c>*</c>.</param>
/// <param name="Why">Why no child process of TfMfa may see it.</param>
/// <param name="WarnWhenSet">Also say so in the log: the person who set it expects it to have an effect.</param>
public sealed record DeniedVariable(string Pattern, string Why, bool WarnWhenSet = false)
{
    public bool Matches(string name) => Pattern.EndsWith('*')
        ? name.StartsWith(Pattern[..^1], StringComparison.OrdinalIgnoreCase)
        : name.Equals(Pattern, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The one deny-list for every process TfMfa starts (terraform, and through it <c>local-exec</c>,
/// <c>data "external"</c> and providers). Anything terraform runs is code a pull request may have
/// written, so it gets neither the runner's tokens nor TfMfa's own inputs and secrets.
/// AWS credential variables are handled by <see cref="TerraformEnvironment"/>, which sets new ones.
/// </summary>
public static class ChildEnvironment
{
    public static readonly IReadOnlyList<DeniedVariable> Denied =
    [
        new("GITHUB_TOKEN", "the job's GitHub token: it can post and delete comments, approve, or push"),
        new("GH_TOKEN", "a GitHub token under the gh CLI's name"),
        new("ACTIONS_RUNTIME_TOKEN", "the runner's token for caches and artifacts: it can poison caches and read other jobs' artifacts"),
        new("ACTIONS_RUNTIME_URL", "where ACTIONS_RUNTIME_TOKEN is spent"),
        new("ACTIONS_RESULTS_URL", "where ACTIONS_RUNTIME_TOKEN is spent"),
        new("ACTIONS_CACHE_URL", "where ACTIONS_RUNTIME_TOKEN is spent"),
        new("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "mints OIDC tokens that can assume AWS roles with no MFA at all (id-token: write)"),
        new("ACTIONS_ID_TOKEN_REQUEST_URL", "where ACTIONS_ID_TOKEN_REQUEST_TOKEN mints OIDC tokens"),
        new("INPUT_*", "TfMfa's own inputs, the github-token among them"),
        new("GITHUB_ENV", "a file command: a line in it sets variables for every later step of the job"),
        new("GITHUB_PATH", "a file command: a line in it puts programs first on PATH for every later step"),
        new("GITHUB_OUTPUT", "a file command: lines in it would forge TfMfa's outputs (authenticated-by, exit-code)"),
        new("GITHUB_STATE", "a file command: lines in it would forge TfMfa's saved state"),
        new("GITHUB_STEP_SUMMARY", "a file command: lines in it would forge TfMfa's record of who authenticated"),
        new("SYSTEM_ACCESSTOKEN", "the Azure Pipelines job token when the YAML maps it: it can post and delete pull-request comments and queue builds"),
        new("ENDPOINT_*", "Azure Pipelines service connections, the job's own token (ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN) and the AWS connection's secret key among them"),
        new("SECRET_*", "secret variables the Azure Pipelines agent hands a task"),
        new("TF_LOG_PATH", "terraform writes its log, session token included, to that file, where TfMfa cannot redact it; TF_LOG alone logs to the run log, redacted", WarnWhenSet: true),
    ];

    /// <summary>The entries that deny <paramref name="name"/>, if any.</summary>
    public static DeniedVariable? DenialOf(string name) => Denied.FirstOrDefault(d => d.Matches(name));

    /// <summary>Denied variables the person set on purpose, with why TfMfa dropped them, for the log.</summary>
    public static IEnumerable<string> Warnings(IEnumerable<string> ambient) =>
        ambient.Select(name => (name, denial: DenialOf(name)))
            .Where(x => x.denial is { WarnWhenSet: true })
            .Select(x => $"{x.name} is set, but terraform does not get it: {x.denial!.Why}.");

    /// <summary>
    /// <paramref name="changes"/> on top of the removals: what a child gets is the ambient
    /// environment minus every denied variable, then the changes, then the removals again, so no
    /// change can put a denied variable back.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Merge(IEnumerable<string> ambient, IReadOnlyDictionary<string, string?> changes)
    {
        var result = new Dictionary<string, string?>(changes, StringComparer.Ordinal);
        foreach (var name in ambient.Concat(changes.Keys))
            if (DenialOf(name) is not null) result[name] = null;
        return result;
    }
}
