using TfMfa.Inputs;

namespace TfMfa.Config;

/// <summary>Finds every copy of the config, validates each, and combines them by the stricter-of-copies rule.</summary>
public static class ConfigLoader
{
    /// <param name="workspace">The checked-out repository root.</param>
    /// <param name="configPath">The <c>config</c> input, relative to the workspace.</param>
    /// <param name="trustedPath">The front end's own config path: the default branch's copy there always counts.</param>
    public static async Task<GatePolicy> LoadAsync(
        string workspace,
        string configPath,
        string trustedPath,
        string environment,
        IReadOnlyDictionary<string, LocatedValue> inputSettings,
        IDefaultBranchConfig defaultBranch,
        CancellationToken cancellationToken)
    {
        // Every copy is validated on its own; inputs are weighed against the trusted copy in StrictestPolicy.
        var withoutFile = PolicyBuilder.Build(null, inputSettings);
        var copies = new List<ConfigCopy>
        {
            Parse(ConfigCopyKind.Workspace, configPath, ReadWorkspaceFile(workspace, configPath)),
        };

        if (defaultBranch.IsAvailable)
        {
            var branch = await defaultBranch.BranchNameAsync(cancellationToken);
            var paths = new List<(ConfigCopyKind, string)> { (ConfigCopyKind.DefaultBranch, trustedPath) };
            if (!SamePath(configPath, trustedPath)) paths.Add((ConfigCopyKind.DefaultBranchAtConfigPath, configPath));
            foreach (var (kind, path) in paths)
            {
                var text = await defaultBranch.ReadAsync(NormalizePath(path), cancellationToken);
                copies.Add(Parse(kind, $"{NormalizePath(path)}@{branch}", text));
            }
        }

        var choices = new WorkflowChoices(
            inputSettings.Keys.Any(k => k.EndsWith(":role-to-assume", StringComparison.OrdinalIgnoreCase)) ? withoutFile.For(environment).RoleToAssume : null,
            inputSettings.ContainsKey("wait:timeout") ? withoutFile.Wait.Timeout : null,
            inputSettings.ContainsKey("wait:mode") ? withoutFile.Wait.Mode : null);
        var policy = StrictestPolicy.Combine(environment, copies, withoutFile, choices, workspaceIsTrusted: !defaultBranch.IsAvailable);
        if (defaultBranch.IsAvailable && policy.Approvers is { MinPermission: RepoPermission.Read, Users.Count: 0 } approvers
            && await defaultBranch.AnyoneCanReadAsync(cancellationToken))
            throw new ConfigException([
                $"{approvers.MinPermissionSetAt}: min-permission: read lets anyone supply a code or cancel a run here, because {defaultBranch.EveryoneWhoCanRead} can read this repository. " +
                "Use triage or higher, or name the people who may in approvers.users."]);
        return policy;
    }

    private static ConfigCopy Parse(ConfigCopyKind kind, string displayName, string? text) =>
        text is null
            ? new ConfigCopy(kind, displayName, null)
            : new ConfigCopy(kind, displayName, PolicyBuilder.Build(RepoConfigReader.Read(text, displayName), NoInputs));

    private static readonly IReadOnlyDictionary<string, LocatedValue> NoInputs = new Dictionary<string, LocatedValue>();

    private static string? ReadWorkspaceFile(string workspace, string configPath) =>
        WorkspacePath.ReadConfig(WorkspacePath.Resolve(workspace, configPath, "config"), configPath);

    private static string NormalizePath(string path)
    {
        var normalized = path.Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal)) normalized = normalized[2..];
        return normalized.TrimStart('/');
    }

    private static bool SamePath(string a, string b) => string.Equals(NormalizePath(a), NormalizePath(b), StringComparison.Ordinal);
}
