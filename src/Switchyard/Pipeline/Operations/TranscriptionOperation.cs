using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Forwarding;
using Switchyard.Media;
using Switchyard.Metering;
using Switchyard.Pipeline.Steps;
using Switchyard.Routing;

namespace Switchyard.Pipeline.Operations;

/// <summary>
/// A transcription: the multipart upload streams through as it arrives, so it has one attempt —
/// the body cannot be sent twice — and its model is read from the upload's fields.
/// </summary>
internal sealed class TranscriptionOperation(SnapshotMonitor snapshots, RequestMeter meter) : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var dialect = (IMediaDialect)request.Dialect!;
        var context = request.Context;
        var snapshot = snapshots.Current;
        var maxBodyBytes = snapshot.MaxBodyBytes;
        ReadBodyStep.HoldToMinimumRate(context, snapshot.Options.Limits);
        await using var upload = await TranscriptionUpload.ReadAsync(context.Request, maxBodyBytes, UploadLimits.Of(snapshots.Current.Media), request.Aborted);
        request.ModelId = RoutePlanner.Bounded(upload.Field("model")) ?? throw GatewayException.InvalidRequest("'model' is required.", "model");
        request.Catalog = snapshot.Catalog;
        request.Model = RoutePlanner.Resolve(request.Catalog, request.Caller!, request.ModelId, dialect.Surface, RouteOperation.Transcription);
        var (entry, deployment) = DeploymentSelector.Candidates(request.Catalog, request.Model, Random.Shared)[0];
        await meter.AdmitAsync(request, new Reservation(0, 0));
        request.Deployment = deployment;
        request.Telemetry?.Routing(request.Model);
        var outcome = await MediaForwarder.TranscriptionAsync(request, dialect, upload, entry, deployment);
        request.Attempted(deployment, outcome.Committed, outcome.Usage);
        request.Outcome = outcome;
        if (!outcome.Committed)
        {
            await ErrorResponses.WriteAsync(context, outcome.Error!, dialect);
        }
    }
}
