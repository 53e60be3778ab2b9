using System.Net;
using System.Net.Sockets;

namespace Recon.Cache.Redis.Tests;

/// <summary>A TCP port that accepts connections (in the kernel's backlog) and never answers: a hung server.</summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public SilentServer()
    {
        _listener.Start(backlog: 512);
    }

    public string Endpoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public void Dispose() => _listener.Dispose();
}
