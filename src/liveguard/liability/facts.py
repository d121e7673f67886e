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
    # no platform at all: found through short video, WeChat Moments or an ad and paid the
    # seller directly; the person paid is the seller
    direct = "direct"
    offline = "offline"  # bought in person: a shop, a clinic, a supermarket


class Subject(StrEnum):
    goods = "goods"
    service = "service"  # a booking, a course, a repair, a treatment


class StandardTerm(StrEnum):
    """Standard terms the seller relies on (民法典 arts. 496-498; CPL art. 26)."""

    no_returns = "no_returns"  # 售出概不退换
    final_interpretation = "final_interpretation"  # 最终解释权归本店所有
    excludes_main_rights = "excludes_main_rights"  # other terms taking away the buyer's main rights


class PromiseMaker(StrEnum):
    """Who made a promise: it binds who made it."""

    seller = "seller"
    room_operator = "room_operator"  # the anchor or MCN running the room, in its own name
    platform = "platform"


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
    replace_within = "replace_within"  # 半年内质量问题换新: replacement within N days
    room_answers = "room_answers"  # 有问题找直播间负责: the room answers for the goods


class Role(StrEnum):
    """The roles the law gives the people behind a live-room sale."""

    seller = "seller"  # 销售者 / 平台内经营者 (the store)
    anchor_seller = "anchor_seller"  # the anchor selling in their own name
    anchor_operator = "anchor_operator"  # the anchor as 直播间运营者 of their own room
    anchor_endorser = "anchor_endorser"  # 广告代言人 / 推荐者
    mcn = "mcn"  # an MCN agency, as 直播间运营者 of the room it runs
    platform = "platform"  # 电子商务平台经营者 / 直播营销平台经营者
    platform_seller = "platform_seller"  # the platform selling its own goods (自营)
    account_holder = "account_holder"  # the person behind the off-platform account
    producer = "producer"  # 食品生产者 / 药品上市许可持有人、生产企业
    importer = "importer"  # 进口商 of imported food


