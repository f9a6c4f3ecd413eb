namespace TfMfa.Terraform.Releases;

/// <summary>
/// Which terraform the run uses, from the inputs: <c>terraform-tool</c> (terraform or opentofu),
/// <c>terraform-version</c> (empty: the image's own; a version; a constraint; <c>auto</c>),
/// <c>releases-url</c> (a mirror in HashiCorp's layout) and <c>releases-key</c> (the mirror's own key).
/// </summary>
public sealed record ToolRequest(ReleaseProduct Product, string? Version, string? ReleasesUrl, string? ReleasesKey);

/// <summary>The binary terraform runs as, and what to say about it.</summary>
public sealed record ResolvedTool(string Executable, string Description);
