"""What a report shows, drawn once: the charts (SVG) and the sections in order. The web
page (web/templates/report.html) and the PDF (``pdf.py``) both take their charts from
``charts_for`` and their headings from ``SECTIONS``, so the two say and show the same."""

from __future__ import annotations

from dataclasses import dataclass

from liveguard.reports import charts
from liveguard.reports.schemas import Count, ReportContent, Trend


@dataclass(frozen=True)
class Section:
    key: str
    title: str


SECTIONS = (
    Section("overview", "一、总体情况"),
    Section("findings", "二、直播间监测发现"),
    Section("harms", "三、七类侵害消费者权益行为"),
    Section("rooms", "四、问题较多的直播间与商家"),
    Section("complaints", "五、投诉处理情况"),
    Section("opinion", "六、消费者舆情"),
    Section("credit", "七、红黑名单变化"),
    Section("examples", "八、典型案例"),
    Section("sources", "九、统计期间与数据来源"),
)
TREND_SERIES = 5  # lines on a trend chart; the rest are in the tables


def _bars(items: list[Count], limit: int = 12) -> list[tuple[str, int]]:
    return [(c.label, c.count) for c in items[:limit]]


def _trend(title: str, trend: Trend) -> str:
    days = [f"{d.month}-{d.day:02d}" for d in trend.days]
    series = [charts.Series(s.label, s.values) for s in trend.series[:TREND_SERIES]]
    return charts.lines(title, days, series)


def charts_for(content: ReportContent) -> dict[str, str]:
    """Every chart of a report, by section key and name, as SVG text."""
    drawn = {
        "findings_by_category": charts.bars(
            "监测发现：按问题类别", _bars(content.findings_by_category)
        ),
        "findings_trend": _trend("监测发现：每日趋势", content.findings_trend),
        "harms": charts.bars(
            "七类侵害：发现与投诉合计",
            [(row.label, row.findings + row.complaints) for row in content.harms.rows],
        ),
        "complaints": charts.bars("投诉：按处理状态", _bars(content.complaints.by_state)),
    }
    if content.opinion is not None:
        drawn["opinion_by_category"] = charts.bars(
            "负面舆情：按类别", _bars(content.opinion.negative_by_category)
        )
        drawn["opinion_trend"] = _trend("负面舆情：每日趋势", content.opinion.trend)
    return drawn