class RemedyKind(StrEnum):
    return_refund = "return_refund"
    no_reason_return = "no_reason_return"
    replacement_or_repair = "replacement_or_repair"
    refund = "refund"  # money back (e.g. never delivered)
    price_reduction = "price_reduction"  # 减少价款: the part of a service not performed
    fraud_damages = "fraud_damages"  # CPL art. 55: 3x price, at least 500 yuan
    food_damages = "food_damages"  # FSL art. 148: 10x price or 3x loss, at least 1,000 yuan
    drug_damages = "drug_damages"
    promised_compensation = "promised_compensation"  # 假一赔十 and the like
    price_protection = "price_protection"  # 保价: the difference after a price cut
    loss = "loss"
    mental_distress = "mental_distress"  # 民法典 art. 1183
    costs = "costs"


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
    made_by: PromiseMaker | None = Field(default=None, description="who made it; None: the seller")

    @model_validator(mode="after")
    def _needs_its_number(self) -> Promise:
        multiples = {PromiseKind.fake_multiple, PromiseKind.defect_multiple}
        if self.kind in multiples and self.multiple is None:
            raise ValueError(f"a {self.kind} promise needs its multiple (the N in 假一赔N)")
        if self.kind in (PromiseKind.return_days, PromiseKind.replace_within) and not self.days:
            raise ValueError(f"a {self.kind} promise needs its days (the N in N天无理由退货)")
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
    live_room: bool | None = Field(
        default=None,
        description="the deal was made in a live room (False: a plain online shop, a chat, an "
        "ad or a shop counter); known once who ran the room is known",
    )
    subject: Subject | None = Field(default=None, description="goods, or a service")
    off_platform_payment: OffPlatformPayment | None = None
    diverted_by: Diverter | None = Field(default=None, description="who led the buyer off")
    paid_to_seller: bool | None = Field(
        default=None,
        description="the account paid belongs to the store or seller itself (not to an anchor "
        "or another person)",
    )
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
    orders: int | None = Field(
        default=None, ge=1, le=1000, description="orders the price_paid_fen adds up"
    )
    refunded_fen: Fen | None = Field(
        default=None, description="money the seller already paid back before the claim"
    )
    unperformed_fen: Fen | None = Field(
        default=None,
        description="the price of the part of a service not performed or not as promised",
    )
    tie_in_fen: Fen | None = Field(
        default=None, description="extras added to the order by default, without a clear choice"
    )
    mental_distress_fen: Fen | None = Field(
        default=None, description="mental-distress damages the consumer asks for"
    )
    consumer_fault_pct: int | None = Field(
        default=None, ge=0, le=100, description="the consumer's own share of fault for the injury"
    )
    claimed: list[RemedyKind] | None = Field(
        default=None, description="what the consumer actually claims; None: not said"
    )
    claimed_against: list[Role] | None = Field(
        default=None, description="whom the consumer claims from; None: not said"
    )
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
    service_due_on: date | None = Field(
        default=None, description="when the service was due (time limits run from it)"
    )
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
    # facts from which the seller's knowledge is presumed (SPC food interpretation (一) art. 6)
    sold_past_shelf_life: bool | None = None
    no_legal_source: bool | None = Field(default=None, description="cannot show where it came from")
    no_incoming_inspection: bool | None = Field(
        default=None, description="no incoming inspection or purchase records (FSL art. 53)"
    )
    dates_falsified: bool | None = Field(default=None, description="dates or batch altered")
    label_missing_essentials: bool | None = Field(
        default=None,
        description="prepackaged food with no producer, address, ingredients or clear dates "
        "(SPC food interpretation (一) art. 11)",
    )
    imported: bool | None = None
    imported_unlabelled: bool | None = Field(
        default=None, description="imported food without a Chinese label or inspection papers"
    )
    seller_is_importer: bool | None = None
    seller_food_licensed: bool | None = Field(
        default=None, description="the seller holds the food-business licence (FSL art. 35)"
    )
    price_fraud: bool | None = Field(
        default=None,
        description="a false 'original' price, a fake discount or misleading price display "
        "(明码标价和禁止价格欺诈规定 arts. 16-19)",
    )
    fake_transactions: bool | None = Field(
        default=None,
        description="sales volume or reviews faked with bought orders or fake reviews "
        "(刷单、刷评: AUCL 2019 art. 8, 2025 art. 9)",
    )
    standard_terms: list[StandardTerm] | None = None
    serious_mental_harm: bool | None = None
    fake_or_substandard_drug: bool | None = None
    seller_knew_fake_drug: bool | None = Field(
        default=None,
        description="the seller (not its producer) knew the drug was fake or substandard "
        "(药品管理法 art. 144(3): 明知是假药、劣药仍然销售)",
    )
    drug_self_help: bool | None = Field(
        default=None,
        description="a small, non-profit, self-help or mutual-aid sale (or folk-remedy drug in "
        "small amounts) that hurt nobody, with no authority's finding that it is fake "
        "(SPC 2024 food and drug interpretation art. 11)",
    )
    fundamental_breach: bool | None = Field(
        default=None, description="after 7 days, the conditions to end the contract are met"
    )
    personal_injury: bool | None = None

    # -- who the seller is ------------------------------------------------------------
    seller_is_business: bool | None = Field(
        default=None, description="the seller is a business operator (经营者), not a private person"
    )
    seller_repeat_sales: bool | None = Field(
        default=None, description="the seller sells such goods again and again"
    )
    seller_has_shop: bool | None = Field(default=None, description="a shop, stall or storefront")

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
    reasonable_quantity: int | None = Field(
        default=None,
        ge=1,
        description="how many a household would reasonably buy for its own use (shelf life, "
        "usual habits): caps a knowing buyer's ten-times base (SPC 2024 arts. 12-13)",
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
    def business_operator(self) -> bool | None:
        """Is the seller a business operator (经营者)? Stated, or shown by a shop or repeat
        sales; a store on a platform or a live room selling goods is one (电子商务法 art. 9)."""
        if self.seller_is_business is not None:
            return self.seller_is_business
        if self.seller_has_shop or self.seller_repeat_sales:
            return True
        if self.channel is Channel.platform or self.room_operator is not None:
            return True
        if self.seller_has_shop is False and self.seller_repeat_sales is False:
            return False
        return None

    @property
    def in_live_room(self) -> bool | None:
        if self.live_room is not None:
            return self.live_room
        if self.room_operator is not None or self.diverted_by is not None:
            return True
        if self.channel in (Channel.direct, Channel.offline):
            return False
        return None

    @property
    def seller_knew(self) -> bool | None:
        """The seller knew the food was below standard: stated, or presumed from the facts of
        SPC food interpretation (一) art. 6 (past its shelf life, no lawful source, no
        incoming inspection, altered dates)."""
        if self.seller_knew_below_standard is not None:
            return self.seller_knew_below_standard
        presumed = (
            self.sold_past_shelf_life,
            self.no_legal_source,
            self.no_incoming_inspection,
            self.dates_falsified,
        )
        if any(presumed):
            return True
        return None

    @property
    def below_food_standard(self) -> bool | None:
        """Below the food standard: stated, or shown by what FSL arts. 34, 67 and 97 forbid
        (past its shelf life, false dates, no label essentials, imported with no Chinese
        label)."""
        if self.food_below_standard is not None:
            return self.food_below_standard
        shown = (
            self.sold_past_shelf_life,
            self.dates_falsified,
            self.label_missing_essentials,
            self.imported_unlabelled,
        )
        return True if any(shown) else None

    @property
    def life_health(self) -> bool | None:
        """Goods bearing on life and health: food and drugs always; else the stated fact."""
        if self.category in (Category.food, Category.drug):
            return True
        return self.concerns_life_health
