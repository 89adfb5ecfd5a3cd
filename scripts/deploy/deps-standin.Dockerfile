# Stand-in for the mariadb, redis and nginx images where no registry is
# reachable: Debian's packages in one image, tagged once per official image
# with that image's default command (scripts/deploy/setup.sh).
FROM localhost/debian:bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server mariadb-client redis-server nginx-light \
 && rm -rf /var/lib/apt/lists/* /var/lib/mysql/* \
 && mkdir -p /data
COPY standin-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# The official mariadb image's health check script, for the parts compose.yaml asks for.
RUN printf '#!/bin/sh\nexec mariadb-admin --protocol=socket ping >/dev/null\n' >/usr/local/bin/healthcheck.sh \
 && chmod +x /usr/local/bin/healthcheck.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
