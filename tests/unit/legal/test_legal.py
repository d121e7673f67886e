"""The shipped legal texts, their parser, and quote verification."""

from importlib import resources

import pytest
from pydantic import ValidationError

from liveguard.legal import LegalBasis, chinese_numeral, get_law, library, parse_law, quote_problem

ALL_TEXTS = [law for versions in library().values() for law in versions]
UNFAIR_COMPETITION = "反不正当竞争法"
TEXTS = resources.files("liveguard.legal").joinpath("texts")


def _law_id(law):
    return f"{law.name}({law.version})"


# --- Chinese numerals ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("二十一", 21),
        ("九十九", 99),
        ("一百", 100),
        ("一百零一", 101),
        ("一百一十", 110),
        ("一百四十八", 148),
        ("两百", 200),
        ("一千", 1000),
        ("一千零二十", 1020),
        ("一千二百三十四", 1234),
    ],
)
def test_chinese_numerals_are_read_as_article_numbers(text, value):
    assert chinese_numeral(text) == value


@pytest.mark.parametrize("text", ["万", "十a", "1"])
def test_a_character_that_is_not_a_chinese_numeral_is_named(text):
    with pytest.raises(ValueError, match="is not a Chinese numeral"):
        chinese_numeral(text)


# --- the parser ------------------------------------------------------------------------

SAMPLE = """\
# 中华人民共和国示例法

2020年1月1日 通过

<!-- INFO END -->

## 第一章 总 则

第一条 为了示例，制定本法。

第二条 第一款。

  第二款。

## 第二章 附 则

第三条 本法自2020年1月1日起施行。
"""


def test_the_parser_takes_the_title_from_the_first_heading():
    assert parse_law("示例法", "2020-01-01", SAMPLE).title == "中华人民共和国示例法"


def test_the_parser_numbers_articles_and_skips_preamble_and_chapter_headings():
    law = parse_law("示例法", "2020-01-01", SAMPLE)
    assert law.articles == {
        1: "为了示例，制定本法。",
        2: "第一款。\n第二款。",
        3: "本法自2020年1月1日起施行。",
    }


def test_asking_for_a_missing_article_names_the_law_and_the_article():
    law = parse_law("示例法", "2020-01-01", SAMPLE)
    with pytest.raises(KeyError, match=r"示例法 \(2020-01-01\) has no article 4"):
        law.article(4)


# --- the shipped texts -----------------------------------------------------------------


def _text_files():
    return [f.name for f in TEXTS.iterdir() if f.name.endswith(".md") and f.name != "SOURCES.md"]


def test_every_text_file_is_loaded():
    assert sorted(f"{_law_id(law)}.md" for law in ALL_TEXTS) == sorted(_text_files())


@pytest.mark.parametrize("law", ALL_TEXTS, ids=_law_id)
def test_every_shipped_text_has_articles_numbered_1_to_n_without_gaps(law):
    assert law.articles, f"{_law_id(law)} has no articles"
    # a book of the Civil Code (民法典·合同编) goes on numbering where the one before ended
    first = min(law.articles) if "·" in law.name else 1
    assert sorted(law.articles) == list(range(first, first + len(law.articles)))


@pytest.mark.parametrize("law", ALL_TEXTS, ids=_law_id)
def test_every_shipped_article_has_text(law):
    assert [number for number, text in law.articles.items() if not text.strip()] == []


@pytest.mark.parametrize("law", ALL_TEXTS, ids=_law_id)
def test_every_shipped_text_ends_with_its_commencement_article(law):
    # A text cut short would end in the middle; every law ends by saying when it applies.
    # A book of the Civil Code (民法典·合同编) ends where the next begins; the code says
    # when it applies in its last book.
    assert "施行" in law.articles[max(law.articles)] or "·" in law.name


@pytest.mark.parametrize("law", ALL_TEXTS, ids=_law_id)
def test_every_shipped_text_has_a_title(law):
    assert law.name.split("·")[-1] in law.title  # a book of a code: the book's title


def test_get_law_picks_the_newest_version_by_default():
    assert get_law(UNFAIR_COMPETITION).version == "2025-06-27"


@pytest.mark.parametrize("version", ["2019-04-23", "2025-06-27"])
def test_get_law_returns_a_named_version(version):
    assert get_law(UNFAIR_COMPETITION, version).version == version


def test_the_two_versions_of_a_law_differ():
    old = get_law(UNFAIR_COMPETITION, "2019-04-23")
    new = get_law(UNFAIR_COMPETITION, "2025-06-27")
    assert len(old.articles) == 33
    assert len(new.articles) == 41


