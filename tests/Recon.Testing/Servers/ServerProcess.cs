using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recon.Testing.Servers;

/// <summary>
/// A real server process on a free loopback port with its own temp folder, killed (with its children) on dispose.
/// A server that cannot be found or does not start fails the test with its output; it is never skipped.
/// </summary>
public class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    protected ServerProcess(string name, string fileName, IEnumerable<string> arguments, int port, TempFolder folder,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        Name = name;
        Port = port;
        Folder = folder;
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder.Path,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[variable] = value;
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"{name}: could not start {fileName}");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitForPort(TimeSpan.FromSeconds(30));
    }

    public string Name { get; }

    public int Port { get; }

    public TempFolder Folder { get; }

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>A free TCP port on loopback (the OS picks it; a tiny race with other processes is accepted).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the server abruptly, as a crash or a network partition would.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
        Folder.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private void WaitForPort(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before listening on port {Port}:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Kill();
        throw new TimeoutException($"{Name} did not listen on port {Port} within {timeout.TotalSeconds:0} s:\n{Output}");
    }
}
