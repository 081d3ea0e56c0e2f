using Switchyard.Catalog;

namespace Switchyard.Routing;

/// <summary>
/// Orders the places a request may be served: the model's deployments by weighted random choice
/// (without replacement), then each fallback model's deployments the same way.
/// </summary>
internal static class DeploymentSelector
{
    public static List<(ModelEntry Model, Deployment Deployment)> Candidates(ModelCatalog catalog, ModelEntry model, Random random)
    {
        var result = new List<(ModelEntry, Deployment)>(model.Deployments.Count + model.Fallbacks.Count);
        AddWeighted(result, model, random);
        foreach (var fallbackId in model.Fallbacks)
        {
            if (catalog.Find(fallbackId) is { } fallback && fallback.Kind == model.Kind)
            {
                AddWeighted(result, fallback, random);
            }
        }

        return result;
    }

    private static void AddWeighted(List<(ModelEntry, Deployment)> result, ModelEntry model, Random random)
    {
        if (model.Deployments.Count == 1)
        {
            result.Add((model, model.Deployments[0]));
            return;
        }

        var remaining = model.Deployments.ToList();
        while (remaining.Count > 0)
        {
            var total = remaining.Sum(d => d.Weight);
            var pick = random.NextDouble() * total;
            var index = 0;
            for (; index < remaining.Count - 1; index++)
            {
                pick -= remaining[index].Weight;
                if (pick < 0)
                {
                    break;
                }
            }

            result.Add((model, remaining[index]));
            remaining.RemoveAt(index);
        }
    }
}
