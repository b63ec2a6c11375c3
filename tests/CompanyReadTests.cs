using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// The Police Directorate reads a company (licence, agreements, units) and lists every company; a
/// company system reads its own company and no other. Reads change nothing and are not audited.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class CompanyReadTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task National_police_read_a_company_with_its_licence_agreements_and_units_per_district()
    {
        var company = Ids.Company("read");
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("o1", 2, "oslo"), Unit("o2", 3, "oslo"), Unit("v1", 4, "vest")));
        await Node.Police.SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = company, Licence = LicenceStatus.Suspended, Reason = "audit pending" });
        await Node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.High, Priority.Urgent } });

        var read = await Node.Police.GetCompanyAsync(new GetCompanyRequest { CompanyId = company });

        Assert.Equal(company, read.CompanyId);
        Assert.Equal($"Company {company}", read.Name);
        Assert.Equal((LicenceStatus.Suspended, "audit pending"), (read.Licence, read.LicenceReason));
        Assert.Equal([Priority.Urgent, Priority.High], read.FrameworkAgreements);
        Assert.Equal(3, read.Units);
        Assert.Equal(["oslo 2", "vest 1"], read.UnitsByDistrict.Select(d => $"{d.DistrictId} {d.Units}"));
        Assert.Equal(0, read.OutstandingOffers);
    }

    [Fact]
    public async Task A_company_reads_its_own_company_and_no_other()
    {
        var own = Ids.Company("own");
        var other = Ids.Company("other");
        await Node.Company.RegisterUnitsAsync(Register(own, Unit("a1")));
        await Node.Company.RegisterUnitsAsync(Register(other, Unit("b1")));
        var asOwn = Node.PoliceWith(Node.Tokens.Company(own));

        var implicitly = await asOwn.GetCompanyAsync(new GetCompanyRequest());
        var explicitly = await asOwn.GetCompanyAsync(new GetCompanyRequest { CompanyId = own });
        var another = await Assert.ThrowsAsync<RpcException>(async () => await asOwn.GetCompanyAsync(new GetCompanyRequest { CompanyId = other }));

        Assert.Equal((own, 1), (implicitly.CompanyId, implicitly.Units));
        Assert.Equal(own, explicitly.CompanyId);
        Assert.Equal(StatusCode.PermissionDenied, another.StatusCode);
    }

    [Fact]
    public async Task Reading_a_company_that_registered_nothing_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.GetCompanyAsync(new GetCompanyRequest { CompanyId = Ids.Company("nobody") }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Only_national_police_read_a_company_or_the_list_of_companies()
    {
        var company = Ids.Company("guarded");
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("g1")));
        var attempts = new (string Who, Func<Task> Call)[]
        {
            ("district police, one company", () => Node.PoliceWith(Node.Tokens.Police("oslo")).GetCompanyAsync(new GetCompanyRequest { CompanyId = company }).ResponseAsync),
            ("a viewer, one company", () => Node.PoliceWith(Node.Tokens.Viewer()).GetCompanyAsync(new GetCompanyRequest { CompanyId = company }).ResponseAsync),
            ("district police, the list", () => Node.PoliceWith(Node.Tokens.Police("oslo")).ListCompaniesAsync(new ListCompaniesRequest()).ResponseAsync),
            ("the company itself, the list", () => Node.PoliceWith(Node.Tokens.Company(company)).ListCompaniesAsync(new ListCompaniesRequest()).ResponseAsync),
            ("a viewer, the list", () => Node.PoliceWith(Node.Tokens.Viewer()).ListCompaniesAsync(new ListCompaniesRequest()).ResponseAsync),
        };

        foreach (var (who, call) in attempts)
        {
            var error = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal((who, StatusCode.PermissionDenied), (who, error.StatusCode));
        }
    }

    [Fact]
    public async Task The_list_of_companies_pages_through_every_registered_company_once_in_id_order()
    {
        var prefix = $"list-{Guid.NewGuid():N}"[..13];
        string[] ours = [$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"];
        foreach (var company in ours.Reverse())
        {
            await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1", 2, "innlandet")));
        }

        var pages = new List<ListCompaniesResponse>();
        var request = new ListCompaniesRequest { PageSize = 2 };
        do
        {
            pages.Add(await Node.Police.ListCompaniesAsync(request));
            request.PageToken = pages[^1].NextPageToken;
        }
        while (request.PageToken.Length > 0 && pages.Count < 10_000);

        var listed = pages.SelectMany(p => p.Companies).Select(c => c.CompanyId).ToList();
        Assert.All(pages, p => Assert.InRange(p.Companies.Count, 0, 2));
        Assert.Equal(listed.Order(StringComparer.Ordinal), listed);
        Assert.Equal(listed.Distinct(), listed);
        Assert.Equal(ours, listed.Where(c => c.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.All(pages.SelectMany(p => p.Companies).Where(c => c.CompanyId.StartsWith(prefix, StringComparison.Ordinal)),
            c => Assert.Equal(["innlandet 1"], c.UnitsByDistrict.Select(d => $"{d.DistrictId} {d.Units}")));
    }

    [Theory]
    [InlineData(-1, "", "page_size")]
    [InlineData(10, "not a token", "page_token")]
    public async Task A_bad_page_is_invalid_argument_naming_the_field(int pageSize, string pageToken, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await Node.Police.ListCompaniesAsync(new ListCompaniesRequest { PageSize = pageSize, PageToken = pageToken }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Field());
    }

    [Fact]
    public async Task A_page_larger_than_the_limit_is_read_as_the_limit()
    {
        // Enough companies for the limit to show, whatever other tests registered.
        var prefix = $"many-{Guid.NewGuid():N}"[..13];
        await Task.WhenAll(Enumerable.Range(0, 501).Select(i => Node.Company.RegisterUnitsAsync(Register($"{prefix}-{i:000}", Unit("u1"))).ResponseAsync));

        var page = await Node.Police.ListCompaniesAsync(new ListCompaniesRequest { PageSize = 10_000 });

        Assert.Equal(500, page.Companies.Count);
        Assert.NotEmpty(page.NextPageToken);
    }
}
