"""``CaseFacts``: what the liability engine decides from, and nothing else.

Every fact is optional and ``None`` means *unknown*: the engine never fills a gap with a
guess. A rule whose condition needs an unknown fact does not fire; instead the answer
asks the consumer (or staff) for that fact, naming the rules that depend on it.

Money is integer fen (1 yuan = 100 fen). Dates are calendar dates in China (the law counts
days there); times of a recording are aware datetimes.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Fen = Annotated[int, Field(ge=0, description="integer fen (1 yuan = 100 fen)")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(StrEnum):
    """Where the money went."""

    platform = "platform"  # clicked "buy" in the live room / listing, paid at the platform
    off_platform = "off_platform"  # paid outside the platform (WeChat, Alipay, bank, cash)


class OffPlatformPayment(StrEnum):
    wechat_transfer = "wechat_transfer"
    wechat_qr = "wechat_qr"
    alipay = "alipay"
    bank_transfer = "bank_transfer"
    cash = "cash"
    other = "other"


class Diverter(StrEnum):
    """Who asked the consumer to pay outside the platform."""

    merchant_staff = "merchant_staff"  # the store's customer service or staff (SPC online art. 5)
    anchor = "anchor"  # the anchor, not employed by the store
    other_person = "other_person"  # someone else (a "customer service" account of unknown origin)


class RoomOperator(StrEnum):
    """Who ran the live room the consumer bought from."""

    merchant = "merchant"  # the store's own room, its own staff on camera
    anchor = "anchor"  # an anchor's own room (the anchor's account)
    mcn = "mcn"  # an MCN agency runs the room with its anchor
    platform = "platform"  # the platform's self-operated room


class AnchorRole(StrEnum):
    """What the anchor was in law, as far as the facts show."""

    seller = "seller"  # sold in their own name (their own goods or store)
    operator = "operator"  # ran the room, selling others' goods
    endorser = "endorser"  # recommended goods in their own name for the advertiser
    staff = "staff"  # an employee of the store, speaking for it


class Category(StrEnum):
    food = "food"
    drug = "drug"
    other = "other"


class Defect(StrEnum):
    """What is wrong with the goods (the consumer's complaint, as established)."""

    none = "none"  # nothing wrong: a change of mind
    quality = "quality"  # does not meet quality requirements (CPL art. 24)
    not_as_described = "not_as_described"  # differs from what was shown or said
    counterfeit = "counterfeit"  # fake or not the brand/product claimed
    unsafe = "unsafe"  # endangers person or property
    not_delivered = "not_delivered"  # never shipped or delivered


class ReturnException(StrEnum):
    """Goods outside the 7-day no-reason return (CPL art. 25)."""

    none = "none"  # none of the exceptions applies
    custom_made = "custom_made"  # （一）消费者定作的
    perishable = "perishable"  # （二）鲜活易腐的
    digital_opened = "digital_opened"  # （三）在线下载或者消费者拆封的……数字化商品
    newspaper = "newspaper"  # （四）交付的报纸、期刊
    confirmed_unsuitable = "confirmed_unsuitable"  # 经消费者在购买时确认不宜退货的


class PromiseKind(StrEnum):
    """Promises beyond the law the seller is held to (SPC online art. 10)."""

    fake_multiple = "fake_multiple"  # 假一赔N: N times the price if the goods are fake
    defect_multiple = "defect_multiple"  # 坏一赔N: N times the price if the goods are faulty
    refund_if_unsatisfied = "refund_if_unsatisfied"  # 不满意全额退: full refund, no reason
    return_days = "return_days"  # N-day no-reason return (beyond 7, or on excepted goods)


class RecordSource(StrEnum):
    utterance = "utterance"  # said in the live room (speech transcript)
    chat = "chat"  # written in the room's chat by the seller's side
    listing_version = "listing_version"  # in a listing version's text
    screenshot = "screenshot"  # only the consumer's own evidence


class Recording(_Strict):
    """Where a promise was recorded, so the answer can cite it."""

    source: RecordSource
    ledger_seq: int | None = Field(default=None, ge=0, description="evidence-ledger leaf index")
    ref: str | None = Field(default=None, max_length=200, description="utterance/listing id")
    at: datetime | None = None


class Promise(_Strict):
    text: Name = Field(description="the words, verbatim, e.g. 假一赔十")
    kind: PromiseKind
    multiple: int | None = Field(default=None, ge=1, le=100, description="N in 假一赔N")
    days: int | None = Field(default=None, ge=1, le=365, description="N in N天无理由退货")
    recorded: Recording | None = None

    @model_validator(mode="after")
    def _needs_its_number(self) -> Promise:
        multiples = {PromiseKind.fake_multiple, PromiseKind.defect_multiple}
        if self.kind in multiples and self.multiple is None:
            raise ValueError(f"a {self.kind} promise needs its multiple (the N in 假一赔N)")
        if self.kind is PromiseKind.return_days and self.days is None:
            raise ValueError("a return_days promise needs its days (the N in N天无理由退货)")
        return self


class Cost(_Strict):
    """A reasonable cost of the dispute (return postage, a test report, travel)."""

    what: Name
    amount_fen: Fen


class PartyNames(_Strict):
    """Names as the consumer or the records give them; used in the answer only."""

    seller: Name | None = None
    room_operator: Name | None = None
    anchor: Name | None = None
    mcn: Name | None = None
    platform: Name | None = None
    account_holder: Name | None = Field(default=None, description="behind the off-platform account")


class CaseFacts(_Strict):
    """The facts of one complaint. ``None`` is unknown, never assumed."""

    # -- the deal --------------------------------------------------------------------
    channel: Channel | None = None
    off_platform_payment: OffPlatformPayment | None = None
    diverted_by: Diverter | None = Field(default=None, description="who led the buyer off")
    room_operator: RoomOperator | None = None
    anchor_role: AnchorRole | None = None
    seller_marked_in_room: bool | None = Field(
        default=None,
        description="the room showed, so a buyer could tell, that it is not the seller and "
        "who the real seller is (SPC online art. 12)",
    )
    platform_self_operated: bool | None = Field(
        default=None, description="the goods were the platform's own (自营), marked or not"
    )
    category: Category | None = None
    concerns_life_health: bool | None = Field(
        default=None,
        description="goods bearing on life and health (food, drugs, medical devices, "
        "health products); food and drugs count without this fact",
    )
    price_paid_fen: Fen | None = Field(
        default=None, description="what the consumer actually paid for the goods complained of"
    )
    quantity: int | None = Field(default=None, ge=1)
    loss_fen: Fen | None = Field(default=None, description="the loss beyond the price, if any")
    costs: list[Cost] | None = None
    price_protection_owed_fen: Fen | None = Field(
        default=None,
        description="the difference owed under a price-protection promise (保价): the price "
        "paid less the lowest price within the protected days, times the quantity",
    )

    # -- dates ---------------------------------------------------------------------
    bought_on: date | None = None
    delivered_on: date | None = None
    knew_of_harm_on: date | None = Field(
        default=None, description="when the consumer knew (or should have) of the harm"
    )
    return_asked_on: date | None = Field(
        default=None,
        description="when the consumer first asked the seller to take the goods back; the "
        "7-day periods are counted to this day (to the day of the answer when not yet asked)",
    )

    # -- what went wrong ------------------------------------------------------------
    defect: Defect | None = None
    misrepresented_knowingly: bool | None = Field(
        default=None,
        description="the seller knowingly told a falsehood or hid the truth to make the sale "
        "(fraud, CPL art. 55)",
    )
    false_advertising: bool | None = Field(
        default=None, description="the claims made in the room or listing were false"
    )
    food_below_standard: bool | None = Field(
        default=None, description="food not meeting food-safety standards (FSL art. 148)"
    )
    label_flaw_only: bool | None = Field(
        default=None,
        description="the only fault is a label flaw that neither affects safety nor misleads",
    )
    seller_knew_below_standard: bool | None = Field(
        default=None, description="the seller knew the food was below standard"
    )
    seller_is_producer: bool | None = None
    fake_or_substandard_drug: bool | None = None
    fundamental_breach: bool | None = Field(
        default=None, description="after 7 days, the conditions to end the contract are met"
    )
    personal_injury: bool | None = None

    # -- the platform, the room and the anchor ---------------------------------------
    platform_can_identify_seller: bool | None = Field(
        default=None,
        description="the platform can give the real name, address and contact of the seller / "
        "room operator",
    )
    platform_knew: bool | None = Field(
        default=None,
        description="the platform knew or should have known and took no necessary measures",
    )
    platform_failed_food_licence_check: bool | None = None
    platform_promised_more: bool | None = Field(
        default=None, description="the platform made a promise more favourable to consumers"
    )
    room_operator_knew: bool | None = Field(
        default=None,
        description="the room operator knew or should have known of the harm and still promoted",
    )
    endorser_knew_false: bool | None = Field(
        default=None, description="the anchor as endorser knew or should have known the ad false"
    )
    mcn_runs_anchor: bool | None = Field(
        default=None, description="an MCN agency runs the anchor's room for the seller"
    )

    # -- returns and promises --------------------------------------------------------
    wants_return: bool | None = None
    return_exception: ReturnException | None = None
    goods_intact: bool | None = Field(
        default=None, description="intact apart from opening to inspect (CPL art. 25)"
    )
    promises: list[Promise] | None = None
    buyer_knew_below_standard: bool | None = Field(
        default=None, description="the buyer knew the food was below standard when buying"
    )

    names: PartyNames | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> CaseFacts:
        if self.bought_on and self.delivered_on and self.delivered_on < self.bought_on:
            raise ValueError("delivered_on is before bought_on: check the two dates")
        if self.bought_on and self.knew_of_harm_on and self.knew_of_harm_on < self.bought_on:
            raise ValueError("knew_of_harm_on is before bought_on: check the two dates")
        if self.delivered_on and self.return_asked_on and self.return_asked_on < self.delivered_on:
            raise ValueError("return_asked_on is before delivered_on: check the two dates")
        if self.channel is Channel.platform and self.off_platform_payment is not None:
            raise ValueError(
                "off_platform_payment is set on a platform order: set channel to off_platform"
            )
        return self

    def known(self) -> dict[str, object]:
        """The facts that are known (not None), by field name."""
        return {
            name: value
            for name in type(self).model_fields
            if (value := getattr(self, name)) is not None
        }

    @property
    def life_health(self) -> bool | None:
        """Goods bearing on life and health: food and drugs always; else the stated fact."""
        if self.category in (Category.food, Category.drug):
            return True
        return self.concerns_life_health
