using System.Security.Cryptography;

namespace TfMfa.Terraform;

/// <summary>Saved plans as files: their hash, and their removal once applied.</summary>
public static class PlanFiles
{
    public static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    /// <summary>Best effort: a plan holds every value unredacted, so it does not outlive the run where it can be helped.</summary>
    public static void Delete(string? path)
    {
        try { if (path is not null) File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
