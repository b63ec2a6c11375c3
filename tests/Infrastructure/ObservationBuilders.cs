using Coordination.Api.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core.Interceptors;

namespace Coordination.Tests.Infrastructure;

internal static class ObservationBuilders
{
    public static ObservationService.ObservationServiceClient Observations(this RunningNode node, string token) => new(node.Channel.Intercept(TestTokens.Bearer(token)));

    /// <summary>Bytes that are a JPEG by their signature, the rest random, so each photo is told apart by its hash.</summary>
    public static byte[] Jpeg(int size = 64 * 1024)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        return bytes;
    }

    public static PhotoUpload Photo(byte[] data, string contentType = "image/jpeg") => new() { ContentType = contentType, Data = ByteString.CopyFrom(data) };

    public static ReportObservationRequest Sighting(string unitId, double latitude, double longitude, string? text = null, params byte[][] photos) => new()
    {
        ObservationId = $"obs-{Guid.NewGuid():N}"[..16],
        UnitId = unitId,
        SeenAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-2)),
        Position = new GeoPoint { Latitude = latitude, Longitude = longitude },
        Category = "suspicious-vehicle",
        Text = text ?? "Grey Volvo parked with engine running outside the bank, two men inside.",
        Photos = { photos.Select(p => Photo(p)) },
    };

    /// <summary>The next event of an observation stream, within 10 s.</summary>
    public static async Task<ObservationEvent> Next(Grpc.Core.AsyncServerStreamingCall<ObservationEvent> stream, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        Assert.True(await stream.ResponseStream.MoveNext(timeout.Token), "the stream ended");
        return stream.ResponseStream.Current;
    }
}
