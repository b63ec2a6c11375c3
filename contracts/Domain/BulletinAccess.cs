namespace Coordination.Domain;

/// <summary>
/// Who may see a bulletin, by its TLP level: the one rule behind reading it, receiving it on a stream
/// and exporting it as CAP (an export carries the level with it, so the receiving system keeps it).
/// </summary>
public static class BulletinAccess
{
    /// <param name="caller">Who asks.</param>
    /// <param name="issuingDistrict">The district that issued the bulletin.</param>
    /// <param name="areaDistricts">Districts the area names, or the districts it lies in.</param>
    /// <param name="tlp">Its level.</param>
    /// <param name="recipient">Whether the caller's company is one of its recipients.</param>
    public static bool MayRead(Caller caller, string issuingDistrict, IReadOnlyCollection<string> areaDistricts, Tlp tlp, bool recipient) => caller.Role switch
    {
        // The issuer and the Police Directorate see everything; police where the area lies see up to
        // AMBER (they may have to act on it); other districts see what the whole cooperation may see.
        CallerRole.Police => caller.National || caller.Covers(issuingDistrict)
            || (tlp <= Tlp.Amber && areaDistricts.Any(caller.Covers))
            || tlp <= Tlp.Green,

        // A company sees only what was addressed to it, at every level (RED goes to its control room).
        CallerRole.Company => recipient,

        // Wall screens are seen by anyone in the room: only what the whole cooperation may see, where they watch.
        CallerRole.Viewer => tlp <= Tlp.Green && (caller.National || caller.Covers(issuingDistrict) || areaDistricts.Any(caller.Covers)),

        _ => false,
    };

    /// <summary>Whether a control room may pass it on to its guards on duty.</summary>
    public static bool MayRelayToGuards(Tlp tlp) => tlp != Tlp.Red;

    /// <summary>The level as TLP 2.0 writes it.</summary>
    public static string Label(Tlp tlp) => tlp switch
    {
        Tlp.Clear => "TLP:CLEAR",
        Tlp.Green => "TLP:GREEN",
        Tlp.Amber => "TLP:AMBER",
        Tlp.AmberStrict => "TLP:AMBER+STRICT",
        Tlp.Red => "TLP:RED",
        _ => throw new ArgumentOutOfRangeException(nameof(tlp), tlp, "not a TLP level"),
    };

    /// <summary>What the level means for the people who receive it, in the words the README uses.</summary>
    public static string Handling(Tlp tlp) => tlp switch
    {
        Tlp.Clear => "No limit on disclosure.",
        Tlp.Green => "Within the police and security cooperation; not for publication.",
        Tlp.Amber => "Recipient companies, their guards, and clients who need it to act; not beyond.",
        Tlp.AmberStrict => "Recipient companies and their own guards only.",
        Tlp.Red => "Recipient control rooms only; not to be relayed to guards.",
        _ => throw new ArgumentOutOfRangeException(nameof(tlp), tlp, "not a TLP level"),
    };
}
