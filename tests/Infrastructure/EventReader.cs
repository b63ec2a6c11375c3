using System.Text.Json;

namespace Coordination.Tests.Infrastructure;

/// <summary>Reads a server-sent event stream as a browser's EventSource would: one event (id, name, data) at a time, within 10 s.</summary>
internal sealed class EventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream);

    public async Task<(string Id, string Data)> NextAsync(string eventName)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string id = "", name = "", data = "";
        while (await _reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0)
            {
                if (name == eventName)
                {
                    return (id, data);
                }

                name = data = "";
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart());
            switch (field)
            {
                case "id": id = value; break;
                case "event": name = value; break;
                case "data": data += value; break;
            }
        }

        throw new InvalidOperationException("the event stream ended");
    }

    public async Task<(string Id, string Data)> NextWhereAsync(string eventName, Func<JsonElement, bool> wanted)
    {
        while (true)
        {
            var next = await NextAsync(eventName);
            if (wanted(JsonDocument.Parse(next.Data).RootElement))
            {
                return next;
            }
        }
    }

    public void Dispose() => _reader.Dispose();
}
