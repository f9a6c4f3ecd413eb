namespace TfMfa.StandIns.Runner;

/// <summary>Reads <c>$GITHUB_OUTPUT</c> as the runner does: <c>name&lt;&lt;DELIMITER</c>, value lines, <c>DELIMITER</c>.</summary>
public static class OutputsFile
{
    public static IReadOnlyDictionary<string, string> Read(string path)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path)) return outputs;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var header = lines[i].Split("<<", 2);
            if (header.Length != 2) continue;
            var value = new List<string>();
            while (++i < lines.Length && lines[i] != header[1]) value.Add(lines[i]);
            outputs[header[0]] = string.Join('\n', value);
        }
        return outputs;
    }
}
