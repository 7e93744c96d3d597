#!/usr/bin/env python3
"""cqlengine_sync.py runs the Python driver's cqlengine sync_table or sync_type for one of cqlsync's samples.

Usage: cqlengine_sync.py [--port 9042] [--expect-no-ddl] HOST KEYSPACE MODEL

MODEL is one of the models or user types below, each the cqlengine twin of a TableModel or UserType
sample in config/samples/. The script registers a cqlengine connection to HOST
(connection.register_connection), runs ``management.sync_table(Model, keyspaces=[KEYSPACE],
connections=[...])`` for a model or ``management.sync_type(KEYSPACE, UserType, connection=...)`` for
a user type, and prints nothing when that succeeds. It exits non-zero, with the error on stderr, when sync_table fails, warns (cqlengine
only warns about a column whose type differs from the model's) or logs a warning. With
--expect-no-ddl it also fails when sync_table executed any statement (the table was expected to
match the model already), naming the statements it ran.

The cross-driver test of the integration suite (test/integration/cqlengine_test.go) uses it to
check that what cqlsync creates is what cqlengine creates, and that cqlengine finds nothing to
change in a table cqlsync created.
"""

import argparse
import logging
import os
import sys
import warnings

# cqlengine's management functions warn (and will refuse, in future versions) without it.
os.environ.setdefault("CQLENG_ALLOW_SCHEMA_MANAGEMENT", "1")

from cassandra.cqlengine import columns, connection, management  # noqa: E402
from cassandra.cqlengine.models import Model  # noqa: E402
from cassandra.cqlengine.usertype import UserType  # noqa: E402
from cassandra.policies import RoundRobinPolicy  # noqa: E402


# The Automobile model of the cqlengine docs (config/samples/cqlsync_v1alpha1_tablemodel_automobile.yaml):
# the first primary key is the partition key, the others are clustering columns, ASC.
class Automobile(Model):
    __table_name__ = "automobile"
    manufacturer = columns.Text(primary_key=True)
    year = columns.Integer(primary_key=True)
    model = columns.Text(primary_key=True)
    price = columns.Decimal()


# The eventsourcing library's integer-sequenced event store (CqlIntegerSequencedItem), with the
# names, types, clustering order and comment of config/samples/cqlsync_v1alpha1_tablemodel_eventstore.yaml.
# required=True is cqlengine's client-side validation only: it does not change the schema.
# Beware (driver 3.30.1): when a live table's comment differs from __options__, cqlengine's
# _update_options quotes the value twice (ALTER TABLE ... WITH comment = '''...'''), so the comment
# gets literal quotes and never matches again; the test runs cqlengine only where it already matches.
class IntegerSequencedItem(Model):
    __table_name__ = "integer_sequenced_items"
    __options__ = {"comment": "eventsourcing integer-sequenced items"}
    sequence_id = columns.UUID(partition_key=True)
    position = columns.BigInt(primary_key=True, clustering_order="DESC")
    topic = columns.Text(required=True)
    state = columns.Blob(required=True)


# The address type of the sensor-readings sample (config/samples/cqlsync_v1alpha1_usertype_address.yaml):
# cqlengine keeps the fields in the order they are declared, as the UserType's spec.fields.
class Address(UserType):
    __type_name__ = "address"
    street = columns.Text()
    city = columns.Text()
    zip = columns.Text()


# The name of the one cqlengine connection the script registers (connection.register_connection).
CONNECTION = "cqlsync-check"

MODELS = {
    "automobile": Automobile,
    "integer_sequenced_items": IntegerSequencedItem,
}

TYPES = {
    "address": Address,
}


def connection_class():
    """The driver's reactor: libev (built into the manylinux wheels), else asyncore (Python < 3.12),
    else asyncio (experimental in the driver, but the only one left on 3.12+ without libev)."""
    try:
        from cassandra.io.libevreactor import LibevConnection

        return LibevConnection
    except Exception:  # ImportError, or the DependencyException of an extension-less install
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


class _Recorder(logging.Handler):
    """Keeps every record at WARNING or above, from the driver or cqlengine."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("host")
    p.add_argument("keyspace")
    p.add_argument("model", choices=sorted(list(MODELS) + list(TYPES)))
    p.add_argument("--port", type=int, default=9042)
    p.add_argument("--expect-no-ddl", action="store_true",
                   help="fail if sync_table/sync_type executes any statement (the schema should already match)")
    args = p.parse_args(argv)
    model = MODELS.get(args.model) or TYPES[args.model]

    recorder = _Recorder()
    logging.getLogger("cassandra").addHandler(recorder)
    logging.getLogger("cassandra").setLevel(logging.WARNING)

    # Every statement sync_table executes goes through management.execute (CREATE TABLE, ALTER TABLE
    # ... ADD, ALTER TABLE ... WITH options, CREATE INDEX, CREATE TYPE): record them.
    executed = []
    real_execute = management.execute

    def recording_execute(query, *a, **kw):
        executed.append(str(query))
        return real_execute(query, *a, **kw)

    management.execute = recording_execute

    problems = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            connection.register_connection(
                CONNECTION, [args.host], default=True,
                cluster_options=dict(
                    port=args.port, protocol_version=5, load_balancing_policy=RoundRobinPolicy(),
                    connection_class=connection_class(), connect_timeout=30, control_connection_timeout=30,
                ),
            )
            try:
                if args.model in TYPES:
                    management.sync_type(args.keyspace, model, connection=CONNECTION)
                else:
                    management.sync_table(model, keyspaces=[args.keyspace], connections=[CONNECTION])
            finally:
                connection.unregister_connection(CONNECTION)
        except Exception as e:  # any failure of cqlengine or the driver: report it, exit 1
            what = "sync_type(%r, %s)" % (args.keyspace, model.__name__) if args.model in TYPES else \
                "sync_table(%s, keyspaces=[%r])" % (model.__name__, args.keyspace)
            problems.append("%s failed: %s: %s" % (what, type(e).__name__, e))
    problems += ["warning: %s" % w.message for w in caught
                 if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]
    problems += ["log %s %s: %s" % (r.levelname, r.name, r.getMessage()) for r in recorder.records]
    if args.expect_no_ddl and executed:
        problems.append("cqlengine executed %d statement(s) on a schema expected to match the model:\n  %s"
                        % (len(executed), "\n  ".join(executed)))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
