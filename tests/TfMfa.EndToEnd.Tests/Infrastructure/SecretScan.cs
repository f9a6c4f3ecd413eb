namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>No secret may appear in any line of output except an <c>::add-mask::</c> line, nor in the outputs file, the step summary or any version of a comment the action wrote.</summary>
public static class SecretScan
{
    public static void AssertNoSecrets(GateScenario scenario, IEnumerable<ActionResult> runs, params string[] codes)
    {
        var secrets = new List<(string What, string Value)> { ("long-term secret key", scenario.User.SecretAccessKey) };
        foreach (var session in scenario.Aws.IssuedSessions)
        {
            secrets.Add(("session access key id", session.AccessKeyId));
            secrets.Add(("session secret key", session.SecretAccessKey));
            secrets.Add(("session token", session.SessionToken));
        }
        secrets.AddRange(codes.Select(c => ("MFA code", c)));

        var places = runs.SelectMany((run, i) => run.LinesOutsideMasks.Select(line => ($"run {i + 1} output", line)))
            .Append(("outputs file", File.Exists(scenario.OutputFile) ? File.ReadAllText(scenario.OutputFile) : ""))
            .Append(("step summary", scenario.Summary()))
            .Concat(scenario.GitHub.CommentsOn(GateScenario.PullRequest)
                .Where(c => c.User.IsBot)
                .SelectMany(c => c.History.Select(body => ($"comment {c.Id} by {c.User.Login}", body))));

        foreach (var (where, text) in places)
            foreach (var (what, value) in secrets)
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"the {what} appears in the {where}: {text.Replace(value, "<HERE>")}");
    }
}
