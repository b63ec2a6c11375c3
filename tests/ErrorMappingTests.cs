using Coordination.Domain;
using Coordination.Gateway.Hosting;
using Grpc.Core;

namespace Coordination.Tests;

/// <summary>What the one error mapping answers for exceptions a cluster throws while it changes: never INTERNAL.</summary>
public sealed class ErrorMappingTests
{
    public static TheoryData<Exception> ClusterConditions => new()
    {
        new OrleansException("current directory entry is stale"),
        new SiloUnavailableException("the target silo is no longer active"),
        new TimeoutException("response did not arrive on time"),
        new OperationCanceledException("the grain is deactivating"),
    };

    [Theory]
    [MemberData(nameof(ClusterConditions))]
    public void A_cluster_condition_is_unavailable_and_never_internal(Exception condition) =>
        Assert.Equal(StatusCode.Unavailable, ErrorMapping.Classify(condition, callCancelled: false).Code);

    [Fact]
    public void The_callers_own_cancellation_is_cancelled_and_a_project_refusal_keeps_its_code()
    {
        Assert.Equal(StatusCode.Cancelled, ErrorMapping.Classify(new OperationCanceledException(), callCancelled: true).Code);
        var wrapped = new OrleansException("error from storage provider", CoordinationException.Precondition("unit is committed"));
        Assert.Equal(StatusCode.FailedPrecondition, ErrorMapping.Classify(wrapped, callCancelled: false).Code);
    }

    [Fact]
    public void What_is_not_the_clusters_condition_is_still_internal() =>
        Assert.Equal(StatusCode.Internal, ErrorMapping.Classify(new NullReferenceException(), callCancelled: false).Code);
}
