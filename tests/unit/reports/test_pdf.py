"""The PDF a consumer association would publish, read back with pypdf: a cover with the
period and sources, a table of contents whose page numbers are right, a number on every
page after the cover, each section's words, the charts (their titles and labels as text,
their bars as drawn rectangles), and Noto CJK embedded as a subset."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from liveguard.reports import fonts, pdf, render
from liveguard.reports.schemas import (
    ComplaintStats,
    Count,
    DaySeries,
    Example,
    HarmRow,
    OpinionPart,
    PartyHarms,
    PartyMention,
    ReportContent,
    SevenHarms,
    Trend,
)

DAYS = [date(2026, 6, d) for d in range(1, 21)]


def content() -> ReportContent:
    return ReportContent(
        title="2026年“618”直播带货消费维权舆情分析报告",
        start=DAYS[0],
        end=DAYS[-1],
        platform="星河直播",
        generated_at=datetime(2026, 6, 21, 1, 0, tzinfo=UTC),
        sources=["直播间实时监测发现", "消费者投诉案件", "公开的消费者帖子"],
        totals=[Count(key="findings", label="监测发现", count=98)],
        findings_by_category=[
            Count(key="absolute_terms", label="绝对化用语", count=50),
            Count(key="diversion", label="引导私下交易", count=10),
        ],
        findings_trend=Trend(
            days=DAYS, series=[DaySeries(key="absolute_terms", label="绝对化用语", values=[2] * 20)]
        ),
        harms=SevenHarms(
            source="中国消费者协会研究",
            rows=[
                HarmRow(harm="absolute_terms", label="滥用极限词", findings=50, complaints=0),
                HarmRow(harm="off_platform", label="诱导场外交易", findings=10, complaints=1),
            ],
            merchants=[
                PartyHarms(party_id=1, name="暖冬服饰旗舰店", counts={"off_platform": 11}, total=11)
            ],
            anchors=[
                PartyHarms(party_id=2, name="小暖穿搭", counts={"absolute_terms": 5}, total=5)
            ],
        ),
        top_rooms=[],
        top_merchants=[],
        complaints=ComplaintStats(
            total=5,
            by_state=[Count(key="filed", label="待受理", count=4)],
            answered=1,
            median_response_minutes=1440,
            decided_fen=29900,
            paid_fen=0,
        ),
        examples=[
            Example(
                kind="finding",
                label="引导私下交易",
                text="着急的宝宝加我们薇信",
                where="直播间 XH-618001",
                at=datetime(2026, 6, 3, 12, 5, tzinfo=UTC),
                ledger_seq=42,
            )
        ],
        opinion=OpinionPart(
            posts_total=1200,
            negative_total=700,
            negative_by_category=[Count(key="after_sales", label="售后服务", count=300)],
            trend=Trend(
                days=DAYS, series=[DaySeries(key="after_sales", label="售后服务", values=[15] * 20)]
            ),
            top_parties=[PartyMention(name="某某旗舰店", kind="商家", count=88)],
            examples=[],
        ),
    )


@pytest.fixture(scope="module")
def reader() -> PdfReader:
    try:
        fonts.find()
    except fonts.FontMissing as missing:
        pytest.skip(missing.detail)  # CI installs fonts-noto-cjk; this skips nowhere there
    return PdfReader(BytesIO(pdf.render(content())))


def _text(page) -> str:
    # pypdf puts spaces (or NULs) between the glyphs of a CID font: a person reads none
    return re.sub(r"[\s\x00]+", "", page.extract_text())


def test_it_has_a_cover_a_contents_page_and_numbered_pages(reader: PdfReader) -> None:
    pages = [_text(p) for p in reader.pages]
    assert len(pages) >= 5
    assert "统计期间：2026年06月01日至2026年06月20日" in pages[0]
    assert "第1页" not in pages[0]  # the cover has no number
    for n, text in enumerate(pages[1:], start=2):
        assert f"第{n}页/共{len(pages)}页" in text


def test_its_contents_list_every_section_on_the_page_it_starts(reader: PdfReader) -> None:
    pages = [_text(p) for p in reader.pages]
    contents = pages[1]
    assert "目录" in contents
    for section in render.SECTIONS:
        found = re.search(re.escape(section.title) + r"(\d+)", contents)
        assert found, section.title
        page = int(found.group(1))
        assert section.title in pages[page - 1]


def test_it_states_the_period_and_the_data_sources(reader: PdfReader) -> None:
    everything = "".join(_text(p) for p in reader.pages)
    for source in content().sources:
        assert source in everything
    assert "证据账本第42项" in everything  # the example links to its evidence
    assert "决定赔付金额299.00" in everything


def test_its_charts_are_there_with_their_titles_labels_and_bars(reader: PdfReader) -> None:
    everything = "".join(_text(p) for p in reader.pages)
    drawn = render.charts_for(content())
    assert len(drawn) == 6
    for svg in drawn.values():
        title = re.search(r'data-chart="([^"]+)"', svg).group(1)
        assert title in everything
    assert "6-01" in everything and "6-20" in everything  # the trend's axis
    # the bars are filled rectangles in the page content (the SVG drawn as vectors)
    rectangles = sum(
        len(re.findall(rb"\bre\b", page.get_contents().get_data())) for page in reader.pages
    )
    assert rectangles >= 8


def test_the_chinese_font_is_embedded_as_a_subset(reader: PdfReader) -> None:
    embedded = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                if "/FontFile3" in descriptor or "/FontFile2" in descriptor:
                    embedded.add(str(font["/BaseFont"]))
    assert embedded
    assert all(re.match(r"^/[A-Z]{6}\+NotoSansCJK", name) for name in embedded), embedded


def test_a_missing_font_is_a_clear_error_naming_the_package(monkeypatch) -> None:
    monkeypatch.setenv(fonts.ENVIRONMENT, "/nonexistent/NotoSansCJK-Regular.ttc")
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.find()
