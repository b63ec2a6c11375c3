using Coordination.Domain;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.GuardUnitState")]
public sealed class GuardUnitState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public int Headcount { get; set; }
    [Id(2)] public string[] Capabilities { get; set; } = [];
    [Id(3)] public string HomeDistrict { get; set; } = "";
    [Id(4)] public UnitStatus Status { get; set; } = UnitStatus.Unavailable;
    [Id(5)] public GeoPoint? Position { get; set; }
    [Id(6)] public DateTimeOffset LastHeartbeat { get; set; }
    [Id(7)] public DateTimeOffset StatusChangedAt { get; set; }
    [Id(8)] public bool Licensed { get; set; } = true;
    [Id(9)] public string? CommitmentId { get; set; }
    [Id(10)] public string? IncidentId { get; set; }
    [Id(11)] public bool OnExercise { get; set; }
    [Id(12)] public bool OnYieldingExercise { get; set; }
}
