using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>Routing an observation's position to a police district, or refusing it, without a cluster.</summary>
public sealed class DistrictRoutingTests
{
    private static DistrictRoute Route(double latitude, double longitude) => DistrictRouting.Current.Route(new GeoPoint(latitude, longitude));

    [Theory]
    [InlineData(59.9133, 10.7389, "oslo")]             // Karl Johans gate
    [InlineData(59.2055, 10.9555, "ost")]              // Fredrikstad, Gamlebyen
    [InlineData(61.1153, 10.4663, "innlandet")]        // Lillehammer
    [InlineData(59.7405, 10.2040, "sor-ost")]          // Drammen station
    [InlineData(58.4615, 8.7724, "agder")]             // Arendal
    [InlineData(59.4138, 5.2680, "sor-vest")]          // Haugesund
    [InlineData(61.4507, 5.8583, "vest")]              // Førde
    [InlineData(62.4722, 6.1495, "more-og-romsdal")]   // Ålesund
    [InlineData(64.0149, 11.4954, "trondelag")]        // Steinkjer
    [InlineData(67.2804, 14.4049, "nordland")]         // Bodø
    [InlineData(69.6492, 18.9553, "troms")]            // Tromsø
    [InlineData(69.9689, 23.2716, "finnmark")]         // Alta
    [InlineData(69.7271, 30.0450, "finnmark")]         // Kirkenes, by the Russian border
    public void A_town_well_inside_a_district_routes_there(double latitude, double longitude, string district)
    {
        var route = Route(latitude, longitude);
        Assert.Equal(RouteRefusal.None, route.Refusal);
        Assert.Equal(district, route.DistrictId);
        Assert.InRange(route.NearestPlaceKm, 0, 5);
    }

    [Theory]
    [InlineData(59.9050, 10.6000, "ost")]        // Stabekk, Bærum, west of the Lysakerelva
    [InlineData(59.8960, 10.6200, "ost")]        // Fornebu, Bærum, facing Oslo's Bygdøy
    [InlineData(59.9210, 10.6450, "oslo")]       // Lilleaker, Oslo, east of the river
    [InlineData(58.2970, 6.6610, "agder")]       // Flekkefjord
    [InlineData(58.3170, 6.2890, "sor-vest")]    // Sogndalstrand, Sokndal, 20 km west of Flekkefjord
    [InlineData(58.4510, 6.0000, "sor-vest")]    // Egersund
    [InlineData(59.8060, 10.3300, "sor-ost")]    // Lierskogen, Lier, between Drammen and Asker
    [InlineData(60.5960, 11.2680, "innlandet")]  // Tangen, Stange, nearer Hurdal than Hamar
    public void A_position_near_a_district_border_routes_to_its_side(double latitude, double longitude, string district) =>
        Assert.Equal(district, Route(latitude, longitude).DistrictId);

    [Theory]
    [InlineData(58.936, 5.480, "sor-vest")]      // 5 km off Tananger, west of Stavanger
    [InlineData(60.300, 4.930, "vest")]          // 5 km off Sotra, west of Bergen
    public void Coastal_waters_route_to_the_district_ashore(double latitude, double longitude, string district)
    {
        var route = Route(latitude, longitude);
        Assert.Equal(RouteRefusal.None, route.Refusal);
        Assert.Equal(district, route.DistrictId);
    }

    [Theory]
    [InlineData(58.936, 5.000)]    // 33 km off Tananger: beyond the territorial sea
    [InlineData(58.500, 3.000)]    // the North Sea
    [InlineData(57.720, 10.580)]   // Skagen, Denmark: no Norwegian coast within reach
    public void Beyond_the_territorial_sea_is_refused_as_at_sea(double latitude, double longitude)
    {
        var route = Route(latitude, longitude);
        Assert.Equal(RouteRefusal.AtSea, route.Refusal);
        Assert.Null(route.DistrictId);
    }

    [Theory]
    [InlineData(59.3793, 13.5036)]   // Karlstad
    [InlineData(58.9395, 11.1712)]   // Strömstad, 20 km from the Norwegian border
    [InlineData(69.0470, 20.7900)]   // Kilpisjärvi, Finland, by the three-country cairn
    [InlineData(68.9585, 33.0827)]   // Murmansk
    public void Land_in_a_neighbouring_country_is_refused_as_abroad(double latitude, double longitude)
    {
        var route = Route(latitude, longitude);
        Assert.Equal(RouteRefusal.Abroad, route.Refusal);
        Assert.Null(route.DistrictId);
    }

    [Theory]
    [InlineData(78.2232, 15.6267)]   // Longyearbyen
    [InlineData(74.4300, 19.0000)]   // Bjørnøya
    [InlineData(70.9800, -8.5000)]   // Jan Mayen
    public void Svalbard_and_Jan_Mayen_are_refused_as_outside_the_districts(double latitude, double longitude)
    {
        var route = Route(latitude, longitude);
        Assert.Equal(RouteRefusal.Svalbard, route.Refusal);
        Assert.Null(route.DistrictId);
    }

    [Fact]
    public void Every_district_headquarters_routes_to_its_own_district()
    {
        foreach (var district in ReferenceData.Current.Districts)
        {
            Assert.Equal(district.Id, DistrictRouting.Current.Route(district.Position).DistrictId);
        }
    }
}
