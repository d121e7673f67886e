"""Compose ``detect_composed.jsonl``: a large, varied development corpus for detection.

The lines are built from hand-written sentences in the voices of anchors, assistants,
merchants and viewers (slang, homophones, pinyin, emoji, words split by separators), with
as many hard negatives (warnings, denials, quotes of the rules, honest guarantees, talk
that shares words with a violation) as positives. Every sentence here was written for
this corpus, not copied from a labelled file; the held-out files (``detect_holdout``,
``detect_untuned``) are never read.

    python data/eval/compose_detect.py > data/eval/detect_composed.jsonl

Deterministic (seeded): the same script writes the same file.
"""

from __future__ import annotations

import json
import random
import sys

RNG = random.Random(20261207)

OPEN = {
    "anchor": [
        "",
        "",
        "家人们，",
        "宝宝们，",
        "姐妹们，",
        "老铁们，",
        "来来来，",
        "我跟你们讲，",
        "听好了啊，",
        "集美们",
        "兄弟们，",
        "说实话，",
        "不骗你们，",
        "真的，",
        "好，",
        "咱就是说，",
        "注意看，",
        "刚进来的宝子，",
        "那个，",
        "OK，",
    ],
    "assistant": [
        "",
        "",
        "助理补充一下，",
        "小助理说一句，",
        "后台说了，",
        "运营提醒一下，",
        "场控这边说，",
        "副播插一句，",
    ],
    "merchant": ["", "", "【店铺公告】", "温馨提示：", "【新品】", "【福利】"],
    "viewer": ["", "", "", "主播，", "有没有人", "姐妹们", "哈哈", "请问", "说真的"],
}
CLOSE = [
    "",
    "",
    "",
    "！",
    "！！",
    "~",
    "🔥🔥",
    "❤️",
    "👇",
    "哈",
    "啊",
    "，冲",
    "，赶紧的",
    " 😂",
    "👍",
    "。",
    "～～",
    "!!!",
    "🙏",
    "，懂的都懂",
]
SOURCES = {
    "anchor": ["speech", "speech", "screen"],
    "assistant": ["speech", "screen"],
    "merchant": ["listing"],
    "viewer": ["chat"],
}
CATEGORIES = [
    None,
    "food",
    "cosmetics",
    "health_food",
    "apparel",
    "electronics",
    "household",
    "jewellery",
    "agricultural",
    "appliances",
    "alcohol",
]

WECHAT = [
    "微信",
    "薇信",
    "威信",
    "VX",
    "vx",
    "wx",
    "V信",
    "v",
    "V",
    "weixin",
    "wei xin",
    "绿泡泡",
    "绿色软件",
    "卫星",
    "薇",
    "🛰️",
    "围脖私信",
    "➕V",
    "v❤",
    "徽信",
    "vx同号",
    "微",
    "威",
]
QQ = ["QQ", "qq", "扣扣", "企鹅", "球球", "Q"]
OTHER_APP = [
    "飞机",
    "TG",
    "纸飞机",
    "某宝",
    "拼夕夕",
    "淘宝",
    "闲鱼",
    "咸鱼",
    "小红书",
    "快手小店",
    "某音另一个号",
]
MONEY = ["{n}米", "{n}个米", "{n}大洋", "{n}r", "{n}块", "{n}个w", "{n}刀", "{n}个子"]
PRODUCTS = [
    "面膜",
    "口红",
    "牛肉干",
    "羊毛衫",
    "蜂蜜",
    "燕窝",
    "蛋白粉",
    "空气炸锅",
    "手镯",
    "茶叶",
    "洗衣液",
    "羽绒服",
    "耳机",
    "枸杞",
    "酱香酒",
    "精华液",
    "核桃",
    "充电宝",
    "四件套",
    "酵素",
]
FOODS = [
    "蜂蜜",
    "燕窝",
    "枸杞",
    "红枣",
    "黑芝麻丸",
    "核桃粉",
    "山药粉",
    "葛根粉",
    "益生菌饮料",
    "果蔬汁",
    "阿胶糕",
    "小米",
    "玉米须茶",
    "牛奶",
    "坚果",
    "苦荞茶",
    "黑枸杞",
    "桑葚干",
    "蜂王浆",
    "石斛",
    "酸奶",
    "代餐粉",
    "绿豆汤",
    "姜茶",
    "红糖",
    "土鸡蛋",
]
DISEASES = [
    "高血压",
    "糖尿病",
    "痛风",
    "失眠",
    "胃病",
    "颈椎病",
    "关节炎",
    "鼻炎",
    "湿疹",
    "便秘",
    "脂肪肝",
    "甲状腺结节",
    "乳腺增生",
    "前列腺炎",
    "咽炎",
    "贫血",
    "骨质疏松",
    "近视",
    "三高",
    "痔疮",
    "老寒腿",
    "肺结节",
    "脱发",
    "妇科炎症",
]
EFFICACY = [
    "增强免疫力",
    "增强抵抗力",
    "提高免疫力",
    "降血压",
    "降血糖",
    "降血脂",
    "排毒养颜",
    "护肝",
    "养胃",
    "补肾壮阳",
    "清肺",
    "抗衰老",
    "抗癌",
    "软化血管",
    "调节内分泌",
    "改善睡眠",
    "清除体内毒素",
    "防癌",
    "补气血",
    "通血管",
    "降三高",
    "提升免疫",
    "消炎",
    "杀菌消炎",
    "疏通经络",
    "修复肠道",
    "美白祛斑还能治黄褐斑",
    "溶解血栓",
    "调理肠胃",
    "安神助眠",
]


def mobile() -> str:
    return "1" + RNG.choice("3578") + "".join(RNG.choice("0123456789") for _ in range(9))


