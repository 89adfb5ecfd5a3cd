# Stand-in for the official node:20-bookworm-slim where no registry is reachable:
# Debian bookworm plus the host's Node 20 binary, npm and headers, and the
# image's `node` user (uid 1000). npm inside trusts what the host's npm trusts.
FROM localhost/debian:bookworm
COPY node /usr/local/bin/node
COPY node_modules/npm /usr/local/lib/node_modules/npm
COPY include/node /usr/local/include/node
COPY host-ca.crt /usr/local/etc/host-ca.crt
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && echo 'cafile=/usr/local/etc/host-ca.crt' >/usr/local/etc/npmrc \
 && groupadd -g 1000 node && useradd -u 1000 -g node -m node
