"""The engine's matching semantics, on small rule files written for each case."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from liveguard.detect import engine, evaluate, ruleset
from liveguard.detect.rulefile import parse
from tests.unit.detect.test_rules import GOOD_RULE

HEAD = GOOD_RULE.split("rules:")[0]  # a category, a title and a legal basis
EXAMPLES = """
    examples:
      positive: [x]
      negative: [y]
"""


def _detector(*rules: str, other: str = "") -> engine.Detector:
    text = HEAD + "rules:\n" + "".join(rule + EXAMPLES for rule in rules)
    files = [parse(text, "demo.yaml")]
    if other:
        files.append(parse(other, "other.yaml"))
    return engine.Detector(ruleset.compile_files(files))


def _ids(detector: engine.Detector, text: str, **context) -> list[str]:
    return [f.rule.id for f in detector.detect(text, engine.Context(**context))]


def test_latin_and_digits_match_whole_tokens_only():
    detector = _detector(
        "  - id: demo.sb\n    severity: low\n    message: rude\n    terms: [sb, '69']\n"
    )
    assert _ids(detector, "Disburse the funds") == []
    assert _ids(detector, "库存695件") == []
    assert _ids(detector, "你是SB吗") == ["demo.sb"]
    assert _ids(detector, "第69号") == ["demo.sb"]


def test_a_finding_quotes_the_original_span_and_records_the_version():
    detector = _detector(
        "  - id: demo.wechat\n    severity: high\n    message: mm\n    terms: [加微信]\n"
    )
    text = "宝宝们 加 Ｖ 信 ，还有加-微-信"
    findings = detector.detect(text)
    # the look-alike V is not in this rule's lexicon; the split-up word is
    assert [f.quote for f in findings] == ["加-微-信"]
    assert findings[0].normalised == "加微信"
    assert text[findings[0].start : findings[0].end] == "加-微-信"
    assert findings[0].ruleset_version == detector.ruleset.version


def test_warning_words_nearby_in_the_same_sentence_undo_a_match():
    detector = _detector(
        "  - id: demo.wechat\n    severity: high\n    message: mm\n    terms: [加微信]\n"
        "    unless_near:\n      terms: [骗子]\n      within: 6\n"
    )
    assert _ids(detector, "让你加微信的是骗子") == []
    assert _ids(detector, "加微信。骗子才不会这么说") == ["demo.wechat"]  # another sentence
    assert _ids(detector, "加微信拿货，价格比直播间还低很多很多，不是骗子") == ["demo.wechat"]


def test_near_pairs_a_validated_number_with_a_word():
    detector = _detector(
        "  - id: demo.lure\n    severity: high\n    message: mm\n    validator: mobile\n"
        "    near:\n      first_patterns: ['1[3-9][0-9]{9}']\n      then: [同号]\n"
        "      within: 5\n"
    )
    assert _ids(detector, "13912345678 微信同号") == ["demo.lure"]
    assert _ids(detector, "一三九 一二三四 五六七八，微信同号") == ["demo.lure"]
    assert _ids(detector, "12912345678 微信同号") == []  # no mobile starts 12
    assert _ids(detector, "13912345678 这个号码我们店里不用了，微信同号") == []  # too far
    assert _ids(detector, "13912345678！微信同号") == []  # across a sentence


def test_yielding_follows_what_survives():
    # personal data yields to an invitation, which yields to a winner's announcement
    detector = _detector(
        "  - id: demo.lure\n    severity: high\n    message: mm\n    terms: [同号]\n"
        "    yields_to: [demo.winner]\n",
        "  - id: demo.winner\n    severity: high\n    message: mm\n    terms: [恭喜]\n",
        other=HEAD.replace("category: demo", "category: private")
        + "rules:\n  - id: private.mobile\n    severity: high\n    message: mm\n"
        "    patterns: ['1[3-9][0-9]{9}']\n    validator: mobile\n    yields_to: [demo.lure]\n"
        + EXAMPLES,
    )
    assert _ids(detector, "13912345678 同号") == ["demo.lure"]
    assert sorted(_ids(detector, "恭喜 13912345678 同号")) == ["demo.winner", "private.mobile"]
    assert _ids(detector, "13912345678") == ["private.mobile"]


@pytest.mark.parametrize(
    ("context", "fires"),
    [
        ({}, True),
        ({"role": "anchor"}, True),
        ({"role": "viewer"}, False),
        ({"category": "food"}, True),
        ({"category": "clothing"}, False),
        ({"category": "health_food"}, False),
    ],
)
def test_context_decides_whether_a_rule_applies(context, fires):
    detector = _detector(
        "  - id: demo.cure\n    severity: high\n    message: mm\n    terms: [治好]\n"
        "    roles: [anchor, assistant]\n    categories: [food, health_food]\n"
        "    except_categories: [health_food]\n"
    )
    assert (_ids(detector, "吃了就治好了", **context) == ["demo.cure"]) is fires


def test_an_allow_list_phrase_covers_a_match():
    detector = _detector(
        "  - id: demo.cure\n    severity: high\n    message: mm\n    terms: [治]\n",
        other="allow: [治理]\n",
    )
    assert _ids(detector, "环境治理") == []
    assert _ids(detector, "专治失眠") == ["demo.cure"]


def test_a_batch_finds_what_each_text_finds_alone():
    detector = engine.Detector(ruleset.packaged())
    items = evaluate.read_lines(Path(__file__).parents[3] / "data" / "eval" / "detect.jsonl")
    texts = [item["text"] for item in items]
    assert detector.detect_many(texts) == [detector.detect(text) for text in texts]
    # a word split by the line break between two texts is in neither
    split = detector.detect_many(["加我扣", "扣详聊"])
    assert [f.rule.id for found in split for f in found if not f.rule.spec.model] == []


def test_an_over_long_text_is_refused_with_its_length():
    detector = _detector(
        "  - id: demo.cure\n    severity: high\n    message: mm\n    terms: [治]\n",
    )
    with pytest.raises(engine.TextTooLong, match="20,001 characters long; the limit is 20,000"):
        detector.detect("治" * (engine.MAX_TEXT + 1))


def test_one_detector_serves_many_threads():
    detector = engine.Detector(ruleset.packaged())
    texts = ["加我微信 abc12345 私聊下单", "全网最低价", "今天天气不错"] * 200
    expected = [detector.detect(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(detector.detect, texts)) == expected
