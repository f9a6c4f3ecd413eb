namespace TfMfa.Codes;

/// <summary>A six-digit one-time code. It is a secret while it is valid, so it never prints itself.</summary>
public sealed class MfaCode
{
    private MfaCode(string digits) => Digits = digits;

    public string Digits { get; }

    public static bool TryParse(string? text, out MfaCode? code)
    {
        var trimmed = (text ?? "").Trim();
        code = trimmed.Length == 6 && trimmed.All(char.IsAsciiDigit) ? new MfaCode(trimmed) : null;
        return code is not null;
    }

    public override string ToString() => "******";
}
