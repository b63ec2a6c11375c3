using Proto = Coordination.Api.V1;
using Domain = Coordination.Domain;

namespace Coordination.Tests;

/// <summary>The gateway maps several enums by number: the proto and domain enums must agree name for name.</summary>
public sealed class ApiMappingTests
{
    [Fact]
    public void Domain_and_proto_enums_that_are_mapped_by_number_agree_name_for_name()
    {
        AssertSame<Domain.OfferStatus, Proto.OfferStatus>();
        AssertSame<Domain.RequestStatus, Proto.RequestStatus>();
        AssertSame<Domain.AssignmentStatus, Proto.AssignmentStatus>();
        AssertSame<Domain.TimelineKind, Proto.TimelineKind>();
        AssertSame<Domain.IncidentStatus, Proto.IncidentStatus>();
        AssertSame<Domain.UnitStatus, Proto.UnitStatus>();
        AssertSame<Domain.Priority, Proto.Priority>();
    }

    private static void AssertSame<TDomain, TProto>()
        where TDomain : struct, Enum
        where TProto : struct, Enum
    {
        var domain = Enum.GetValues<TDomain>().Select(v => (Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v.ToString()));
        var proto = Enum.GetValues<TProto>().Where(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) != 0)
            .Select(v => (Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture), v.ToString()));
        Assert.Equal(domain, proto);
    }
}
