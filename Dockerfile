# syntax=docker/dockerfile:1
# TfMfa: a container action. Build: publish the program with the SDK; run it on the small runtime
# image, next to a pinned terraform whose zip is checked against HashiCorp's published SHA256.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# ReadyToRun (precompiled) for the runner's architecture: it starts faster than JIT-only code
# (docs/performance.md). Trimming is off: Octokit and the AWS SDK bind JSON/XML by reflection.
ARG TARGETARCH=amd64
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/TfMfa.Action/TfMfa.Action.csproj src/TfMfa.Action/
RUN RID="linux-${TARGETARCH/amd64/x64}" && dotnet restore src/TfMfa.Action/TfMfa.Action.csproj -r "$RID" -p:PublishReadyToRun=true
COPY src/TfMfa.Action/ src/TfMfa.Action/
RUN RID="linux-${TARGETARCH/amd64/x64}" && dotnet publish src/TfMfa.Action/TfMfa.Action.csproj -c Release -r "$RID" --self-contained false -p:PublishReadyToRun=true -o /app --no-restore

FROM mcr.microsoft.com/dotnet/runtime:10.0 AS terraform
ARG TERRAFORM_VERSION=1.11.4
ARG TERRAFORM_SHA256_AMD64=1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc
ARG TERRAFORM_SHA256_ARM64=a43d1d0da9b9bab214a8305a39db0e40869572594ccf50c416a7756499143633
RUN apt-get update && apt-get install -y --no-install-recommends curl unzip ca-certificates && rm -rf /var/lib/apt/lists/*
RUN set -eu; \
    arch="$(dpkg --print-architecture)"; \
    case "$arch" in amd64) sum="$TERRAFORM_SHA256_AMD64" ;; arm64) sum="$TERRAFORM_SHA256_ARM64" ;; *) echo "unsupported architecture $arch" >&2; exit 1 ;; esac; \
    curl -fsSL -o /tmp/terraform.zip "https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_${arch}.zip"; \
    echo "$sum  /tmp/terraform.zip" | sha256sum -c -; \
    unzip -d /usr/local/bin /tmp/terraform.zip terraform; \
    /usr/local/bin/terraform version

FROM mcr.microsoft.com/dotnet/runtime:10.0
COPY --from=terraform /usr/local/bin/terraform /usr/local/bin/terraform
COPY --from=build /app /app
# No USER (actions run as root) and no WORKDIR reliance (the runner mounts the workspace and sets it).
ENTRYPOINT ["dotnet", "/app/tfmfa.dll"]
