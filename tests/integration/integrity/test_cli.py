"""``liveguard trade brushing`` on a file, no database: Shopee's columns in, one line per
shop out."""

from __future__ import annotations

from typer.testing import CliRunner

from liveguard.cli.main import app


def test_brushing_in_shopee_format_lists_every_shop(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "orderid,shopid,userid,event_time\n"
        "1,20,901,2019-12-27 00:00:00\n"
        "2,20,901,2019-12-27 00:30:00\n"
        "3,20,901,2019-12-27 01:00:00\n"
        "4,20,77,2019-12-27 00:10:00\n"
        "5,20,77,2019-12-27 00:20:00\n"
        "6,20,77,2019-12-27 00:40:00\n"
        "7,10,5,2019-12-27 00:00:00\n"
        "8,10,5,2019-12-27 01:00:01\n"
        "9,10,5,2019-12-27 02:00:02\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["trade", "brushing", str(orders), "--format", "shopee"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["shopid,userid", "10,0", "20,77&901"]
