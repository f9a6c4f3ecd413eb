using System.Net;
using TfMfa.Conversation;

namespace TfMfa.GitHub;

/// <summary>What GitHub answered, in words, and whether waiting and asking again may help.</summary>
public sealed class GitHubException(string message, HttpStatusCode? status, bool transient, TimeSpan? retryAfter, Exception? inner = null)
    : ConversationException(message, status, transient, retryAfter, inner);
