using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.Gateway.Security;

/// <summary>
/// Checks each distinct token once and remembers the result until shortly before it expires: a
/// control room sends the same token with thousands of reports, and an ES256 signature check costs
/// far more than the report itself. Only successful results are remembered, with the token string
/// as the key, so nothing weaker than the full check ever decides.
/// </summary>
internal sealed class CachingTokenHandler : JsonWebTokenHandler
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTime Until)> _valid = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = DateTime.UtcNow;
        if (_valid.TryGetValue(token, out var cached) && cached.Until > now)
        {
            return cached.Result;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid)
        {
            if (_valid.Count >= MaxEntries)
            {
                _valid.Clear();
            }

            var expires = result.SecurityToken.ValidTo;
            var until = expires - validationParameters.ClockSkew < now + MaxAge ? expires : now + MaxAge;
            _valid[token] = (result, until);
        }

        return result;
    }
}
