namespace Coordination.Domain;

/// <summary>Capacity figures with the version that names them: a new version whenever they change, and after a restart.</summary>
[GenerateSerializer, Immutable, Alias("coordination.FiguresUpdate")]
public sealed record FiguresUpdate([property: Id(0)] string Version, [property: Id(1)] CapacityFigures Figures);

/// <summary>A gateway's one subscription to a district's or the country's figures, shared by all its dashboard viewers.</summary>
[Alias("coordination.IFiguresObserver")]
public interface IFiguresObserver : IGrainObserver
{
    [Alias("OnFigures"), OneWay]
    Task OnFigures(FiguresUpdate update);
}

/// <summary>Keeps dashboard watchers of a grain's figures: at most a few notifications a second, however busy the grain.</summary>
[Alias("coordination.IFiguresSource")]
public interface IFiguresSource
{
    /// <summary>Starts (or renews) a watcher and returns the current figures.</summary>
    [Alias("Watch")]
    Task<FiguresUpdate> Watch(IFiguresObserver observer);

    [Alias("Unwatch")]
    Task Unwatch(IFiguresObserver observer);
}
