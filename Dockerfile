# syntax=docker/dockerfile:1.7
# gitdash: one image with both binaries (`gitdash-web`, `gitdash-worker`).
# Build: docker build -t gitdash .   (docker compose up --build does it for you)

FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc g++ libc6-dev make perl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, with empty crates, so this layer is reused until Cargo.lock changes.
COPY Cargo.toml Cargo.lock ./
COPY shared/Cargo.toml shared/
COPY migrations/Cargo.toml migrations/
COPY web/Cargo.toml web/
COPY worker/Cargo.toml worker/
COPY tests/Cargo.toml tests/
RUN for crate in shared migrations tests; do mkdir -p $crate/src && echo '' > $crate/src/lib.rs; done \
 && for crate in web worker; do mkdir -p $crate/src && echo '' > $crate/src/lib.rs && echo 'fn main() {}' > $crate/src/main.rs; done \
 && cargo build --release --locked -p gitdash-web -p gitdash-worker \
 && rm -rf shared migrations web worker tests
# Then gitdash itself.
COPY . .
RUN touch shared/src/lib.rs migrations/src/lib.rs web/src/lib.rs web/src/main.rs worker/src/lib.rs worker/src/main.rs \
 && cargo build --release --locked -p gitdash-web -p gitdash-worker \
 && cp target/release/gitdash-web target/release/gitdash-worker /usr/local/bin/

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin gitdash \
 && mkdir -p /data && chown gitdash /data
COPY --from=build /usr/local/bin/gitdash-web /usr/local/bin/gitdash-worker /usr/local/bin/
USER gitdash
WORKDIR /data
ENV GITDASH_DATA_DIR=/data GITDASH_LISTEN=0.0.0.0:5000 LOG_FORMAT=json
EXPOSE 5000
CMD ["gitdash-web"]
