using System.Security.Cryptography;
using System.Text.Json;
using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// One bulletin: its recipients, their deliveries and acknowledgements, its deadline, its end and the
/// erasure of its text (decisions in <see cref="BulletinLifecycle"/>). Issuing is a resumable command:
/// the district lists the bulletin first (so it is woken after a crash), the bulletin stores itself
/// with its recipients (its intent), an update or end then takes over its predecessor, and the
/// deliveries follow, each recorded by the company's feed before it counts. Whatever a crash or a
/// failed call leaves owed is finished by the bulletin's timer, its district's wake-up or a retry.
/// Its parts: this file (commands and reads) and <c>.Delivery</c> (deliveries and the clock).
/// </summary>
internal sealed partial class BulletinGrain(
    [PersistentState("bulletin", StorageNames.Grains)] IPersistentState<StoredBulletin> state,
    TimeProvider time,
    IOptions<BulletinOptions> options,
    ILogger<BulletinGrain> logger) : Grain, IBulletinGrain
{
    private StoredBulletin S => state.State;

    private string BulletinId => this.GetPrimaryKeyString();

    private string District => BulletinIds.District(BulletinId);

    private DateTimeOffset Now => time.GetUtcNow();

    private TimeSpan Retention => options.Value.RetainTextFor;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Command is not null)
        {
            Timer.Now();
        }

        return Task.CompletedTask;
    }

    public async Task<BulletinView> Issue(IssueBulletin command)
    {
        var hash = CommandHash(command);
        if (S.Command is not null)
        {
            if (S.CommandHash != hash)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"bulletin '{BulletinId}' was issued with different content; choose a new bulletin_id", "bulletin_id");
            }

            // A retry: finish what the first attempt started, then answer as it would have.
            await Finish();
            return Answer();
        }

        if (BulletinIds.Of(command.District, command.BulletinId) != BulletinId)
        {
            throw CoordinationException.Invalid("bulletin_id", $"does not name this bulletin ('{BulletinId}')");
        }

        // Who issued it is who called, as the silo knows the caller, not what the command says.
        if (RequestContext.Get(CallerContext.CallerKey) is Caller caller)
        {
            command = command with { Actor = caller.Actor };
        }

        var now = Now;
        var issued = BulletinRules.Check(command, now);
        var predecessor = issued.References is { } references ? await Predecessor(references) : null;
        var searched = await SearchArea(issued);
        var recipients = await Recipients(issued, predecessor, searched);

        // Listed by its district before it exists, so a crash from here on leaves a bulletin that is woken and finished.
        await GrainFactory.Reference<IDistrictGrain>(District).BulletinRecorded(BulletinId, outstanding: true, wakeAt: null);

        S.Command = issued;
        S.CommandHash = hash;
        S.IssuedAt = now;
        S.Chain = [.. predecessor?.Chain ?? [], BulletinId];
        S.State = issued.Message == BulletinMessage.Alert || issued.Message == BulletinMessage.Update ? BulletinState.Outstanding : BulletinLifecycle.StateAfter(issued.Message);
        S.EndedAt = S.State == BulletinState.Outstanding ? null : now;
        S.Recipients = [.. recipients.Select(c => new StoredRecipient { CompanyId = c })];
        S.ContentSha256 = BulletinLifecycle.ContentSha256(issued);
        S.AreaDistricts = AreaDistricts(issued, predecessor, searched);
        S.PredecessorPending = predecessor is not null;
        await state.WriteStateAsync();

        await Finish();
        return Answer();
    }

    public Task<BulletinView> Get()
    {
        if (S.Command is null)
        {
            throw CoordinationException.NotFound($"no bulletin '{BulletinId}'");
        }

        return Task.FromResult(Answer());
    }

    public Task<BulletinView?> Peek() => Task.FromResult(S.Command is null ? null : BulletinLifecycle.View(BulletinId, S));

    public async Task<BulletinView> Acknowledge(string companyId, Acknowledgement acknowledgement)
    {
        if (S.Command is null || S.Refusal is not null)
        {
            throw CoordinationException.NotFound($"no bulletin '{BulletinId}'");
        }

        if (BulletinLifecycle.Acknowledge(S, BulletinId, companyId, acknowledgement, Now))
        {
            await state.WriteStateAsync();
            TellDistrict();
        }

        return Answer();
    }

    public async Task<BulletinView> Supersede(string successorId, BulletinMessage message)
    {
        if (BulletinLifecycle.Supersede(S, BulletinId, successorId, message, Now))
        {
            await state.WriteStateAsync();
            await Recorded();
            TellDistrict();

            // Its deadline and expiry no longer apply; its erasure does.
            ArmNext();
        }

        return BulletinLifecycle.View(BulletinId, S);
    }

    public Task Wake()
    {
        // Interleaved and quick: the district awaits this while it may be what a command here is waiting on.
        Timer.Now();
        return Task.CompletedTask;
    }

    /// <summary>The bulletin as the caller of this call may see it; everything for calls from grains.</summary>
    private BulletinView Answer()
    {
        var caller = RequestContext.Get(CallerContext.CallerKey) as Caller;
        if (S.Refusal is { } refusal)
        {
            // Only the police who issued it hear why it was refused (it names other bulletins); to anyone else it does not exist.
            throw caller is null || (caller.Role == CallerRole.Police && caller.Covers(District))
                ? CoordinationException.Precondition(refusal)
                : CoordinationException.NotFound($"no bulletin '{BulletinId}'");
        }

        var view = BulletinLifecycle.View(BulletinId, S);
        if (caller is null)
        {
            return view;
        }

        if (!view.ReadableBy(caller))
        {
            throw CoordinationException.Denied($"bulletin '{BulletinId}' is {BulletinAccess.Label(view.Bulletin.Tlp)}: not for {caller.Actor}");
        }

        return view.For(caller);
    }

    private async Task<BulletinView> Predecessor(string references)
    {
        var earlier = await GrainFactory.Reference<IBulletinGrain>(references).Peek()
            ?? throw CoordinationException.NotFound($"references: no bulletin '{references}'");
        if (earlier.State != BulletinState.Outstanding)
        {
            throw CoordinationException.Precondition(earlier.SupersededBy is { } by
                ? $"references: '{references}' was already followed by '{by}'; follow the latest bulletin of the chain"
                : $"references: '{references}' is no longer outstanding ({earlier.State})");
        }

        return earlier;
    }

    /// <summary>
    /// The companies it goes to: the named ones (each must exist and hold a valid licence), or the
    /// licensed companies with units in the area (with the capability, on duty if asked); an update or
    /// an end also goes to everyone who had the bulletin it follows.
    /// </summary>
    private async Task<IReadOnlyList<string>> Recipients(IssueBulletin b, BulletinView? predecessor, IReadOnlyList<(string District, AreaSearch Found)> searched)
    {
        var audience = b.Audience;
        var found = new List<string>();
        if (audience.Kind == AudienceKind.NamedCompanies)
        {
            var companies = await Task.WhenAll(audience.Companies.Select(c => GrainFactory.Reference<ICompanyGrain>(c).Get()));
            for (var i = 0; i < companies.Length; i++)
            {
                if (!companies[i].Registered)
                {
                    throw CoordinationException.Invalid($"audience.companies[{i}]", $"no company '{audience.Companies[i]}' has registered units");
                }

                if (companies[i].Licence != LicenceStatus.Valid)
                {
                    throw CoordinationException.Precondition($"audience.companies[{i}]: company '{audience.Companies[i]}' holds no valid licence ({companies[i].Licence})");
                }

                found.Add(companies[i].CompanyId);
            }
        }
        else
        {
            var candidates = searched.SelectMany(s => s.Found.Companies).Distinct(StringComparer.Ordinal).ToList();
            var companies = await Task.WhenAll(candidates.Select(c => GrainFactory.Reference<ICompanyGrain>(c).Get()));
            found.AddRange(companies.Where(c => c.Licence == LicenceStatus.Valid).Select(c => c.CompanyId));
        }

        return [.. found.Concat(predecessor?.Recipients.Select(r => r.CompanyId) ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The districts the area lies in, for who may read it: the named districts; for a circle or a
    /// polygon, the issuing district and every district with units inside it (the project has no
    /// district outlines; README, "Bulletins").
    /// </summary>
    private static string[] AreaDistricts(IssueBulletin b, BulletinView? predecessor, IReadOnlyList<(string District, AreaSearch Found)> searched) =>
        b.Area.Districts.Length > 0
            ? [.. b.Area.Districts.Distinct(StringComparer.Ordinal)]
            : [.. searched.Where(s => s.Found.AnyUnit).Select(s => s.District).Append(b.District).Concat(predecessor?.AreaDistricts ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// One search of the districts the area may reach, for both the recipients and the districts it
    /// lies in; none when neither needs it (named companies in named districts).
    /// </summary>
    private async Task<IReadOnlyList<(string District, AreaSearch Found)>> SearchArea(IssueBulletin b)
    {
        var area = b.Area;
        if (b.Audience.Kind == AudienceKind.NamedCompanies && area.Districts.Length > 0)
        {
            return [];
        }

        var districts = area.Districts.Length > 0 ? area.Districts.Distinct(StringComparer.Ordinal) : ReferenceData.Current.Districts.Select(d => d.Id);
        var capability = b.Audience.Kind == AudienceKind.Capability ? b.Audience.Capability : null;
        return await Task.WhenAll(districts.Select(async d =>
            (d, await GrainFactory.Reference<IDistrictGrain>(d).CompaniesInArea(area, capability, b.Audience.OnDutyOnly))));
    }

    // The command as sent, less who sent it: the same bulletin retried by another operator of the district is still a retry.
    // Named literals: a request with NaN in it is hashed (and then refused by the checks), not an internal error.
    private static string CommandHash(IssueBulletin command) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command with { Actor = "" }, HashForm)));

    private static readonly JsonSerializerOptions HashForm = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
