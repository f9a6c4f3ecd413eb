namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>Finds terraform on PATH. Tests that need it skip with the reason when it is missing, unless CI demands it.</summary>
public static class TerraformBinary
{
    public static string? Path { get; } = Find();

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => System.IO.Path.Combine(dir, "terraform"))
            .FirstOrDefault(File.Exists);

    public static void Require()
    {
        if (Path is not null) return;
        const string why = "terraform is not on PATH; install terraform 1.11 (https://developer.hashicorp.com/terraform/install) to run the end-to-end tests";
        if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_TERRAFORM") == "1") Assert.Fail(why);
        Assert.Skip(why);
    }
}
