using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Tests;

/// <summary>The compact array matching ranks over: replacing, adding and removing keep one entry per unit, with its latest position.</summary>
public sealed class CandidatePoolTests
{
    private static UnitContribution Unit(string id, double latitude, bool available = true) =>
        new(UnitKey.Of("c1", id), 1, available ? UnitStatus.Available : UnitStatus.Committed, 1, ["patrol"], available, Stale: false, Withdrawn: false, new GeoPoint(latitude, 10));

    private static Dictionary<string, double> Contents(CandidatePool pool)
    {
        var contents = new Dictionary<string, double>();
        foreach (var entry in pool.Entries)
        {
            contents.Add(UnitKey.Parse(entry.Unit.UnitKey).UnitId, entry.Latitude);
        }

        return contents;
    }

    [Fact]
    public void A_unit_set_again_replaces_its_entry_and_a_removal_moves_the_last_entry_into_the_gap()
    {
        var pool = new CandidatePool();
        for (var i = 0; i < 40; i++)
        {
            pool.Set(Unit($"u{i}", 60 + i));
        }

        pool.Set(Unit("u3", 70.5));
        pool.Remove(UnitKey.Of("c1", "u0"));
        pool.Remove(UnitKey.Of("c1", "u39"));
        pool.Remove(UnitKey.Of("c1", "nobody"));
        pool.Remove(UnitKey.Of("c1", "u17"));

        var contents = Contents(pool);
        Assert.Equal(37, pool.Count);
        Assert.Equal(37, contents.Count);
        Assert.Equal(70.5, contents["u3"]);
        Assert.DoesNotContain("u0", contents.Keys);
        Assert.DoesNotContain("u17", contents.Keys);
        Assert.Equal(60 + 38, contents["u38"]);

        // Every unit is still found where the pool says it is (the index followed the moves).
        foreach (var id in contents.Keys)
        {
            Assert.True(pool.TryGetSlot(UnitKey.Of("c1", id), out var slot));
            Assert.Equal(UnitKey.Of("c1", id), pool.Entries[slot].Unit.UnitKey);
        }

        Assert.False(pool.TryGetSlot(UnitKey.Of("c1", "u17"), out _));
    }

    [Fact]
    public void A_hold_stays_with_its_unit_when_entries_move_and_ends_at_its_time()
    {
        var pool = new CandidatePool();
        for (var i = 0; i < 20; i++)
        {
            pool.Set(Unit($"u{i}", 60 + i));
        }

        // u19 is the last entry: removing u2 moves it (and must move its hold) into u2's slot.
        pool.HoldFor(UnitKey.Of("c1", "u19"), new CandidatePool.Hold(UntilTicks: 100, For: "i1/r1"));
        pool.HoldFor(UnitKey.Of("c1", "u2"), new CandidatePool.Hold(UntilTicks: 100, For: "i1/r2"));
        var removed = pool.Remove(UnitKey.Of("c1", "u2"));
        Assert.Equal("i1/r2", removed.For);

        Assert.True(pool.TryGetSlot(UnitKey.Of("c1", "u19"), out var moved));
        Assert.True(pool.HeldForAnother(moved, "i2/r1", nowTicks: 99));
        Assert.False(pool.HeldForAnother(moved, "i1/r1", nowTicks: 99));
        Assert.False(pool.HeldForAnother(moved, "i2/r1", nowTicks: 100));

        // The slot u19 left holds nothing for the unit added next; a unit set again keeps its hold.
        pool.Set(Unit("new", 50));
        Assert.True(pool.TryGetSlot(UnitKey.Of("c1", "new"), out var added));
        Assert.False(pool.HeldForAnother(added, "i2/r1", nowTicks: 0));
        pool.Set(Unit("u19", 55));
        Assert.True(pool.HeldForAnother(moved, "i2/r1", nowTicks: 99));
    }

    [Fact]
    public void A_unit_without_a_position_is_kept_as_such()
    {
        var pool = new CandidatePool();
        pool.Set(new UnitContribution(UnitKey.Of("c1", "nowhere"), 1, UnitStatus.Available, 1, ["patrol"], true, false, false));
        Assert.False(pool.Entries[0].HasPosition);
        Assert.True(pool.Entries[0].Available);
    }
}
