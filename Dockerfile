# hmsconf in a container, for CI systems other than GitHub Actions and GitLab:
#   docker build -t hmsconf .
#   docker run --rm -v "$PWD:/work" hmsconf validate .
# Slim, runs as a non-root user, `hmsconf` is the entrypoint. git is included for `hmsconf diff`.

FROM python:3.12-slim AS build
COPY . /src
RUN python -m pip wheel --no-cache-dir --wheel-dir /wheels /src

FROM python:3.12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --no-index --find-links /wheels hmsconf \
 && rm -rf /wheels \
 && useradd --create-home --uid 10001 hmsconf
USER hmsconf
WORKDIR /work
ENTRYPOINT ["hmsconf"]
CMD ["--help"]
