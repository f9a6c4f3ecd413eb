namespace TfMfa;

/// <summary>
/// The one exception type the gate shows to its user. The message says what failed, where
/// (input, file:line:col, variable) and what to do; it never carries a secret.
/// </summary>
public class TfMfaException(string message, Exception? inner = null) : Exception(message, inner);
