"""A crash of the producing process between an approval's commit and its publication
loses nothing, and a publication repeated after a crash has no second effect."""
import sqlalchemy as sa
from nameko.standalone.rpc import ClusterRpcProxy

from services.disclosure import units_copy
from services.notify import directory
from tests.conftest import scalar, wait_for
from tests.feedback.test_feedback_and_notify_rules import UNIT

OPERATOR = {"username": "op-a001", "role": "operator", "unit": "A001"}
REVIEWER = {"username": "rv-a001", "role": "reviewer", "unit": "A001"}
PENDING = "SELECT count(*) FROM outbox WHERE type = 'ItemPublished' AND published_at IS NULL"


def seed(uow_factory):
    """The unit as the units service's events would have left it in each copy."""
    disclosure, notify = uow_factory("disclosure"), uow_factory("notify")
    units_copy.apply_unit_state(disclosure.session, UNIT)
    directory.apply_unit_state(notify.session, UNIT)
    disclosure.commit()
    notify.commit()


def test_approval_survives_a_crash_before_publication(cluster, rabbit_config, database_urls, uow_factory, mail_sink):
    seed(uow_factory)
    cluster.start("notify")
    cluster.start("feedback")
    # this replica commits but does not publish: the crash window, held open
    producer = cluster.start("disclosure", OUTBOX_RELAY_ENABLED="false")
    with ClusterRpcProxy(rabbit_config, timeout=15) as rpc:
        item = rpc.disclosure.create_item(OPERATOR, {"unit_code": "A001", "title": "党员发展情况", "body": "……",
                                                     "audience": "society", "carriers": ["网站"]})
        for actor, action in ((OPERATOR, "submit"), (REVIEWER, "review"), (REVIEWER, "approve")):
            rpc.disclosure.transition_item(actor, item["id"], action)
    assert scalar(database_urls["disclosure"], PENDING) == 1
    producer.kill()

    assert scalar(database_urls["notify"], "SELECT count(*) FROM deliveries") == 0
    cluster.start("disclosure")  # restarted with its relay
    wait_for(lambda: scalar(database_urls["disclosure"], PENDING) == 0, timeout=20, message="publication")
    wait_for(lambda: len(mail_sink.messages()) == 1, timeout=20, message="the email")
    wait_for(lambda: scalar(database_urls["feedback"], "SELECT count(*) FROM targets WHERE kind = 'item'") == 1,
             timeout=20, message="feedback's copy of the item")

    # a crash after publishing but before marking the row: the relay publishes it again
    engine = sa.create_engine(database_urls["disclosure"], poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox SET published_at = NULL WHERE type = 'ItemPublished'"))
    engine.dispose()
    wait_for(lambda: scalar(database_urls["disclosure"], PENDING) == 0, timeout=20, message="republication")
    duplicate = 'gongkai_events_consumed_total{outcome="duplicate",service="%s",type="ItemPublished"} 1.0'
    for consumer in ("notify", "feedback"):
        wait_for(lambda: duplicate % consumer in cluster.processes[consumer].metrics(), timeout=20,
                 message=f"{consumer} to recognise the repeat")
        assert scalar(database_urls[consumer],
                      "SELECT count(*) FROM processed_events WHERE consumer LIKE '%ItemPublished'") == 1
    # the submission's delivery to the reviewer (none on record here: failed, visibly) and the publication's
    assert scalar(database_urls["notify"], "SELECT count(*) FROM deliveries WHERE cause_type = 'ItemPublished'") == 1
    assert len(mail_sink.messages()) == 1
