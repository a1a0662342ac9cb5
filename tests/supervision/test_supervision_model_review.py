"""The models to review (典型复核) as supervision's rule, without a broker: the models in their
term whose score for the month ended last fell below that year's pass mark, with their figures;
and the one check before a nomination (the unit's entry on the candidates' list)."""
from datetime import UTC, date, datetime, timedelta

from services.common.contract import names, new_event
from services.supervision import facts, model_review, programme
from tests.supervision.test_supervision_rules import T0, obligation_event, unit_event

AUGUST = datetime(2026, 8, 2, tzinfo=UTC)  # July 2026 has ended


def designation_event(kind, code, designation_id, kind_of="model", starts=date(2026, 1, 1),
                      ends=date(2028, 12, 31), at=T0 - timedelta(days=30), revision=2):
    unit = unit_event(code, at=at).payload
    payload = {"unit": {**unit, "revision": revision}, "changed_by": "office", "designation_id": designation_id,
               "kind": kind_of, "starts_on": starts, "ends_on": ends}
    if kind == names.DEMONSTRATION_REVOKED:
        payload["reason"] = "复核后撤销"
    event = new_event(kind, payload)
    return event.__class__(**{**event.__dict__, "occurred_at": at})


def county(uow):
    """V01..V05 registered; July's obligations: V02 and V05 on time (100), the others overdue (0).
    Models: V01 and V02 in their term, V03 a demonstration site (示范点, not a model), V04 a model
    revoked, V05 a model whose term ended in June."""
    registered = T0 - timedelta(days=90)
    for code in ("V01", "V02", "V03", "V04", "V05"):
        facts.apply(uow.session, unit_event(code, at=registered), registered)
    made = T0 - timedelta(days=30)
    for n, (code, kind_of, ends) in enumerate([("V01", "model", date(2028, 12, 31)),
                                                ("V02", "model", date(2028, 12, 31)),
                                                ("V03", "demonstration", date(2028, 12, 31)),
                                                ("V04", "model", date(2028, 12, 31)),
                                                ("V05", "model", date(2026, 6, 30))], 1):
        facts.apply(uow.session, designation_event(names.DEMONSTRATION_DESIGNATED, code, n, kind_of, ends=ends), made)
    revoked = T0 + timedelta(days=5)
    facts.apply(uow.session, designation_event(names.DEMONSTRATION_REVOKED, "V04", 4, at=revoked, revision=3),
                revoked)
    for n, code in enumerate(("V01", "V02", "V03", "V04", "V05"), 1):
        at = datetime(2026, 7, 11, tzinfo=UTC)
        if code in ("V02", "V05"):
            event = obligation_event(names.OBLIGATION_FULFILLED, code, n, date(2026, 7, 10), at - timedelta(days=2),
                                     True)
            facts.apply(uow.session, event, at - timedelta(days=2))
        else:
            facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, code, n, date(2026, 7, 10), at), at)
    uow.commit()


def test_models_whose_last_month_fell_below_the_pass_mark_are_to_review(uow_factory):
    uow = uow_factory("supervision")
    county(uow)
    review = model_review.models_to_review(uow.session, AUGUST)
    assert (review["period"], review["threshold"], review["models"]) == ("2026-07", 60.0, 2)  # V01, V02
    assert [(i["designation_id"], i["unit_code"], i["total"]) for i in review["items"]] == [(1, "V01", 0.0)]
    shown = review["items"][0]
    assert (shown["name"], shown["sector"], shown["starts_on"], shown["ends_on"]) == \
        ("V01村党支部", "village", "2026-01-01", "2028-12-31")
    assert shown["dimensions"]["on_time"]["value"] == 0.0 and "overdue" in shown["rectifications"]


def test_the_review_as_of_a_moment_is_what_was_known_then(uow_factory):
    uow = uow_factory("supervision")
    county(uow)
    # on 1 July June had ended, when nobody scored below the mark: nothing to review
    june = model_review.models_to_review(uow.session, T0 + timedelta(hours=1))
    assert (june["period"], june["items"]) == ("2026-06", [])
    # before the revocation reached supervision, V04 was a model too (and July its month scored)
    before = model_review.models_to_review(uow.session, datetime(2026, 7, 3, tzinfo=UTC))
    assert before["models"] == 4 - 1  # V01, V02, V04 (V05's term had ended on 30 June)


def kept_event(designation_id, code, period, at):
    event = new_event(names.DESIGNATION_KEPT, {"designation_id": designation_id, "unit_code": code, "kind": "model",
                                               "period": period, "reason": "整改已落实，保留", "kept_by": "office"})
    return event.__class__(**{**event.__dict__, "occurred_at": at})


def test_a_model_kept_is_off_the_review_until_a_later_month_falls_again(uow_factory):
    uow = uow_factory("supervision")
    county(uow)
    kept_at = AUGUST + timedelta(days=1)
    kept = kept_event(1, "V01", "2026-07", kept_at)
    assert facts.apply(uow.session, kept, kept_at)
    assert not facts.apply(uow.session, kept, kept_at)  # once per event
    facts.apply(uow.session, kept_event(1, "V01", "2026-06", kept_at), kept_at)  # another month's keep: no matter
    uow.commit()
    assert [i["unit_code"] for i in model_review.models_to_review(uow.session, AUGUST)["items"]] == ["V01"]  # not yet
    after = model_review.models_to_review(uow.session, kept_at + timedelta(hours=1))
    assert (after["period"], after["items"], after["models"]) == ("2026-07", [], 2)
    # August falls too (an obligation overdue): September's review lists V01 again
    at = datetime(2026, 8, 21, tzinfo=UTC)
    facts.apply(uow.session, obligation_event(names.OBLIGATION_OVERDUE, "V01", 9, date(2026, 8, 20), at), at)
    uow.commit()
    september = model_review.models_to_review(uow.session, datetime(2026, 9, 2, tzinfo=UTC))
    assert (september["period"], [i["unit_code"] for i in september["items"]]) == ("2026-08", ["V01"])


def test_in_term_serves_the_months_reviews_too(uow_factory):
    uow = uow_factory("supervision")
    county(uow)
    assert [f.unit_code for f in model_review.in_term(uow.session, AUGUST)] == ["V01", "V02", "V03"]
    assert programme.designated(uow, AUGUST) == {"V01", "V02", "V03"}


def test_a_unit_off_the_candidates_list_cannot_be_nominated(uow_factory):
    uow = uow_factory("supervision")
    county(uow)
    listed = programme.candidates(uow, AUGUST)["items"]
    assert programme.candidate(uow, AUGUST, "V01") is None  # 0 in July
    assert programme.candidate(uow, AUGUST, "V02") is None  # 100 in July, but three months are needed
    for entry in listed:
        assert programme.candidate(uow, AUGUST, entry["unit_code"]) == entry
