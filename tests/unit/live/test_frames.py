"""Frame reading: QR codes decoded and classified, captions read, unchanged frames not
read twice, bad images refused. Frames are drawn in the test (tests/frame_images.py)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from liveguard.errors import InvalidInput
from liveguard.live import frames
from liveguard.live.frames import FrameAnalyser, decode_qr, frame_settings, load_image
from liveguard.live.payloads import PayloadKind
from tests.frame_images import encoded, frame

WECHAT_CARD = "https://u.wechat.com/EH2xQ3kC9lXz1aBcDeFg"
ALIPAY_CODE = "HTTPS://QR.ALIPAY.COM/FKX07101TQFMN0ZJ9U1EE2"
T0 = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def analyser() -> FrameAnalyser:
    return FrameAnalyser()  # one per module: the OCR models load once


def inside(inner: tuple[int, ...], outer: tuple[int, ...], slack: int = 0) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def test_it_decodes_a_wechat_card_held_up_in_a_720p_frame(analyser: FrameAnalyser) -> None:
    reading = analyser.analyse(encoded(frame(qr=WECHAT_CARD, qr_at=(900, 300))), stream="")
    assert [code.payload for code in reading.qr_codes] == [WECHAT_CARD]
    code = reading.qr_codes[0]
    assert code.kind is PayloadKind.wechat_contact and code.rule.id == "qr.wechat_contact"
    # segno's image is 35 modules incl. the quiet zone, 6 px each: modules from 924 to 1098
    assert inside(code.box, (900, 300, 900 + 35 * 6, 300 + 35 * 6))
    assert (reading.width, reading.height) == (1280, 720)


def test_a_payment_code_in_a_jpeg_frame_is_classified_as_payment() -> None:
    reading = frames.analyse_frame(encoded(frame(qr=ALIPAY_CODE), "JPEG"), ocr=False)
    assert [(c.kind, c.rule.severity.value) for c in reading.qr_codes] == [
        (PayloadKind.alipay, "critical")
    ]
    assert reading.ocr == "off" and reading.lines == []


def test_only_qr_codes_are_looked_for() -> None:
    barcode = np.asarray(
        zxingcpp.write_barcode_to_image(
            zxingcpp.create_barcode("6901234567892", zxingcpp.BarcodeFormat.Code128)
        )
    )
    image = Image.new("L", (1280, 720), 255)
    image.paste(Image.fromarray(barcode).resize((barcode.shape[1] * 3, 120)), (100, 100))
    grey = np.asarray(image)
    assert decode_qr(grey) == []  # QR only: ~8x faster than every format
    every = frames.QrSettings(formats=["QRCode", "Code128"])
    assert [code.payload for code in decode_qr(grey, every)] == ["6901234567892"]
    assert decode_qr(grey, every)[0].kind is PayloadKind.text


def test_it_reads_chinese_captions_with_their_place(analyser: FrameAnalyser) -> None:
    image = frame(captions=[("加我薇信发货快", (100, 500)), ("羽绒服年货节特价", (100, 100))])
    reading = analyser.analyse(encoded(image))
    assert reading.ocr == "read"
    assert set(reading.texts()) == {"加我薇信发货快", "羽绒服年货节特价"}
    bottom = next(line for line in reading.lines if line.text == "加我薇信发货快")
    assert inside(bottom.box, (100, 500, 100 + 7 * 36, 500 + 60), slack=8)
    assert bottom.score > 0.8
    shown = {line["text"]: line for line in reading.to_dict()["lines"]}
    assert shown["加我薇信发货快"]["box"] == list(bottom.box)  # what the console draws
    assert json.loads(json.dumps(reading.to_dict())) == reading.to_dict()


def test_it_reads_only_where_text_is_and_never_the_qr_code(analyser: FrameAnalyser) -> None:
    image = frame(qr=WECHAT_CARD, qr_at=(900, 300), captions=[("扫码加好友", (80, 600))])
    reading = analyser.analyse(encoded(image))
    assert reading.texts() == ["扫码加好友"]
    assert reading.crop is not None
    x0, y0, x1, y1 = reading.crop
    assert (x1 - x0) * (y1 - y0) < 1280 * 720 / 10  # the caption's strip, not the frame
    assert x1 < 900  # the QR code was left out


def test_a_frame_without_text_is_not_read(analyser: FrameAnalyser) -> None:
    reading = analyser.analyse(encoded(frame(qr=WECHAT_CARD)))
    assert reading.ocr == "no_text" and reading.lines == [] and reading.crop is None
    assert len(reading.qr_codes) == 1


def test_an_unchanged_frame_is_not_read_again_but_its_qr_code_is(analyser: FrameAnalyser) -> None:
    still = frame(qr=WECHAT_CARD, captions=[("加我薇信", (100, 500))])
    first = analyser.analyse(encoded(still), stream="room-1", at=T0)
    # the same picture re-encoded as JPEG a few seconds later: pixels differ slightly
    again = analyser.analyse(encoded(still, "JPEG"), stream="room-1", at=T0 + timedelta(seconds=5))
    assert first.ocr == "read" and first.texts() == ["加我薇信"]
    assert again.ocr == "unchanged" and again.lines == []
    assert [c.payload for c in again.qr_codes] == [WECHAT_CARD]
    # another room showing the same picture is read for itself
    assert analyser.analyse(encoded(still), stream="room-2", at=T0).ocr == "read"


def test_a_new_caption_is_read_once_the_gap_has_passed(analyser: FrameAnalyser) -> None:
    gap = frame_settings().sampling.min_gap_seconds
    analyser.analyse(encoded(frame(captions=[("第一件", (100, 100))])), stream="r3", at=T0)
    changed = encoded(frame(captions=[("第一件", (100, 100)), ("点击下方小黄车", (100, 500))]))
    soon = analyser.analyse(changed, stream="r3", at=T0 + timedelta(seconds=gap / 2))
    later = analyser.analyse(changed, stream="r3", at=T0 + timedelta(seconds=gap * 2))
    assert soon.ocr == "deferred" and soon.lines == []
    assert later.ocr == "read" and "点击下方小黄车" in later.texts()


def test_a_new_caption_counts_as_a_change_and_jpeg_noise_does_not() -> None:
    sampling = frame_settings().sampling
    still = frame(captions=[("直播间", (100, 100))])
    with_caption = frame(captions=[("直播间", (100, 100)), ("拍一发二", (900, 620))])
    thumb = frames.thumbnail(still.convert("L"), sampling.thumb_width)
    noisy = Image.open(io.BytesIO(encoded(still, "JPEG"))).convert("L")
    limit = sampling.max_block_change
    assert frames.near_duplicate(frames.thumbnail(noisy, sampling.thumb_width), thumb, limit)
    changed = frames.thumbnail(with_caption.convert("L"), sampling.thumb_width)
    assert not frames.near_duplicate(changed, thumb, limit)
    assert frames.difference_hash(thumb) == frames.difference_hash(thumb.copy())


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"not an image at all", "not a PNG or JPEG"),
        (encoded(Image.new("RGB", (64, 64)), "GIF"), "GIF is not a frame format"),
        (encoded(Image.new("L", (5000, 4000)), "PNG"), "5000 x 4000"),
        (encoded(frame())[:400], "truncated or corrupt"),
    ],
)
def test_it_refuses_what_is_not_a_frame_with_the_reason(data: bytes, problem: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_image(data)
    assert caught.value.problems[0].field == "image" and problem in caught.value.detail


def test_ocr_uses_the_models_in_the_wheel_and_never_downloads(monkeypatch) -> None:
    import requests
    from rapidocr.utils.download_file import DownloadFile

    def refuse(*args, **kwargs):
        raise AssertionError("OCR tried to download a model")

    monkeypatch.setattr(DownloadFile, "run", classmethod(refuse))
    monkeypatch.setattr(requests.Session, "request", refuse)
    reader = frames.TextReader()
    assert reader.read(np.asarray(frame(captions=[("正品保障", (40, 40))]))[:120, :400]) != []
