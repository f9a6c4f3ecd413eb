using System.Globalization;
using TfMfa.Hosting;

namespace TfMfa.AzurePipelines;

/// <summary>The agent's variables for this job, as the Azure Pipelines agent sets them.</summary>
public sealed record AzureContext(
    Uri CollectionUri,
    string Project,
    string ProjectId,
    string RepositoryId,
    string RepositoryProvider,
    string SourceVersion,
    long BuildId,
    string BuildReason,
    int? PullRequestId,
    bool? PullRequestIsFork,
    int JobAttempt,
    string? StageName,
    string? EnvironmentName,
    string RequestedFor)
{
    public const string JobTokenVariable = "ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN";

    /// <summary>The run's page, for the request and the log.</summary>
    public string RunUrl => $"{CollectionUri}{Uri.EscapeDataString(Project)}/_build/results?buildId={BuildId.ToString(CultureInfo.InvariantCulture)}";

    public bool IsPullRequestBuild => BuildReason.Equals("PullRequest", StringComparison.OrdinalIgnoreCase);

    public static AzureContext Read(IEnvironment environment)
    {
        var problems = new List<string>();
        string Required(string name)
        {
            if (environment.Get(name) is { } value) return value.Trim();
            problems.Add(name);
            return "";
        }

        var collection = Required("SYSTEM_COLLECTIONURI");
        var project = Required("SYSTEM_TEAMPROJECT");
        var projectId = Required("SYSTEM_TEAMPROJECTID");
        var repositoryId = Required("BUILD_REPOSITORY_ID");
        var buildIdText = Required("BUILD_BUILDID");
        if (problems.Count > 0)
            throw new TfMfaException($"The Azure Pipelines agent variables {string.Join(", ", problems)} are not set: run TfMfa as the TfMfa@1 task in a pipeline job (TF_BUILD=True without them is not an agent).");
        if (!Uri.TryCreate(collection.EndsWith('/') ? collection : collection + "/", UriKind.Absolute, out var collectionUri) || collectionUri.Scheme is not ("https" or "http"))
            throw new TfMfaException($"SYSTEM_COLLECTIONURI must be the organization's URL like https://dev.azure.com/contoso/ (got '{collection}')");
        if (!long.TryParse(buildIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var buildId))
            throw new TfMfaException($"BUILD_BUILDID must be a number (got '{buildIdText}')");

        int? pullRequestId = int.TryParse(environment.Get("SYSTEM_PULLREQUEST_PULLREQUESTID"), NumberStyles.None, CultureInfo.InvariantCulture, out var pr) && pr > 0 ? pr : null;
        bool? isFork = environment.Get("SYSTEM_PULLREQUEST_ISFORK") is { } fork ? fork.Trim().Equals("True", StringComparison.OrdinalIgnoreCase) : null;
        var attempt = int.TryParse(environment.Get("SYSTEM_JOBATTEMPT"), NumberStyles.None, CultureInfo.InvariantCulture, out var a) && a > 0 ? a : 1;

        return new AzureContext(collectionUri, project, projectId, repositoryId,
            environment.Get("BUILD_REPOSITORY_PROVIDER") ?? "TfsGit", environment.Get("BUILD_SOURCEVERSION") ?? "",
            buildId, environment.Get("BUILD_REASON") ?? "", pullRequestId, isFork, attempt,
            environment.Get("SYSTEM_STAGENAME"), environment.Get("ENVIRONMENT_NAME"),
            environment.Get("BUILD_REQUESTEDFOREMAIL") ?? environment.Get("BUILD_REQUESTEDFOR") ?? "azure-pipelines");
    }

    /// <summary>
    /// Whether this run may execute code from outside the repository: a pull request build from a
    /// fork, or one that cannot tell (fail closed). Every other build runs a ref of this repository.
    /// </summary>
    public string? ForeignCode() =>
        !IsPullRequestBuild ? null
        : PullRequestIsFork switch
        {
            true => $"Pull request {PullRequestId} comes from a fork (SYSTEM_PULLREQUEST_ISFORK=True)",
            null => "This pull request build does not say whether it comes from a fork (SYSTEM_PULLREQUEST_ISFORK is not set), so it counts as one",
            false => null,
        };
}
