#!/usr/bin/env python3
"""bench.py creates N tables of the cqlengine docs' Automobile shape in one keyspace of one cluster,
the way the references of `make bench` do, and prints the seconds it took.

Usage: bench.py floor|cqlengine HOST KEYSPACE N

floor      the CREATE TABLE statements cqlsync would send, by the Python driver in a tight loop
           (session.execute waits for schema agreement after each, as cqlsync does).
cqlengine  management.sync_table(Model, keyspaces=[KEYSPACE]) for N models, one after the other.

The keyspace must exist. The script runs against one cluster; `make bench` runs one process per
cluster at the same time (serial per cluster, parallel across clusters, as cqlsync runs DDL).
It prints one line: the elapsed seconds of the N creations (connecting is not counted).
"""

import os
import sys
import time

os.environ.setdefault("CQLENG_ALLOW_SCHEMA_MANAGEMENT", "1")

from cassandra.cluster import Cluster  # noqa: E402
from cassandra.cqlengine import columns, connection, management  # noqa: E402
from cassandra.cqlengine.models import Model  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cqlengine_sync import connection_class  # noqa: E402


def table_name(i):
    return "automobile_%d" % i


def floor(session, keyspace, n):
    start = time.monotonic()
    for i in range(n):
        session.execute(
            'CREATE TABLE IF NOT EXISTS "%s"."%s" ("manufacturer" text, "year" int, "model" text, "price" decimal, '
            'PRIMARY KEY (("manufacturer"), "year", "model"))' % (keyspace, table_name(i))
        )
    return time.monotonic() - start


def automobile(i):
    return type(
        "Automobile%d" % i,
        (Model,),
        {
            "__table_name__": table_name(i),
            "manufacturer": columns.Text(primary_key=True),
            "year": columns.Integer(primary_key=True),
            "model": columns.Text(primary_key=True),
            "price": columns.Decimal(),
        },
    )


def cqlengine(cluster, session, keyspace, n):
    connection.register_connection("bench", session=session, default=True)
    models = [automobile(i) for i in range(n)]
    start = time.monotonic()
    for m in models:
        management.sync_table(m, keyspaces=[keyspace], connections=["bench"])
    return time.monotonic() - start


def main(argv):
    if len(argv) != 5 or argv[1] not in ("floor", "cqlengine"):
        sys.stderr.write(__doc__)
        return 2
    mode, host, keyspace, n = argv[1], argv[2], argv[3], int(argv[4])
    cluster = Cluster([host], protocol_version=5, connection_class=connection_class())
    session = cluster.connect()
    try:
        took = floor(session, keyspace, n) if mode == "floor" else cqlengine(cluster, session, keyspace, n)
    finally:
        cluster.shutdown()
    print("%.3f" % took)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
