"""The opinion classifier: the shipped model on the categories' own examples, how a
decision is made from scores, and a small training run."""

from __future__ import annotations

import pytest

from liveguard.opinion import classify
from liveguard.opinion.enums import Category

EXAMPLES = [
    (category.value, text)
    for category, entry in classify.categories_file().categories.items()
    for text in entry.examples
]


def test_every_category_has_a_label_and_an_example() -> None:
    entries = classify.categories_file().categories
    assert set(entries) == set(Category)
    assert all(entry.label_zh and entry.examples for entry in entries.values())


@pytest.mark.parametrize(("category", "text"), EXAMPLES)
def test_the_shipped_model_puts_each_example_in_its_category(category: str, text: str) -> None:
    result = classify.packaged().classify(text)
    assert category in result.categories, result.scores
    assert result.negative is (category != Category.other.value)


def test_praise_that_names_a_problem_word_is_not_a_complaint() -> None:
    result = classify.packaged().classify("物流超快，昨天下单今天就到了，包装也好，五星好评")
    assert result.negative is False
    assert result.sentiment > 0


def test_traditional_characters_read_as_simplified() -> None:
    simplified = classify.packaged().classify("等了十天还没发货，客服也不理人")
    traditional = classify.packaged().classify("等了十天還沒發貨，客服也不理人")
    assert simplified.categories == traditional.categories
    assert simplified.scores == traditional.scores


def test_a_post_with_no_category_above_its_threshold_is_other() -> None:
    scores = {name: 0.1 for name in classify.OUTPUTS}
    thresholds = {name: 0.5 for name in classify.OUTPUTS}
    result = classify.decide(scores, thresholds)
    assert (result.category, result.categories, result.negative) == ("other", ["other"], False)


def test_two_problems_are_both_kept_strongest_first() -> None:
    scores = {name: 0.1 for name in classify.OUTPUTS}
    scores |= {"delivery": 0.6, "after_sales": 0.9, "negative": 0.95}
    thresholds = {name: 0.5 for name in classify.OUTPUTS} | {"delivery": 0.3}
    result = classify.decide(scores, thresholds)
    assert result.categories == ["delivery", "after_sales"]  # 0.6/0.3 = 2 > 0.9/0.5 = 1.8
    assert result.negative and result.sentiment < 0


def test_training_learns_a_small_set() -> None:
    items = [
        {"text": t, "categories": [c], "negative": c != "other", "sentiment": s}
        for t, c, s in [
            ("快递一直不发货", "delivery", "negative"),
            ("物流太慢了等了十天", "delivery", "negative"),
            ("还没发货催了好几次", "delivery", "negative"),
            ("收到的是假货", "quality_counterfeit", "negative"),
            ("质量太差用两天就坏了", "quality_counterfeit", "negative"),
            ("鉴定是高仿假货", "quality_counterfeit", "negative"),
            ("主播人很好", "other", "positive"),
            ("今晚几点开播", "other", "neutral"),
        ]
        * 3
    ]
    model = classify.train(items, folds=2)
    assert "delivery" in model.classify("发货太慢了").categories
    assert "quality_counterfeit" in model.classify("是假货").categories
