# TfMfa: a container action. Build: publish the program with the SDK; run it on the .NET runtime
# image, next to a pinned terraform whose zip is checked against HashiCorp's published SHA256, with
# git and ssh for terraform's git module sources.
#
# Every build argument's default is the production value. Base images are pinned by exact tag
# (the release workflow records the digests it built from); .NET 10 ships Ubuntu 24.04 "noble"
# images and no Debian ones.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.401-noble
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime:10.0.12-noble

FROM ${SDK_IMAGE} AS build
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

FROM ${RUNTIME_IMAGE} AS terraform
ARG TERRAFORM_VERSION=1.11.4
# HashiCorp's terraform_1.11.4_SHA256SUMS (signed with their release key); see docs/supply-chain.md
# for the two independent sources these were checked against.
ARG TERRAFORM_SHA256_AMD64=1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc
ARG TERRAFORM_SHA256_ARM64=a43d1d0da9b9bab214a8305a39db0e40869572594ccf50c416a7756499143633
# A mirror in HashiCorp's layout (<url>/terraform/<version>/terraform_<version>_linux_<arch>.zip), for air-gapped builders.
ARG TERRAFORM_RELEASES_URL=https://releases.hashicorp.com
RUN apt-get update && apt-get install -y --no-install-recommends curl unzip ca-certificates && rm -rf /var/lib/apt/lists/*
RUN set -eu; \
    arch="$(dpkg --print-architecture)"; \
    case "$arch" in amd64) sum="$TERRAFORM_SHA256_AMD64" ;; arm64) sum="$TERRAFORM_SHA256_ARM64" ;; *) echo "unsupported architecture $arch" >&2; exit 1 ;; esac; \
    curl -fsSL -o /tmp/terraform.zip "${TERRAFORM_RELEASES_URL%/}/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_${arch}.zip"; \
    echo "$sum  /tmp/terraform.zip" | sha256sum -c -; \
    unzip -d /usr/local/bin /tmp/terraform.zip terraform; \
    /usr/local/bin/terraform version

FROM ${RUNTIME_IMAGE}
# What a terraform run needs besides the program and terraform: git and ssh for git module sources
# (git::https://..., git@github.com:...), CA certificates for providers and the backend. The base
# already has a POSIX shell for local-exec, and util-linux's setpriv, through which TfMfa (root here)
# runs terraform as an unprivileged uid of its own.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log
COPY --from=terraform /usr/local/bin/terraform /usr/local/bin/terraform
COPY --from=build /app /app
# No USER (actions run as root) and no WORKDIR reliance (the runner mounts the workspace and sets it).
ENTRYPOINT ["dotnet", "/app/tfmfa.dll"]
