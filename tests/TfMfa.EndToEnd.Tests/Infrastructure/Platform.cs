namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>Where TfMfa runs: a step of a GitHub Actions workflow, or the TfMfa@1 task of an Azure Pipelines job.</summary>
public enum Platform
{
    GitHub,
    AzureDevOps,
}
