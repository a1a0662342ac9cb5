"""`python -m benchmarks [--events N] [--items N]`: prints each figure with its baseline."""
from __future__ import annotations

import argparse

from . import (approval_to_email, feedback, gateway_load, notify, obligations, outbox_relay, portal, public_reads,
               registry, registry_reads, search, supervision)
from tests.processes import temporary_vhost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000, help="events through the outbox relay")
    parser.add_argument("--items", type=int, default=20, help="items approved for the latency figure")
    parser.add_argument("--units", type=int, default=3000, help="units in the generated registry")
    args = parser.parse_args()

    registry.report(args.units)
    obligations.report()

    for embedded in (False, True):
        with temporary_vhost() as amqp_uri:
            registry_reads.report(amqp_uri, args.units, embedded)
    supervision.report((121, args.units))
    search.report()

    with temporary_vhost() as amqp_uri:
        r = outbox_relay.run(amqp_uri, args.events)
    print(f"outbox relay: {r['relay_per_s']:.0f} events/s committed→published→marked "
          f"vs raw kombu publish with confirms {r['raw_kombu_confirms_per_s']:.0f} msg/s "
          f"(ratio {r['ratio']:.2f}; {r['events']} events, SQLite outbox)")

    with temporary_vhost() as amqp_uri:
        gateway_load.report(amqp_uri)

    with temporary_vhost() as amqp_uri:
        portal.report(amqp_uri)

    public_reads.report(args.units)

    with temporary_vhost() as amqp_uri:
        feedback.report(amqp_uri)

    with temporary_vhost() as amqp_uri:
        notify.report(amqp_uri)

    with temporary_vhost() as amqp_uri:
        r = approval_to_email.run(amqp_uri, args.items)
    print(f"approval → email: median {r['median_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, max {r['max_ms']:.0f} ms "
          f"over {r['items']} items (gateway GET /healthz round trip {r['healthz_median_ms']:.1f} ms)")


if __name__ == "__main__":
    main()
