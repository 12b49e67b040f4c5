# scalesim without the desktop app, for batch runs in containers and on clusters
# (docs/clusters.md).
#
#   docker build -t scalesim .
#   docker run --rm scalesim --help
#
# Two stages: the Rust toolchain image compiles, a slim Debian image runs. Both are
# Debian 12 (bookworm), so the binary finds the glibc it was linked against. Only the
# binary and the scenarios reach the second stage.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The manifest declares bench targets in benches/: copy them so that cargo sees the
# package as it is in the repository (the build itself compiles none of them, nor the
# tests). assets/catalog.ron is compiled into the binary (include_str!).
COPY Cargo.toml Cargo.lock ./
COPY benches ./benches
COPY assets ./assets
COPY src ./src
# --no-default-features leaves out the `gui` feature: no window, no X or GL libraries.
# --locked: the versions in Cargo.lock, or fail.
RUN cargo build --release --locked --no-default-features --bin scalesim

FROM debian:bookworm-slim
# A user of its own, so that nothing runs as root; /work is where it writes.
RUN groupadd --gid 10001 scalesim \
    && useradd --uid 10001 --gid scalesim --home-dir /work --no-create-home \
        --shell /usr/sbin/nologin scalesim \
    && mkdir -p /work/out \
    && chown -R scalesim:scalesim /work
COPY --from=build /src/target/release/scalesim /usr/local/bin/scalesim
# The whole folder: some scenarios read trace files next to them (scenarios/traces/).
COPY scenarios /opt/scalesim/scenarios
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["scalesim"]
CMD ["run", "/opt/scalesim/scenarios/monday-spike.ron", "--out", "/work/out"]