def handle() -> str:
    letters = "abcdefghjkmnpqrstuvwxyz"
    name = "".join(RNG.choice(letters) for _ in range(RNG.randint(2, 5)))
    return name + "".join(RNG.choice("0123456789") for _ in range(RNG.randint(3, 6)))


def id_number() -> str:
    area = RNG.choice(["110105", "310104", "440305", "510107", "330106", "420111"])
    body = area + f"{RNG.randint(1960, 2005)}{RNG.randint(1, 12):02d}{RNG.randint(1, 28):02d}"
    body += "".join(RNG.choice("0123456789") for _ in range(3))
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def order_number() -> str:
    """An order number as platforms print them: the date, then digits (18-19 long)."""
    date = f"2025{RNG.randint(1, 12):02d}{RNG.randint(1, 28):02d}"
    return date + "".join(RNG.choice("0123456789") for _ in range(RNG.randint(10, 11)))


def bank_card() -> str:
    digits = [int(d) for d in RNG.choice(["622848", "621700", "622202", "623058", "436742"])]
    digits += [RNG.randint(0, 9) for _ in range(9)]
    total = 0
    for i, d in enumerate(reversed(digits)):  # the check digit goes to the right
        total += sum(divmod(d * 2, 10)) if i % 2 == 0 else d
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


def split(word: str) -> str:
    """Words split so a plain filter misses them: 加-微-信, 微 信."""
    if len(word) < 2 or RNG.random() < 0.6:
        return word
    return RNG.choice([" ", "-", "·", ".", "/", "*", "_"]).join(word)


def spaced_number(number: str) -> str:
    roll = RNG.random()
    if roll < 0.5:
        return number
    if roll < 0.75:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return number.translate(str.maketrans("0123456789", "零一二三四五六七八九"))


def fill(template: str) -> str:
    n = RNG.choice([5, 8, 10, 20, 30, 50, 66, 88, 99, 100, 199, 200])
    values = {
        "wx": split(RNG.choice(WECHAT)),
        "qq": RNG.choice(QQ),
        "app": RNG.choice(OTHER_APP),
        "handle": handle(),
        "phone": spaced_number(mobile()),
        "money": RNG.choice(MONEY).format(n=n),
        "n": str(n),
        "p": RNG.choice(PRODUCTS),
        "food": RNG.choice(FOODS),
        "disease": RNG.choice(DISEASES),
        "eff": RNG.choice(EFFICACY),
        "big": str(RNG.choice([199, 299, 399, 599, 899, 1299, 1999, 2680])),
        "small": RNG.choice(["9.9", "19.9", "29", "39", "49", "59.9", "69", "99"]),
        "k": str(RNG.randint(2, 9)),
        "id": id_number(),
        "order": order_number(),
        "parcel": RNG.choice(["SF", "YT", "JD", "ZTO", "75", "43"])
        + "".join(RNG.choice("0123456789") for _ in range(RNG.randint(11, 14))),
        "card": bank_card(),
        "name": RNG.choice(
            ["王芳", "李建国", "张丽", "刘洋", "陈静", "杨帆", "赵敏", "黄伟", "周婷"]
        ),
        "road": RNG.choice(
            ["建设路", "人民路", "解放大道", "长江路", "中山北路", "文化街", "和平路"]
        ),
        "city": RNG.choice(
            ["杭州市西湖区", "成都市武侯区", "武汉市洪山区", "广州市天河区", "郑州市金水区"]
        ),
    }
    return template.format(**values)


