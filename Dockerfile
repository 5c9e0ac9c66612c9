# syntax=docker/dockerfile:1
# The image of any service: services/<SERVICE>/<SERVICE>.csproj published as Papers.<SERVICE>.dll.
# Build context = the repository root:
#   docker build --build-arg SERVICE=Api -t papers-api .        (Ingest, Enrichment, Notifications, Api, Analytics, Training, or a new folder)
#   docker build --build-arg SERVICE=Enrichment --build-arg VARIANT=gpu -t papers-enrichment:<tag>-gpu .   (linux/amd64)
# A service project may reference only ServiceDefaults, Domain, Papers.Contracts and Enrichment (Training fits
# Enrichment's tagger, on the base set in tools/Enrichment.Lab/Training): those are all it copies
# (scripts/helm-check.sh checks that each service in the chart builds from what is copied here).
#
# VARIANT=gpu (Enrichment only; the chart's enrichment.gpu.enabled) publishes with -p:UseCuda=true, which
# swaps in Microsoft.ML.OnnxRuntime.Gpu.Linux. Its 1.31 CUDA provider links libcudart.so.13 /
# libcublas.so.13 and loads cuDNN 9, hence a CUDA 13 + cuDNN base image and NVIDIA drivers >= 580 on
# the nodes. Change CUDA_IMAGE together with the package version.
ARG SERVICE
ARG VARIANT=cpu
ARG CUDA_IMAGE=nvidia/cuda:13.1.1-cudnn-runtime-ubuntu24.04

FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SERVICE
ARG VARIANT
ARG TARGETARCH
RUN case "$SERVICE:$VARIANT" in \
      ?*:cpu | Enrichment:gpu) ;; \
      *) echo "use --build-arg SERVICE=<folder under services/> (and VARIANT=gpu only with SERVICE=Enrichment)" >&2; exit 1 ;; \
    esac
WORKDIR /src
# Restore in its own layer: it only changes when a project file or package version does.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY contracts/Papers.Contracts/Papers.Contracts.csproj contracts/Papers.Contracts/
COPY services/ServiceDefaults/ServiceDefaults.csproj services/ServiceDefaults/
COPY services/Domain/Domain.csproj services/Domain/
COPY services/Enrichment/Enrichment.csproj services/Enrichment/
COPY services/${SERVICE}/${SERVICE}.csproj services/${SERVICE}/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet restore services/$SERVICE/$SERVICE.csproj -a $TARGETARCH \
      -p:UseCuda=$([ "$VARIANT" = gpu ] && echo true || echo false)
COPY contracts/Papers.Contracts/ contracts/Papers.Contracts/
COPY services/ServiceDefaults/ services/ServiceDefaults/
COPY services/Domain/ services/Domain/
COPY services/Enrichment/ services/Enrichment/
COPY tools/Enrichment.Lab/Training/ tools/Enrichment.Lab/Training/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN --mount=type=cache,id=nuget,target=/root/.nuget/packages \
    dotnet publish services/$SERVICE/$SERVICE.csproj -c Release --no-restore -a $TARGETARCH -o /app \
      -p:UseCuda=$([ "$VARIANT" = gpu ] && echo true || echo false) -p:UseAppHost=false

# VARIANT=cpu: the ASP.NET Core runtime image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime-cpu

# VARIANT=gpu: the CUDA image with the ASP.NET Core runtime copied from the official Ubuntu 24.04
# (noble) image, same distro as the CUDA base; same user and defaults as the aspnet images, so the
# chart's runAsUser 1654 fits both variants. BuildKit builds only the stages the chosen variant needs.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS aspnet-noble
FROM ${CUDA_IMAGE} AS runtime-gpu
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3t64 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/*
COPY --from=aspnet-noble /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
RUN groupadd --gid "$APP_UID" app \
    && useradd --uid "$APP_UID" --gid app --no-create-home --shell /usr/sbin/nologin app

FROM runtime-${VARIANT} AS final
ARG SERVICE
# The Api's disk search index (USearch's native library) links OpenMP's runtime, libgomp.so.1.
RUN if [ "$SERVICE" = Api ]; then \
      apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY --from=build /app .
# Non-root (uid 1654, the chart's runAsUser); listens on 8080 (ASPNETCORE_HTTP_PORTS in both runtimes).
USER $APP_UID
EXPOSE 8080
# Runs `dotnet Papers.<SERVICE>.dll [args]`. An exec-form ENTRYPOINT cannot expand a build argument,
# so sh fills in the name and execs dotnet: dotnet is still PID 1 (it gets SIGTERM) and the container's
# args pass through (the chart's migration Jobs run `args: [migrate]`).
ENV PAPERS_SERVICE=${SERVICE}
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"Papers.$PAPERS_SERVICE.dll\" \"$@\"", "papers"]
