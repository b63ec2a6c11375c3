using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using Proto = Coordination.Api.V1;

namespace Coordination.Tests;

/// <summary>
/// Bad input is the client's to fix: whatever arrives, the gateway answers with a status that says
/// so (INVALID_ARGUMENT, NOT_FOUND, ...), never UNKNOWN or INTERNAL, which the README keeps for bugs.
/// Every RPC of the public API is reached through its descriptor, so a new RPC is covered the day it is added.
/// </summary>
public sealed class MalformedRequestTests(MalformedRequestTests.OwnNode fixture, ITestOutputHelper output) : IClassFixture<MalformedRequestTests.OwnNode>
{
    /// <summary>A node of its own: the malformed requests that happen to be valid open incidents and register units nobody else should meet.</summary>
    public sealed class OwnNode : NodeFixture;

    private const string Company = "fuzz-co";

    private RunningNode Node => fixture.Node;

    // Found the way the gateway finds them, so an RPC in a new proto file is fuzzed the day it is added.
    public static IEnumerable<MethodDescriptor> EveryRpc() =>
        Coordination.Gateway.Security.RpcRules.ApiServices().SelectMany(service => service.Methods);

    public static TheoryData<string> EveryRpcName() => [.. EveryRpc().Select(m => m.FullName)];

    /// <summary>Every RPC of the API, and the standard health check (bound by the same provider).</summary>
    public static TheoryData<string> EveryRpcAndHealthName() => [.. EveryRpc().Select(m => m.FullName), "grpc.health.v1.Health.Check"];

