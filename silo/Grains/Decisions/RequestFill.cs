using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// How full one capacity request may get: "a request never receives more than it asked for" lives
/// here. Guards are counted three ways: asked for, ever committed (released ones included, because a
/// release does not reopen a request) and pending in offers not yet answered.
/// <list type="bullet">
/// <item>New offers ask only for what is neither committed nor pending (<see cref="Need"/>).</item>
/// <item>An answer commits at most its offer, and at most what is not yet committed (<see cref="RoomFor"/>):
/// its own pending guards are its room.</item>
/// <item>Units are never split: of the units that did commit, those that no longer fit are let go
/// again, and an all-or-nothing answer that cannot be honoured whole keeps none (<see cref="Keep"/>).</item>
/// <item>Once nothing is pending the request is settled (<see cref="Settle"/>), and a settled request
/// that holds no unit any more is completed (<see cref="Completes"/>).</item>
/// </list>
/// Pure: the incident grain takes a fresh one from its state for each decision and applies it.
/// </summary>
/// <param name="HoldsUnits">Whether any assignment is not yet released.</param>
internal sealed record RequestFill(RequestStatus Status, int Asked, int EverCommitted, int Pending, bool HoldsUnits, bool AllowPartial)
{
    public static RequestFill Of(CapacityRequestState request) => new(
        request.Status, request.Command.Guards, request.EverCommittedGuards, request.PendingGuards,
        request.Assignments.Any(a => a.Status != AssignmentStatus.Released), request.Command.AllowPartial);

    /// <summary>Guards new offers may still ask for.</summary>
    public int Need => Asked - EverCommitted - Pending;

    /// <summary>The most guards an answer to an offer of <paramref name="offerGuards"/> may commit.</summary>
    public int RoomFor(int offerGuards) => Math.Min(offerGuards, Asked - EverCommitted);

    /// <summary>
    /// Which of the units that committed to an offer the request keeps: in the order given, each one
    /// that still fits the room. The rest are released again. When the answer is all or nothing and a
    /// unit failed to commit (<paramref name="anyFailed"/>) or did not fit, nothing is kept.
    /// </summary>
    public Keeping<T> Keep<T>(int offerGuards, IEnumerable<T> committed, Func<T, int> guardsOf, bool allOrNothing, bool anyFailed)
    {
        var room = RoomFor(offerGuards);
        var kept = new List<T>();
        var tooMany = new List<T>();
        foreach (var unit in committed)
        {
            var guards = guardsOf(unit);
            if (guards <= room)
            {
                kept.Add(unit);
                room -= guards;
            }
            else
            {
                tooMany.Add(unit);
            }
        }

        return allOrNothing && (anyFailed || tooMany.Count > 0)
            ? new Keeping<T>([], [.. kept, .. tooMany], 0, Refused: true)
            : new Keeping<T>(kept, tooMany, kept.Sum(guardsOf), Refused: false);
    }

    /// <summary>
    /// What a request still seeking becomes once no offer is pending: filled when every guard asked
    /// for was committed; partly filled when some were and partial fill is allowed; otherwise unable
    /// to fill (the incident then releases whatever it holds). Null while it is not yet settled.
    /// </summary>
    /// <param name="smallestTooLarge">The smallest unit matching saw that held more guards than were needed, if any: it explains an empty request.</param>
    public Settlement? Settle(int? smallestTooLarge)
    {
        if (Status != RequestStatus.Seeking || Pending > 0)
        {
            return null;
        }

        if (EverCommitted >= Asked)
        {
            return new Settlement(RequestStatus.Filled, EverCommitted, null);
        }

        var missing = Asked - EverCommitted;
        if (EverCommitted > 0 && AllowPartial)
        {
            return new Settlement(RequestStatus.PartiallyFilled, missing, $"{missing} of {Asked} guards could not be found");
        }

        var reason = EverCommitted > 0
            ? $"only {EverCommitted} of {Asked} guards could be found and partial fill is not allowed"
            : smallestTooLarge is { } smallest
                ? $"no available unit small enough: units are not split, and the smallest available unit with this capability has {smallest} guards"
                : "no available units with this capability";
        return new Settlement(RequestStatus.UnableToFill, Asked, reason);
    }

    /// <summary>A filled (or partly filled) request whose units are all released, and which waits on no offer, is completed.</summary>
    public bool Completes => Status is RequestStatus.Filled or RequestStatus.PartiallyFilled && !HoldsUnits && Pending == 0;
}

/// <summary>What an answer keeps: <paramref name="Kept"/> become assignments, <paramref name="Released"/> are let go again.</summary>
/// <param name="Refused">An all-or-nothing answer that could not be honoured whole: the offer stays open.</param>
internal sealed record Keeping<T>(IReadOnlyList<T> Kept, IReadOnlyList<T> Released, int KeptGuards, bool Refused);

/// <summary>How a request settles: its new status, the guards its timeline event names, and why it fell short.</summary>
internal sealed record Settlement(RequestStatus Status, int Guards, string? Reason);
