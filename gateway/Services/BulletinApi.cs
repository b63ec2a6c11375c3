using Coordination.Domain;
using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>
/// Bulletins from the police to the companies: thin, it checks ids and the caller's reach, maps and
/// calls grains. What a caller may read of a bulletin is decided by the bulletin (its level), in one place.
/// </summary>
internal sealed class BulletinApi(IGrainFactory grains) : Proto.BulletinService.BulletinServiceBase
{
    public override async Task<Proto.Bulletin> IssueBulletin(Proto.IssueBulletinRequest request, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        var caller = context.Caller();
        caller.PoliceIn(district);
        var bulletinId = Validate.Id(request.BulletinId, "bulletin_id");
        var bulletin = await Bulletin(BulletinIds.Of(district, bulletinId)).Issue(request.ToDomain(caller.Actor));
        return bulletin.ToApi();
    }

    public override async Task<Proto.Bulletin> GetBulletin(Proto.GetBulletinRequest request, ServerCallContext context)
    {
        var bulletin = await Bulletin(Validate.BulletinId(request.BulletinId, "bulletin_id")).Get();
        return bulletin.ToApi();
    }

    public override async Task<Proto.ListBulletinsResponse> ListBulletins(Proto.ListBulletinsRequest request, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        var caller = context.Caller();
        if (caller.Role != CallerRole.Police)
        {
            caller.ReaderOf(district);
        }

        var ids = await grains.Reference<IDistrictGrain>(district).ListBulletins(request.IncludeEnded);
        return new Proto.ListBulletinsResponse { Bulletins = { await Readable(ids) } };
    }

    public override async Task<Proto.ListBulletinsResponse> ListCompanyBulletins(Proto.ListCompanyBulletinsRequest request, ServerCallContext context)
    {
        var companyId = context.Caller().OwnCompany(request.CompanyId);
        var ids = await grains.Reference<ICompanyBulletinsGrain>(companyId).Outstanding();
        return new Proto.ListBulletinsResponse { Bulletins = { await Readable(ids) } };
    }

    public override async Task WatchBulletins(Proto.WatchBulletinsRequest request, IServerStreamWriter<Proto.BulletinEvent> responseStream, ServerCallContext context)
    {
        var companyId = context.Caller().OwnCompany(request.CompanyId);
        if (request.AfterSequence < 0)
        {
            throw CoordinationException.Invalid("after_sequence", "must be 0 (from the start) or a sequence number received");
        }

        await using var watch = await BulletinWatch.StartAsync(grains, companyId, request.AfterSequence);
        foreach (var e in watch.Start.Events)
        {
            // The feed holds ids only: each bulletin is read as this company may see it now.
            var bulletin = await Bulletin(e.BulletinId).Get();
            await responseStream.WriteAsync(e.ToApi(bulletin, watch.Start.Restarted), context.CancellationToken);
            watch.LastSent = Math.Max(watch.LastSent, e.Sequence);
        }

        await foreach (var notice in watch.ReadAllAsync(context.CancellationToken))
        {
            if (notice is null || notice.Event.Sequence > watch.LastSent + 1)
            {
                // Something was missed (see BulletinWatch): what the feed holds after the last one sent, first.
                var since = await watch.SinceAsync(watch.LastSent);
                foreach (var e in since.Events.Where(e => e.Sequence > watch.LastSent && (notice is null || e.Sequence < notice.Event.Sequence)))
                {
                    await responseStream.WriteAsync(e.ToApi(await Bulletin(e.BulletinId).Get(), restarted: false), context.CancellationToken);
                    watch.LastSent = e.Sequence;
                }
            }

            if (notice is null || notice.Event.Sequence <= watch.LastSent)
            {
                continue;
            }

            await responseStream.WriteAsync(notice.Event.ToApi(notice.Bulletin, restarted: false), context.CancellationToken);
            watch.LastSent = notice.Event.Sequence;
        }
    }

    public override async Task<Proto.Bulletin> AcknowledgeBulletin(Proto.AcknowledgeBulletinRequest request, ServerCallContext context)
    {
        var companyId = context.Caller().OwnCompany(request.CompanyId);
        var bulletin = await Bulletin(Validate.BulletinId(request.BulletinId, "bulletin_id")).Acknowledge(companyId, request.ToDomain());
        return bulletin.ToApi();
    }

    public override async Task<Proto.CapDocument> ExportBulletinCap(Proto.ExportBulletinCapRequest request, ServerCallContext context)
    {
        var id = Validate.BulletinId(request.BulletinId, "bulletin_id");
        var bulletin = await Bulletin(id).Get();
        var caller = context.Caller();
        if (bulletin.Bulletin.Tlp >= Tlp.AmberStrict && !bulletin.IsRecipient(caller.CompanyId))
        {
            // The document leaves the system: at these levels only to the companies it was addressed to.
            throw new CoordinationException(ErrorKind.PermissionDenied, $"bulletin '{id}' is {BulletinAccess.Label(bulletin.Bulletin.Tlp)}: it is exported only to its recipient companies ({caller.Actor})");
        }

        if (bulletin.TextErasedAt is { } erased)
        {
            throw CoordinationException.Precondition($"bulletin '{id}' had its text erased on {erased:u} (retention of personal data); only its metadata remains");
        }

        // The chain's earlier bulletins, for CAP's references: each as this caller may read it (their level may differ).
        var earlier = await Readable(bulletin.Chain.Where(c => c != id));
        var references = earlier.Select(e => new CapAlert.Reference(e.DistrictId, BulletinIds.Local(e.Id), e.IssuedAt.ToDateTimeOffset())).ToList();
        var xml = CapAlert.Write(bulletin.Bulletin, bulletin.IssuedAt, references, [.. bulletin.Recipients.Select(r => r.CompanyId)]);
        return new Proto.CapDocument
        {
            BulletinId = id,
            ContentType = "application/cap+xml",
            Xml = xml.Declaration + Environment.NewLine + xml.Root,
        };
    }

    private IBulletinGrain Bulletin(string id) => grains.Reference<IBulletinGrain>(id);

    /// <summary>The bulletins the caller may read, in the order given; the others are left out, not refused.</summary>
    private async Task<IEnumerable<Proto.Bulletin>> Readable(IEnumerable<string> ids)
    {
        var read = await Task.WhenAll(ids.Select(async id =>
        {
            try
            {
                return await Bulletin(id).Get();
            }
            catch (CoordinationException e) when (e.Code is ErrorKind.PermissionDenied or ErrorKind.NotFound or ErrorKind.FailedPrecondition)
            {
                return null;
            }
        }));
        return read.OfType<BulletinView>().Select(b => b.ToApi());
    }
}
