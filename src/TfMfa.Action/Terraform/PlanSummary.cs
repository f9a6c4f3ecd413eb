using System.Globalization;
using System.Text;
using System.Text.Json;
using TfMfa.RunLog;

namespace TfMfa.Terraform;

/// <param name="Address">The resource's address (<c>aws_s3_bucket.state</c>).</param>
/// <param name="Action">What the plan does to it, in terraform's words (create, update, replace, destroy).</param>
public sealed record PlannedChange(string Address, string Action);

/// <summary>
/// A saved plan as the person asked for a code reads it: the counts line terraform prints, the
/// resources that change, the rendered plan, and the plan file's SHA-256. Built from
/// <c>terraform show -json</c>; values marked sensitive there (<c>before_sensitive</c>,
/// <c>after_sensitive</c>) are redacted from the rendered text, whatever terraform already hid.
/// </summary>
/// <param name="ChangesSha256">
/// What the plan changes, as a hash that does not depend on the plan file: the SHA-256 of its
/// normalized <c>resource_changes</c> and <c>output_changes</c> (address, actions, before, after,
/// unknowns; keys sorted). Two plans of the same commit against the same state have the same one, so
/// a later run can re-plan and apply only when the changes equal the ones shown.
/// </param>
public sealed record PlanSummary(int Add, int Change, int Destroy, IReadOnlyList<PlannedChange> Changes, bool OutputsChange, string Rendered, string Sha256, string ChangesSha256 = "")
{
    public bool IsEmpty => Changes.Count == 0 && !OutputsChange;

    public string CountsLine => $"Plan: {Add} to add, {Change} to change, {Destroy} to destroy.";

    public string ShortSha => Sha256[..12];

    /// <param name="json">What <c>terraform show -json PLAN</c> printed.</param>
    /// <param name="rendered">What <c>terraform show -no-color PLAN</c> printed.</param>
    /// <param name="redact">TfMfa's own redaction of every secret it knows.</param>
    public static PlanSummary From(string json, string rendered, string sha256, Func<string, string> redact)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        int add = 0, change = 0, destroy = 0;
        var changes = new List<PlannedChange>();
        var sensitive = new HashSet<string>(StringComparer.Ordinal);

        if (root.TryGetProperty("resource_changes", out var resources) && resources.ValueKind == JsonValueKind.Array)
            foreach (var resource in resources.EnumerateArray())
            {
                if (!resource.TryGetProperty("change", out var body)) continue;
                CollectSensitive(body, "before", "before_sensitive", sensitive);
                CollectSensitive(body, "after", "after_sensitive", sensitive);
                var actions = body.TryGetProperty("actions", out var list) ? list.EnumerateArray().Select(a => a.GetString() ?? "").ToList() : [];
                var action = actions switch
                {
                    ["create"] => "create",
                    ["update"] => "update",
                    ["delete"] => "destroy",
                    ["delete", "create"] or ["create", "delete"] => "replace",
                    _ => null, // no-op, read
                };
                if (action is null) continue;
                if (action is "create" or "replace") add++;
                if (action is "destroy" or "replace") destroy++;
                if (action == "update") change++;
                changes.Add(new PlannedChange(resource.TryGetProperty("address", out var address) ? address.GetString() ?? "?" : "?", action));
            }

        var outputsChange = false;
        if (root.TryGetProperty("output_changes", out var outputs) && outputs.ValueKind == JsonValueKind.Object)
            foreach (var output in outputs.EnumerateObject())
            {
                CollectSensitive(output.Value, "before", "before_sensitive", sensitive);
                CollectSensitive(output.Value, "after", "after_sensitive", sensitive);
                if (output.Value.TryGetProperty("actions", out var list) && list.EnumerateArray().Any(a => a.GetString() is not ("no-op" or "read")))
                    outputsChange = true;
            }

