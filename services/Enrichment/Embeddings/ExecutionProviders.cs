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
            catch (Exception ex) when (options.ExecutionProvider == ExecutionProvider.Cuda)
            {
                throw new InvalidOperationException(
                    $"Embedding:ExecutionProvider is Cuda but the CUDA execution provider could not be loaded: {ex.Message}. " +
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
            throw new InvalidOperationException($"The embedding model could not be loaded by ONNX Runtime: {ex.Message}", ex);
        }
    }

    private static Microsoft.ML.OnnxRuntime.SessionOptions NewSessionOptions(EmbeddingOptions options) => new()
    {
        GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        IntraOpNumThreads = options.IntraOpThreads > 0 ? options.IntraOpThreads : Environment.ProcessorCount,
        InterOpNumThreads = 1,
    };
}