# (template, roles) per label: the sentences people say, each written for this corpus
POSITIVE: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "diversion": [
        (t, ("anchor", "assistant"))
        for t in [
            "加{wx}{handle}，私聊给你更低的价",
            "拍之前先{wx}我，给你返{money}",
            "收款码我放主页了，扫码付更便宜",
            "付款码在我头像里，长按识别就行",
            "二维码截图保存，扫一扫直接转给我",
            "转账给我直接发货，不走平台省手续费",
            "我另外一家店在{app}，那边便宜{money}",
            "我还有个小号，去那个号下单送赠品",
            "直接找我拿货，不用在这里拍",
            "走私单的扣1，我一个个回",
            "线下交易更划算，懂的私我",
            "私下转我{money}就给你发",
            "这个链接拍不了，后台私信我给你发别的链接",
            "打开{app}搜我们店名，那边有满减",
            "主页有联系方式，批发的来",
            "看我简介那个号码，打过来说是直播间的",
            "评论区扣1，我私信你付款方式",
            "要的宝宝{wx}{handle}，备注直播间",
            "老客户都知道，{wx}上找我便宜{money}",
            "不在这里付，我把收款二维码发你",
            "平台扣点太高了，你直接打给我",
            "想要的滴滴我，{qq}{handle}",
            "拍下别付款，私信我改价走支付宝",
            "我那个号上有现货，你搜一下{handle}",
            "大单找我，电话{phone}",
            "{phone}微信同号，团购价找我",
            "代理的来{wx}，{handle}",
            "想要便宜的，来我朋友圈看，有更低的",
            "喜欢的宝子加群，群里直接接龙下单",
            "钱转我就行，不用在小黄车拍",
            "这款只在我自己的店卖，{app}搜一下就有",
            "咱们换个地方聊，{qq}号我挂在屏幕上了",
            "v我{n}，给你留一件",
            "红包发我就算下单了，地址私我",
            "扫屏幕上的码，进我的私域群，福利更多",
            "下了播联系我，我们{wx}上慢慢聊",
            "这个价平台不让挂，懂的来找我",
            "{p}要的去我另一个店，名字跟直播间一样",
            "付款别走这里，走我的收款码，给你便宜{money}",
            "老铁们，别在这儿拍，去我{app}店铺拍",
        ]
    ]
    + [
        (t, ("merchant",))
        for t in [
            "{p} 更多优惠请加{wx}{handle}",
            "【{p}】批发价请联系{phone}",
            "{p} 私聊客服{wx} 享内部价",
            "{p} 拍前联系客服{qq}{handle}改价",
            "{p} 扫码添加店主，专享价再减{money}",
        ]
    ]
    + [
        (t, ("viewer",))
        for t in [
            "代购正品便宜一半，{wx}{handle}",
            "同款便宜货源，{wx}：{handle}",
            "要{p}的加我，比主播便宜{money}",
            "低价{p}，主页有联系方式",
            "想赚钱的私我，在家可做",
            "便宜{p}，{qq}{handle}，手慢无",
            "电话{phone}，拉你进福利群",
            "{p}一手货源，看我头像扫码",
            "收二手{p}，价高，{wx}{handle}",
            "要的姐妹v我，{handle}",
            "我这有同款，转账给我就发，便宜{money}",
            "别在这拍了，我那里便宜，私我",
        ]
    ],
    "absolute_terms": [
        (t, ("anchor", "assistant", "merchant"))
        for t in [
            "这是全网最好的{p}，没有之一",
            "{p}选我们家，绝对是国内第一",
            "全网最低价，找不到更便宜的了",
            "这款{p}是顶级配方，天花板级别",
            "史上最低价，放心买",
            "国家级品质，放心买",
            "全世界只有我们家有这个技术",
            "独一无二的{p}，别家根本没有",
            "销量冠军，卖了一百万单",
            "最先进的工艺，行业里找不出第二家",
            "这是我卖过最好用的{p}，没有比它更好的",
            "万能{p}，什么都能搞定",
            "百分之百纯天然，零缺点",
            "{p}首选，闭眼入不会错",
            "绝无仅有的价格，全网独一份",
            "{p}里面的王者，没有对手",
            "顶 级 品 质，最 高 级 原 料",
            "全网销量第一的{p}",
            "最便宜的就是我们家，别家没法比",
            "世界级大牌同厂，品质最佳",
            "这就是{p}界的No.1",
            "第一品牌，行业标杆，没人比得过",
            "最强{p}来了，性能无敌",
            "极品{p}，档次最高",
            "找遍全网也找不到比这更好的{p}",
        ]
    ],
    "false_promises": [
        (t, ("anchor", "assistant", "merchant"))
        for t in [
            "原价{big}，今天直播间{small}",
            "专柜价{big}，我们只要{small}",
            "划线价{big}，到手{small}",
            "只剩最后{k}单了，拍完就下架",
            "倒计时三秒，再不拍就没了",
            "这个价格只有今天，明天恢复原价{big}",
            "错过今天再等一年",
            "假一赔十，放心拍",
            "用着不满意全额退款，再赔你{big}",
            "吃不胖我退你双倍",
            "穿不坏，坏了我赔你十件",
            "三天不见效，我直播倒立给你们看",
            "用了没效果我把直播间关了",
            "保证你用一辈子都不会坏",
            "用不好我倒贴你{big}块钱",
            "不白不要钱，白不了我全退",
            "这个价格亏本卖，卖完老板要骂我了",
            "厂家就给了{k}百单，抢完再也没有了",
            "今天不买明天涨到{big}",
            "一个月瘦二十斤，瘦不下来我给你钱",
            "保证一次考过，不过全额退",
            "戴上它保你财运亨通，不灵退款",
            "喝了保证你三天白回来，不白你来找我",
            "全场{small}只限前{k}十名，后面的恢复{big}",
            "终身保修，坏了随时给你换新的",
            "这个价以后永远不会有了",
            "一分钱不赚，纯粹给大家送福利，下次就是{big}了",
            "保证你用了皮肤立马变好，不好我赔",
            "今天买一送十，只有这一场",
        ]
    ],
    "medical_claims": [
        (t, ("anchor", "assistant", "merchant"))
        for t in [
            "{food}每天喝一杯，{eff}",
            "这个{food}能{eff}，家里老人都在吃",
            "{food}{eff}效果特别好",
            "吃了我们的{food}，{disease}慢慢就好了",
            "{disease}的朋友喝这个，比吃药管用",
            "{food}专门调理{disease}，坚持吃三个月",
            "这款{p}可以治{disease}",
            "我妈{disease}好多年，喝了这个{food}就好了",
            "有{disease}的赶紧囤，吃了就不用吃药了",
            "{food}{eff}，还能预防{disease}",
            "孩子吃这个{food}，{eff}，不容易生病",
            "{food}相当于天然的药，{eff}",
            "{disease}患者的福音，{food}一吃就见效",
            "我们的{food}对{disease}有奇效",
            "坚持喝{food}，{disease}能根治",
            "三个疗程，{disease}就消了",
            "{eff}，{disease}也能缓解",
            "吃{food}能把{disease}吃好，很多粉丝反馈了",
            "{food}，{eff}，一瓶顶十副中药",
            "这个{food}是降{disease}的，医生都推荐",
        ]
    ],
    "personal_info": [
        (t, ("viewer",))
        for t in [
            "我电话{phone}，中奖了打给我",
            "我身份证{id}，帮我查下订单",
            "退款打我卡上{card}",
            "收货地址{city}{road}{k}号{k}栋{k}0{k}室，{name}收",
            "我叫{name}，手机{phone}，快递怎么还没到",
            "{name} {phone} {city}{road}{k}号",
            "我的银行卡号{card}，把钱退这里",
            "身份证号码是{id}，实名认证不过",
        ]
    ]
    + [
        (t, ("anchor", "assistant"))
        for t in [
            "恭喜中奖的{name}，手机{phone}，地址{city}{road}{k}号",
            "中奖的姐妹身份证{id}对一下",
            "这位{name}家住{city}{road}{k}号{k}单元，东西寄过去了",
            "给大家念一下中奖号码{phone}，{name}",
        ]
    ],
}

