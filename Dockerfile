# TfMfa: a container action. Three stages:
#   build   publishes tfmfa as the Azure task does (self-contained, trimmed, one file: no .NET runtime
#           in the image), plus ReadyToRun and an uncompressed bundle, which start it in a quarter of
#           the time (registries compress layers anyway; docs/performance.md, section 7);
#   rootfs  installs Debian 12's packages for what a terraform run needs (a POSIX shell, git, ssh, CA
#           certificates, util-linux's setpriv), fetches terraform and checks it against HashiCorp's
#           published SHA256, and assembles just those files (image/assemble-rootfs);
#   final   FROM scratch: that file system, terraform and tfmfa, nothing else (no package manager).
#
# Every build argument's default is the production value. Base images are pinned by exact tag
# (the release workflow records the digests it built from).
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0.401-noble
ARG DEBIAN_IMAGE=debian:12.15-slim

FROM ${SDK_IMAGE} AS build
# -p:TfMfaTaskBinary=true: see src/TfMfa.Action/TfMfa.Action.csproj (the trimming both the container
# and the Azure task's tests run through).
ARG TARGETARCH=amd64
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/TfMfa.Action/TfMfa.Action.csproj src/TfMfa.Action/
RUN RID="linux-${TARGETARCH/amd64/x64}" && dotnet restore src/TfMfa.Action/TfMfa.Action.csproj -r "$RID" -p:TfMfaTaskBinary=true -p:PublishReadyToRun=true
COPY src/TfMfa.Action/ src/TfMfa.Action/
RUN RID="linux-${TARGETARCH/amd64/x64}" && dotnet publish src/TfMfa.Action/TfMfa.Action.csproj -c Release -r "$RID" -p:TfMfaTaskBinary=true -p:PublishReadyToRun=true -p:EnableCompressionInSingleFile=false -o /app --no-restore

FROM ${DEBIAN_IMAGE} AS rootfs
RUN apt-get update \
    && apt-get install -y --no-install-recommends bash busybox ca-certificates curl git libssl3 libstdc++6 openssh-client unzip util-linux \
    && rm -rf /var/lib/apt/lists/*
ARG TERRAFORM_VERSION=1.11.4
# HashiCorp's terraform_1.11.4_SHA256SUMS (signed with their release key); see docs/supply-chain.md
# for the two independent sources these were checked against.
ARG TERRAFORM_SHA256_AMD64=1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc
ARG TERRAFORM_SHA256_ARM64=a43d1d0da9b9bab214a8305a39db0e40869572594ccf50c416a7756499143633
# A mirror in HashiCorp's layout (<url>/terraform/<version>/terraform_<version>_linux_<arch>.zip), for air-gapped builders.
ARG TERRAFORM_RELEASES_URL=https://releases.hashicorp.com
RUN set -eu; \
    arch="$(dpkg --print-architecture)"; \
    case "$arch" in amd64) sum="$TERRAFORM_SHA256_AMD64" ;; arm64) sum="$TERRAFORM_SHA256_ARM64" ;; *) echo "unsupported architecture $arch" >&2; exit 1 ;; esac; \
    curl -fsSL -o /tmp/terraform.zip "${TERRAFORM_RELEASES_URL%/}/terraform/${TERRAFORM_VERSION}/terraform_${TERRAFORM_VERSION}_linux_${arch}.zip"; \
    echo "$sum  /tmp/terraform.zip" | sha256sum -c -; \
    unzip -d /usr/local/bin /tmp/terraform.zip terraform; \
    rm /tmp/terraform.zip; \
    /usr/local/bin/terraform version
COPY image/assemble-rootfs /usr/local/sbin/assemble-rootfs
# tfmfa comes along only to have its libraries found (the C++ runtime); it gets a layer of its own.
COPY --from=build /app/tfmfa /tmp/tfmfa
RUN assemble-rootfs /tmp/tfmfa

FROM scratch
COPY --from=rootfs /rootfs/ /
COPY --from=rootfs /usr/local/bin/terraform /usr/local/bin/terraform
COPY --from=build /app/tfmfa /app/tfmfa
ENV PATH=/usr/local/bin:/usr/bin:/bin
# A 4 MiB first-generation budget instead of the GC's default (up to 16 MiB here): a gated run peaks
# about 3 MB lower, with a few more collections that a run of this size does not feel (docs/performance.md,
# section 5). The runtime reads this setting from the environment only; the bench runs the binary with it.
ENV DOTNET_GCgen0size=0x400000
# No diagnostics port (a socket that hands TfMfa's environment to anyone with its uid; tfmfa also removes it itself).
ENV DOTNET_EnableDiagnostics=0
# No USER (actions run as root: TfMfa runs terraform as an unprivileged uid of its own through
# setpriv) and no WORKDIR reliance (the runner mounts the workspace and sets it).
ENTRYPOINT ["/app/tfmfa"]
