using System.Text.RegularExpressions;

namespace TfMfa.Terraform.Releases;

/// <summary>What <c>terraform-version: auto</c> reads: the root module's <c>required_version</c>, else a <c>.terraform-version</c> file (tfenv's).</summary>
public static partial class RequiredVersion
{
    [GeneratedRegex(@"^\s*required_version\s*=\s*""(?<constraint>[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex RequiredVersionLine();

    /// <returns>The constraint and where it was found, or null when the module names none.</returns>
    public static (string Constraint, string Where)? Find(string workingDirectory, string workspace, ReleaseProduct product)
    {
        foreach (var file in Directory.EnumerateFiles(workingDirectory, "*.tf").Concat(Directory.EnumerateFiles(workingDirectory, "*.tofu")).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            if (info.Length > 1024 * 1024) continue;
            var match = RequiredVersionLine().Match(File.ReadAllText(file));
            if (match.Success) return (match.Groups["constraint"].Value.Trim(), $"required_version in {Path.GetRelativePath(workspace, file)}");
        }
        var names = product == ReleaseProduct.OpenTofu ? new[] { ".opentofu-version", ".terraform-version" } : [".terraform-version"];
        foreach (var directory in new[] { workingDirectory, workspace }.Distinct())
            foreach (var name in names)
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path) && new FileInfo(path).Length < 256 && File.ReadAllText(path).Trim() is { Length: > 0 } text)
                    return (text.Split('\n')[0].Trim(), Path.GetRelativePath(workspace, path));
            }
        return null;
    }
}
