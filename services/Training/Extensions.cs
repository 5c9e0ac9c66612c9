using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Composition;
using Papers.ServiceDefaults.Data;
using Papers.ServiceDefaults.Embeddings;
using Papers.Training.Apis;
using Papers.Training.Consumers;
using Papers.Training.Data;
using Papers.Training.Retraining;

namespace Papers.Training;

public static class Extensions
{
    /// <summary>Training: labelled examples from the events, retraining (scheduled and on request), the model registry and promotion.</summary>
    /// <remarks>Needs an <see cref="ITextEmbedder"/> from the host: Enrichment's model, so that models fit the vectors Enrichment makes.</remarks>
    public static ServiceModule AddTraining(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<TrainingDbContext>("Training");
        builder.AddOutbox<TrainingDbContext>();
        builder.Services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>();
        builder.Services.AddScoped<BaseTrainingSet>();
        builder.Services.AddScoped<ModelRegistry>();
        builder.Services.AddScoped<Retrainer>();
        builder.Services.AddHostedService<RetrainScheduler>();
        builder.Services.AddHostedService<BaseSetWarmUp>();
        // Where Enrichment runs in this host too, it reads promoted models from the registry, not over HTTP.
        builder.Services.Replace(ServiceDescriptor.Singleton<ITaggerModelSource, RegistryTaggerModelSource>());

        return builder.AddModule(new ServiceModule("Training",
            bus => bus.AddConsumer<CollectLabelledExampleConsumer>(), typeof(ITextEmbedder)));
    }

    public static WebApplication MapTraining(this WebApplication app)
    {
        app.MapTrainingApi();
        return app;
    }
}
