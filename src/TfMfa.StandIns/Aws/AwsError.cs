using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace TfMfa.StandIns.Aws;

/// <summary>An error as AWS answers it: an HTTP status, an error code and AWS's own message.</summary>
public sealed class AwsError(int status, string code, string message, bool senderFault = true) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public bool SenderFault { get; } = senderFault;

    internal static readonly XNamespace StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";

    public async Task WriteStsAsync(HttpContext context, string requestId)
    {
        var body = new XElement(StsNs + "ErrorResponse",
            new XElement(StsNs + "Error",
                new XElement(StsNs + "Type", SenderFault ? "Sender" : "Receiver"),
                new XElement(StsNs + "Code", Code),
                new XElement(StsNs + "Message", Message)),
            new XElement(StsNs + "RequestId", requestId));
        await Xml.WriteAsync(context, Status, body);
    }

    public async Task WriteS3Async(HttpContext context, string requestId, string? resource)
    {
        if (HttpMethods.IsHead(context.Request.Method))
        {
            // HEAD answers carry no body; S3 puts the code in no header either.
            context.Response.StatusCode = Status;
            context.Response.Headers["x-amz-request-id"] = requestId;
            return;
        }
        var body = new XElement("Error",
            new XElement("Code", Code),
            new XElement("Message", Message),
            resource is null ? null : new XElement(Code == "NoSuchKey" ? "Key" : "Resource", resource),
            new XElement("RequestId", requestId),
            new XElement("HostId", Convert.ToBase64String(Guid.NewGuid().ToByteArray())));
        context.Response.Headers["x-amz-request-id"] = requestId;
        await Xml.WriteAsync(context, Status, body);
    }
}

internal static class Xml
{
    public static async Task WriteAsync(HttpContext context, int status, XElement body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        await context.Response.WriteAsync(new XDocument(new XDeclaration("1.0", "UTF-8", null), body).Declaration + body.ToString(SaveOptions.DisableFormatting));
    }
}
