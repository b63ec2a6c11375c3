using Coordination.Bench.Figures;

namespace Coordination.Bench;

/// <summary>The settings of every figure for one run: the full run that BENCHMARKS.md reports, or the smoke run the tests make.</summary>
internal sealed record Plan(
    StatusFigure.Settings Status,
    FanOutFigure.Settings FanOut,
    CapacityPool.Settings Pool,
    CapacityFigure.Settings Capacity,
    DurableFigure.Settings Durable,
    DensityFigure.Settings Density,
    BulletinFanOutFigure.Settings Bulletins,
    ObservationFigure.Settings Observations,
    PostgresFigure.Settings Postgres,
    IncidentSizeFigure.Settings IncidentSize)
{
    public static readonly Plan Full = new(
        StatusFigure.Settings.Full, FanOutFigure.Settings.Full, CapacityPool.Settings.Full,
        CapacityFigure.Settings.Full, DurableFigure.Settings.Full, DensityFigure.Settings.Full, BulletinFanOutFigure.Settings.Full,
        ObservationFigure.Settings.Full, PostgresFigure.Settings.Full, IncidentSizeFigure.Settings.Full);

    /// <summary>Every figure at toy scale, in seconds: it shows each can still be produced, not what it is.</summary>
    public static readonly Plan Smoke = new(
        StatusFigure.Settings.Smoke, FanOutFigure.Settings.Smoke, CapacityPool.Settings.Smoke,
        CapacityFigure.Settings.Smoke, DurableFigure.Settings.Smoke, DensityFigure.Settings.Smoke, BulletinFanOutFigure.Settings.Smoke,
        ObservationFigure.Settings.Smoke, PostgresFigure.Settings.Smoke, IncidentSizeFigure.Settings.Smoke);
}
