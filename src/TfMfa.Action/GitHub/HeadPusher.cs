using System.Text.Json;
using TfMfa.Conversation;

namespace TfMfa.GitHub;

/// <summary>
/// Who pushed the commit this run is for, where the event says so: the sender of a
/// <c>pull_request</c> (or <c>pull_request_target</c>) <c>synchronize</c> event, the pusher of a
/// <c>push</c> event. Other events name no pusher (the sender of a comment or a dispatch did not push).
/// </summary>
public static class HeadPusher
{
    public static ChangeContributor? Read(string eventName, string? payloadPath)
    {
        if (payloadPath is null || !File.Exists(payloadPath)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(payloadPath));
            var root = document.RootElement;
            if (eventName is "pull_request" or "pull_request_target" && Text(root, "action") == "synchronize"
                && root.TryGetProperty("sender", out var sender) && Text(sender, "login") is { } login)
                return new ChangeContributor($"pushed the head of this pull request (the {eventName} synchronize event that started this run)", [login]);
            // A push event's pusher carries the login as its name.
            if (eventName == "push" && root.TryGetProperty("pusher", out var pusher) && Text(pusher, "name") is { } name)
                return new ChangeContributor("pushed the commit this run is for (the push event that started it)", [name]);
            return null;
        }
        catch (JsonException)
        {
            return null; // GitHubContext.Read has already refused a payload that is not JSON
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() is { Length: > 0 } text ? text : null
            : null;
}
