using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Conversation;

namespace TfMfa.Tests.Conversation;

/// <summary>
/// The contract's comment protocol as a table: one row per rule, each the comment, the facts the
/// run holds, and the decision the rules must return. No I/O: the rules only decide.
/// </summary>
public sealed class CommentRulesTests
{
    private static readonly DateTimeOffset Posted = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
    private const string Ours = "abcd";
    private static readonly RequestView Request = new(Ours, 100, Posted, TerraformCommand.Apply, "production", "#12", name => "@" + name);

    private static readonly ApproverCheck Allowed = new(true, "has write permission");
    private static readonly ApproverCheck NotAllowed = new(false, "has read permission, below approvers.min-permission (write)");

    private static ConversationAuthor Person(string name, bool isBot = false) => new(name, name, isBot);

    /// <summary>A comment written a minute after the request (sequence 101), unedited, unless the row says otherwise.</summary>
    private static ConversationComment Comment(string body, string? author = "alice", int minutesAfter = 1, bool edited = false, long? sequence = 101, bool isBot = false) =>
        new("c1", sequence, body, author is null ? null : Person(author, isBot), Posted.AddMinutes(minutesAfter), edited ? Posted.AddMinutes(minutesAfter + 1) : null);

    private static CommentFacts Known(ApproverCheck? writer, params string[] otherOpen) => new(writer, otherOpen);

    /// <summary>What the decision is, in a line a table row can name: its kind and the words that matter.</summary>
    private static string Summary(CommentDecision decision) => decision switch
    {
        CommentDecision.Ignore ignore => $"ignore{(ignore.Note is null ? "" : ": " + ignore.Note)}",
        CommentDecision.LeaveAlone leave => $"leave alone: {leave.Warning}",
        CommentDecision.Refuse refuse => $"refuse{(refuse.Remove ? " and remove" : "")}: {refuse.Why}",
        CommentDecision.RefuseEverywhere refuse => $"refuse everywhere{(refuse.ShowsCode ? " and claim" : "")}{(refuse.DrawNewId ? ", new id" : "")}: {refuse.Why("wxyz")} | {refuse.Reply("wxyz")}",
        CommentDecision.Answer answer => $"answer{(answer.Remove ? " and remove" : "")}: {answer.Note} | {answer.Reply}",
        CommentDecision.Take take => $"take {take.Code.Digits}",
        CommentDecision.Cancel cancel => $"cancel: {cancel.Message}",
        CommentDecision.NeedWriter => "need writer",
        CommentDecision.NeedOpenRequests need => $"need open requests{(need.RefusalIsAnAnswer ? ", a refusal decides" : "")}",
        _ => decision.ToString(),
    };

