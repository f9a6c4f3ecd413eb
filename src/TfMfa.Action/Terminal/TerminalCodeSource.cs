using TfMfa.Codes;
using System.Text;
using TfMfa.Gate;

namespace TfMfa.Terminal;

/// <summary>
/// Asks on the terminal, like <c>aws-vault exec</c>: the prompt goes to stderr and typed digits are
/// not echoed. When standard input is a pipe, one line is read per code.
/// </summary>
public sealed class TerminalCodeSource(TextReader input, TextWriter prompt, bool inputIsTerminal, string localUser) : IMfaCodeSource
{
    public static TerminalCodeSource ForConsole(string localUser) =>
        new(Console.In, Console.Error, !Console.IsInputRedirected, localUser);

    public async Task<SuppliedCode> NextCodeAsync(CodeRequest request, CancellationToken cancellationToken)
    {
        var attempt = request.MaxAttempts > 1 ? $", attempt {request.Attempt} of {request.MaxAttempts}" : "";
        while (true)
        {
            await prompt.WriteAsync($"MFA code for {request.SerialNumber} ({request.Command.Name()} in {request.Environment}{attempt}): ");
            await prompt.FlushAsync(cancellationToken);

            // Console reads cannot be cancelled; the wait can, so a timeout or Ctrl-C still ends it.
            var line = await Task.Run(() => inputIsTerminal ? ReadHidden() : input.ReadLine(), CancellationToken.None)
                .WaitAsync(cancellationToken);
            await prompt.WriteLineAsync(); // what was typed is not echoed, so end the prompt's line ourselves

            if (line is null)
                throw new TfMfaException("no MFA code was given: standard input closed before a code arrived. Run tfmfa in a terminal, or pipe the code in (echo 123456 | tfmfa plan)");
            if (MfaCode.TryParse(line, out var code))
                return new SuppliedCode(code!, localUser);

            await prompt.WriteLineAsync("A code is the 6 digits your authenticator shows; try again.");
        }
    }

    public async Task CodeRejectedAsync(SuppliedCode code, string reason, int attemptsLeft, CancellationToken cancellationToken) =>
        await prompt.WriteLineAsync(attemptsLeft > 0 ? $"{reason} ({attemptsLeft} attempt{(attemptsLeft == 1 ? "" : "s")} left)" : reason);

    public Task AuthenticatedAsync(SuppliedCode code, DateTimeOffset? expiration, CancellationToken cancellationToken) => Task.CompletedTask;

    public string? Trouble => null;

    public Task WaitEndedAsync(CodeWaitEnd end, string message, CancellationToken cancellationToken) => Task.CompletedTask;

    private static string? ReadHidden()
    {
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter: return typed.ToString();
                case ConsoleKey.Backspace when typed.Length > 0: typed.Length--; break;
                default:
                    if (key.Modifiers.HasFlag(ConsoleModifiers.Control) && key.Key == ConsoleKey.D) return null;
                    if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
                    break;
            }
        }
    }
}
