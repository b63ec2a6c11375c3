using Coordination.Domain;
using Coordination.Silo.Security;
using Orleans.Runtime;

namespace Coordination.Tests;

/// <summary>
/// The silo decides every grain method once, in one table: the rule a call straight from a gateway
/// must pass, or "internal" (grains, or a gateway on its own behalf, only).
/// </summary>
public sealed class GrainCallRulesTests
{
    // Grain interfaces live in the contracts, and in the silo where only the silo's grains call them (an incident's request pages).
    private static readonly System.Reflection.Assembly[] Declaring = [typeof(IIncidentGrain).Assembly, typeof(Coordination.Silo.Grains.IRequestPageGrain).Assembly];

    /// <summary>Every method of every grain and observer interface in the contracts and the silo, with the interfaces they inherit from there.</summary>
    private static List<(Type Interface, string Method)> GrainMethods() =>
        [.. Declaring.SelectMany(a => a.GetTypes())
            .Where(t => t.IsInterface && typeof(IAddressable).IsAssignableFrom(t))
            .SelectMany(t => t.GetInterfaces().Prepend(t))
            .Where(t => Declaring.Contains(t.Assembly))
            .Distinct()
            .SelectMany(t => t.GetMethods().Select(m => (t, m.Name)))];

    [Fact]
    public void Every_method_of_every_grain_interface_has_an_authorization_decision_in_the_silo()
    {
        var methods = GrainMethods();

        var undecided = methods.Where(m => !GrainCallRules.Table.ContainsKey(m)).Select(m => $"{m.Interface.Name}.{m.Method}").ToList();
        Assert.True(undecided.Count == 0,
            $"grain methods without an authorization decision in silo/Security/GrainCallRules.cs (an Entry rule, or Internal): {string.Join(", ", undecided)}");
        Assert.Empty(GrainCallRules.Table.Keys.Except(methods).Select(m => $"{m.Interface.Name}.{m.Method}"));
    }

    [Fact]
    public void An_internal_method_is_refused_to_every_caller_even_the_one_whose_grain_it_is()
    {
        var commit = GrainCallRules.For(typeof(IGuardUnitGrain).GetMethod(nameof(IGuardUnitGrain.Commit)))!;
        var append = GrainCallRules.For(typeof(IAuditLogGrain).GetMethod(nameof(IAuditLogGrain.Append)))!;

        Assert.False(commit.Allows(new Caller("room", CallerRole.Company, [], false, "acme"), UnitKey.Of("acme", "u1"), null!));
        Assert.False(append.Allows(new Caller("pod", CallerRole.Police, [], true, null), IAuditLogGrain.Key, null!));
    }

    [Fact]
    public void An_entry_rule_lets_through_only_the_callers_it_names()
    {
        var report = GrainCallRules.For(typeof(IGuardUnitGrain).GetMethod(nameof(IGuardUnitGrain.ReportStatus)))!;
        var read = GrainCallRules.For(typeof(IDistrictGrain).GetMethod(nameof(IDistrictGrain.GetCapacity)))!;

        Assert.True(report.Allows(new Caller("room", CallerRole.Company, [], false, "acme"), UnitKey.Of("acme", "u1"), null!));
        Assert.False(report.Allows(new Caller("room", CallerRole.Company, [], false, "other"), UnitKey.Of("acme", "u1"), null!));
        Assert.True(read.Allows(new Caller("screen", CallerRole.Viewer, ["oslo"], false, null), "oslo", null!));
        Assert.False(read.Allows(new Caller("screen", CallerRole.Viewer, ["oslo"], false, null), "vest", null!));
    }
}