    public static TheoryData<string, ConversationComment, CommentFacts, string> Rules => new()
    {
        // Not a command: ordinary conversation is ignored without a word.
        { "ordinary conversation", Comment("LGTM, ship it"), Known(Allowed), "ignore" },
        // The command is on the first line: a later line, a quote or a code block is not one.
        { "a later line", Comment("thanks!\n/mfa 123456"), Known(Allowed), "ignore" },
        { "a quote", Comment("> /mfa 123456"), Known(Allowed), "ignore" },
        { "a fenced block", Comment("```\n/mfa 123456\n```"), Known(Allowed), "ignore" },
        // The first code written after the request by an allowed person is taken (claimed first; the writer is checked alongside).
        { "a code", Comment("/mfa 123456"), Known(null), "take 123456" },
        { "a code by someone allowed", Comment("/mfa 123456"), Known(Allowed), "take 123456" },
        // Written after the request, by time and by the platform's order.
        { "written before the request", Comment("/mfa 123456", minutesAfter: -1), Known(Allowed),
            "refuse and remove: by @alice: it was written before the request (edited later), and only new comments count" },
        { "numbered before the request", Comment("/mfa 123456", sequence: 99), Known(Allowed),
            "refuse and remove: by @alice: it was written before the request (edited later), and only new comments count" },
        // Unedited.
        { "edited", Comment("/mfa 123456", edited: true), Known(Allowed), "refuse and remove: by @alice: it was edited, and only unedited new comments count" },
        // An allowed writer: someone known not to be allowed gets no claim, and their code is removed.
        { "a writer below min-permission", Comment("/mfa 123456", "rob"), Known(NotAllowed),
            "refuse and remove: by @rob: has read permission, below approvers.min-permission (write)" },
        { "a writer below min-permission, no code shown", Comment("/mfa cancel", "rob"), Known(NotAllowed),
            "refuse: by @rob: has read permission, below approvers.min-permission (write)" },
        // Bots never supply codes (the verdict needs no lookup).
        { "a bot", Comment("/mfa 123456", "deploy[bot]", isBot: true), Known(new Approvers(new ApproverPolicy(RepoPermission.Write, []), (_, _) => Task.FromResult<RepoPermission?>(RepoPermission.Admin)).Known(Person("deploy[bot]", isBot: true))),
            "refuse and remove: by @deploy[bot]: bot accounts never supply codes" },
        // A deleted account: nobody can tell who wrote it.
        { "a deleted account", Comment("/mfa 123456", author: null), Known(null), "refuse and remove: by a deleted account: nobody can tell who wrote it" },
        // Disguised commands never count and get no reply; one that may show a code is removed.
        { "a disguised command", Comment("\u200b/mfa 123456"), Known(Allowed),
            "refuse and remove: by @alice: it only looks like a command (invisible characters, Unicode spaces or digits, or indented into a code block); type `/mfa 123456` plainly" },
        { "an indented command", Comment("    /mfa 123456"), Known(Allowed),
            "refuse and remove: by @alice: it only looks like a command (invisible characters, Unicode spaces or digits, or indented into a code block); type `/mfa 123456` plainly" },
        // A near miss from someone allowed is answered with how to get it right (after the writer is known).
        { "a near miss, writer not yet known", Comment("/mfa 12345"), Known(null), "need writer" },
        { "a near miss", Comment("/mfa 12345"), Known(Allowed),
            "answer and remove: Ignored a /mfa comment by @alice: " + MfaCommand.Parse("/mfa 12345").Reply + " | " + MfaCommand.Parse("/mfa 12345").Reply },
        // Cancel: only from someone allowed.
        { "cancel, writer not yet known", Comment("/mfa cancel"), Known(null), "need writer" },
        { "cancel", Comment("/mfa cancel"), Known(Allowed), "cancel: Cancelled by @alice with /mfa cancel." },
        // Addressed ids: the other open requests are listed before a code counts.
        { "a code, open requests not yet listed", Comment("/mfa 123456"), new CommentFacts(Allowed), "need open requests" },
        { "a bare code while another request is open", Comment("/mfa 123456"), Known(Allowed, "wxyz"),
            "answer and remove: Ignored a bare /mfa comment by @alice: 2 requests are open on #12 (`abcd`, `wxyz`), so it names none of them (the comment was removed). | " +
            "2 TfMfa requests are open here, so a bare `/mfa` is taken by none of them (your comment was removed, so its code is not visible). Name the request: `/mfa abcd 123456` for `terraform apply` in `production` (request `abcd`); each request shows its id." },
        { "a bare code while another is open, writer not yet known", Comment("/mfa 123456"), Known(null, "wxyz"), "need writer" },
        { "a code naming this request", Comment($"/mfa {Ours} 123456"), Known(Allowed, "wxyz"), "take 123456" },
        { "a code naming another open request", Comment("/mfa wxyz 123456"), Known(Allowed, "wxyz"), "ignore: A /mfa comment by @alice names request `wxyz`, not this one (`abcd`); it is left to that request's run." },
        { "a code naming another request, not yet listed", Comment("/mfa wxyz 123456"), new CommentFacts(Allowed), "need open requests, a refusal decides" },
        { "a code naming another request, the list refused", Comment("/mfa wxyz 123456"), new CommentFacts(Allowed, null, "403 Forbidden"),
            "leave alone: A /mfa comment by @alice names request `wxyz`, not this one (`abcd`), and the open requests on #12 could not be listed (403 Forbidden); it is left alone, in case that request is open." },
        { "a code naming no open request", Comment("/mfa zzzz 123456"), Known(Allowed, "wxyz"),
            "refuse everywhere and claim: it names request `zzzz`, and no open request on #12 has that id (open: `abcd`, `wxyz`) | " +
            "`zzzz` matches no open TfMfa request here, so no run takes this code. The open requests are `abcd`, `wxyz`: send a new code naming one of them, like `/mfa abcd 123456`; each request shows its id." },
        { "a code naming an id two open requests share", Comment($"/mfa {Ours} 123456"), Known(Allowed, Ours),
            "refuse everywhere and claim, new id: it names request `abcd`, and 2 open requests on #12 have that id, so it is taken by none (this request is now `wxyz`) | " +
            "2 open TfMfa requests here have the id `abcd` (one may be a look-alike), so none takes this code. A real request draws a new id and shows it: this one is now `wxyz` (`/mfa wxyz 123456` for `terraform apply` in `production`)." },
        { "a cancel naming another open request", Comment("/mfa wxyz cancel"), Known(Allowed, "wxyz"), "ignore: A /mfa comment by @alice names request `wxyz`, not this one (`abcd`); it is left to that request's run." },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_of_the_comment_protocol_decides_as_the_contract_says(string rule, ConversationComment comment, CommentFacts facts, string expected)
    {
        Assert.True(Summary(CommentRules.Decide(comment, Request, facts)) == expected,
            $"{rule}:\n  expected: {expected}\n  got:      {Summary(CommentRules.Decide(comment, Request, facts))}");
    }
}
