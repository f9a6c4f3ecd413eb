namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// No secret may appear in any line of output except the platform's mask command, nor in the
/// outputs, the step summary or any version of a comment TfMfa wrote: not the long-term secret key,
/// not the platform's token, no session key or token, no code.
/// </summary>
public static class SecretScan
{
    public static void AssertNoSecrets(Scenario scenario, IEnumerable<ActionResult> runs, params string[] codes)
    {
        var secrets = new List<(string What, string Value)> { ("long-term secret key", scenario.User.SecretAccessKey) };
        secrets.AddRange(scenario.PlatformSecrets());
        foreach (var session in scenario.Aws.IssuedSessions)
        {
            secrets.Add(("session access key id", session.AccessKeyId));
            secrets.Add(("session secret key", session.SecretAccessKey));
            secrets.Add(("session token", session.SessionToken));
        }
        secrets.AddRange(codes.Select(c => ("MFA code", c)));

        var places = runs.SelectMany((run, i) => run.AllOutput.Split('\n').Where(line => !scenario.IsMaskLine(line)).Select(line => ($"run {i + 1} output", line)))
            .Concat(scenario.PlacesTheRunsWrote());

        foreach (var (where, text) in places)
            foreach (var (what, value) in secrets)
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"the {what} appears in the {where}: {text.Replace(value, "<HERE>")}");
    }
}