NEGATIVE: list[tuple[str, tuple[str, ...]]] = (
    [
        # warnings and denials that share words with diversion
        (t, ("viewer",))
        for t in [
            "大家别加私人{wx}，都是骗子",
            "有人私信我让我转账，大家小心点",
            "千万不要私下转账，平台外交易没保障",
            "主播说了只在直播间拍，私聊你的别信",
            "刚才那个让加V的是骗子，已经举报了",
            "上次加了个{wx}买{p}被骗了{money}，长记性了",
            "评论区那些发号码的都是托，别理",
            "我只在小黄车买，不加任何人",
            "主播能不能别让人加{wx}啊，不安全",
            "收款码什么的千万别扫，平台有保障",
            "谁让你去别的店拍都是骗子",
            "私聊不回，公屏回一下吧",
            "我用{wx}支付的，订单在平台上",
            "主播你家{app}有店吗？还是只在这里卖",
            "{p}多少钱一斤",
            "链接在哪里啊，找不到",
            "我家在{road}那边，离你们仓库近吗",
            "中奖了吗我",
            "快递到哪了，物流一直没更新",
            "这个{p}有没有大码",
            "{p}上次买的很好用，回购了",
            "主播好可爱哈哈哈",
            "{disease}能吃吗？我妈有{disease}",
            "这个是保健品还是普通食品啊",
            "真的是最后{k}件吗，不信",
            "原价多少啊，感觉不便宜",
            "最好的朋友推荐我来的",
            "第一次买{p}，求推荐",
            "这是我看过最好看的直播",
            "能治病的都是骗人的吧",
            "我电话是138****{k}{k}21，尾号对得上吗",
            "订单号2025{k}{k}0611789964{k}{k}{k}催一下",
            "快递单号SF14{k}{k}9902{k}3{k}{k}怎么查不到",
            "身高165体重{k}0穿什么码",
            "我的收货地址改一下，在订单里改了",
            "有人说这个能降血压，真的假的",
            "别信什么包治百病，去医院看",
            "说什么假一赔十都是套路",
            "这种全网最低价的话听听就好",
            "赚钱的私我这种都是骗子，别理",
        ]
    ]
    + [
        (t, ("anchor", "assistant"))
        for t in [
            "我们不会让大家加{wx}的，只在小黄车下单",
            "所有订单都走平台，不支持私下转账",
            "有人冒充我们客服加你们{wx}的别理，我们没有私人号",
            "付款只在平台付，任何收款码都是假的",
            "平台规定不能引导私下交易，所以大家就在直播间拍",
            "有问题直接找平台客服，别加私人联系方式",
            "谁私信让你转账都是骗子，截图举报",
            "我们没有别的店，也没有小号，认准直播间",
            "大家点下方小黄车，{k}号链接",
            "关注主播不迷路，下次开播有提醒",
            "加入粉丝团可以领优惠券，在直播间就能领",
            "平台规定不能说最好、第一、全网最低，所以我只说它好用",
            "我不说最便宜，我只说这个价格很实在",
            "我们不敢说国家级，就是正规厂家生产的",
            "最好放冰箱冷藏，开封后一周内吃完",
            "第一次来直播间的宝宝点个关注",
            "你最好先量一下尺寸再拍",
            "这是今天最后一个链接了，谢谢大家",
            "第一件{small}，第二件半价",
            "最近天气冷，{p}卖得挺快的",
            "支持七天无理由退货，放心拍",
            "有运费险，不满意可以退",
            "质量问题包退包换，人为损坏不在保修范围",
            "按国家三包政策保修一年",
            "库存充足，不用抢，慢慢挑",
            "今天的价格和平时一样，没有什么特别的优惠",
            "我不敢保证每个人都有效果，每个人皮肤不一样",
            "我们不搞什么假一赔十，正品都有发票和质检报告",
            "没有原价现价那一套，就是这个价",
            "明天还有，今天没抢到的不用急",
            "这个{food}就是普通食品，不能治病，不舒服去医院",
            "{food}不能代替药物，有{disease}的听医生的",
            "我们这个是食品，没有保健功能，当零食吃",
            "吃这个不能降血压，该吃药还得吃药",
            "{food}口感很好，早餐冲一杯很方便",
            "平台规定不能说治病，我也不说，它就是好喝",
            "{food}吃多了会胖哦，适量",
            "有{disease}的人群请咨询医生后食用",
            "保健食品不是药物，不能代替药物治疗疾病",
            "中奖的宝宝私信平台客服留地址，我们不会公开大家信息",
            "中奖名单在公屏，手机号都打了码",
            "{p}是{city}发货，一般三天到",
            "这个{p}一共{k}个颜色，每个颜色都有货",
            "{p}的面料是棉的，穿着舒服",
            "三号链接的{p}，规格写在详情页了",
            "这款{p}保质期十二个月",
            "我们家的{p}卖了三年，回头客挺多的",
            "做直播就是图个口碑，不会夸大",
            "刚才有人问能不能微信支付，平台支持微信支付的",
            "售后问题联系平台在线客服，{k}小时内回复",
            "这个{food}我自己也在吃，味道是真的不错",
            "检测报告在详情页，大家可以自己看",
            "专柜价我不说了，大家自己比较",
            "主播不是医生，身体的事情要问医生",
            "买{p}记得看尺码表，拿不准问客服",
        ]
    ]
    + [
        (t, ("merchant",))
        for t in [
            "{p} {k}00g 顺丰包邮",
            "{p} 支持七天无理由退货 运费险",
            "{p} 新款 {k}色可选",
            "【{p}】保质期12个月 常温储存",
            "{p} 质量问题包退换 客服在线",
            "{food} 普通食品 不能代替药物",
        ]
    ]
)


