using Orleans.Dashboard;

namespace Coordination.Gateway.Web;

/// <summary>
/// The browser side, on the HTTP/1.1 endpoint: the web dashboard, its event streams and sign-in, and
/// the Orleans dashboard for operators.
/// </summary>
public static class WebHosting
{
    public static WebApplicationBuilder AddWebDashboard(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StaticAssets>();
        return builder;
    }

    public static WebApplication MapWebDashboard(this WebApplication app)
    {
        app.MapBrowserSession();
        app.MapEventStreams();
        if (app.Configuration.GetValue(GatewayHosting.OrleansDashboardSetting, true))
        {
            app.MapOrleansDashboard(GatewayHosting.OrleansDashboardPath).RequireAuthorization(BrowserSession.OperatorPolicy);
        }

        var assets = app.Services.GetRequiredService<StaticAssets>();
        app.MapGet("/{**path}", (HttpContext http) => assets.Serve(http, http.Request.Path.Value ?? "/"));
        return app;
    }
}
