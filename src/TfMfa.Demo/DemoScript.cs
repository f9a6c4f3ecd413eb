using System.Text.Json.Nodes;

namespace TfMfa.Demo;

/// <summary>
/// The story the demo tells: a pull-request plan under plans-and-applies answered through a
/// <c>/mfa</c> comment (after an ignored and a refused one), then a gated apply whose environment
/// approval carries the code that runs its plan, and a second code, given once the plan is shown, applies it. Scripted people, or the person at the keyboard with --interactive.
/// </summary>
public sealed class DemoScript(DemoWorld world, bool interactive)
{
    private readonly List<(string Step, int ExitCode, string? AuthenticatedBy)> _results = [];

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Introduce();
        await PullRequestPlanAsync(cancellationToken);
        await GatedApplyAsync(cancellationToken);
        await StagingApplyAsync(cancellationToken);
        await CommentTriggerAsync(cancellationToken);
        var (exitCode, by) = await new AzureScene(world).RunAsync(cancellationToken);
        _results.Add(("Azure Repos pull-request plan (thread)", exitCode, by));
        return Recap();
    }

    private void Introduce()
    {
        Screen.Title("TfMfa offline demo");
        Screen.Say($"""
            A local GitHub ({world.GitHub.Url}) and a local AWS ({world.Aws.Endpoint}) stand in for the real ones.
            The repository {world.GitHub.FullName} keeps its terraform state in the S3 bucket 'tfstate', whose policy
            denies writes without MFA, so the CI user's long-term key alone cannot change it.

            {DemoWorld.Config.Replace("\n", "\n    ").Insert(0, "    ")}

            People: @alice (maintain) can supply codes, from her own MFA device {world.AliceDevice.SerialNumber}
            (devices: in the config, so CloudTrail names it); @mallory (read) cannot. Others share {world.Device.SerialNumber}.
            """);
        if (!DemoWorld.TerraformOnPath)
            Screen.Say("""

                terraform is not on PATH, so each run stops where terraform would start; the MFA part still runs.
                Install terraform 1.11 to see the rest: https://developer.hashicorp.com/terraform/install
                """);
    }

    private async Task PullRequestPlanAsync(CancellationToken cancellationToken)
    {
        Screen.Title($"1. Pull request #{DemoWorld.PullRequest}: terraform plan in production (plans-and-applies)");
        var environment = world.RunnerEnvironment("plan", "pull_request", world.GitHubWorld.PullRequestEvent());

        await using var conversation = new ConversationView(world.GitHub);
        using var stopPeople = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var people = interactive ? PersonAtKeyboardAsync(stopPeople.Token) : ScriptedPeopleAsync(stopPeople.Token);
        var exitCode = await ActionView.RunAsync(environment, cancellationToken);
        await stopPeople.CancelAsync();
        try { await people; } catch (OperationCanceledException) { }
        Record("Pull-request plan (/mfa comment)", exitCode);
    }

    private async Task ScriptedPeopleAsync(CancellationToken cancellationToken)
    {
        await UntilAsync(() => RequestComment() is not null, cancellationToken);
        world.GitHub.PostComment(DemoWorld.PullRequest, "mallory", $"/mfa {world.CurrentCode()}");
        await UntilAsync(() => world.GitHub.Requests.Any(r => r.Path.Contains("/collaborators/mallory/permission", StringComparison.Ordinal)), cancellationToken);
        await Task.Delay(1500, cancellationToken);
        world.GitHub.PostComment(DemoWorld.PullRequest, "alice", $"/mfa {world.WrongCode()}");
        await UntilAsync(() => RequestComment()?.History.Any(b => b.Contains("🔴", StringComparison.Ordinal)) == true, cancellationToken);
        await Task.Delay(1500, cancellationToken);
        world.GitHub.PostComment(DemoWorld.PullRequest, "alice", $"/mfa {world.CurrentCode()}");
    }

    private async Task PersonAtKeyboardAsync(CancellationToken cancellationToken)
    {
        await UntilAsync(() => RequestComment() is not null, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            Screen.Say($"\n{Screen.Bold("You are @alice.")} The device shows {Screen.Bold(world.CurrentCode())} ({world.Clock.LeftInWindow.TotalSeconds:0}s left). Type a comment for PR #{DemoWorld.PullRequest} (try '/mfa 12345' or '/mfa {world.CurrentCode()}'):");
            var line = await Task.Run(Console.ReadLine, CancellationToken.None).WaitAsync(cancellationToken);
            if (line is null) return;
            if (line.Trim().Length > 0) world.GitHub.PostComment(DemoWorld.PullRequest, "alice", line);
            await Task.Delay(2500, cancellationToken);
        }
    }

    private async Task GatedApplyAsync(CancellationToken cancellationToken)
    {
        Screen.Title("2. Merged: terraform apply in production, a job behind the 'production' environment");
        Screen.Say("plans-and-applies asks twice for an apply, as Terraform Enterprise did: the approval's code runs the plan; a second code, given once the plan is shown on the pull request, applies exactly that plan.");
        world.Clock.Skip(TimeSpan.FromSeconds(30)); // the next code, as a person would wait for it
        string comment;
        if (interactive)
        {
            Screen.Say($"The job waits for a reviewer. As @alice, type the approval comment (the device shows {Screen.Bold(world.CurrentCode())}):");
            comment = await Task.Run(Console.ReadLine, CancellationToken.None).WaitAsync(cancellationToken) ?? "";
        }
        else
        {
            comment = $"/mfa {world.CurrentCode()}";
            Screen.Say($"@alice approves the deployment to production with the comment: {comment}");
        }
        world.GitHub.AddApproval(DemoWorld.RunId, "alice", comment, "production");
        // At the keyboard, the next code you are shown is a newer one (STS still takes the approval's, one window back).
        if (interactive) world.NextCodeWindow();

        var environment = world.RunnerEnvironment("apply", "push", new JsonObject { ["ref"] = "refs/heads/main", ["after"] = DemoWorld.HeadSha });
        await using var conversation = new ConversationView(world.GitHub);
        using var stopPeople = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The second code (or, if the approval's code is refused, the first) comes as a /mfa comment: answer it.
        var fallback = interactive ? PersonAtKeyboardAsync(stopPeople.Token) : AnswerFallbackAsync(stopPeople.Token);
        var exitCode = await ActionView.RunAsync(environment, cancellationToken);
        await stopPeople.CancelAsync();
        try { await fallback; } catch (OperationCanceledException) { }
        Record("Gated apply (approval, then the plan)", exitCode);

        Screen.Title("The apply step's summary and outputs");
        Screen.Say(File.ReadAllText(world.SummaryFile).Trim());
        Screen.Say("");
        Screen.Say(string.Join("\n", Outputs().Select(o => $"{o.Key} = {o.Value}")));
    }

    /// <summary>Under applies-only the apply plans first and the request shows that plan; alice's code applies exactly it.</summary>
    private async Task StagingApplyAsync(CancellationToken cancellationToken)
    {
        Screen.Title("2b. terraform apply in staging (applies-only): the plan is in the request, and the code applies that plan");
        if (!DemoWorld.TerraformOnPath)
        {
            Screen.Say("Skipped: this scene shows the plan terraform makes before anyone is asked, and terraform is not on PATH.");
            return;
        }
        world.Clock.Skip(TimeSpan.FromSeconds(30));
        var environment = world.RunnerEnvironment("apply", "pull_request", world.GitHubWorld.PullRequestEvent(), "staging");
        await using var conversation = new ConversationView(world.GitHub);
        using var stopPeople = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var answer = interactive ? PersonAtKeyboardAsync(stopPeople.Token) : AnswerFallbackAsync(stopPeople.Token);
        var exitCode = await ActionView.RunAsync(environment, cancellationToken);
        await stopPeople.CancelAsync();
        try { await answer; } catch (OperationCanceledException) { }
        Record("Staging apply (the plan in the request)", exitCode);
    }

    /// <summary>wait.mode: comment-trigger: the plan check asks and ends; alice's reply starts the run that answers.</summary>
    private async Task CommentTriggerAsync(CancellationToken cancellationToken)
    {
        Screen.Title("3. No runner waits: wait.mode: comment-trigger");
        Screen.Say("The team sets `mode: comment-trigger` under wait: on the default branch. A plan check now asks and ends at once: " +
                   "no runner is held while a person decides, and their /mfa reply starts the run that answers.");
        world.GitHubWorld.WriteConfig(DemoWorld.Config.Replace("  poll-interval: 1s", "  poll-interval: 1s\n  mode: comment-trigger", StringComparison.Ordinal));
        world.Clock.Skip(TimeSpan.FromSeconds(30));
        await using (new ConversationView(world.GitHub))
        {
            var asked = await ActionView.RunAsync(world.RunnerEnvironment("plan", "pull_request", world.GitHubWorld.PullRequestEvent()), cancellationToken);
            Screen.Say($"The plan check ended: exit {asked}, waiting = {Outputs().GetValueOrDefault("waiting")}, commit status tfmfa/production/plan: {Status()}. Nothing runs now.");
        }

        var id = System.Text.RegularExpressions.Regex.Match(RequestComment()?.Body ?? "", "<!-- tfmfa:id (?<id>[a-z]+) -->").Groups["id"].Value;
        string body;
        if (interactive)
        {
            Screen.Say($"\n{Screen.Bold("You are @alice.")} The device shows {Screen.Bold(world.CurrentCode())}. Type your reply (/mfa {id} {world.CurrentCode()}):");
            body = await Task.Run(Console.ReadLine, CancellationToken.None).WaitAsync(cancellationToken) ?? "";
        }
        else
        {
            body = $"/mfa {id} {world.CurrentCode()}";
            Screen.Say($"Later, @alice replies: {body}. GitHub starts the answering workflow on issue_comment, from the default branch.");
        }
        var reply = world.GitHub.PostComment(DemoWorld.PullRequest, "alice", body);
        var payload = TfMfa.StandIns.World.GitHubWorld.IssueCommentEvent(reply, DemoWorld.PullRequest);
        await using (new ConversationView(world.GitHub))
        {
            var answered = await ActionView.RunAsync(world.RunnerEnvironment("plan", "issue_comment", payload), cancellationToken);
            Record("Comment-trigger plan (the reply starts the run)", answered);
        }
        Screen.Say($"The commit status tfmfa/production/plan is now: {Status()}.");
        world.GitHubWorld.WriteConfig(DemoWorld.Config);
    }

    private string Status() => world.GitHub.LatestStatus(DemoWorld.HeadSha, "tfmfa/production/plan") is { } status
        ? $"{status.State} ({status.Description})"
        : "none";

    private async Task AnswerFallbackAsync(CancellationToken cancellationToken)
    {
        var before = RequestComments().Count;
        await UntilAsync(() => RequestComments().Count > before, cancellationToken);
        world.NextCodeWindow(); // alice reads the plan, and her authenticator moves on: AWS takes each code once
        world.GitHub.PostComment(DemoWorld.PullRequest, "alice", $"/mfa {world.CurrentCode()}");
    }

    private int Recap()
    {
        var sts = world.Aws.Requests.Where(r => r.Service == "sts" && r.TokenCode is not null).ToList();
        var s3 = world.Aws.Requests.Where(r => r.Service == "s3").ToList();
        var sessions = world.Aws.IssuedSessions.Select(s => s.AccessKeyId).ToHashSet();
        var github = world.GitHub.Requests;
        var authenticated = _results.All(r => r.AuthenticatedBy is not null);
        var terraformRan = DemoWorld.TerraformOnPath;

        Screen.Title("Recap");
        foreach (var (step, exitCode, by) in _results)
            Screen.Say($"  {step,-40} exit {exitCode}   {(by is null ? "not authenticated" : $"Authenticated with MFA by {by}")}");
        Screen.Say($"""
              STS calls with a code:  {sts.Count} ({sts.Count(r => r.ErrorCode is null)} accepted, {sts.Count(r => r.ErrorCode is not null)} refused); no code was sent twice: {sts.Select(r => r.TokenCode).Distinct().Count() == sts.Count}
              terraform's S3 requests: {s3.Count}, signed by MFA session keys: {s3.Count(r => r.AccessKeyId is not null && sessions.Contains(r.AccessKeyId))}, by the long-term key: {s3.Count(r => r.AccessKeyId == world.User.AccessKeyId)} (the applies-only plan's reads, before any code); writes by the long-term key: {s3.Count(r => r.AccessKeyId == world.User.AccessKeyId && r.Operation is "PutObject" or "DeleteObject")}
              GitHub API requests:     {github.Count}, of which {github.Count(r => r.Counted)} counted against the rate limit ({github.Count(r => r.Status == 304)} were free 304s)
              Ignored: @mallory's /mfa (read permission); refused: one wrong code (the request comment turned red)
              Azure DevOps API requests: {world.Azure.Requests.Count}; ignored: rob@contoso.com's /mfa (Read, no Contribute)
            """);
        if (!terraformRan) Screen.Say("  terraform was not on PATH: the runs stopped after authenticating. Install terraform to see plan and apply.");

        var ok = authenticated && (!terraformRan || _results.All(r => r.ExitCode == 0));
        Screen.Say(ok ? "\nThe demo finished as expected." : "\nSomething did not go as the demo expects; see the log above.");
        return ok ? 0 : 1;
    }

    private void Record(string step, int exitCode)
    {
        var by = Outputs().GetValueOrDefault("authenticated-by");
        _results.Add((step, exitCode, string.IsNullOrEmpty(by) ? null : by));
    }

    private IReadOnlyDictionary<string, string> Outputs() => TfMfa.StandIns.Runner.OutputsFile.Read(world.OutputFile);

    private TfMfa.StandIns.GitHub.StoredComment? RequestComment() => RequestComments().LastOrDefault();

    private IReadOnlyList<TfMfa.StandIns.GitHub.StoredComment> RequestComments() => world.GitHubWorld.RequestComments();

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(50, cancellationToken);
    }
}
