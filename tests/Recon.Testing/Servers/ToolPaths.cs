namespace Recon.Testing.Servers;

/// <summary>Where the test servers live: redis-server on PATH, the npm servers under tools/node_modules (npm ci --prefix tools).</summary>
public static class ToolPaths
{
    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string NodeBin(string name)
    {
        var path = Path.Combine(RepositoryRoot, "tools", "node_modules", ".bin", name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"{name} is not installed at {path}. Run tools/test.sh (or `npm ci --prefix tools`) to install the pinned test servers.", path);
        }

        return path;
    }

    /// <summary>A script of tools/ that runs an npm package installed there (one without a command of its own).</summary>
    public static string NodeScript(string script, string package)
    {
        var module = Path.Combine(RepositoryRoot, "tools", "node_modules", package);
        if (!Directory.Exists(module))
        {
            throw new FileNotFoundException(
                $"{package} is not installed at {module}. Run tools/test.sh (or `npm ci --prefix tools`) to install the pinned test servers.", module);
        }

        return Path.Combine(RepositoryRoot, "tools", script);
    }

    public static string OnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"{name} is not on PATH. Run tools/test.sh, which installs it (apt-get install -y redis-server).", name);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recon.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"Recon.sln not found above {AppContext.BaseDirectory}");
    }
}