def test_get_law_lists_the_known_laws_when_the_name_is_unknown():
    with pytest.raises(KeyError, match=r"no law text named '刑法'; known: .*电子商务法"):
        get_law("刑法")


def test_get_law_lists_the_versions_when_the_version_is_unknown():
    with pytest.raises(KeyError, match=r"has no version 2020-01-01; have .*2019-04-23.*2025-06-27"):
        get_law(UNFAIR_COMPETITION, "2020-01-01")


def test_a_citation_uses_the_full_title_and_the_article_number():
    basis = LegalBasis(law="电子商务法", article=17, quote="不得以虚构交易、编造用户评价等方式")
    assert basis.citation == "《中华人民共和国电子商务法》第17条"


# --- quote verification ----------------------------------------------------------------


def _basis(quote, *, law="消费者权益保护法", article=55, version=None):
    return LegalBasis(law=law, article=article, version=version, quote=quote)


def test_a_verbatim_quote_verifies():
    assert quote_problem(_basis("增加赔偿的金额不足五百元的，为五百元。")) is None


def test_a_quote_of_a_whole_article_verifies():
    text = get_law("电子商务法").article(17)
    assert quote_problem(_basis(text, law="电子商务法", article=17)) is None


def test_a_quote_with_different_whitespace_verifies():
    assert quote_problem(_basis("增加赔偿的金额 不足五百元的，\n为五百元。")) is None


def test_a_quote_spanning_two_paragraphs_verifies():
    quote = "法律另有规定的，依照其规定。\n经营者明知商品或者服务存在缺陷"
    assert quote_problem(_basis(quote)) is None


def test_quoted_parts_joined_by_an_ellipsis_verify_in_order():
    quote = "经营者提供商品或者服务有欺诈行为的……为五百元"
    assert quote_problem(_basis(quote)) is None


def test_an_ellipsis_at_either_end_is_allowed():
    assert quote_problem(_basis("……三倍；……")) is None


def test_quoted_parts_out_of_order_are_refused():
    quote = "为五百元……经营者提供商品或者服务有欺诈行为的"
    problem = quote_problem(_basis(quote))
    assert problem is not None
    assert "quote not found in 消费者权益保护法 art. 55" in problem
    assert "经营者提供商品或者服务有欺诈行为的" in problem


def test_a_paraphrase_is_refused():
    problem = quote_problem(_basis("经营者欺诈的，赔偿价款的三倍，最少五百元。"))
    assert problem is not None
    assert "quote not found" in problem


def test_a_quote_under_the_wrong_article_is_refused():
    problem = quote_problem(_basis("增加赔偿的金额不足五百元的，为五百元。", article=54))
    assert problem is not None
    assert "art. 54" in problem


def test_an_article_number_past_the_end_is_refused():
    problem = quote_problem(_basis("增加赔偿的金额不足五百元的", article=64))
    assert problem is not None
    assert "has no article 64" in problem


def test_an_unknown_law_is_refused():
    problem = quote_problem(_basis("增加赔偿的金额不足五百元的", law="消费者保护法"))
    assert problem is not None
    assert "no law text named '消费者保护法'" in problem


def test_an_unknown_version_is_refused():
    problem = quote_problem(_basis("增加赔偿的金额", version="2020-01-01"))
    assert problem is not None
    assert "has no version 2020-01-01" in problem


def test_a_quote_is_checked_against_the_version_it_names():
    # 2019 art. 8 became 2025 art. 9, which added "虚假评价".
    tail = "帮助其他经营者进行虚假或者引人误解的商业宣传。"
    old = "经营者不得通过组织虚假交易等方式，" + tail
    new = "经营者不得通过组织虚假交易、虚假评价等方式，" + tail
    law = UNFAIR_COMPETITION
    assert quote_problem(_basis(old, law=law, article=8, version="2019-04-23")) is None
    assert quote_problem(_basis(new, law=law, article=9)) is None
    assert quote_problem(_basis(old, law=law, article=9)) is not None
    assert quote_problem(_basis(new, law=law, article=8, version="2019-04-23")) is not None


@pytest.mark.parametrize("quote", ["…………", "    ", "…… ……"])
def test_a_quote_with_no_words_is_refused(quote):
    assert quote_problem(_basis(quote)) is not None


def test_a_legal_basis_refuses_unknown_fields_and_article_zero():
    with pytest.raises(ValidationError):
        LegalBasis(law="电子商务法", article=0, quote="电子商务经营者")
    with pytest.raises(ValidationError):
        LegalBasis(law="电子商务法", article=1, quote="电子商务经营者", paragraph=2)
