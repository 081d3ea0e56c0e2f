namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>Ids in OpenAI's shape for answers the gateway writes itself.</summary>
public static class ResponseIds
{
    public static string New() => OutputItem.NewId("resp_");
}
