using Coordination.Api.V1;

namespace Coordination.Cli;

/// <summary>coord bulletin watch: the company's bulletin feed, one line per event (see <see cref="EventStream"/>).</summary>
internal static class BulletinStream
{
    public static Task RunAsync(Connection api, string companyId, long after, TextWriter output, TextWriter error, CancellationToken stop) =>
        EventStream.RunAsync(
            api,
            (from, token) => api.Bulletins.WatchBulletins(new WatchBulletinsRequest { CompanyId = companyId, AfterSequence = from }, cancellationToken: token),
            e => new EventStream.Printed(e.Sequence, e.Restarted, $"{e.Sequence,6} {e.Kind,-11} {Lines.Bulletin(e.Bulletin)}"),
            "every outstanding bulletin",
            after,
            output,
            error,
            stop);
}
