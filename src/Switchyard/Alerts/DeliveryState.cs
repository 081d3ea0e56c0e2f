namespace Switchyard.Alerts;

public enum DeliveryState
{
    Pending,
    Delivered,
    Failed,
}
