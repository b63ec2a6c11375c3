using System.Globalization;

namespace Coordination.Bench;

/// <summary>
/// The whole machine's CPU time from /proc/stat (every process, both cores): how busy it was over a
/// run and how much the virtual machine's host took away (steal), which no process can see otherwise.
/// </summary>
internal readonly record struct MachineCpu(long Total, long Idle, long Steal)
{
    public static MachineCpu Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return default;
        }

        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return new MachineCpu(fields.Take(8).Sum(), fields[3] + fields[4], fields[7]);
    }

    public static MachineCpu operator -(MachineCpu after, MachineCpu before) =>
        new(after.Total - before.Total, after.Idle - before.Idle, after.Steal - before.Steal);

    public override string ToString() => Total <= 0
        ? "machine CPU n/a"
        : $"machine busy {100.0 * (Total - Idle) / Total:0} % of both cores, stolen by the host {100.0 * Steal / Total:0.#} %";
}
