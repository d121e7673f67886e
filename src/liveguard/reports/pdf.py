"""The report as a PDF a consumer association could publish: a cover with the period and
the sources, a table of contents, numbered pages, the same SVG charts as the web page
(drawn as vectors), Noto Sans CJK embedded as a subset.

Why fpdf2: pure Python on fontTools, so it embeds and subsets the CFF-outlined OpenType
Noto CJK (as CIDFontType0 / FontFile3) and draws SVG itself, with no browser, no Pango or
Cairo and no system service; WeasyPrint needs Debian's Pango, which a fresh Windows or
macOS machine lacks, and reportlab embeds TrueType outlines only, not CFF.
"""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from typing import Any

from fpdf import FPDF
from fpdf.enums import WrapMode
from fpdf.fonts import FontFace
from fpdf.outline import OutlineSection

from liveguard.clock import CHINA
from liveguard.money import yuan
from liveguard.reports import charts, fonts
from liveguard.reports.render import SECTIONS, charts_for
from liveguard.reports.schemas import Example, ReportContent

BODY = 10.5
LINE = 6.5


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        if self.page_no() == 1:
            return  # the cover has no number
        self.set_y(-14)
        self.set_font(charts.FONT_FAMILY, size=8.5)
        self.cell(0, 6, f"{self.footer_text}    第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def _when(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y年%m月%d日 %H:%M（北京时间）")


def _period(content: ReportContent) -> str:
    return f"{content.start:%Y年%m月%d日} 至 {content.end:%Y年%m月%d日}"


def _toc(pdf: FPDF, outline: list[OutlineSection]) -> None:
    pdf.set_font(charts.FONT_FAMILY, size=16)
    pdf.set_x(pdf.l_margin)
    pdf.cell(pdf.epw, 12, "目  录", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)
    pdf.set_font(charts.FONT_FAMILY, size=11)
    for section in outline:
        if section.level > 0:
            continue
        link = pdf.add_link(page=section.page_number)
        pdf.cell(150, 9, section.name, link=link)
        pdf.cell(0, 9, str(section.page_number), align="R", new_x="LMARGIN", new_y="NEXT")


