namespace Switchyard.Storage;

/// <summary>Which limit refused a request, checked in this order.</summary>
internal enum LimitRefusal
{
    None,
    Requests,
    Tokens,
    Concurrency,
    Credits,
}
