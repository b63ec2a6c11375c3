using System.Security.Cryptography;
using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;
using static Coordination.Tests.Infrastructure.ObservationBuilders;

namespace Coordination.Tests;

/// <summary>What guards saw of people is kept only as long as the retention setting says; the proof of what was sent stays.</summary>
[Collection(BulletinNodeCollection.Name)]
public sealed class ObservationRetentionTests(BulletinNodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Text_messages_and_photo_bytes_are_erased_from_the_stored_rows_after_the_retention_while_hashes_and_the_audit_chain_remain()
    {
        var company = Ids.Company("keep");
        await Node.Company.RegisterUnitsAsync(Register(company, UnitAt("k1", 2, "vest", 60.39, 5.32, "patrol")));
        var marker = $"Ola-{Guid.NewGuid():N}";
        var photo = Jpeg(300 * 1024);
        var guards = Node.Observations(Node.Tokens.Company(company));
        var reported = (await guards.ReportObservationAsync(Sighting("k1", 60.3930, 5.3240, $"{marker} kicked the door of the kiosk", photo))).Observation;
        var police = Node.Observations(Node.Tokens.Police("vest"));
        await police.TriageObservationAsync(new TriageObservationRequest { ObservationId = reported.Id, Stage = ObservationStage.Dismissed, Message = $"{marker} is known to us" });
        var stored = new StoredRows(Node.DataDirectory);
        Assert.True(stored.GrainStateContains(marker) && stored.GrainStateContains(photo.AsSpan(0, 4096)), "the test must see the text and the photo in the rows before they are erased");

        Assert.True(await Eventually.Holds(
            async () => (await police.GetObservationAsync(new GetObservationRequest { ObservationId = reported.Id })).TextErasedAt is not null,
            TimeSpan.FromSeconds(30)), "the text was not erased after its retention time");

        // Gone from the rows, not just from the API; the metadata, the steps and the hashes remain.
        Assert.False(stored.GrainStateContains(marker), "the stored rows still hold the observation's text or the police's message");
        Assert.False(stored.GrainStateContains(photo.AsSpan(0, 4096)), "the stored rows still hold the photo's bytes");
        var after = await police.GetObservationAsync(new GetObservationRequest { ObservationId = reported.Id });
        Assert.Equal(("", reported.ContentSha256, ObservationStage.Dismissed, ""), (after.Text, after.ContentSha256, after.Stage, after.Steps.Single().Message));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(photo)), after.Photos.Single().Sha256);
        var read = await Assert.ThrowsAsync<RpcException>(() => police.GetObservationPhotoAsync(new GetObservationPhotoRequest { ObservationId = reported.Id }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, read.StatusCode);

        var (code, output) = await stored.VerifyAudit();
        Assert.True(code == 0, output);
        Assert.False(stored.AuditContains(marker), "the audit log holds the observation's text");
        Assert.True(stored.AuditContains(after.Photos.Single().Sha256), "the audit log does not hold the photo's hash");
        Assert.True(stored.AuditContains(reported.ContentSha256), "the audit log does not hold the text's hash");
    }
}