        var text = rendered;
        // Longest first, so a value that contains another is replaced whole; short ones would redact ordinary words.
        foreach (var value in sensitive.Where(v => v.Length >= 4).OrderByDescending(v => v.Length))
            text = text.Replace(value, "(sensitive value)", StringComparison.Ordinal);
        return new PlanSummary(add, change, destroy, changes, outputsChange, redact(text), sha256, NormalizedChangesSha256(root));
    }

    private static string NormalizedChangesSha256(JsonElement root)
    {
        var normalized = new StringBuilder();
        if (root.TryGetProperty("resource_changes", out var resources) && resources.ValueKind == JsonValueKind.Array)
            foreach (var resource in resources.EnumerateArray().OrderBy(r => r.TryGetProperty("address", out var a) ? a.GetString() : "", StringComparer.Ordinal))
            {
                if (!resource.TryGetProperty("change", out var body)) continue;
                normalized.Append("resource ").Append(resource.TryGetProperty("address", out var address) ? address.GetString() : "?").Append('\n');
                AppendChange(normalized, body);
            }
        if (root.TryGetProperty("output_changes", out var outputs) && outputs.ValueKind == JsonValueKind.Object)
            foreach (var output in outputs.EnumerateObject().OrderBy(o => o.Name, StringComparer.Ordinal))
            {
                normalized.Append("output ").Append(output.Name).Append('\n');
                AppendChange(normalized, output.Value);
            }
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(normalized.ToString())));
    }

    private static void AppendChange(StringBuilder normalized, JsonElement change)
    {
        foreach (var part in new[] { "actions", "before", "after", "after_unknown" })
            if (change.TryGetProperty(part, out var value)) normalized.Append(part).Append(' ').Append(Canonical(value)).Append('\n');
    }

    /// <summary>JSON with object keys sorted, so the same value always reads the same.</summary>
    private static string Canonical(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => "\"" + JsonEncodedText.Encode(p.Name).Value + "\":" + Canonical(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", value.EnumerateArray().Select(Canonical)) + "]",
        _ => value.GetRawText(),
    };

    /// <summary>Every scalar of <paramref name="valueName"/> that its sensitivity tree marks true.</summary>
    private static void CollectSensitive(JsonElement change, string valueName, string sensitiveName, HashSet<string> into)
    {
        if (!change.TryGetProperty(valueName, out var value) || !change.TryGetProperty(sensitiveName, out var marks)) return;
        Walk(value, marks, into);
    }

    private static void Walk(JsonElement value, JsonElement marks, HashSet<string> into)
    {
        if (marks.ValueKind == JsonValueKind.True)
        {
            AddScalars(value, into);
            return;
        }
        if (marks.ValueKind == JsonValueKind.Object && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var mark in marks.EnumerateObject())
                if (value.TryGetProperty(mark.Name, out var inner)) Walk(inner, mark.Value, into);
        }
        else if (marks.ValueKind == JsonValueKind.Array && value.ValueKind == JsonValueKind.Array)
        {
            var values = value.EnumerateArray().ToList();
            var i = 0;
            foreach (var mark in marks.EnumerateArray())
            {
                if (i < values.Count) Walk(values[i], mark, into);
                i++;
            }
        }
    }

    private static void AddScalars(JsonElement value, HashSet<string> into)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String: into.Add(value.GetString()!); break;
            case JsonValueKind.Number: into.Add(value.GetRawText()); break;
            case JsonValueKind.Object: foreach (var p in value.EnumerateObject()) AddScalars(p.Value, into); break;
            case JsonValueKind.Array: foreach (var v in value.EnumerateArray()) AddScalars(v, into); break;
        }
    }

    /// <summary>The plan for a request of at most <paramref name="budget"/> characters: cut, with a note, when it does not fit.</summary>
    /// <param name="byChanges">Name the plan by what it changes (<see cref="ChangesSha256"/>), not by its file: a later run applies a plan it makes again.</param>
    public string Markdown(int budget, bool byChanges = false)
    {
        var head = new StringBuilder();
        head.Append(byChanges
            ? $"**{CountsLine}** Changes SHA-256 `{ChangesSha256}` (the run that answers plans again and applies only these changes).\n\n"
            : $"**{CountsLine}** Plan file SHA-256 `{Sha256}`.\n\n");
        // Addresses carry for_each keys, which the pull request chooses: each is a code span nothing in it can close.
        foreach (var c in Changes.Take(50)) head.Append(CultureInfo.InvariantCulture, $"- {MarkdownText.Code(c.Address)}: {c.Action}\n");
        if (Changes.Count > 50) head.Append(CultureInfo.InvariantCulture, $"- and {Changes.Count - 50} more\n");
        const string open = "\n<details><summary>The plan as terraform shows it</summary>\n\n";
        const string close = "\n</details>\n";
        var body = Rendered.TrimEnd();
        // The fence grows with the longest run of backticks in the plan; room for a long one is kept.
        var fences = 2 * (Math.Max(3, LongestBacktickRun(body) + 1) + 1);
        var room = budget - head.Length - open.Length - close.Length - fences;
        if (body.Length > room)
        {
            const string cut = "\n… (cut here: the plan is longer than a comment can hold; the run log has all of it)";
            body = body[..Math.Max(0, room - cut.Length)] + cut;
        }
        return head + open + MarkdownText.CodeBlock(body) + close;
    }

    private static int LongestBacktickRun(string text)
    {
        int longest = 0, current = 0;
        foreach (var c in text)
        {
            current = c == '`' ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }
        return longest;
    }
}
