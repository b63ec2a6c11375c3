using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// Where an incident keeps the requests that are over. Orleans rewrites the whole incident on every
/// write, so an incident that kept every request it ever had would write more per decision the longer
/// the crisis runs (at 1,000 requests, 300 KB per write: BENCHMARKS, incident size). A request that is
/// over — cancelled, or completed with every unit released — and that holds nothing, waits on no offer
/// and is named by no release under way, is <em>archived</em>: it leaves the live list, waits in the
/// incident's state until <see cref="PageSize"/> of them are together, and is then sealed into a page
/// of its own (<see cref="IRequestPageGrain"/>), as the timeline does with its older events.
/// <para>
/// Nothing about the sealed requests stays in the incident's state, so what it writes per decision does
/// not grow with the crisis. A new request id must still be checked against the archived ones (a retry
/// gets its first answer): the incident reads its pages once per activation and keeps their ids in memory
/// (<see cref="Ids"/>). Offers and units of archived requests are looked for in the pages only when they
/// are not found among the live ones (a late or retried answer, a release repeated).
/// </para>
/// <para>
/// Sealing is two writes, the page then the incident, like the timeline's: if the silo stops between
/// them the incident still holds the requests and writes the same page again. An archived request is
/// never changed in a page: a command that changes one (cancelling a completed request) brings it back
/// to the live list, and the newest copy wins when the incident is read whole (<see cref="Whole"/>).
/// </para>
/// Pure: the incident grain takes one over its state when it needs it.
/// </summary>
internal sealed class RequestArchive(IncidentState state)
{
    public const int PageSize = GrainTuning.RequestPageSize;

    /// <summary>The sealed pages, oldest first, as numbered in their grains' keys.</summary>
    public IEnumerable<int> Pages => Enumerable.Range(0, state.ArchivePages);

    public bool HasPages => state.ArchivePages > 0;

    /// <summary>A request that is over and holds nothing, and that the release under way (if any) does not name.</summary>
    public static bool IsOver(CapacityRequestState request, ReleaseIntent? underWay) =>
        request.Status is RequestStatus.Cancelled or RequestStatus.Completed
        && request.Assignments.TrueForAll(a => a.Status == AssignmentStatus.Released)
        && request.Offers.TrueForAll(o => o.Status != OfferStatus.Pending && o.Intent is null)
        && (underWay is null || (underWay.RequestId != request.Command.RequestId && Array.TrueForAll(underWay.Units, u => u.RequestId != request.Command.RequestId)));

    /// <summary>Numbers requests stored before requests had numbers, in the order the incident kept them.</summary>
    public void NumberOlderRequests()
    {
        if (state.RequestsMade == 0 && state.Requests.Count > 0)
        {
            foreach (var request in state.Requests)
            {
                request.Number = ++state.RequestsMade;
            }
        }
    }

    /// <summary>Adds a new request to the live list with the next number.</summary>
    public void Add(CapacityRequestState request)
    {
        request.Number = ++state.RequestsMade;
        state.Requests.Add(request);
    }

    /// <summary>Moves every request that is over from the live list to the archive (still in the incident's state).</summary>
    public void Collect(ReleaseIntent? underWay)
    {
        for (var i = 0; i < state.Requests.Count; i++)
        {
            var request = state.Requests[i];
            if (IsOver(request, underWay))
            {
                state.Requests.RemoveAt(i--);
                state.Archived.Add(request);
            }
        }
    }

    /// <summary>
    /// The oldest archived requests as the next page to seal, once there is a full page of them; null
    /// until then. A command that archives many at once (closing a large incident) seals several pages.
    /// </summary>
    public RequestPage? PageToSeal => state.Archived.Count >= PageSize ? new RequestPage(state.ArchivePages, [.. state.Archived.Take(PageSize)]) : null;

    /// <summary>The page to seal is stored: the incident counts it and lets go of the requests it holds (written with the incident's next write).</summary>
    public bool Sealed(RequestPage page)
    {
        if (page.Number != state.ArchivePages)
        {
            return false;
        }

        state.ArchivePages++;
        state.Archived.RemoveAll(r => Array.IndexOf(page.Requests, r) >= 0);
        return true;
    }

    /// <summary>A live or not yet sealed request by id.</summary>
    public CapacityRequestState? Find(string requestId) =>
        state.Requests.Find(r => r.Command.RequestId == requestId) ?? state.Archived.Find(r => r.Command.RequestId == requestId);

    /// <summary>The ids of the requests in sealed pages, as read: what a new request id is checked against.</summary>
    public static HashSet<string> Ids(IEnumerable<IReadOnlyList<CapacityRequestState>> pages) =>
        pages.SelectMany(p => p).Select(r => r.Command.RequestId).ToHashSet(StringComparer.Ordinal);

    /// <summary>A request found in a sealed page is to be changed: it comes back to the live list (the page's copy is older).</summary>
    public void BringBack(CapacityRequestState request)
    {
        if (state.Requests.Contains(request))
        {
            return;
        }

        state.Archived.Remove(request);
        state.Requests.Add(request);
    }

    /// <summary>The newest copy of a request by id, looked for in the sealed pages (newest first).</summary>
    public static CapacityRequestState? FindSealed(IReadOnlyList<IReadOnlyList<CapacityRequestState>> pages, Func<CapacityRequestState, bool> match)
    {
        for (var p = pages.Count - 1; p >= 0; p--)
        {
            for (var i = pages[p].Count - 1; i >= 0; i--)
            {
                if (match(pages[p][i]))
                {
                    return pages[p][i];
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Every request in the order the incident received them, given the sealed pages as read (in
    /// <see cref="Pages"/> order): the newest copy of each (pages, then the archive, then the live list).
    /// </summary>
    public List<CapacityRequestState> Whole(IEnumerable<IReadOnlyList<CapacityRequestState>> pages)
    {
        var newest = new Dictionary<string, CapacityRequestState>(StringComparer.Ordinal);
        foreach (var request in pages.SelectMany(p => p).Concat(state.Archived).Concat(state.Requests))
        {
            newest[request.Command.RequestId] = request;
        }

        return [.. newest.Values.OrderBy(r => r.Number)];
    }
}

/// <summary>A page of archived requests to seal: its number and its requests.</summary>
internal sealed record RequestPage(int Number, CapacityRequestState[] Requests);
