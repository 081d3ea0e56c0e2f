namespace Switchyard.Configuration;

/// <summary>The server's own settings: <c>masterKey</c>, <c>storage</c>, <c>limits</c>, <c>routing</c>, <c>conversations</c> and <c>media</c>.</summary>
internal static class ServerOptionsValidator
{
    public static readonly string[] StorageKinds = ["sqlite", "postgres"];

    public const int MinimumMasterKeyLength = 32;

    /// <summary>The longest <c>conversations.retentionDays</c>.</summary>
    public const int MaxRetentionDays = 36_500;

    public static void Validate(ConfigurationCheck check)
    {
        var options = check.Options;
        check.Reference("masterKey", options.MasterKey);
        if (check.Resolve(options.MasterKey) is { Length: > 0 and < MinimumMasterKeyLength })
        {
            // The master key opens every key and the ledger; a short one falls to guessing.
            check.Problem("masterKey", $"must be at least {MinimumMasterKeyLength} characters (a generated one is 46)");
        }

        ValidateStorage(check, options.Storage);
        ValidateLimits(check, options.Limits);
        ValidateRouting(check, options.Routing);
        // A stored answer's expiry is a date: a century keeps it far from the calendar's end.
        check.Duration("conversations.retentionDays", options.Conversations.RetentionDays, MaxRetentionDays, "a century");

        ValidateMedia(check, options.Media);
    }

    private static void ValidateStorage(ConfigurationCheck check, StorageOptions storage)
    {
        if (!StorageKinds.Contains(storage.Kind))
        {
            check.Problem("storage.kind", $"'{storage.Kind}' is not one of {string.Join(", ", StorageKinds)}");
        }
        else if (storage.Kind == "postgres" && string.IsNullOrWhiteSpace(check.Resolve(storage.ConnectionString)))
        {
            check.Problem("storage.connectionString", "is required for postgres storage");
        }
        else if (storage.Kind == "sqlite" && string.IsNullOrWhiteSpace(storage.Path))
        {
            check.Problem("storage.path", "is required for sqlite storage");
        }
    }

    private static void ValidateLimits(ConfigurationCheck check, LimitsOptions limits)
    {
        if (limits.MaxBodyBytes <= 0)
        {
            check.Problem("limits.maxBodyBytes", "must be positive");
        }

        if (limits.MaxBufferedBytes < limits.MaxBodyBytes)
        {
            check.Problem("limits.maxBufferedBytes", "must be at least limits.maxBodyBytes, or no body of the largest size could be read");
        }

        if (!double.IsFinite(limits.MinBodyBytesPerSecond) || limits.MinBodyBytesPerSecond < 0)
        {
            // An infinite rate (an environment override can say "Infinity") would cut every body after the grace.
            check.Problem("limits.minBodyBytesPerSecond", "must be a number of bytes, not negative (0 turns the check off)");
        }
    }

    private static void ValidateRouting(ConfigurationCheck check, RoutingOptions routing)
    {
        if (routing.MaxAttempts < 1)
        {
            check.Problem("routing.maxAttempts", "must be at least 1");
        }

        check.Wait("routing.retryBudgetSeconds", routing.RetryBudgetSeconds);
        check.Wait("routing.queueTimeoutSeconds", routing.QueueTimeoutSeconds);
        check.Wait("routing.benchSeconds", routing.BenchSeconds);
        if (!(routing.BackoffMilliseconds >= 0 && routing.BackoffMilliseconds <= ConfigurationCheck.MaxWaitSeconds * 1000.0))
        {
            check.Problem("routing.backoffMilliseconds", "must not be negative, and at most a day");
        }

        if (routing.MaxQueue < 0 || routing.BenchAfterFailures < 1)
        {
            check.Problem("routing", "maxQueue must not be negative and benchAfterFailures must be at least 1");
        }
    }

    private static void ValidateMedia(ConfigurationCheck check, MediaOptions media)
    {
        if (media.MaxBytes <= 0)
        {
            check.Problem("media.maxBytes", "must be positive");
        }

        foreach (var (name, value) in new (string, long)[]
        {
            ("media.maxImages", media.MaxImages),
            ("media.maxInlineBytes", media.MaxInlineBytes),
            ("media.maxUploadFields", media.MaxUploadFields),
            ("media.maxUploadFieldBytes", media.MaxUploadFieldBytes),
        })
        {
            if (value <= 0)
            {
                check.Problem(name, "must be positive");
            }
        }
    }
}
