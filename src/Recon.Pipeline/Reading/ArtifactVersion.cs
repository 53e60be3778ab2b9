using Recon.Core.Artifacts;
using Recon.Core.Ports;

namespace Recon.Pipeline.Reading;

public sealed record ArtifactVersion(IndexRow Row, ArtifactState State);
