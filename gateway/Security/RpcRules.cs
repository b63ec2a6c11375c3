using System.Collections.Frozen;
using System.Reflection;
using Coordination.Domain;
using Google.Protobuf.Reflection;
using Proto = Coordination.Api.V1;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Coordination.Gateway.Security;

/// <summary>
/// Every RPC's rule as its proto declares it (<c>option (coordination.v1.rule)</c>), read once from the
/// generated descriptors: who may call it, whether it is an audited command, and what it costs against
/// the caller's rate limit. The caller interceptor applies all three, so an RPC's decisions live beside
/// its declaration and nowhere else; an RPC without one stops the gateway at start.
/// </summary>
internal sealed class RpcRules
{
    private readonly FrozenDictionary<string, DeclaredRule> _byPath;

    private RpcRules(IEnumerable<DeclaredRule> rules) => _byPath = rules.ToFrozenDictionary(r => r.Path, StringComparer.Ordinal);

    /// <summary>The rules of every RPC of the API; throws, naming the RPC, when one declares none.</summary>
    public static RpcRules OfApi() => new(ApiServices().SelectMany(s => s.Methods).Select(DeclaredRule.Of));

    /// <summary>
    /// Every service the API's protos define, found through the generated file descriptors of the API
    /// assembly rather than listed, so a service in a new proto file needs its rules the day it is added.
    /// </summary>
    public static IEnumerable<ServiceDescriptor> ApiServices() => typeof(Proto.RpcRule).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsGenericTypeDefinition)
        .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static, null, typeof(FileDescriptor), [], null)?.GetValue(null))
        .OfType<FileDescriptor>()
        .SelectMany(f => f.Services);

    public IReadOnlyCollection<DeclaredRule> All => _byPath.Values;

    /// <summary>The rule of an RPC by its path (<c>/package.Service/Method</c>); null for what is not the API (health, reflection).</summary>
    public DeclaredRule? Find(string path) => _byPath.GetValueOrDefault(path);
}

/// <summary>One RPC's declared rule (see <c>rpc_rule.proto</c>).</summary>
internal sealed record DeclaredRule(string Path, string Name, IReadOnlySet<Proto.RpcRule.Types.Caller> Callers, bool Command, int Cost, bool StartedByIncident = false)
{
    public static DeclaredRule Of(MethodDescriptor method)
    {
        var options = method.GetOptions();
        var declared = options is not null && options.HasExtension(Proto.RpcRuleExtensions.Rule) ? options.GetExtension(Proto.RpcRuleExtensions.Rule) : null;
        if (declared is null || declared.Callers.Count == 0 || declared.Callers.Contains(Proto.RpcRule.Types.Caller.Unspecified))
        {
            throw new InvalidOperationException(
                $"{method.FullName} declares no rule: give it `option (rule) = {{ callers: [...] }}` in its proto, naming who may call it (and `command: true` if it is audited)");
        }

        if (declared.Command && method.IsClientStreaming && method.IsServerStreaming)
        {
            // CallerInterceptor has no outcome to record for a duplex stream: declaring one a command would audit nothing, silently.
            throw new InvalidOperationException($"{method.FullName} is declared a command, but a bidirectional stream cannot be audited as one");
        }

        if (declared.StartedByIncident && (!declared.Command || method.IsClientStreaming))
        {
            throw new InvalidOperationException($"{method.FullName} declares started_by_incident, which only a unary or server-streaming command can be");
        }

        // A cost above the bucket's size could never be paid; the limiter charges such a call the whole bucket.
        var cost = declared.Cost == 0 ? 1 : (int)Math.Min(declared.Cost, int.MaxValue);
        return new DeclaredRule($"/{method.Service.FullName}/{method.Name}", method.Name, declared.Callers.ToFrozenSet(), declared.Command, cost, declared.StartedByIncident);
    }

    /// <summary>The coarse gate: whether the caller's role is one the RPC is for at all.</summary>
    public bool Admits(Caller caller) => caller.Role switch
    {
        CallerRole.Police => Callers.Contains(Proto.RpcRule.Types.Caller.Police) || (caller.National && Callers.Contains(Proto.RpcRule.Types.Caller.NationalPolice)),
        CallerRole.Company => Callers.Contains(Proto.RpcRule.Types.Caller.Company),
        CallerRole.Viewer => Callers.Contains(Proto.RpcRule.Types.Caller.Viewer),
        _ => false,
    };

    /// <summary>Refuses (PERMISSION_DENIED) a caller whose role the RPC is not for.</summary>
    public void Admit(Caller caller)
    {
        if (!Admits(caller))
        {
            throw new CoordinationException(ErrorKind.PermissionDenied, $"only {string.Join(" or ", Callers.Order().Select(Describe))} may call {Name} ({caller.Actor})");
        }
    }

    private static string Describe(Proto.RpcRule.Types.Caller caller) => caller switch
    {
        Proto.RpcRule.Types.Caller.Police => "police operators",
        Proto.RpcRule.Types.Caller.NationalPolice => "the Police Directorate (national police scope)",
        Proto.RpcRule.Types.Caller.Company => "company systems",
        Proto.RpcRule.Types.Caller.Viewer => "dashboards",
        _ => caller.ToString(),
    };
}
