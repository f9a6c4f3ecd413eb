using System.Net;
using TfMfa.Conversation;

namespace TfMfa.AzurePipelines;

/// <summary>What Azure DevOps answered, in words (its TF error message where it gave one), and whether asking again may help.</summary>
public sealed class AzureDevOpsException(string message, HttpStatusCode? status, bool transient, TimeSpan? retryAfter, Exception? inner = null)
    : ConversationException(message, status, transient, retryAfter, inner);
