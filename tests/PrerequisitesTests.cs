namespace Coordination.Tests;

/// <summary>
/// How the tests obtain the programs they drive (PostgreSQL, Chromium) on a fresh machine, with a
/// stand-in installer: the real one runs apt-get, which the PostgreSQL and browser tests exercise.
/// </summary>
public sealed class PrerequisitesTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    private string LockFile => Path.Combine(_folder.Path, "install.lock");

    [Fact]
    public async Task Test_classes_that_need_a_missing_program_at_once_install_it_once()
    {
        var installed = false;
        var installs = 0;
        var prerequisite = new Prerequisite("a program", () => Volatile.Read(ref installed), ["a-package"]);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Prerequisites.EnsureAsync(prerequisite, async packages =>
        {
            Interlocked.Increment(ref installs);
            await Task.Delay(200);
            Volatile.Write(ref installed, true);
            return new Installation(true, "installed");
        }, LockFile))));

        Assert.Equal(1, installs);
    }

    [Fact]
    public async Task A_program_that_cannot_be_installed_fails_with_the_command_that_fixes_it()
    {
        var prerequisite = new Prerequisite("Chromium (/usr/bin/chromium)", () => false, ["chromium"]);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Prerequisites.EnsureAsync(
            prerequisite, _ => Task.FromResult(new Installation(false, "the tests run as ci, not root, and sudo -n asked for a password")), LockFile));

        Assert.Contains("Chromium (/usr/bin/chromium) is missing", failure.Message, StringComparison.Ordinal);
        Assert.Contains("sudo -n asked for a password", failure.Message, StringComparison.Ordinal);
        Assert.Contains("sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y chromium", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_is_there_is_not_installed_again()
    {
        await Prerequisites.EnsureAsync(new Prerequisite("a program", () => true, ["a-package"]),
            _ => throw new InvalidOperationException("installed although present"), LockFile);

        // Nothing was installed, and no lock was taken for it.
        Assert.False(File.Exists(LockFile));
    }

    public void Dispose() => _folder.Dispose();
}
