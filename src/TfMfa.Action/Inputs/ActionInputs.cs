using TfMfa.Config;
using TfMfa.Terraform.Releases;

namespace TfMfa.Inputs;

/// <summary>The action's inputs, checked. Inputs that override config keys travel as <see cref="ConfigOverrides"/>.</summary>
/// <param name="TrustedConfigPath">Where the front end keeps its config (<c>.github/tfmfa.yml</c>, <c>.azuredevops/tfmfa.yml</c>): the default branch's copy there always counts.</param>
/// <param name="ApiToken">The token input where the front end has one (GitHub's github-token), else null: the front end finds its own.</param>
public sealed record ActionInputs(
    TerraformCommand Command,
    string Environment,
    string Workspace,
    string WorkingDirectory,
    string ConfigPath,
    string TrustedConfigPath,
    string? ApiToken,
    bool Init,
    string? PlanFile,
    IReadOnlyList<string> TerraformArgs,
    SessionDuration SessionDuration,
    string AwsRegion,
    int? IssueNumber,
    IReadOnlyDictionary<string, LocatedValue> ConfigOverrides,
    ToolRequest ToolRequest,
    string? PlanSha256 = null)
{
    /// <summary>The token is a secret; keep it out of any accidental print of the record.</summary>
    public override string ToString() =>
        $"{Command.Name()} in environment '{Environment}' at '{WorkingDirectory}' (config {ConfigPath})";
}