def _heading(pdf: FPDF, title: str) -> None:
    pdf.start_section(title, level=0)
    pdf.set_font(charts.FONT_FAMILY, size=15)
    pdf.cell(0, 12, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(charts.FONT_FAMILY, size=BODY)


def _para(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, LINE, text, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: FPDF, svg: str) -> None:
    size = re.search(r'width="(\d+)" height="(\d+)"', svg)
    height = pdf.epw * int(size.group(2)) / int(size.group(1)) if size else 70
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.image(BytesIO(svg.encode("utf-8")), w=pdf.epw)
    pdf.ln(2)


def _table(pdf: FPDF, header: list[str], rows: list[list[Any]], widths: tuple[int, ...]) -> None:
    if not rows:
        _para(pdf, "本期无记录。")
        return
    pdf.set_font(charts.FONT_FAMILY, size=9)
    with pdf.table(
        col_widths=widths,
        line_height=5.5,
        text_align="LEFT",
        headings_style=FontFace(emphasis=None, fill_color=(235, 238, 242)),
    ) as table:
        table.row([str(h) for h in header])
        for row in rows:
            table.row([str(cell) for cell in row])
    pdf.set_font(charts.FONT_FAMILY, size=BODY)
    pdf.ln(3)


def _example(pdf: FPDF, n: int, example: Example) -> None:
    where = f"（{example.where}）" if example.where else ""
    seq = f" 证据账本第 {example.ledger_seq} 项" if example.ledger_seq is not None else ""
    at = f"{_when(example.at)} " if example.at else ""
    _para(pdf, f"{n}. 【{example.label}】{at}{where}{seq}")
    _para(pdf, f"    “{example.text}”")
    pdf.ln(1)


def render(content: ReportContent) -> bytes:
    """The PDF of a report, from its content alone."""
    font = fonts.find()
    drawn = charts_for(content)
    pdf = _Document(footer_text=content.title)
    pdf.add_font(charts.FONT_FAMILY, fname=str(font.path), collection_font_number=font.index)
    pdf.set_title(content.title)
    pdf.set_author("LiveGuard")
    pdf.set_creation_date(content.generated_at)
    pdf.set_auto_page_break(auto=True, margin=18)

    pdf.add_page()  # the cover
    pdf.set_font(charts.FONT_FAMILY, size=22)
    pdf.ln(60)
    pdf.multi_cell(0, 12, content.title, align="C", wrapmode=WrapMode.CHAR)
    pdf.ln(8)
    pdf.set_font(charts.FONT_FAMILY, size=13)
    pdf.cell(0, 9, f"统计期间：{_period(content)}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 9, f"范围：{content.platform or '全部平台'}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(
        0, 9, f"生成时间：{_when(content.generated_at)}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(20)
    pdf.set_font(charts.FONT_FAMILY, size=BODY)
    _para(pdf, "数据来源：" + "；".join(content.sources) + "。")

    pdf.add_page()
    pdf.insert_toc_placeholder(_toc, pages=1)  # the contents page; the next page follows
    titles = {s.key: s.title for s in SECTIONS}

    _heading(pdf, titles["overview"])
    _table(pdf, ["项目", "数量"], [[c.label, c.count] for c in content.totals], (3, 1))

    _heading(pdf, titles["findings"])
    _chart(pdf, drawn["findings_by_category"])
    _chart(pdf, drawn["findings_trend"])
    _table(
        pdf,
        ["问题类别", "发现数"],
        [[c.label, c.count] for c in content.findings_by_category],
        (3, 1),
    )

    harms = content.harms
    pdf.add_page()
    _heading(pdf, titles["harms"])
    _para(pdf, f"分类依据：{harms.source}。")
    _chart(pdf, drawn["harms"])
    _table(
        pdf,
        ["类型", "监测发现", "投诉"],
        [[r.label, r.findings, r.complaints] for r in harms.rows],
        (3, 1, 1),
    )
    short = [r.label for r in harms.rows]
    for kind, parties in (("商家", harms.merchants), ("主播", harms.anchors)):
        _para(pdf, f"按{kind}（发现与投诉合计，前 10 名）：")
        _table(
            pdf,
            [kind, *short, "合计"],
            [[p.name, *(p.counts.get(r.harm, 0) for r in harms.rows), p.total] for p in parties],
            (3, *([1] * len(short)), 1),
        )

    _heading(pdf, titles["rooms"])
    _table(
        pdf,
        ["直播间", "标题", "商家", "主播", "发现数"],
        [[r.room_code, r.title, r.merchant, r.anchor, r.findings] for r in content.top_rooms],
        (2, 4, 2, 2, 1),
    )
    _table(
        pdf,
        ["商家", "监测发现", "投诉"],
        [[m.name, m.findings, m.complaints] for m in content.top_merchants],
        (3, 1, 1),
    )

    stats = content.complaints
    _heading(pdf, titles["complaints"])
    minutes = stats.median_response_minutes
    response = f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes is not None else "暂无"
    _para(
        pdf,
        f"本期受理投诉 {stats.total} 件，已处理 {stats.answered} 件；首次处理用时中位数 "
        f"{response}；决定赔付金额 {yuan(stats.decided_fen)} 元，已先行赔付 "
        f"{yuan(stats.paid_fen)} 元。",
    )
    _chart(pdf, drawn["complaints"])

    _heading(pdf, titles["opinion"])
    opinion = content.opinion
    if opinion is None:
        _para(pdf, "本期未接入舆情数据。")
    else:
        _para(
            pdf,
            f"本期收集帖子、评价与投诉 {opinion.posts_total} 条，其中负面 "
            f"{opinion.negative_total} 条。",
        )
        _chart(pdf, drawn["opinion_by_category"])
        _chart(pdf, drawn["opinion_trend"])
        _table(
            pdf,
            ["被提及方", "类型", "提及次数"],
            [[p.name, p.kind, p.count] for p in opinion.top_parties],
            (3, 1, 1),
        )

    _heading(pdf, titles["credit"])
    if content.list_changes:
        _table(
            pdf,
            ["时间", "当事方", "名单", "变化", "理由", "账本"],
            [
                [
                    f"{c.at.astimezone(CHINA):%Y-%m-%d %H:%M}",
                    f"{c.party_kind}：{c.party}",
                    c.list_name,
                    c.change,
                    c.reason,
                    c.ledger_seq,
                ]
                for c in content.list_changes
            ],
            (2, 2, 2, 2, 3, 1),
        )
    else:
        _para(pdf, "本期红黑名单无变化。")

    _heading(pdf, titles["examples"])
    examples = [*content.examples, *(opinion.examples if opinion else [])]
    for n, example in enumerate(examples, 1):
        _example(pdf, n, example)
    if not examples:
        _para(pdf, "本期无典型案例。")

    _heading(pdf, titles["sources"])
    _para(pdf, f"统计期间：{_period(content)}（北京时间，含首尾两日）。")
    for source in content.sources:
        _para(pdf, f"· {source}")
    _para(
        pdf,
        "本报告 PDF 的 SHA-256 摘要在生成时记入 LiveGuard 证据账本，可在账本中核验其未被改动；"
        "示例所附账本编号指向原始记录。",
    )
    return bytes(pdf.output())
