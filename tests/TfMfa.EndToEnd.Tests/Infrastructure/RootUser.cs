namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// Walls TfMfa builds only as root (the container action, a root agent): terraform's own uid, the root
/// module lent to it. Tests of them skip with the reason when the tests run as another user, unless CI demands them.
/// </summary>
public static class RootUser
{
    public static void Require()
    {
        if (!OperatingSystem.IsWindows() && Environment.UserName == "root") return;
        const string why = "the tests run as a non-root user, and TfMfa builds this wall only when it is root (as in its container): run them as root, as CI does";
        if (Environment.GetEnvironmentVariable("TFMFA_REQUIRE_ROOT") == "1") Assert.Fail(why);
        Assert.Skip(why);
    }
}
