using TfMfa.StandIns.Aws;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>The people of a scenario: they watch the pull request and answer TfMfa's requests, the same way on both platforms.</summary>
public abstract partial class Scenario
{
    private readonly List<Task> _people = [];

    /// <summary>
    /// A person who watches the pull request: once the run's (next) request is there, they post each
    /// comment in turn, waiting before each later one until the request shows the previous code was refused.
    /// </summary>
    public void PersonAnswers(string person, params string[] comments) =>
        PersonAnswers(person, [.. comments.Select(c => (Func<string>)(() => c))]);

    /// <summary>As <see cref="PersonAnswers(string, string[])"/>, each comment written as it is posted (so it can read the authenticator then).</summary>
    public void PersonAnswers(string person, params Func<string>[] comments) => PersonAnswersRequest(Requests().Count, person, comments);

    /// <summary>As <see cref="PersonAnswers(string, Func{string}[])"/>, for the request with this index (0: the first TfMfa posts), such as an apply's second.</summary>
    public void PersonAnswersRequest(int answered, string person, params Func<string>[] comments) => Watch(async patience =>
    {
        for (var i = 0; i < comments.Length; i++)
        {
            var refusals = i;
            await UntilAsync(() => Requests() is var requests && requests.Count > answered
                && requests[answered].History.Count(b => b.Contains("🔴", StringComparison.Ordinal)) >= refusals, patience);
            Post(Login(person), comments[i]());
        }
    });

    /// <summary>
    /// Once a comment of <paramref name="refused"/>'s (their code) has been removed, <paramref name="person"/>
    /// answers with the next window's code. Returns a reader for that code.
    /// </summary>
    public Func<string> PersonAnswersOnceRemoved(string person, string refused)
    {
        var code = "";
        Watch(async patience =>
        {
            await UntilAsync(() => CommentRemoved(refused), patience);
            NextCodeWindow();
            Post(Login(person), $"/mfa {code = CurrentCode()}");
        });
        return () => code;
    }

    /// <summary>
    /// An apply under plans-and-applies asks twice: <paramref name="person"/> answers the first request
    /// with the code <paramref name="device"/> shows now and, once the second request (the one showing
    /// the plan) is up, moves to the next 30-second window and answers with that code. Returns both codes.
    /// </summary>
    public (string PlanCode, string ApplyCode) PersonAnswersBothCodes(string person, VirtualMfaDevice? device = null)
    {
        device ??= Device;
        var first = device.CodeAt(Clock.GetUtcNow());
        var second = device.CodeAt(Clock.GetUtcNow() + TimeSpan.FromSeconds(30));
        var answered = Requests().Count;
        Watch(async patience =>
        {
            await UntilAsync(() => Requests().Count > answered, patience);
            Post(Login(person), $"/mfa {first}");
            await UntilAsync(() => Requests().Count > answered + 1, patience);
            NextCodeWindow();
            Post(Login(person), $"/mfa {second}");
        });
        return (first, second);
    }

    private void Watch(Func<CancellationToken, Task> person) => _people.Add(Task.Run(async () =>
    {
        using var patience = new CancellationTokenSource(RunTimeout);
        await person(patience.Token);
    }));

    /// <summary>Once a run has ended: a person who never got to answer fails the test.</summary>
    protected async Task<ActionResult> AfterPeopleAsync(ActionResult run)
    {
        var people = _people.ToArray();
        _people.Clear();
        foreach (var person in people)
            if (person.IsFaulted) await person;
        return run;
    }

    private static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition()) await Task.Delay(25, cancellationToken);
    }
}
