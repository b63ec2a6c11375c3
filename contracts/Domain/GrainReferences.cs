namespace Coordination.Domain;

/// <summary>
/// Grain references without Orleans' type lookup on every call. <c>IGrainFactory.GetGrain&lt;T&gt;(key)</c>
/// finds the interface's grain type by reflection (its custom attributes, then its name) each time it
/// is called, uncached, and a request makes a dozen references. An interface's grain type does not
/// change while the process runs, so the first ordinary <c>GetGrain</c> of each interface learns it and
/// every later reference is made from it directly. (A thread-time trace put 7.8 % of the capacity
/// path's samples under the lookup; A/B pairs measured no change beyond the noise: BENCHMARKS, session 10.)
/// </summary>
public static class GrainReferences
{
    /// <summary>The grain of interface <typeparamref name="T"/> with this key; the same reference <c>GetGrain</c> gives.</summary>
    public static T Reference<T>(this IGrainFactory grains, string key) where T : IGrainWithStringKey
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (Types<T>.Known is { } known)
        {
            return (T)grains.GetGrain(GrainId.Create(known.Grain, key), known.Interface);
        }

        var grain = grains.GetGrain<T>(key);

        // A client that has not yet heard which grain implements the interface gets a placeholder type
        // ("sys.grain.stub..."), resolved later; only a real grain type is kept.
        if (grain is GrainReference reference && !reference.GrainId.Type.ToString()!.StartsWith(GrainTypePrefix.SystemPrefix, StringComparison.Ordinal))
        {
            Types<T>.Known = new(reference.GrainId.Type, reference.InterfaceType);
        }

        return grain;
    }

    private static class Types<T>
    {
        // Written once per interface; a race writes the same value twice.
        public static KnownTypes? Known;
    }

    private sealed record KnownTypes(GrainType Grain, GrainInterfaceType Interface);
}
