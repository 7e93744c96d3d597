#!/usr/bin/env python3
"""describe.py prints what the Python driver's DESCRIBE gives for one keyspace.

Usage: describe.py [--port 9042] HOST KEYSPACE

It connects to HOST with the Python driver (cassandra-driver, as pinned in
hack/python/requirements.txt), reads the cluster's schema metadata and prints
cluster.metadata.keyspaces[KEYSPACE].export_as_string(): the CREATE KEYSPACE, CREATE TYPE, CREATE
TABLE and CREATE INDEX statements the driver rebuilds from system_schema, which is what cqlsh's
DESCRIBE KEYSPACE prints against clusters without server-side DESCRIBE. KEYSPACE is the exact
(case-sensitive) name. It exits non-zero, with the error on stderr, when the keyspace is unknown.

internal/cql/ddl/cassandra_test.go runs it to check that parsing that text gives what
system_schema says.
"""

import argparse
import sys
import warnings


def connection_class():
    """The driver's reactor: libev (in the manylinux wheels), else asyncore (Python < 3.12), else
    asyncio. The same choice as hack/python/cqlengine_sync.py."""
    try:
        from cassandra.io.libevreactor import LibevConnection

        return LibevConnection
    except Exception:
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            from cassandra.io.asyncorereactor import AsyncoreConnection
        return AsyncoreConnection
    except Exception:
        pass
    from cassandra.io.asyncioreactor import AsyncioConnection

    return AsyncioConnection


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("keyspace")
    p.add_argument("--port", type=int, default=9042)
    args = p.parse_args(argv)

    from cassandra.cluster import Cluster
    from cassandra.policies import RoundRobinPolicy

    with warnings.catch_warnings():
        # Legacy execution parameters: the driver warns, and this script has nothing to tune.
        warnings.simplefilter("ignore", DeprecationWarning)
        cluster = Cluster([args.host], port=args.port, protocol_version=5,
                          load_balancing_policy=RoundRobinPolicy(),
                          connection_class=connection_class(),
                          connect_timeout=30, control_connection_timeout=30)
    try:
        cluster.connect()
        ks = cluster.metadata.keyspaces.get(args.keyspace)
        if ks is None:
            print("keyspace %r not found in the driver's metadata" % args.keyspace, file=sys.stderr)
            return 1
        sys.stdout.write(ks.export_as_string())
        sys.stdout.write("\n")
    finally:
        cluster.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
