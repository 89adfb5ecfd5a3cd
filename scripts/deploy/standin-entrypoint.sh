#!/bin/sh
# Entrypoint of the mariadb, redis and nginx stand-ins (one image, three tags):
# what the official images' entrypoints do for the parts compose.yaml uses.
# MariaDB: a first start initialises the data directory and creates
# MARIADB_DATABASE and MARIADB_USER/MARIADB_PASSWORD; arguments starting with
# `-` go to mariadbd. Anything else runs as given.
set -eu

first=${1:-}
if [ "$first" = mariadbd ]; then
  shift
elif [ -n "$first" ] && [ "${first#-}" = "$first" ]; then
  exec "$@"
fi

datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown -R mysql:mysql "$datadir" /run/mysqld
if [ ! -d "$datadir/mysql" ]; then
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null
  : >/run/mysqld/init.sql
  if [ -n "${MARIADB_DATABASE:-}" ]; then
    echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;" >>/run/mysqld/init.sql
  fi
  if [ -n "${MARIADB_USER:-}" ]; then
    echo "CREATE USER IF NOT EXISTS '$MARIADB_USER'@'%' IDENTIFIED BY '${MARIADB_PASSWORD:-}';" >>/run/mysqld/init.sql
    echo "GRANT ALL ON \`${MARIADB_DATABASE:-*}\`.* TO '$MARIADB_USER'@'%';" >>/run/mysqld/init.sql
  fi
  set -- --init-file=/run/mysqld/init.sql "$@"
fi
exec mariadbd --user=mysql --datadir="$datadir" "$@"
