# Local stand-in for node:20-bookworm-slim, for machines with no container registry.
# ROOTFS_IMAGE is a debootstrapped Debian bookworm with Debian's nodejs, made by
# scripts/build-base-images.sh with `docker import`. This file only adds what the
# official image has on top: the unprivileged `node` user (uid/gid 1000) and a workdir.
ARG ROOTFS_IMAGE=airflow-ml-local/debian-node-rootfs:bookworm
FROM ${ROOTFS_IMAGE}
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/sh --create-home node \
 && node --version
ENV NODE_ENV=production
WORKDIR /home/node
CMD ["node"]