# Families composed from parts (this round, issue 18): each sentence is a lead, a move
# and a tail drawn independently, so the model sees the idea in many skeletons rather
# than one template many times. Positives and hard negatives share leads, tails and the
# perturbations, so neither can be told apart by them.
LEADS = {
    "anchor": [
        "",
        "",
        "想要的",
        "要的宝子",
        "批发的老板",
        "囤货的",
        "老粉都知道，",
        "量大的",
        "想再便宜点的",
        "没抢到的别急，",
        "外地的朋友",
        "偷偷跟你们说，",
        "小声说一句，",
        "懂的家人，",
        "刚来的宝宝听着，",
        "我再说一遍，",
    ],
    "viewer": ["", "", "", "有要的吗，", "姐妹们，", "便宜出，", "懂的来，", "家人们，"],
}
OFF_MOVES = [
    "收钱的码我贴在主页背景图上了",
    "付款的二维码就在我签名里",
    "去主页背景图扫一下",
    "我在别的平台还有一家店",
    "我另一家小店在别处，搜同名就有",
    "去我们的公众号下单",
    "小程序里拍，比这边便宜",
    "朋友圈里有链接，去那边买",
    "下了播私底下找我",
    "直接打款给我",
    "钱给我，我直接给你寄",
    "不用在车里拍，找我本人拿货",
    "这边不好说，我们私下谈",
    "点我头像看简介，上面有路子",
    "滴滴我",
    "戳我私聊",
    "来我另一个号找我",
    "主页见",
    "老地方见",
    "发个红包给我就算拍下了",
    "先转{money}定金给我",
    "打{money}到我卡上就行",
    "v我{money}",
    "上米就发",
    "扫我给的码付，别点购买",
    "拍链接太贵，走我个人账户",
    "去某书搜我名字，那边价格低",
    "后台留个号码，我让人联系你",
    "把你的号发我，我拉你",
    "进我的粉丝私群，群里单独开价",
    "到我实体店拿，报直播间暗号便宜",
    "到我另一个直播间拍，那边不抽成",
    "我把付款方式挂在置顶评论了",
    "看我个性签名那串字母",
    "备注一下暗号，线下结算",
    "链接下架了也没事，找我补单",
    "不用下单，直接转我",
    "找我私下开单",
    "东西我放在自己的网店里了，搜店名就有",
    "我们官网下单有内部价，网址在屏幕左下角",
    "这边拍要等，直接联系我本人当天发",
    "钱走我老婆的账户，发货一样快",
    "要的把收货信息私发给我，货到付款",
    "转我支付宝，备注直播间",
    "扫我的码转账，我手动给你改价",
    "我的个人号上每天发特价，去那边关注",
    "今晚我在另一个软件开播，那边价格更低",
    "关注我那个不带货的号，私信给你报价",
    "懂行的去我们工厂店拿，不经过平台",
    "跟我走外面的单子，运费我包",
    "给我留言你的号，我挨个加你",
    "在我的群里拍，不在这里拍",
    "订单别在这下，我给你开个人链接",
    "发我私信报个数，我线下给你配货",
    "去我们自己的商城，新人立减",
    "打个电话到店里，说要直播间的价",
    "想要的拿个小本本记下我的号",
    "我把店名写在背景板上了，去那边搜",
]
OFF_TAILS = [
    "",
    "",
    "，便宜{money}",
    "，价格更美丽",
    "，省了平台那份钱",
    "，没有手续费",
    "，给你出厂价",
    "，给你留货",
    "，更划算",
    "，懂的都懂",
    "，这边不方便说",
    "，平台看不到",
]
# the same scenes, said as a warning, a denial, a rule quoted or a plain question
OFF_NEGATIVE = [
    "谁让你去主页扫码付款都是骗子，别信",
    "主页背景图上的码不是我们的，别扫",
    "我们在别的平台没有店，认准这个直播间",
    "我们没有公众号卖货，只在这里拍",
    "平台规定不能引导私下付款，所以只在车里拍",
    "别给任何人直接打款，出了事平台不管",
    "有人让你发红包下单的，直接举报",
    "私下交易没保障，大家别图便宜",
    "不用加任何人，点下面的链接就行",
    "说是私下便宜{money}的都是骗子",
    "定金也要在平台付，别转给个人",
    "我们的付款只走平台，任何个人账户都是假的",
    "我们线下也有店，但直播间的价只能在直播间拍",
    "下播了有问题找平台客服，别找私人号",
    "主播从来不私下开单，这点大家放心",
    "评论区说滴滴我的都是托，别理",
    "签名里那个是店铺名，不是联系方式",
    "想要发票的在订单页申请，不用找我",
    "链接下架了就等下一场，别找人私下买",
    "那种说走个人账户更便宜的，千万别信",
    "想要的点小黄车{k}号链接",
    "主页里有直播预告，记得来",
    "粉丝团在直播间里就能加，不用去别处",
    "上次我私下转账被骗了，大家别学我",
    "我们实体店和直播间一个价，哪边买都行",
    "主播的付款码在哪？没有，就在平台拍",
    "我们的官网只是介绍产品，下单还是在平台",
    "有人冒充我们说有内部价，都是假的",
    "任何让你转支付宝的都不是我们",
    "货到付款是平台的选项，在下单页选就行",
    "我们没有什么个人链接，所有链接都在车里",
    "主播不会私下加你，也不会私发报价",
    "背景板上是我们的品牌名，不是让你去别处",
    "支付只在平台完成，别扫陌生人的码",
    "问一下这个在平台下单有没有运费险",
    "私信我能看到，但下单还是在直播间",
    "这位朋友，商品链接就在下面，不用去别处找",
    "那个刷屏说便宜的号不是我们的，已经拉黑",
    "工厂店是线下门店，直播间的东西就在直播间拍",
    "我刚被一个说私下转账更便宜的人骗了，你们别上当",
    "主播，私信回复太慢了，能在公屏说吗",
    "我们的粉丝群是平台里的群，不收钱，不卖货",
]

