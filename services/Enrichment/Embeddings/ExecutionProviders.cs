using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Papers.Enrichment.Embeddings;

/// <summary>Builds the ONNX Runtime session on the configured execution provider, with the CPU fallback of <c>Auto</c>.</summary>
internal static class ExecutionProviders
{
    public static (InferenceSession Session, ExecutionProvider Active) CreateSession(byte[] model, EmbeddingOptions options, ILogger logger)
    {
        if (options.ExecutionProvider is ExecutionProvider.Cuda or ExecutionProvider.Auto)
        {
            try
            {
                using var cuda = NewSessionOptions(options);
                cuda.AppendExecutionProvider_CUDA(options.CudaDeviceId);
                return (new InferenceSession(model, cuda), ExecutionProvider.Cuda);
            }
            catch (Exception ex) when (options.ExecutionProvider == ExecutionProvider.Auto && ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                logger.LogWarning("Embedding:ExecutionProvider is Auto and CUDA could not be loaded ({Reason}); running embeddings on the CPU",
                    ex.Message.Split('\n')[0]);
            }
            catch (Exception ex) when (options.ExecutionProvider == ExecutionProvider.Cuda && ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                throw new InvalidOperationException(
                    $"Embedding:ExecutionProvider is Cuda but the CUDA execution provider could not be loaded: {ex.Message.Split('\n')[0]} " +
                    "Use the GPU image (built with -p:UseCuda=true) on a node with an NVIDIA driver, or set Embedding:ExecutionProvider to Auto or Cpu.", ex);
            }
        }
        using var cpu = NewSessionOptions(options);
        try
        {
            return (new InferenceSession(model, cpu), ExecutionProvider.Cpu);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException($"The embedding model could not be loaded by ONNX Runtime: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    internal static Microsoft.ML.OnnxRuntime.SessionOptions NewSessionOptions(EmbeddingOptions options)
    {
        var session = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = options.GraphOptimization switch
            {
                GraphOptimization.None => GraphOptimizationLevel.ORT_DISABLE_ALL,
                GraphOptimization.Basic => GraphOptimizationLevel.ORT_ENABLE_BASIC,
                GraphOptimization.Extended => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
                _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
            },
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.EffectiveIntraOpThreads,
            InterOpNumThreads = 1,
        };
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");
        return session;
    }
}
