using Coordination.Domain;

namespace Coordination.Gateway.Security;

/// <summary>
/// The gateway's authorization rules, one method per kind of access. The silo enforces the same
/// rules again on its side (GrainCallRules), from its own code. Which role may call an RPC at all is
/// declared on the RPC (RpcRules); these are the finer checks that need the request.
/// </summary>
internal static class Access
{
    /// <summary>A company system acting for its own company; a company id in the request must be that one.</summary>
    public static string OwnCompany(this Caller caller, string requestedCompanyId)
    {
        if (caller.Role != CallerRole.Company || caller.CompanyId is null)
        {
            throw Denied(caller, "only a company system may do this");
        }

        if (requestedCompanyId.Length > 0 && requestedCompanyId != caller.CompanyId)
        {
            throw Denied(caller, $"a token for company '{caller.CompanyId}' cannot act for company '{requestedCompanyId}'");
        }

        return caller.CompanyId;
    }

    /// <summary>Police acting in a district they cover (national police cover all).</summary>
    public static void PoliceIn(this Caller caller, string district)
    {
        if (caller.Role != CallerRole.Police)
        {
            throw Denied(caller, "only police operators may do this");
        }

        if (!caller.Covers(district))
        {
            throw Denied(caller, $"police of {caller.Scope} cannot act on district {district}; mutual aid goes through requests that allow neighbouring districts");
        }
    }

    public static void NationalPolice(this Caller caller)
    {
        if (caller.Role != CallerRole.Police || !caller.National)
        {
            throw Denied(caller, "only the Police Directorate (national police scope) may do this");
        }
    }

    /// <summary>
    /// Reading one company (licence, agreements, units): national police, or a company system for its
    /// own company (a company id in the request, if any, must be that one). Returns the company to read.
    /// </summary>
    public static string CompanyReader(this Caller caller, string requestedCompanyId)
    {
        if (caller.Role == CallerRole.Company)
        {
            return caller.OwnCompany(requestedCompanyId);
        }

        caller.NationalPolice();
        return requestedCompanyId;
    }

    /// <summary>Reading a district's incidents: police or dashboards that cover it.</summary>
    public static void ReaderOf(this Caller caller, string district)
    {
        if (!caller.MayRead(district))
        {
            throw Denied(caller, $"{caller.Actor} cannot read district {district}");
        }
    }

    /// <summary>Whether the caller may see a district's incidents (what <see cref="ReaderOf"/> demands), without refusing.</summary>
    public static bool MayRead(this Caller caller, string district) =>
        caller.Role is CallerRole.Police or CallerRole.Viewer && caller.Covers(district);

    /// <summary>Reading capacity figures: any police operator (mutual aid needs the neighbours' figures), or a dashboard within its scope.</summary>
    public static void CapacityReader(this Caller caller, IEnumerable<string> districts, bool national)
    {
        var allowed = caller.Role switch
        {
            CallerRole.Police => true,
            CallerRole.Viewer => caller.National || (!national && districts.All(caller.Covers)),
            _ => false,
        };
        if (!allowed)
        {
            throw Denied(caller, $"{caller.Actor} cannot read these capacity figures");
        }
    }

    private static CoordinationException Denied(Caller caller, string message) =>
        new(ErrorKind.PermissionDenied, $"{message} ({caller.Actor})");
}