SUPER_SCOPES = [
    "市面上",
    "全网",
    "整个行业",
    "全国",
    "全世界",
    "所有直播间里",
    "同价位里",
    "这个圈子里",
    "我见过的所有{p}里",
    "你去任何一家店",
]
SUPER_CLAIMS = [
    "{scope}没有比这更好的了",
    "{scope}找不出第二家有这个工艺的",
    "论做工，我们家{scope}排第一",
    "论口感，{scope}就属我们家",
    "我敢说{scope}效果最顶的就是这个",
    "{scope}没有哪个比它更便宜",
    "{scope}它要说第二，没人敢说第一",
    "这个品质{scope}是独一份",
    "{scope}都得叫它一声老大",
    "{scope}再也找不到比这更新鲜的",
    "{p}界的天花板，{scope}没有对手",
    "{scope}没有一个能打得过它",
    "我们家的{p}{scope}数一数二，不对，就是第一",
    "要说好，{scope}它是头一份",
    "{scope}找遍了，它就是最强的",
    "不管你去{scope}哪里比，它都是最低的价",
    "{scope}你挑不出比它更耐用的",
    "{scope}能做到这个价的只有我们",
    "跟{scope}的比，它就是碾压",
    "{scope}它说自己第二，没人敢排第一",
    "{scope}谁家都比不了它的用料",
]
SUPER_NEGATIVE = [
    "这款是我们店里最便宜的一款{p}，适合学生",
    "我不敢说{scope}最好，但这个价位挺实在的",
    "{p}最好放阴凉处保存",
    "这是今天的第一个链接",
    "第一次买的可以先拍小份试试",
    "比上次直播便宜了{n}块",
    "同价位里算不错的，大家自己比较",
    "在我们家卖得算好的一款，回购的挺多",
    "不吹不黑，这个{p}就是个中等水平",
    "有人说它是全网最好，那是夸张了",
    "它不是最好的，但是最适合上班族",
    "我们不说第一，只说真材实料",
    "平台不让说最好、最低价，我就说它值这个钱",
    "你最好先看看尺码表再拍",
    "这一款最近卖得最快的颜色是黑色",
    "最后说一下发货时间，四十八小时内",
    "跟上一代比，它轻了一点",
    "和别家差不多，我们就是发货快一点",
    "它不是全网最便宜的，但是正品有保障",
    "这是我们家卖得第二好的颜色",
    "我们家做得也就还行，大家看评价",
]

PROMISE_PERIODS = ["三十天内", "一个月内", "一年之内", "三年之内", "用完一瓶", "吃完两盒", "七天"]
PROMISE_BAD = [
    "皮肤不变好",
    "没瘦下来",
    "坏了",
    "头发没长出来",
    "没效果",
    "掉色了",
    "起球了",
    "个子没长高",
    "斑没淡",
    "成绩没提高",
]
PROMISE_PAY = [
    "我个人掏钱赔你",
    "直接给你换新的，东西不用寄回",
    "双倍退给你",
    "钱全退了再送你一盒",
    "倒贴你{big}",
    "我当着大家的面把它吃了",
    "我从此不做直播了",
    "你来找我，我赔你十倍",
    "不要钱白送你",
    "我一分不收",
]
PROMISE_URGENCY = [
    "拍到就是赚到，下次开播就恢复原价了",
    "一分钱都不赚了，就为了冲个销量",
    "就这一波，以后再也见不到这个价",
    "厂家只给了这一批，拍完这辈子都没了",
    "这个价我做主播以来头一回给，错过就没了",
    "老板说亏本也要卖完，下一场涨回{big}",
    "今天不拍，明天你花{big}都买不到",
    "只给前{k}十个人这个价，后面全部原价{big}",
    "这么低的价全年就今天一天",
    "再过五分钟就改回{big}了，抓紧",
    "就剩这一批了，卖完厂里就停产了",
    "老板说了今天赔钱也要清空，明天就不是这个价",
    "过了十二点这个价格就作废",
    "这一场过后我们再也不会给这个折扣",
]
PROMISE_NEGATIVE = [
    "不敢保证百分百不坏，但质量确实不错",
    "价格是{big}，用了平台券到手{small}",
    "效果因人而异，我不敢给你打包票",
    "下次开播价格也一样，不用着急",
    "库存很多，慢慢挑，不限量",
    "质量问题按厂家保修卡保修一年",
    "七天无理由退换，运费险我们出",
    "我不能保证每个人都瘦，配合运动会好一些",
    "我们不搞倒计时那一套，想好了再拍",
    "坏了可以走售后，按平台规则处理",
    "没效果可以在七天内申请退货，按平台规则来",
    "用完一瓶觉得不适合的，下次就别回购了",
    "这个价格平时也是这样，没有虚标原价",
    "说什么不瘦全额退的都是忽悠",
    "卖完了下周还会补货，别着急",
    "十二点以后价格也不变，平台价就是这个",
    "我们只承诺七天无理由，别的不乱说",
    "用了过敏的可以退，按平台规则来",
]

