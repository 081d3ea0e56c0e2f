namespace Switchyard.Catalog;

/// <summary>Holds the current catalog; swaps are atomic, so a request sees one snapshot from start to end.</summary>
internal sealed class CatalogMonitor
{
    private volatile ModelCatalog _current;

    public CatalogMonitor(ModelCatalog initial) => _current = initial;

    public ModelCatalog Current => _current;

    public void Swap(ModelCatalog next) => _current = next;
}
