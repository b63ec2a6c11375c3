using Coordination.Api.V1;
using Grpc.Core.Interceptors;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// A node of its own for bulletin and observation tests: areas around Oslo S reach only the companies
/// these tests register; a bulletin's text is kept only <see cref="Retention"/> after it ends, and an
/// observation's text and photos only <see cref="ObservationRetention"/> after it was reported.
/// </summary>
public sealed class BulletinNodeFixture : NodeFixture
{
    public static readonly TimeSpan Retention = TimeSpan.FromSeconds(3);

    public static readonly TimeSpan ObservationRetention = TimeSpan.FromSeconds(4);

    protected override string[] Settings => [$"--Coordination:Bulletins:RetainTextFor={Retention}", $"--Coordination:Observations:RetainTextFor={ObservationRetention}"];

    public BulletinService.BulletinServiceClient Bulletins(string token) => new(Node.Channel.Intercept(TestTokens.Bearer(token)));
}

[CollectionDefinition(Name)]
public sealed class BulletinNodeCollection : ICollectionFixture<BulletinNodeFixture>
{
    public const string Name = "bulletin-node";
}

internal static class BulletinBuilders
{
    public static readonly GeoPoint OsloS = new() { Latitude = 59.9111, Longitude = 10.7528 };

    /// <summary>Tromsø harbour: tests other than the one around Oslo S put their units and circles here, so they never reach each other's companies.</summary>
    public static readonly GeoPoint Tromso = new() { Latitude = 69.6496, Longitude = 18.9560 };

    public static IssueBulletinRequest WantedVehicle(string id, Tlp tlp = Tlp.Amber, string district = "oslo", TimeSpan? acknowledgeWithin = null, GeoPoint? centre = null) => new()
    {
        DistrictId = district,
        BulletinId = id,
        MessageType = BulletinMessageType.Alert,
        Kind = "wanted-vehicle",
        Headline = "Grey Volvo V70, AB 12345, sought after a robbery",
        Description = "Two men in dark clothing, one with a red cap.",
        Instruction = "Report sightings to Oslo operations centre at once.",
        Urgency = BulletinUrgency.Immediate,
        Severity = BulletinSeverity.Severe,
        Certainty = BulletinCertainty.Observed,
        Status = BulletinStatus.Actual,
        Area = new BulletinArea { Circle = new Circle { Centre = centre ?? OsloS, RadiusKm = 2 } },
        Audience = new BulletinAudience { Kind = BulletinAudienceKind.AllInArea },
        Tlp = tlp,
        Expires = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(2)),
        AcknowledgementRequired = acknowledgeWithin is not null,
        AcknowledgeBy = acknowledgeWithin is { } within ? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow + within) : null,
    };

    /// <summary>The next event of a company's stream, within 10 s.</summary>
    public static async Task<BulletinEvent> Next(Grpc.Core.AsyncServerStreamingCall<BulletinEvent> stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.True(await stream.ResponseStream.MoveNext(timeout.Token), "the stream ended");
        return stream.ResponseStream.Current;
    }
}