FOOD_BENEFITS = [
    "血管都通了",
    "血糖稳稳的",
    "睡得特别香，安眠药都停了",
    "一冬天都没感冒，抵抗力上来了",
    "血压下来了，药都减了",
    "结节小了一圈",
    "不用吃降压药了",
    "头发不掉了，还长出黑的来",
    "眼睛不花了，看报纸不用眼镜",
    "老胃病再也没犯过",
    "肝功能指标都正常了",
    "腿脚利索了，不用拄拐",
    "尿酸降下来了",
    "肠道里的毒都排出来了",
    "肺里干净了，不咳了",
    "体检那几项都不高了",
    "心脏再也不慌了",
    "血稠的毛病改善了，医生都说好",
    "手脚不麻了，老毛病没了",
    "吃了以后再也没去过医院",
]
FOOD_WHO = [
    "我爸吃了三个月",
    "我们粉丝反馈，吃了以后",
    "家里老人天天喝，现在",
    "坚持吃一阵子，",
    "我自己吃了半年，",
    "很多宝妈给孩子吃，",
    "喝了这个{food}，",
]
# long numbers that are nobody's personal data: orders, parcels, prices, batch codes
NUMBER_NEGATIVE = [
    "订单号{order}，还没发货",
    "{order} 这个订单能改地址吗",
    "帮我查下{order}这单到哪了",
    "快递单号{parcel}一直没更新",
    "物流单号是{parcel}，显示已签收但我没收到",
    "我的订单{order}申请退款了，麻烦处理",
    "批号{order}，生产日期看瓶底",
    "订单编号 {order} 催发货",
    "下单时间{order}，付了{small}",
    "{order}是我的单，备注要黑色",
]
FOOD_NEGATIVE = [
    "{food}就是普通食品，吃着香，别指望治病",
    "{food}冲一杯当早餐，方便",
    "有三高的吃{food}之前问问医生",
    "{food}我们是当零食卖的，不是药",
    "我爸吃了三个月{food}，说是好吃，别的不敢说",
    "{food}开封后放冰箱，一周内吃完",
    "{food}不能代替药，生病了去医院",
    "这个{food}的配料表就两样，干净",
    "血糖高的少吃{food}，它有糖",
    "老人家牙口不好，{food}可以泡软了吃",
    "这款{food}是普通食品，没有什么功效，就是好吃",
    "我爸爱喝{food}，但是药他还是照吃",
    "{food}好不好吃见仁见智，别的我不说",
]

# homophones and fillers for perturbing a sentence (applied to positives and negatives)
HOMOPHONES = {"码": "玛", "钱": "💰", "号": "hao", "店": "dian", "私": "si", "拍": "pai", "加": "+"}
EMOJI = ["😂", "🔥", "👉", "💰", "🙏", "❤️", "😏", "👀"]


# A small grammar for moving a sale off the platform, so the idea is learnt apart from any
# one sentence: where something was left, a private channel, another shop, money sent.
SPOTS = [
    "头像",
    "签名",
    "简介",
    "主页",
    "背景图",
    "纸板上",
    "置顶评论",
    "第二张图",
    "公告",
    "昵称后面",
]
THINGS = ["收款码", "付款码", "号码", "联系方式", "店名", "地址", "转账方式", "我的号"]
PUT = ["放在", "写在", "藏在", "换成了", "贴在", "挂在", "留在"]
PRIVATE = ["私底下", "私下", "线下", "下播后", "电话里", "当面", "单独", "背地里"]
PRIVATE_DO = ["聊", "约个时间看货", "交易", "问价", "给你报价", "给你算便宜点", "把钱结了", "开单"]
SHOPS = ["小网店", "酒行", "工厂店", "商城", "小程序", "公众号", "铺子", "门店", "外贸店", "茶庄"]
SHOP_SAY = ["我自己有个", "我们另外开了个", "我老公开了个", "我们家还有个", "我朋友的"]
SHOP_TAIL = [
    "，比这里少{n}块",
    "，那边价格实在",
    "，去那边买",
    "，地址在简介",
    "，搜我名字就有",
    "",
]
MONEY_SEND = ["发个{n}的红包过来", "包个{money}给我", "先转我{money}", "打{money}过来", "v我{n}"]
MONEY_THEN = ["我就给你留着", "就算你下单了", "马上给你发货", "这件就归你", "我给你走加急"]
PLATFORM_SNEER = [
    "平台的价格是做给人看的",
    "链接上的价是挂着看的",
    "这里拍的都是冤大头价",
    "在这儿下单就是给平台送钱",
]
REAL_PRICE = ["真实价格私下问我", "实价找我本人", "想要实在价的单独找我", "底价我私下告诉你"]


def diversion_grammar() -> str:
    roll = RNG.random()
    if roll < 0.25:
        return RNG.choice(THINGS) + "我" + RNG.choice(PUT) + RNG.choice(SPOTS) + "，自己去看"
    if roll < 0.45:
        return "喜欢的" + RNG.choice(PRIVATE) + "跟我" + RNG.choice(PRIVATE_DO)
    if roll < 0.65:
        return RNG.choice(SHOP_SAY) + RNG.choice(SHOPS) + RNG.choice(SHOP_TAIL)
    if roll < 0.85:
        return RNG.choice(MONEY_SEND) + "，" + RNG.choice(MONEY_THEN)
    return RNG.choice(PLATFORM_SNEER) + "，" + RNG.choice(REAL_PRICE)


def diversion_grammar_negative() -> str:
    """The same parts, said by someone keeping the sale on the platform or warning."""
    roll = RNG.random()
    if roll < 0.25:
        return RNG.choice(SPOTS) + "里的" + RNG.choice(THINGS) + "不是我们的，别信"
    if roll < 0.45:
        return "有人让你" + RNG.choice(PRIVATE) + RNG.choice(PRIVATE_DO) + "的，都是骗子"
    if roll < 0.6:
        return "我们没有什么" + RNG.choice(SHOPS) + "，只在这个直播间卖"
    if roll < 0.75:
        return "别给任何人" + RNG.choice(MONEY_SEND).replace("过来", "") + "，平台外的钱没保障"
    if roll < 0.85:
        return "有人说" + RNG.choice(SHOPS) + "那边便宜，那是假店，认准官方"
    return RNG.choice(
        [
            "私信我的人太多了，回不过来，有问题在公屏问",
            "刚才有个人私信我说能拿低价，一看就是骗子",
            "平台的价格就是实价，我们不搞私下那一套",
            "我们的" + RNG.choice(SHOPS) + "和直播间一个价，在哪买都一样",
        ]
    )


