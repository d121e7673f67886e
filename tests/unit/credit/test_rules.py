"""The credit rules: the data file's examples, the decay and window arithmetic, the list
criteria by party kind, and every quoted provision checked against the law text."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from liveguard.clock import CHINA
from liveguard.credit import rules as credit_rules
from liveguard.credit import service as credit_service
from liveguard.credit.enums import ListKind, SubjectKind
from liveguard.credit.rules import Record
from liveguard.credit.sources import SOURCES
from liveguard.datafiles import DataFileError, parse

RULES = credit_rules.rules()


def on(day: date) -> datetime:
    return datetime.combine(day, time(12), CHINA)


@pytest.mark.parametrize("example", RULES.examples, ids=lambda e: e.name)
def test_every_example_in_the_data_file_holds(example: credit_rules.Example) -> None:
    scored, black = credit_rules.run_example(example)
    assert (scored.score, black) == (example.expect_score, example.expect_black)


def test_every_factor_names_a_registered_source() -> None:
    assert {f.source for f in RULES.factors} <= set(SOURCES)


def test_each_factor_shows_its_weight_value_and_records() -> None:
    today = date(2026, 6, 12)
    breach = Record("delivery_breaches", "breach:7", on(today), 1.0, "订单 7")
    [*_, factor] = [
        f
        for f in credit_rules.score(RULES.factors, [breach], today).factors
        if f.id == "delivery_breaches"
    ]
    assert (factor.weight, factor.value, factor.deduction) == (3.0, 1.0, 3.0)
    assert factor.records == [breach]


def test_three_serious_findings_propose_a_shop_and_an_anchor_but_not_a_platform() -> None:
    today = date(2026, 6, 12)
    found = [
        Record("live_findings", f"live_finding:{i}", on(today), RULES.points("high"), "违规")
        for i in range(3)
    ]
    scored = credit_rules.score(RULES.factors, found, today)
    for kind, expected in (
        (SubjectKind.merchant, ["black.repeated_serious_findings"]),
        (SubjectKind.anchor, ["black.repeated_serious_findings"]),
        (SubjectKind.platform, []),
    ):
        met = credit_rules.criteria_met(ListKind.black, kind, scored, today)
        assert [m.criterion for m in met] == expected


def test_medium_findings_do_not_count_towards_the_serious_criterion() -> None:
    today = date(2026, 6, 12)
    found = [
        Record("live_findings", f"live_finding:{i}", on(today), RULES.points("medium"), "违规")
        for i in range(5)
    ]
    scored = credit_rules.score(RULES.factors, found, today)
    assert credit_rules.criteria_met(ListKind.black, SubjectKind.merchant, scored, today) == []


def test_a_clean_record_meets_the_red_criterion_and_a_recent_record_does_not() -> None:
    today = date(2026, 6, 12)
    clean = credit_rules.score(RULES.factors, [], today)
    [met] = credit_rules.criteria_met(ListKind.red, SubjectKind.merchant, clean, today)
    assert met.criterion == "red.clean_record" and "100.0" in met.reason_zh
    recent = Record("delivery_breaches", "breach:1", on(date(2026, 5, 1)), 1.0, "订单")
    scored = credit_rules.score(RULES.factors, [recent], today)
    assert credit_rules.criteria_met(ListKind.red, SubjectKind.merchant, scored, today) == []


def test_a_criterion_naming_an_unknown_factor_is_refused_with_its_line() -> None:
    text = credit_rules.DATA_FILE
    from importlib import resources

    shipped = resources.files("liveguard.credit").joinpath("data", text).read_text("utf-8")
    broken = shipped.replace(
        "factor: delivery_breaches\n        min_records: 3",
        "factor: nothing\n        min_records: 3",
    )
    with pytest.raises(DataFileError, match="names no factor nothing"):
        parse(broken, text, credit_rules.Rules)


def test_a_factor_keeps_its_newest_records_and_a_digest_of_all_of_them() -> None:
    today = date(2026, 6, 12)
    many = [
        Record("live_findings", f"live_finding:{i}", on(today), 1.0, "违规") for i in range(150)
    ]
    [stored, *_] = credit_service.factors_json(credit_rules.score(RULES.factors, many, today))
    assert (stored["record_count"], len(stored["records"])) == (150, RULES.records_shown)
    fewer = credit_service.factors_json(credit_rules.score(RULES.factors, many[1:], today))[0]
    assert fewer["refs_digest"] != stored["refs_digest"]
    assert stored["value"] == 150.0  # the value counts them all


def test_records_are_tallied_by_points_and_day_in_china_past_the_window_dropped() -> None:
    spec = credit_rules.rules().factor("live_findings")  # half-life 180, window 730 days
    today = date(2026, 6, 12)
    noon = datetime(2026, 6, 12, 12, tzinfo=CHINA)

    def record(n: int, at: datetime, points: float) -> Record:
        return Record("live_findings", f"live_finding:{n}", at, points, "")

    records = [
        record(1, noon - timedelta(days=180), 1.0),
        record(2, noon, 6.0),
        record(3, datetime(2026, 6, 11, 16, tzinfo=UTC), 6.0),  # 00:00 on the 12th in China
        record(4, noon - timedelta(days=180, hours=1), 1.0),
        record(5, noon - timedelta(days=731), 10.0),  # past the window
        record(6, noon - timedelta(hours=1), 6.0),
    ]
    tallied = credit_rules.tally(records, spec, today)
    assert sorted(tallied.tallies, key=str) == sorted(
        [
            credit_rules.Tally(6.0, today, 3),
            credit_rules.Tally(1.0, today - timedelta(days=180), 2),
        ],
        key=str,
    )
    assert tallied.count == 5 and [r.ref[-1] for r in tallied.newest] == list("26314")
    assert tallied.digest == credit_rules.refs_digest(
        [f"live_finding:{n}" for n in (1, 2, 3, 4, 6)]
    )
    [factor] = credit_rules.score([spec], records, today).factors
    assert (factor.value, factor.deduction, factor.record_count) == (19.0, 28.5, 5)
