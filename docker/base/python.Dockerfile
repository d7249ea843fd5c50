# Local stand-in for python:3.11-slim-bookworm with the Python step family's wheels already
# installed, for machines with no container registry. ROOTFS_IMAGE is a debootstrapped
# Debian bookworm with Debian's python3 (3.11), made by scripts/build-base-images.sh with
# `docker import`; the build context holds site-packages/, the wheels of
# python-requirements.txt installed on the host by pip (from PyPI, never inside the build).
ARG ROOTFS_IMAGE=airflow-ml-local/debian-python-rootfs:bookworm
FROM ${ROOTFS_IMAGE}
COPY site-packages/ /usr/local/lib/python3.11/dist-packages/
COPY python-requirements.txt /usr/local/share/airflow-ml/python-requirements.txt
# The official image's `python` command and an unprivileged user (uid/gid 1000) for steps.
RUN ln -sf /usr/bin/python3 /usr/local/bin/python \
 && groupadd --gid 1000 app \
 && useradd --uid 1000 --gid app --shell /bin/sh --create-home app \
 && python -c "import numpy, sklearn; print(numpy.__version__, sklearn.__version__)"
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /home/app
CMD ["python"]
