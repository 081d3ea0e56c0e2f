namespace Switchyard.Testing;

/// <summary>
/// Valid request bodies of every surface, the seeds <see cref="BodyMutations"/> mutates. The model
/// is <c>MODEL</c>, for a test to replace. Media is inline only (no URL to fetch or resolve), so a
/// mutated body never makes the gateway leave loopback.
/// </summary>
internal static class Seeds
{
    private const string Pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    public static readonly string[] Chat =
    [
        """{"model":"MODEL","messages":[{"role":"user","content":"hi"}]}""",
        """{"model":"MODEL","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"n":1,"temperature":0.5,"top_p":1,"stop":["x"],"seed":7,"user":"u1"}""",
        $$$$$"""
        {"model":"MODEL","messages":[
          {"role":"developer","content":[{"type":"text","text":"Use the tool."}]},
          {"role":"user","name":"alice","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,{{{{{Pixel}}}}}","detail":"low"}}]},
          {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Oslo\"}"}}]},
          {"role":"tool","tool_call_id":"call_1","content":"{\"temp\":4}"}],
         "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}],
         "tool_choice":"auto","parallel_tool_calls":false,
         "response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"type":"object","properties":{"a":{"type":"string"}}},"strict":true}},
         "max_completion_tokens":100,"reasoning_effort":"low","logprobs":true,"top_logprobs":2,"metadata":{"k":"v"}}
        """,
    ];

    public static readonly string[] Completions =
    [
        """{"model":"MODEL","prompt":"Say hi"}""",
        """{"model":"MODEL","prompt":["a","b"],"max_tokens":20,"n":1,"temperature":0.1,"stop":"\n","stream":true,"stream_options":{"include_usage":true},"echo":false,"suffix":"z","logprobs":1}""",
    ];

    public static readonly string[] Responses =
    [
        """{"model":"MODEL","input":"hi"}""",
        $$$$$"""
        {"model":"MODEL","instructions":"be brief","stream":true,"max_output_tokens":60,"temperature":0.3,"store":false,
         "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"data:image/png;base64,{{{{{Pixel}}}}}","detail":"auto"}]},
                  {"type":"function_call","call_id":"call_1","name":"lookup","arguments":"{\"q\":\"x\"}"},
                  {"type":"function_call_output","call_id":"call_1","output":"found"}],
         "tools":[{"type":"function","name":"lookup","description":"Look up","parameters":{"type":"object","properties":{"q":{"type":"string"}}},"strict":false}],
         "tool_choice":"auto","reasoning":{"effort":"low","summary":"auto"},"text":{"format":{"type":"text"}},"metadata":{"k":"v"},"parallel_tool_calls":true}
        """,
    ];

    public static readonly string[] Messages =
    [
        """{"model":"MODEL","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}""",
        $$$$$"""
        {"model":"MODEL","max_tokens":200,"stream":true,"temperature":0.2,"top_k":5,"stop_sequences":["END"],
         "system":[{"type":"text","text":"be brief","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"{{{{{Pixel}}}}}"}}]},
                     {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"lookup","input":{"q":"x"}}]},
                     {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"found"}]}],
         "tools":[{"name":"lookup","description":"Look up","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}}],
         "tool_choice":{"type":"auto"},"thinking":{"type":"enabled","budget_tokens":1024},"metadata":{"user_id":"u1"}}
        """,
    ];

    public static readonly string[] Gemini =
    [
        """{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}""",
        $$$$$"""
        {"systemInstruction":{"parts":[{"text":"be brief"}]},
         "contents":[{"role":"user","parts":[{"text":"What is this?"},{"inlineData":{"mimeType":"image/png","data":"{{{{{Pixel}}}}}"}}]},
                     {"role":"model","parts":[{"functionCall":{"name":"lookup","args":{"q":"x"}}}]},
                     {"role":"user","parts":[{"functionResponse":{"name":"lookup","response":{"found":true}}}]}],
         "tools":[{"functionDeclarations":[{"name":"lookup","description":"Look up","parameters":{"type":"OBJECT","properties":{"q":{"type":"STRING"}}}}]}],
         "toolConfig":{"functionCallingConfig":{"mode":"AUTO"}},
         "generationConfig":{"temperature":0.4,"maxOutputTokens":80,"candidateCount":1,"stopSequences":["END"],"responseMimeType":"application/json","thinkingConfig":{"thinkingBudget":128}},
         "safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}]}
        """,
        """{"contents":[{"parts":[{"text":"hi"}]}],"generation_config":{"max_output_tokens":10,"candidate_count":1}}""",
    ];

    public static readonly string[] Embeddings =
    [
        """{"model":"MODEL","input":"The food was delicious"}""",
        """{"model":"MODEL","input":["one","two"],"encoding_format":"float","dimensions":8,"user":"u"}""",
    ];

    public static readonly string[] GeminiEmbed =
    [
        """{"content":{"parts":[{"text":"The food was delicious"}]},"taskType":"RETRIEVAL_DOCUMENT","outputDimensionality":8}""",
    ];

    public static readonly string[] GeminiBatchEmbed =
    [
        """{"requests":[{"model":"models/MODEL","content":{"parts":[{"text":"one"}]}},{"model":"models/MODEL","content":{"parts":[{"text":"two"}]},"outputDimensionality":8}]}""",
    ];

    public static readonly string[] Images =
    [
        """{"model":"MODEL","prompt":"a red pixel"}""",
        """{"model":"MODEL","prompt":"a red pixel","n":2,"size":"1024x1024","quality":"hd","response_format":"b64_json","user":"u"}""",
    ];

    public static readonly string[] Speech =
    [
        """{"model":"MODEL","input":"Hello there","voice":"alloy"}""",
        """{"model":"MODEL","input":"Hello there","voice":"alloy","response_format":"mp3","speed":1.5,"instructions":"calm"}""",
    ];
}