def perturb(text: str) -> str:
    """Slang, pinyin and emoji: a homophone or two, an emoji inside, a split word."""
    roll = RNG.random()
    if roll < 0.5:
        return text
    if roll < 0.7:
        for char, other in HOMOPHONES.items():
            if char in text and RNG.random() < 0.5:
                text = text.replace(char, other, 1)
        return text
    if roll < 0.85 and len(text) > 4:
        at = RNG.randrange(1, len(text) - 1)
        return text[:at] + RNG.choice(EMOJI) + text[at:]
    at = RNG.randrange(0, max(1, len(text) - 3))
    return text[:at] + split(text[at : at + 3]) + text[at + 3 :]


def family(label: str | None, role: str, body: str) -> dict[str, object]:
    lead = RNG.choice(LEADS["viewer" if role == "viewer" else "anchor"])
    text = perturb(fill(lead + body)) + RNG.choice(CLOSE)
    category = RNG.choice(CATEGORIES)
    if "{food}" in body or body in FOOD_BENEFITS:
        category = RNG.choice(["food", "agricultural", None])
    return {
        "text": text,
        "source": RNG.choice(SOURCES[role]),
        "role": role,
        "category": category,
        "labels": [label] if label else [],
        "note": f"family {label or 'hard negative'}",
    }


def families(count: int = 450) -> list[dict[str, object]]:
    rows = []
    speakers = ["anchor", "anchor", "assistant", "merchant"]
    for _ in range(count):
        role = RNG.choice(["anchor", "anchor", "assistant", "viewer"])
        body = RNG.choice(OFF_MOVES) + RNG.choice(OFF_TAILS)
        rows.append(family("diversion", role, body))
        role = RNG.choice(["viewer", "viewer", "anchor", "assistant"])
        rows.append(family(None, role, RNG.choice(OFF_NEGATIVE)))
        rows.append(family("diversion", RNG.choice(["anchor", "assistant"]), diversion_grammar()))
        rows.append(family(None, RNG.choice(["viewer", "anchor"]), diversion_grammar_negative()))
        claim = RNG.choice(SUPER_CLAIMS).replace("{scope}", RNG.choice(SUPER_SCOPES))
        rows.append(family("absolute_terms", RNG.choice(speakers), claim))
        negative = RNG.choice(SUPER_NEGATIVE).replace("{scope}", RNG.choice(SUPER_SCOPES))
        rows.append(family(None, RNG.choice([*speakers, "viewer"]), negative))
        if RNG.random() < 0.6:
            promise = (
                RNG.choice(PROMISE_PERIODS)
                + RNG.choice(PROMISE_BAD)
                + "，"
                + RNG.choice(PROMISE_PAY)
            )
        else:
            promise = RNG.choice(PROMISE_URGENCY)
        rows.append(family("false_promises", RNG.choice(speakers), promise))
        rows.append(family(None, RNG.choice([*speakers, "viewer"]), RNG.choice(PROMISE_NEGATIVE)))
        who = RNG.choice(FOOD_WHO)
        claim = who + ("" if "{food}" in who else "{food}") + "，" + RNG.choice(FOOD_BENEFITS)
        rows.append(family("medical_claims", RNG.choice(speakers), claim))
        rows.append(family(None, RNG.choice([*speakers, "viewer"]), RNG.choice(FOOD_NEGATIVE)))
        if RNG.random() < 0.4:
            rows.append(family(None, "viewer", RNG.choice(NUMBER_NEGATIVE)))
    return rows


# Templates whose list gave them the wrong label (label audit, docs/detection.md): kept in
# their place so the random draws, and so every other line of the file, stay the same.
# 百分百 with a quality is not a ranking: a guarantee that cannot be kept (docs/labelling.md).
RELABELLED = {"百分之百纯天然，零缺点": "false_promises"}


def make(template: str, roles: tuple[str, ...], labels: list[str], note: str) -> dict[str, object]:
    role = RNG.choice(roles)
    body = fill(template)
    text = RNG.choice(OPEN[role]) + body + RNG.choice(CLOSE)
    category = RNG.choice(CATEGORIES)
    if role == "viewer" and labels == ["diversion"] and "{phone}" in template:
        # a viewer's number is a private person's even as she touts (docs/labelling.md)
        labels = ["diversion", "personal_info"]
    if labels == ["medical_claims"] or "{food}" in template:
        category = RNG.choice(["food", "food", "health_food", "agricultural", None])
    return {
        "text": text,
        "source": RNG.choice(SOURCES[role]),
        "role": role,
        "category": category,
        "labels": labels,
        "note": note,
    }


def compose(per_template: int = 14) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    plan = [
        (t, roles, [RELABELLED.get(t, label)], f"composed {RELABELLED.get(t, label)}")
        for label, items in POSITIVE.items()
        for t, roles in items
    ]
    plan += [(t, roles, [], "composed hard negative") for t, roles in NEGATIVE]
    for template, roles, labels, note in plan:
        for _ in range(per_template):
            row = make(template, roles, labels, note)
            if row["text"] not in seen:
                seen.add(str(row["text"]))
                rows.append(row)
    for row in families():
        if row["text"] not in seen:
            seen.add(str(row["text"]))
            rows.append(row)
    RNG.shuffle(rows)
    for n, row in enumerate(rows, 1):
        row["id"] = f"c{n:05d}"
    return rows


if __name__ == "__main__":
    for row in compose():
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
