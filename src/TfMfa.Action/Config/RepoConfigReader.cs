using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TfMfa.Config;

/// <summary>
/// Reads one copy of the repo config (YAML) into flat configuration keys
/// (<c>environments:production:level</c>), each with its file:line:col. Structure is checked
/// here, where the YAML positions are known; values are checked by <see cref="PolicyBuilder"/>.
/// </summary>
public static class RepoConfigReader
{
    public static readonly string[] TopLevelKeys = ["default-level", "environments", "approvers", "wait", "allow-fork-prs", "devices", "allow-shared-device"];
    public static readonly string[] EnvironmentKeys = ["level", "role-to-assume", "plan-role-to-assume"];
    public static readonly string[] ApproverKeys = ["min-permission", "users", "teams", "allow-author"];
    public static readonly string[] WaitKeys = ["timeout", "poll-interval", "max-attempts", "mode", "expires"];

    public static IReadOnlyDictionary<string, LocatedValue> Read(string yaml, string fileName)
    {
        var reader = new Reader(fileName);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException([$"{fileName}:{e.Start.Line}:{e.Start.Column}: {Describe(e)}; the file is not valid YAML"]);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // YamlDotNet reports some malformed streams this way (both found by the property tests).
            throw new ConfigException([$"{fileName}: the file is not valid YAML ({e.Message.Split(" (Parameter", 2)[0]})"]);
        }

        if (stream.Documents.Count > 1)
            reader.Problem(stream.Documents[1].RootNode, "only one YAML document is allowed in the config");
        if (stream.Documents.Count > 0)
            reader.ReadRoot(stream.Documents[0].RootNode);

        if (reader.Problems.Count > 0) throw new ConfigException(reader.Problems);
        return reader.Values;
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet prefixes messages with the position we already print.
        var message = e.InnerException?.Message ?? e.Message;
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return (message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message).TrimEnd('.');
    }

    private sealed class Reader(string fileName)
    {
        public Dictionary<string, LocatedValue> Values { get; } = new(StringComparer.OrdinalIgnoreCase);
        public List<string> Problems { get; } = [];

        public void Problem(YamlNode node, string message) =>
            Problems.Add($"{Where(node)}: {message}");

        private string Where(YamlNode node) => $"{fileName}:{node.Start.Line}:{node.Start.Column}";

        public void ReadRoot(YamlNode root)
        {
            // An empty file sets nothing.
            if (AsMapping(root, $"the config must be a mapping with keys {string.Join(", ", TopLevelKeys)}") is not { } mapping) return;

            foreach (var (keyNode, value) in Entries(mapping, "", TopLevelKeys))
            {
                switch (keyNode)
                {
                    case "environments": ReadEnvironments(value); break;
                    case "devices": ReadDevices(value); break;
                    case "approvers": ReadSection(value, "approvers", ApproverKeys); break;
                    case "wait": ReadSection(value, "wait", WaitKeys); break;
                    default: ReadScalar(value, keyNode); break;
                }
            }
        }

        private void ReadEnvironments(YamlNode node)
        {
            if (AsMapping(node, "environments must be a mapping of environment names to settings, like 'production: { level: plans-and-applies }'") is not { } environments) return;
            foreach (var (name, settings) in Entries(environments, "environments", allowedKeys: null))
            {
                if (name.Contains(':'))
                {
                    Problem(settings, $"environment name '{name}' must not contain ':'");
                    continue;
                }
                var prefix = $"environments:{name}";
                switch (settings)
                {
                    // Shorthand: 'staging: applies-only' is 'staging: { level: applies-only }'.
                    case YamlScalarNode scalar when !IsNull(scalar):
                        Set($"{prefix}:level", scalar);
                        break;
                    default:
                        ReadSection(settings, prefix, EnvironmentKeys, displayName: $"environment '{name}'");
                        break;
                }
            }
        }

        /// <summary><c>devices: { alice: arn:aws:iam::123456789012:mfa/alice }</c>: each person's own MFA device on the CI user.</summary>
        private void ReadDevices(YamlNode node)
        {
            if (AsMapping(node, "devices must be a mapping of people to MFA device ARNs, like 'alice: arn:aws:iam::123456789012:mfa/alice'") is not { } devices) return;
            foreach (var (person, device) in Entries(devices, "devices", allowedKeys: null))
            {
                if (person.Contains(':'))
                    Problem(device, $"'{person}' must not contain ':'");
                else if (device is YamlScalarNode scalar && !IsNull(scalar))
                    Set($"devices:{person}", scalar);
                else
                    Problem(device, $"the device of {person} must be one MFA device ARN, like arn:aws:iam::123456789012:mfa/{person}");
            }
        }

        private void ReadSection(YamlNode node, string prefix, string[] keys, string? displayName = null)
        {
            if (AsMapping(node, $"{displayName ?? prefix} must be a mapping with keys {string.Join(", ", keys)}") is not { } mapping) return;
            foreach (var (key, value) in Entries(mapping, prefix, keys, displayName))
            {
                if (key is "users" or "teams") ReadUsers(value, $"{prefix}:{key}");
                else ReadScalar(value, $"{prefix}:{key}");
            }
        }

        private void ReadUsers(YamlNode node, string key)
        {
            if (IsNull(node)) return;
            if (node is YamlSequenceNode sequence)
            {
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode scalar && !IsNull(scalar)) Set($"{key}:{index++}", scalar);
                    else Problem(item, LastPart(key) == "teams" ? "each entry of teams must be a team, like 'acme/platform' (GitHub) or 'infra/Platform Team' (Azure DevOps)" : "each entry of users must be a GitHub login, like 'alice'");
                }
                return;
            }
            Problem(node, LastPart(key) == "teams" ? "teams must be a list of teams, like [acme/platform] (GitHub) or ['infra/Platform Team'] (Azure DevOps)" : "users must be a list of GitHub logins, like [alice, bob]");
        }

        private void ReadScalar(YamlNode node, string key)
        {
            if (node is YamlScalarNode scalar)
            {
                Set(key, scalar);
                return;
            }
            Problem(node, $"{LastPart(key)} must be a single value, not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        }

        private void Set(string key, YamlScalarNode scalar) =>
            Values[key] = new LocatedValue(scalar.Value ?? "", Where(scalar));

        /// <summary>The node as a mapping; null when it is empty (it sets nothing) or not a mapping (then <paramref name="mustBe"/> is the problem).</summary>
        private YamlMappingNode? AsMapping(YamlNode node, string mustBe)
        {
            if (IsNull(node)) return null;
            if (node is YamlMappingNode mapping) return mapping;
            Problem(node, mustBe);
            return null;
        }

        private IEnumerable<(string Key, YamlNode Value)> Entries(YamlMappingNode mapping, string section, string[]? allowedKeys, string? displayName = null)
        {
            foreach (var (keyNode, value) in mapping.Children)
            {
                if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                {
                    Problem(keyNode, "keys must be plain names");
                    continue;
                }
                if (allowedKeys is not null && !allowedKeys.Contains(key))
                {
                    var within = section.Length == 0 ? "the config" : displayName ?? section;
                    Problem(keyNode, $"unknown key '{key}' in {within}; expected one of {string.Join(", ", allowedKeys)}");
                    continue;
                }
                yield return (key, value);
            }
        }

        private static string LastPart(string key) => key[(key.LastIndexOf(':') + 1)..];

        private static bool IsNull(YamlNode node) =>
            node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };
    }
}
