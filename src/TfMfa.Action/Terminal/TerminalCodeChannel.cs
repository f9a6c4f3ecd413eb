using TfMfa.Codes;
using System.Text;

namespace TfMfa.Terminal;

/// <summary>
/// Asks on the terminal, like <c>aws-vault exec</c>: the prompt goes to stderr and typed digits are
/// not echoed. When standard input is a pipe, one line is read per code.
/// </summary>
public sealed class TerminalCodeChannel(TextReader input, TextWriter prompt, bool inputIsTerminal, string localUser) : ICodeChannel
{
    public static TerminalCodeChannel ForConsole(string localUser) =>
        new(Console.In, Console.Error, !Console.IsInputRedirected, localUser);

    public Task<ICodeRequest> OpenAsync(CodeRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ICodeRequest>(new Prompt(this, request));

    /// <summary>A request on the terminal is a prompt: it needs no closing and shows nothing that could be rewritten.</summary>
    private sealed class Prompt(TerminalCodeChannel channel, CodeRequest request) : ICodeRequest
    {
        public Task<SuppliedCode> NextCodeAsync(Attempt attempt, CancellationToken cancellationToken) => channel.AskAsync(request, attempt, cancellationToken);
    }

    private async Task<SuppliedCode> AskAsync(CodeRequest request, Attempt attempt, CancellationToken cancellationToken)
    {
        if (attempt.LastRejection is { } rejected)
            await prompt.WriteLineAsync($"{rejected.Reason} ({attempt.Left} attempt{(attempt.Left == 1 ? "" : "s")} left)");
        var tries = attempt.MaxAttempts > 1 ? $", attempt {attempt.Number} of {attempt.MaxAttempts}" : "";
        while (true)
        {
            await prompt.WriteAsync($"MFA code for {request.SerialNumber} ({request.Command.Name()} in {request.Environment}{tries}): ");
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