    [Theory]
    [MemberData(nameof(EveryRpcAndHealthName))]
    public async Task Bytes_that_are_no_protobuf_message_are_invalid_argument(string rpc)
    {
        var method = EveryRpc().Append(Grpc.Health.V1.HealthReflection.Descriptor.Services.Single().FindMethodByName("Check")).Single(m => m.FullName == rpc);

        var status = await RawCall(method, [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF]]);

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith("the request message could not be decoded", status.Detail);
    }

    [Fact]
    public async Task No_malformed_request_to_any_rpc_is_answered_unknown_internal_or_unavailable()
    {
        var baselines = await Baselines();
        var random = new Random(20261204);
        var cases = new List<(MethodDescriptor Rpc, string Case, byte[] Payload)>();
        foreach (var rpc in EveryRpc())
        {
            Assert.True(baselines.ContainsKey(rpc.Name), $"no valid baseline request for {rpc.FullName}: add one, so its fields are fuzzed past the first check");
            var baseline = baselines[rpc.Name];
            cases.Add((rpc, "the valid baseline", baseline.ToByteArray()));
            cases.Add((rpc, "an empty message", []));
            foreach (var length in new[] { 1, 3, 16, 200, 5000 })
            {
                var bytes = new byte[length];
                random.NextBytes(bytes);
                cases.Add((rpc, $"{length} random bytes", bytes));
            }

            foreach (var (path, change) in Perturbations(rpc.InputType, [], 0))
            {
                var message = rpc.InputType.Parser.ParseFrom(baseline.ToByteString());
                change(message);
                cases.Add((rpc, path, message.ToByteArray()));
            }
        }

        // Unary calls a few at a time, each stream's cases together (a valid stream waits its two seconds).
        var outcomes = new List<(string Rpc, string Case, Status Status)>();
        foreach (var group in cases.GroupBy(c => c.Rpc.IsServerStreaming ? c.Rpc.FullName : $"{c.Rpc.FullName}#{outcomes.Count % 8}"))
        {
            var statuses = await Task.WhenAll(group.Select(async c => (c.Rpc.FullName, c.Case, await RawCall(c.Rpc, [c.Payload]))));
            outcomes.AddRange(statuses);
        }

        // UNKNOWN and INTERNAL are bugs by the README's definition; UNAVAILABLE here (the cluster is up)
        // would mean the request broke the connection, DATA_LOSS and UNIMPLEMENTED are no answer to input.
        // A stream that was valid ends CANCELLED, by this test's own two-second deadline.
        var bugs = outcomes.Where(o => o.Status.StatusCode is StatusCode.Unknown or StatusCode.Internal or StatusCode.Unavailable or StatusCode.DataLoss or StatusCode.Unimplemented
            || (o.Status.StatusCode == StatusCode.Cancelled && !EveryRpc().Single(m => m.FullName == o.Rpc).IsServerStreaming)).ToList();
        output.WriteLine($"{outcomes.Count} malformed requests to {EveryRpc().Count()} RPCs: "
            + string.Join(", ", outcomes.GroupBy(o => o.Status.StatusCode).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}")));
        foreach (var (rpc, @case, status) in bugs)
        {
            output.WriteLine($"{rpc} with {@case}: {status.StatusCode} {status.Detail}");
        }

        Assert.Empty(bugs.Select(b => $"{b.Rpc} with {b.Case}: {b.Status.StatusCode} {b.Status.Detail}"));
    }

    /// <summary>
    /// A valid request per RPC, against a company, unit, incident and offer made for the purpose, so
    /// each field's malformed values are met by the code that reads that field, not refused earlier
    /// for the other fields being empty.
    /// </summary>
    // The bulletin RPCs only a company calls; the others are called as national police.
    private static readonly HashSet<string> CompanyBulletinRpcs = ["ListCompanyBulletins", "WatchBulletins", "AcknowledgeBulletin", "ReportObservation", "WatchObservationFeedback"];

    private async Task<Dictionary<string, IMessage>> Baselines()
    {
        var company = Node.CompanyAs(Company);
        await company.RegisterUnitsAsync(Register(Company, UnitAt("u1", 2, "oslo", 59.91, 10.75, "patrol"), UnitAt("u2", 2, "oslo", 59.92, 10.76, "patrol")));
        await company.ReportUnitAsync(Report(Company, "u1", Proto.UnitStatus.Available));
        var incident = await Node.Police.OpenIncidentAsync(Incident("oslo", "fuzz"));
        var request = await Node.Police.RequestCapacityAsync(Capacity(incident.IncidentId, "r1", "patrol", 2));
        var offer = request.Offers.FirstOrDefault()?.OfferId ?? $"{incident.IncidentId}~1";
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var bulletins = new Proto.BulletinService.BulletinServiceClient(Node.Channel.Intercept(TestTokens.Bearer(Node.Tokens.NationalPolice())));
        var toCompany = BulletinBuilders.WantedVehicle("fuzz-b1");
        toCompany.Audience = new Proto.BulletinAudience { Kind = Proto.BulletinAudienceKind.NamedCompanies, Companies = { Company } };
        var bulletin = await bulletins.IssueBulletinAsync(toCompany);
        var another = toCompany.Clone();
        another.BulletinId = "fuzz-b2";
        var observations = Node.Observations(Node.Tokens.Company(Company));
        var observation = (await observations.ReportObservationAsync(ObservationBuilders.Sighting("u1", 59.91, 10.75, null, ObservationBuilders.Jpeg(1024)))).Observation;
        var report = ObservationBuilders.Sighting("u2", 59.92, 10.76, null, ObservationBuilders.Jpeg(1024));
        report.AnswersBulletinId = bulletin.Id;
        return new Dictionary<string, IMessage>(StringComparer.Ordinal)
        {
            ["ReportObservation"] = report,
            ["GetObservation"] = new Proto.GetObservationRequest { ObservationId = observation.Id },
            ["ListObservations"] = new Proto.ListObservationsRequest { DistrictId = observation.DistrictId, IncludeClosed = true },
            ["WatchObservationQueue"] = new Proto.WatchObservationQueueRequest { DistrictId = observation.DistrictId, AfterSequence = 1 },
            ["WatchObservationFeedback"] = new Proto.WatchObservationFeedbackRequest { CompanyId = Company, AfterSequence = 1 },
            ["TriageObservation"] = new Proto.TriageObservationRequest { ObservationId = observation.Id, Stage = Proto.ObservationStage.Seen, Message = "seen" },
            ["AttachObservation"] = new Proto.AttachObservationRequest { ObservationId = observation.Id, IncidentId = incident.IncidentId },
            ["GetObservationPhoto"] = new Proto.GetObservationPhotoRequest { ObservationId = observation.Id, Index = 0 },
            ["IssueBulletin"] = another,
            ["GetBulletin"] = new Proto.GetBulletinRequest { BulletinId = bulletin.Id },
            ["ListBulletins"] = new Proto.ListBulletinsRequest { DistrictId = "oslo", IncludeEnded = true },
            ["ListCompanyBulletins"] = new Proto.ListCompanyBulletinsRequest { CompanyId = Company },
            ["WatchBulletins"] = new Proto.WatchBulletinsRequest { CompanyId = Company, AfterSequence = 1 },
            ["AcknowledgeBulletin"] = new Proto.AcknowledgeBulletinRequest { CompanyId = Company, BulletinId = bulletin.Id, Acknowledgement = Proto.AcknowledgementKind.Received },
            ["ExportBulletinCap"] = new Proto.ExportBulletinCapRequest { BulletinId = bulletin.Id },
            ["RegisterUnits"] = Register(Company, Unit("u3")),
            ["ReportUnit"] = Report(Company, "u2", Proto.UnitStatus.Available),
            ["StreamUnitReports"] = Report(Company, "u2", Proto.UnitStatus.Unavailable),
            ["ListUnits"] = new Proto.ListUnitsRequest { CompanyId = Company },
            ["WatchOffers"] = new Proto.WatchOffersRequest { CompanyId = Company },
            ["AnswerOffer"] = new Proto.AnswerOfferRequest { CompanyId = Company, OfferId = offer, AnswerId = "a1", Commit = new Proto.CommitUnits { UnitIds = { "u1" } } },
            ["ReportAssignmentProgress"] = new Proto.AssignmentProgressRequest { CompanyId = Company, UnitId = "u1", Progress = Proto.AssignmentProgress.EnRoute },
            ["GetCapacity"] = District("oslo"),
            ["ListDistricts"] = new Proto.ListDistrictsRequest(),
            ["ListCapabilities"] = new Proto.ListCapabilitiesRequest(),
            ["SetCompanyLicence"] = new Proto.SetCompanyLicenceRequest { CompanyId = Company, Licence = Proto.LicenceStatus.Valid, Reason = "checked" },
            ["SetFrameworkAgreement"] = new Proto.SetFrameworkAgreementRequest { CompanyId = Company, Priorities = { Proto.Priority.Routine } },
            ["GetCompany"] = new Proto.GetCompanyRequest { CompanyId = Company },
            ["ListCompanies"] = new Proto.ListCompaniesRequest { PageSize = 10, PageToken = "a" },
            ["OpenIncident"] = Incident("oslo", "fuzz-2"),
            ["RequestCapacity"] = Capacity(incident.IncidentId, "r2", "patrol", 1),
            ["GetIncident"] = new Proto.GetIncidentRequest { IncidentId = incident.IncidentId },
            ["ListIncidents"] = new Proto.ListIncidentsRequest { DistrictId = "oslo", IncludeClosed = true },
            ["CancelRequest"] = new Proto.CancelRequestRequest { IncidentId = incident.IncidentId, RequestId = "r1", Reason = "no longer needed" },
            ["ExtendAssignment"] = new Proto.ExtendAssignmentRequest { IncidentId = incident.IncidentId, RequestId = "r1", Until = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(8)) },
            ["ReleaseUnits"] = new Proto.ReleaseUnitsRequest { IncidentId = incident.IncidentId, Units = { new Proto.ReleaseUnitsRequest.Types.UnitRef { CompanyId = Company, UnitId = "u1" } }, Reason = "done" },
            ["CloseIncident"] = new Proto.CloseIncidentRequest { IncidentId = incident.IncidentId, Reason = "over" },
            ["ExportAudit"] = new Proto.ExportAuditRequest { IncidentId = incident.IncidentId, From = now, To = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddHours(1)) },
            ["WatchDistrict"] = new Proto.WatchDistrictRequest { DistrictId = "oslo", AfterVersion = "v1" },
            ["WatchNational"] = new Proto.WatchNationalRequest { AfterVersion = "v1" },
            ["WatchIncident"] = new Proto.WatchIncidentRequest { IncidentId = incident.IncidentId, AfterVersion = "v1" },
        };
    }

    /// <summary>
    /// For every field (and the fields of its messages, three levels down): the values a careless or
    /// hostile client could send — empty and huge strings, control characters, extreme and negative
    /// numbers, NaN and infinities, unknown enum numbers, timestamps that are no time, an empty
    /// message, and a repeated field with thousands of entries.
    /// </summary>
    private static IEnumerable<(string Path, Action<IMessage> Change)> Perturbations(MessageDescriptor type, FieldDescriptor[] path, int depth)
    {
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            FieldDescriptor[] at = [.. path, field];
            var name = string.Join(".", at.Select(f => f.Name));
            if (field.FieldType == FieldType.Message && field.MessageType.FullName != Timestamp.Descriptor.FullName)
            {
                yield return ($"{name} = empty message", m => Set(m, at, field.IsRepeated ? new[] { field.MessageType.Parser.ParseFrom(ByteString.Empty) } : field.MessageType.Parser.ParseFrom(ByteString.Empty)));
                if (field.IsRepeated)
                {
                    yield return ($"{name} = 2000 empty messages", m => Set(m, at, Enumerable.Range(0, 2000).Select(_ => field.MessageType.Parser.ParseFrom(ByteString.Empty)).ToArray()));
                }

                if (depth < 3)
                {
                    foreach (var inner in Perturbations(field.MessageType, at, depth + 1))
                    {
                        yield return inner;
                    }
                }

                continue;
            }

            foreach (var (label, value) in Extremes(field))
            {
                yield return ($"{name} = {label}", m => Set(m, at, field.IsRepeated ? new[] { value } : value));
            }

            if (field.IsRepeated)
            {
                var first = Extremes(field).First().Value;
                yield return ($"{name} = 2000 entries", m => Set(m, at, Enumerable.Repeat(first, 2000).ToArray()));
            }
        }
    }

    private static IEnumerable<(string Label, object Value)> Extremes(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String =>
        [
            ("\"\"", ""), ("100,000 characters", new string('x', 100_000)), ("NUL and control characters", "\0\u0001\u001b[2J"),
            ("a lone surrogate", "\uD800x"), ("a path", "../../etc/passwd"), ("spaces", "   "), ("a dot", "oslo."), ("a tilde", "oslo.x~"),
        ],
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => [("int32 min", int.MinValue), ("-1", -1), ("0", 0), ("int32 max", int.MaxValue)],
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => [("int64 min", long.MinValue), ("-1", -1L), ("int64 max", long.MaxValue)],
        FieldType.UInt32 or FieldType.Fixed32 => [("uint32 max", uint.MaxValue)],
        FieldType.UInt64 or FieldType.Fixed64 => [("uint64 max", ulong.MaxValue)],
        FieldType.Double => [("NaN", double.NaN), ("+infinity", double.PositiveInfinity), ("-infinity", double.NegativeInfinity), ("double max", double.MaxValue), ("-0", -0.0)],
        FieldType.Float => [("NaN", float.NaN), ("+infinity", float.PositiveInfinity), ("float max", float.MaxValue)],
        FieldType.Bool => [("true", true), ("false", false)],
        FieldType.Bytes => [("0xFF bytes", ByteString.CopyFrom(0xFF, 0xFF, 0xFF))],
        FieldType.Enum => [("enum -1", Enum(field, -1)), ("enum 999", Enum(field, 999)), ("enum int32 max", Enum(field, int.MaxValue)), ("enum 0", Enum(field, 0))],
        FieldType.Message =>
        [
            ("nanos -1", new Timestamp { Seconds = 1_700_000_000, Nanos = -1 }), ("nanos 1e9", new Timestamp { Seconds = 1_700_000_000, Nanos = 1_000_000_000 }),
            ("year 0", new Timestamp { Seconds = -62_135_596_801 }), ("year 10000", new Timestamp { Seconds = 253_402_300_800 }),
            ("int64 min seconds", new Timestamp { Seconds = long.MinValue, Nanos = int.MinValue }), ("epoch", new Timestamp()),
            ("9999-12-31T23:59:59", new Timestamp { Seconds = 253_402_300_799, Nanos = 999_999_999 }), ("0001-01-01", new Timestamp { Seconds = -62_135_596_800 }),
        ],
        _ => [],
    };

    private static object Enum(FieldDescriptor field, int number) => System.Enum.ToObject(field.EnumType.ClrType, number);

    /// <summary>Sets the field at the end of the path, creating the messages on the way (the first entry of a repeated one).</summary>
    private static void Set(IMessage message, FieldDescriptor[] path, object value)
    {
        foreach (var step in path[..^1])
        {
            if (step.IsRepeated)
            {
                var list = (IList)step.Accessor.GetValue(message);
                if (list.Count == 0)
                {
                    list.Add(step.MessageType.Parser.ParseFrom(ByteString.Empty));
                }

                message = (IMessage)list[0]!;
            }
            else
            {
                if (step.Accessor.GetValue(message) is not IMessage inner)
                {
                    inner = step.MessageType.Parser.ParseFrom(ByteString.Empty);
                    step.Accessor.SetValue(message, inner);
                }

                message = inner;
            }
        }

        var field = path[^1];
        if (field.IsRepeated)
        {
            var list = (IList)field.Accessor.GetValue(message);
            list.Clear();
            foreach (var item in (IEnumerable)value)
            {
                list.Add(item);
            }
        }
        else
        {
            field.Accessor.SetValue(message, value);
        }
    }

    /// <summary>
    /// Sends each payload as one message of the RPC, byte for byte (identity marshallers), with a
    /// token of the role the RPC is for, and returns how the call ended. A stream that answers is
    /// cut short after its first message (its status is then OK).
    /// </summary>
    private async Task<Status> RawCall(MethodDescriptor rpc, IReadOnlyList<byte[]> payloads)
    {
        var token = rpc.Service.Name == "CompanyService" || CompanyBulletinRpcs.Contains(rpc.Name) ? Node.Tokens.Company(Company) : Node.Tokens.NationalPolice();
        var invoker = Node.Channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        });
        var type = (rpc.IsClientStreaming, rpc.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
        var method = new Method<byte[], byte[]>(type, rpc.Service.FullName, rpc.Name, Identity, Identity);
        // A stream that is valid waits for changes: it has said what it had to say within two seconds.
        using var deadline = new CancellationTokenSource(rpc.IsServerStreaming ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(30));
        var options = new CallOptions(cancellationToken: deadline.Token);
        try
        {
            switch (type)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(method, null, options, payloads[0]);
                    break;

                case MethodType.ServerStreaming:
                    using (var call = invoker.AsyncServerStreamingCall(method, null, options, payloads[0]))
                    {
                        await call.ResponseStream.MoveNext(deadline.Token);
                    }

                    break;

                case MethodType.ClientStreaming:
                    using (var call = invoker.AsyncClientStreamingCall(method, null, options))
                    {
                        foreach (var payload in payloads)
                        {
                            await call.RequestStream.WriteAsync(payload);
                        }

                        await call.RequestStream.CompleteAsync();
                        await call.ResponseAsync;
                    }

                    break;

                default:
                    using (var call = invoker.AsyncDuplexStreamingCall(method, null, options))
                    {
                        foreach (var payload in payloads)
                        {
                            await call.RequestStream.WriteAsync(payload);
                        }

                        await call.RequestStream.CompleteAsync();
                        await call.ResponseStream.MoveNext(deadline.Token);
                    }

                    break;
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private static readonly Marshaller<byte[]> Identity = Marshallers.Create(bytes => bytes, bytes => bytes);
}
