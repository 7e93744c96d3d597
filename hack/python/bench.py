#!/usr/bin/env python3
"""bench.py creates N tables of the cqlengine docs' Automobile shape in one keyspace of one cluster,
the way the references of `make bench` do, and prints the seconds it took.

Usage: bench.py floor HOST KEYSPACE N
       bench.py cqlengine HOST[,HOST...] KEYSPACE N

floor      the CREATE TABLE statements cqlsync would send, by the Python driver in a tight loop
           (session.execute waits for schema agreement after each, as cqlsync does), on one
           cluster. `make bench` runs one process per cluster at the same time: serial per
           cluster, parallel across clusters, as cqlsync runs DDL.
cqlengine  what a cqlengine user runs to keep N models on several clusters: one
           connection.register_connection per cluster, then
           management.sync_table(Model, keyspaces=[KEYSPACE], connections=[...all...]) for each of
           the N models, one after the other. cqlengine's sync_table visits the connections one
           after the other, so the clusters are served in turn, not in parallel.

The keyspace must exist on every cluster. The script prints one line: the elapsed seconds of the N
creations (connecting is not counted).
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


def cqlengine(sessions, keyspace, n):
    names = []
    for i, session in enumerate(sessions):
        names.append("bench%d" % i)
        connection.register_connection(names[-1], session=session, default=(i == 0))
    models = [automobile(i) for i in range(n)]
    start = time.monotonic()
    for m in models:
        management.sync_table(m, keyspaces=[keyspace], connections=names)
    return time.monotonic() - start


def main(argv):
    if len(argv) != 5 or argv[1] not in ("floor", "cqlengine"):
        sys.stderr.write(__doc__)
        return 2
    mode, hosts, keyspace, n = argv[1], argv[2].split(","), argv[3], int(argv[4])
    if mode == "floor" and len(hosts) != 1:
        sys.stderr.write(__doc__)
        return 2
    clusters = [Cluster([host], protocol_version=5, connection_class=connection_class()) for host in hosts]
    try:
        sessions = [cluster.connect() for cluster in clusters]
        took = floor(sessions[0], keyspace, n) if mode == "floor" else cqlengine(sessions, keyspace, n)
    finally:
        for cluster in clusters:
            cluster.shutdown()
    print("%.3f" % took)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
