"""Raw exports of the company's touchpoints, beside the clean tables (data governance).

The course's tables are clean and joined on one ``user_id``. A company starts
from what each touchpoint exports, keyed its own way and as messy as the
systems and the people typing into them. The tables here are those exports,
for the same people as the clean tables, with the truth of who is who:

``raw_app_accounts``
    One row per app account: ``account_id``, the verified ``phone`` (11
    digits), ``nickname``, ``created_at`` (China time), a messily spelt
    ``city`` and the phone model (``device``).
``raw_miniprogram_users``
    One row per WeChat account seen by the mini-program: ``openid``,
    ``unionid`` (missing unless the record was made or refreshed after the
    mini-program was bound to the company's WeChat open platform account),
    ``nickname`` (mostly WeChat's default 微信用户), ``phone`` (missing unless
    the user authorised it; three formats) and ``first_seen`` (UTC, as text
    with a ``Z``).
``raw_pos_members``
    The stores' member cards: ``member_no``, ``name``, ``phone`` as typed at
    the till (six formats, sometimes one digit off), ``store_id`` (the clean
    ``stores`` table's), ``joined_on`` and the store's ``city``.
``raw_wecom_contacts``
    WeCom (企业微信) contacts of the company's advisers: ``external_userid``,
    ``unionid`` (sometimes missing), the adviser's ``remark`` (a name, a
    phone, both, or nothing), ``adviser`` and ``added_at``; a contact added
    by two advisers has two rows.
``raw_orders``
    The order system's export of one quarter (:data:`QUARTER`, China time):
    ``order_no``, ``source`` (app, mini_program, pos), the buyer's key in that
    source (``buyer_ref``), ``amount`` as text, ``status`` in mixed spellings,
    ``created_at`` as text (app rows China time ``2025-10-03 14:22:05``,
    mini-program rows UTC ``2025-10-03T06:22:05Z``, POS rows China time
    ``2025/10/03 14:22:05``), ``city`` and ``exported_at``.
``raw_links``
    Latent: the truth behind the five exports, one row per raw record (a
    record is its key and, for a key that occurs more than once, which
    occurrence): the person (``user_id``), the clean order of an order row,
    why a row is bad (duplicate, test, cancelled, refunded, staff test
    account) and what was planted (a second account, which of the person's
    phones the record carries, a phone typo). For checking a cleaning or a
    stitching, not an input of one.

Who appears where (read off the clean tables)
---------------------------------------------
- App: every user whose device is ios or android (the clean data's app users:
  their events and orders are on the app) has an account made at sign-up
  (``created_at`` = ``users.signup_time``). Of those with a second phone,
  20% made a second account with it; 2% of app users made a second account
  with the same phone after a re-install.
- Mini-program: every user whose device is mini_program, first seen at
  sign-up. Of those with a second phone, 13% also use a second WeChat
  account (another openid and unionid) bound to their other phone. The phone
  is authorised by every Qingmu Plus member (``memberships``: paying needs
  it), 65% of the other buyers (``orders``) and 25% of the rest. A record
  first seen before the binding date has a unionid only if its person placed
  an order on or after that date (the record was refreshed); a later one
  has it 98% of the time.
- POS: every user who signed up in a store (``users.store_id``) holds that
  store's card from the sign-up day; 3% took a second card at another store
  of the same city (any other store when their city has one) later on. Some
  cards carry a phone that is not the holder's: 2% a relative's (the main
  phone of another customer who signed up at the same store), and at a
  quarter of the stores the till staff type the store's own phone for 8% of
  the cards (customers who would not give theirs). Those are the records that
  make a phone rule merge two people into one.
- WeCom: every user the CRM reaches on WeCom at the end of the data or who
  unsubscribed from it (the end state's ``reach_wecom`` and
  ``unsubscribed_wecom``), added when WeCom first reached them: at the sign-up
  for a store sign-up (by one of the store's staff), else at the first order
  (by an online adviser), else at the sign-up.
- Orders: every online order of the quarter (``orders``) is a paid row; 30%
  of those a store member placed in store hours (10:00-22:00) were keyed in
  at the store's till (source pos, under the member number; the clean table
  files them under the customer's platform). The export adds orders the
  clean table does not have: cancelled before payment and refunded before
  shipping (each by the buyer of a paid order, through the same key, up to
  three days after it; an order returned after delivery is in ``orders`` and
  stays paid here), and staff test orders; then it delivers some rows twice
  or three times.
- Staff: a few test accounts (four in the app, two in the mini-program, two
  POS cards) belong to staff, not to users.

The people
----------
Each user is given a synthetic name (a common surname, weighted by its
frequency, and one or two given-name characters by gender), a main mobile
phone and, with chance 15% (more where a second account needs one), a second
one: 11 digits starting 13-19, drawn at random and unique in the world (any
match to a real number is chance), and a city (the store's for a store
sign-up, else one of the user's region and city tier). Names are not unique,
as in life. Phones of a world made in shards are unique within a shard.

The messiness planted, with its shares, is :data:`PARAMS`; the truth
(``truth["raw"]``) holds it with the shares realised, the reconciliation of
the order export with the clean orders, and how far exact phones, normalised
phones and unionids stitch the records into people. Every table draws from its
own random stream (:func:`coursekit.world._util.rng_for` with the table's name;
the people from ``"raw_people"``), so the other tables are untouched by them.
A shard of a world made in shards other than the first writes a region code
into its record numbers (account, member and order numbers), so that they stay
unique across the shards.

Examples
--------
>>> from coursekit.world.generate import generate
>>> tables, truth, _ = generate(600, 5)  # calls raw_data
>>> [len(tables[t]) > 0 for t in RAW_TABLES]
[True, True, True, True, True, True]
>>> {name: len(keys) for name, keys in truth["raw"]["staff_test_keys"].items()}
{'raw_app_accounts': 4, 'raw_miniprogram_users': 2, 'raw_pos_members': 2}
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import choice_codes, group_positions, rng_for

__all__ = ["PARAMS", "QUARTER", "RAW_TABLES", "raw_data"]

#: The raw tables, in the order of the data dictionary (``raw_links`` is the truth).
RAW_TABLES = ("raw_app_accounts", "raw_miniprogram_users", "raw_pos_members",
              "raw_wecom_contacts", "raw_orders", "raw_links")
#: The quarter the order export covers (first and last day, China time).
QUARTER = ("2025-10-01", "2025-12-31")

#: The shares of what is planted (JSON-serialisable; kept in ``truth["raw"]["params"]``).
PARAMS: dict = {
    "people": {"second_phone": 0.15, "wechat_on_second_phone": 0.30,
               "two_character_given_name": 0.72},
    "city_spellings": {"canonical": 0.50, "with_shi": 0.20, "pinyin": 0.12,
                       "pinyin_lower_spaced": 0.08, "full_width_pinyin": 0.05,
                       "missing": 0.05},
    "raw_app_accounts": {"second_account_if_second_phone": 0.20, "reinstall_account": 0.02,
                         "same_nickname_on_second_account": 0.5,
                         "nicknames": {"word": 0.5, "word_digits": 0.25,
                                       "default_with_phone_end": 0.25}},
    "raw_miniprogram_users": {"binding_date": "2024-07-01", "unionid_after_binding": 0.98,
                              "second_wechat_account_if_second_phone": 0.13,
                              "phone_authorised": {"plus_member": 1.0, "buyer": 0.65,
                                                   "other": 0.25, "second_account": 0.30},
                              "phone_formats": {"plain": 0.55, "plus86": 0.25,
                                                "plus86_spaced": 0.20},
                              "default_nickname": 0.60},
    "raw_pos_members": {"second_membership": 0.03, "second_phone_given": 0.10,
                        "phone_formats": {"plain": 0.35, "dashes": 0.15, "plus86_space": 0.10,
                                          "trailing_space": 0.10, "full_width": 0.10,
                                          "spaced": 0.20},
                        "phone_typo": 0.04, "stray_space_in_name": 0.04,
                        "family_phone": 0.02, "store_phone_habit": 0.25,
                        "store_phone_if_habit": 0.08},
    "raw_wecom_contacts": {"unionid": 0.85, "second_adviser": 0.05, "online_advisers": 8,
                           "remarks": {"name": 0.35, "title": 0.20, "name_phone": 0.12,
                                       "phone": 0.08, "store_name": 0.10, "empty": 0.15}},
    "raw_orders": {"pos_share_of_store_members_orders": 0.30, "second_key_used": 0.5,
                   "cancelled": 0.07, "refunded": 0.025, "test": 0.015,
                   "test_sources": {"app": 0.7, "mini_program": 0.2, "pos": 0.1},
                   "test_amount_one_fen": 0.7, "test_status_paid": 0.6,
                   "extra_copies": {"1": 0.04, "2": 0.008}, "exact_copy": 0.6,
                   "amount_formats": {"plain": 0.55, "short": 0.15, "yuan_sign": 0.12,
                                      "stray_spaces": 0.08, "full_width": 0.10},
                   "status_spellings": {
                       "paid": {"paid": 0.55, "PAID": 0.10, "Paid": 0.10, "已支付": 0.20,
                                " paid ": 0.05},
                       "cancelled": {"cancelled": 0.45, "CANCELLED": 0.10, "canceled": 0.15,
                                     "已取消": 0.30},
                       "refunded": {"refunded": 0.50, "REFUNDED": 0.10, "已退款": 0.40},
                       "test": {"test": 0.50, "TEST": 0.20, "测试": 0.30}}},
    "staff_test_accounts": {"raw_app_accounts": 4, "raw_miniprogram_users": 2,
                            "raw_pos_members": 2},
}

_S = np.dtypes.StringDType()
_DAY = np.timedelta64(1, "D")
_SECOND = np.timedelta64(1, "s")
_END = np.datetime64(P.END, "s") + _DAY - _SECOND  # the data's last second

# The most common surnames with their approximate share of the population (%).
_SURNAMES = {"王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.4, "陈": 4.5, "杨": 3.1, "黄": 2.2,
             "赵": 2.0, "吴": 2.0, "周": 1.9, "徐": 1.3, "孙": 1.3, "马": 1.2, "朱": 1.2,
             "胡": 1.1, "郭": 1.1, "何": 1.0, "林": 1.0, "罗": 0.9, "高": 0.9, "郑": 0.8,
             "梁": 0.8, "谢": 0.7, "宋": 0.6, "唐": 0.6, "许": 0.6, "韩": 0.5, "冯": 0.5,
             "邓": 0.5, "曹": 0.5}
_GIVEN_FEMALE = np.array(list("芳娜敏静丽艳娟霞婷雪琳洁颖晶欣怡萱涵梓雨佳思诗晓悦彤"))
_GIVEN_MALE = np.array(list("伟强磊军勇杰涛明超浩宇鹏辉斌鑫俊峰博轩子文然晨凯航睿"))
_WORDS = np.array(["小鱼", "阿杰", "Lily", "晴天", "木子", "开心果", "Kevin", "小糖",
                   "大橙子", "Amy", "星星", "一一", "安安", "Tony", "奶茶", "橘子汽水",
                   "Sunny", "阿琳", "小熊", "麦兜", "花生", "云朵", "Coco", "阿飞"])
_STAFF_NICKNAMES = np.array(["测试", "test", "测试01", "QA测试", "test02", "测试-勿发货"])
_IOS = np.array(["iPhone 12", "iPhone 13", "iPhone 14 Pro", "iPhone 15", "iPhone 15 Pro Max",
                 "iPhone 16"])
_ANDROID = np.array(["HUAWEI Mate 60", "HUAWEI nova 11", "Xiaomi 14", "Redmi K70",
                     "OPPO Reno11", "vivo X100", "HONOR 90", "OnePlus 12"])
# Mobile number blocks (the first three digits).
_PREFIXES = np.array([130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153,
                      155, 156, 157, 158, 159, 166, 173, 175, 176, 177, 178, 180, 181, 182,
                      183, 184, 185, 186, 187, 188, 189, 191, 193, 195, 198, 199],
                     dtype=np.int64)
# Cities by region and city tier: Chinese name and pinyin. Wuhan and Chengdu, the
# "new first-tier" cities, stand in for tier 1 in the regions that have none.
_CITIES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("east", "1"): [("上海", "Shanghai")],
    ("east", "2"): [("杭州", "Hangzhou"), ("南京", "Nanjing"), ("苏州", "Suzhou")],
    ("east", "3"): [("宁波", "Ningbo"), ("无锡", "Wuxi"), ("温州", "Wenzhou")],
    ("east", "4+"): [("金华", "Jinhua"), ("湖州", "Huzhou"), ("盐城", "Yancheng")],
    ("south", "1"): [("广州", "Guangzhou"), ("深圳", "Shenzhen")],
    ("south", "2"): [("东莞", "Dongguan"), ("佛山", "Foshan"), ("厦门", "Xiamen")],
    ("south", "3"): [("珠海", "Zhuhai"), ("泉州", "Quanzhou")],
    ("south", "4+"): [("湛江", "Zhanjiang"), ("汕头", "Shantou")],
    ("north", "1"): [("北京", "Beijing")],
    ("north", "2"): [("天津", "Tianjin"), ("青岛", "Qingdao"), ("济南", "Jinan")],
    ("north", "3"): [("石家庄", "Shijiazhuang"), ("烟台", "Yantai")],
    ("north", "4+"): [("保定", "Baoding"), ("邯郸", "Handan")],
    ("central", "1"): [("武汉", "Wuhan")],
    ("central", "2"): [("长沙", "Changsha"), ("郑州", "Zhengzhou")],
    ("central", "3"): [("洛阳", "Luoyang"), ("宜昌", "Yichang")],
    ("central", "4+"): [("岳阳", "Yueyang"), ("南阳", "Nanyang")],
    ("west", "1"): [("成都", "Chengdu")],
    ("west", "2"): [("重庆", "Chongqing"), ("西安", "Xi'an")],
    ("west", "3"): [("昆明", "Kunming"), ("贵阳", "Guiyang")],
    ("west", "4+"): [("绵阳", "Mianyang"), ("宝鸡", "Baoji")],
}
_CITY_LIST = [c for cities in _CITIES.values() for c in cities]
_FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in
                             "0123456789.,ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"})
_TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


# ---------------------------------------------------------------- small helpers


def _tag(seed: int, company_seed: int) -> str:
    """Region code written into record numbers: empty for a world made at once (and
    the first shard), else the shard seed in base 36 (seven characters)."""
    if seed == company_seed:
        return ""
    digits, value = [], int(seed) % 36**7
    for _ in range(7):  # seven digits, fixed width
        value, r = divmod(value, 36)
        digits.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r])
    return "".join(reversed(digits))


def _text(values: np.ndarray, missing: np.ndarray | None = None) -> pd.arrays.ArrowStringArray:
    """A ``string`` column from a numpy string array, missing where ``missing``."""
    out = pd.array(np.asarray(values, dtype=object), dtype="string")
    if missing is not None and missing.any():
        out[np.asarray(missing, dtype=bool)] = pd.NA
    return out


def _pick(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    return choice_codes(rng, options, size).astype(np.int64)


def _later_duplicates(values: np.ndarray) -> np.ndarray:
    """True for every value that occurred earlier in ``values`` (sort-based)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    dup = np.zeros(len(values), dtype=bool)
    dup[order[1:]] = ordered[1:] == ordered[:-1]
    return dup


def _phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = _PREFIXES[rng.integers(0, len(_PREFIXES), n)]
    return prefix * 10**8 + rng.integers(0, 10**8, n)


def _unique_phones(rng: np.random.Generator, n: int, taken: np.ndarray) -> np.ndarray:
    """``n`` phone numbers, unique and none of them in ``taken``."""
    out = _phone_numbers(rng, n)
    while True:  # rounds of redraws; the clashes are few
        dup = _later_duplicates(np.concatenate([taken, out]))[len(taken):]
        if not dup.any():
            return out
        out[dup] = _phone_numbers(rng, int(dup.sum()))


def _typos(rng: np.random.Generator, phones: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Each phone with one of its last eight digits changed, never into a phone in
    ``taken`` (another person's number)."""
    out = phones.copy()
    taken = np.sort(taken)
    todo = np.ones(len(phones), dtype=bool)
    while todo.any():  # rounds of redraws; the clashes are few
        k = int(todo.sum())
        power = 10 ** rng.integers(0, 8, k)
        digit = (phones[todo] // power) % 10
        out[todo] = phones[todo] + ((digit + rng.integers(1, 10, k)) % 10 - digit) * power
        todo = _member(out, taken)
    return out


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Whether each value is in ``sorted_set`` (binary search; ``np.isin`` hashes, which
    is slow on millions of keys)."""
    at = np.minimum(np.searchsorted(sorted_set, values), max(len(sorted_set) - 1, 0))
    return sorted_set[at] == values if len(sorted_set) else np.zeros(len(values), bool)


def _tokens(rng: np.random.Generator, n: int, length: int, prefix: str,
            alphabet: str = _TOKEN) -> np.ndarray:
    """Random identifiers: ``prefix`` then ``length`` characters of ``alphabet``."""
    codes = rng.integers(0, len(alphabet), (n, length), dtype=np.uint8)
    chars = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)[codes]
    body = np.ascontiguousarray(chars).view(f"S{length}").ravel().astype(str).astype(_S)
    return np.strings.add(prefix, body)


def _numbered(rng: np.random.Generator, n: int, first: int, prefix: str) -> np.ndarray:
    """Ascending record numbers with small gaps (rows that failed or were deleted)."""
    number = first + np.cumsum(rng.geometric(0.4, n))
    return np.strings.add(prefix, number.astype(_S))


def _times_between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A time uniformly between ``lo`` and ``hi`` (datetime64[s]), to the second."""
    span = (hi - lo).astype(np.int64)
    return lo + (rng.random(len(lo)) * span).astype(np.int64) * _SECOND


def _digits(phones: np.ndarray) -> np.ndarray:
    return phones.astype(_S)


def _phone_text(digits: np.ndarray, codes: np.ndarray, formats: list[str]) -> np.ndarray:
    """Phones written in the format ``formats[code]`` of each row."""
    d = digits
    head, mid, tail = (np.strings.slice(d, 0, 3), np.strings.slice(d, 3, 7),
                       np.strings.slice(d, 7, 11))

    def spaced(sep: str) -> np.ndarray:
        return np.strings.add(np.strings.add(np.strings.add(head, sep), np.strings.add(
            mid, sep)), tail)

    writers = {
        "plain": lambda: d,
        "dashes": lambda: spaced("-"),
        "spaced": lambda: spaced(" "),
        "plus86": lambda: np.strings.add("+86", d),
        "plus86_space": lambda: np.strings.add("+86 ", d),
        "plus86_spaced": lambda: np.strings.add("+86 ", spaced(" ")),
        "trailing_space": lambda: np.strings.add(d, " "),
        "full_width": lambda: np.strings.translate(d, _FULL_WIDTH),
    }
    out = d.copy()
    for k, name in enumerate(formats):  # a handful of formats
        rows = codes == k
        if rows.any():
            out[rows] = writers[name]()[rows]
    return out


def _city_text(rng: np.random.Generator, city: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The city of each row spelt as people and systems do; and where it is missing."""
    spell = PARAMS["city_spellings"]
    variants = np.array([[zh, zh + "市", py, f" {py.lower()} ", py.translate(_FULL_WIDTH)]
                         for zh, py in _CITY_LIST], dtype=_S)
    code = _pick(rng, spell, len(city))
    missing = code == list(spell).index("missing")
    return variants[city, np.minimum(code, variants.shape[1] - 1)], missing


def _nicknames(rng: np.random.Generator, phone_digits: np.ndarray) -> np.ndarray:
    kind = _pick(rng, PARAMS["raw_app_accounts"]["nicknames"], len(phone_digits))
    word = _WORDS[rng.integers(0, len(_WORDS), len(phone_digits))].astype(_S)
    with_digits = np.strings.add(word, rng.integers(1, 1000, len(phone_digits)).astype(_S))
    default = np.strings.add("用户", np.strings.slice(phone_digits, 7, 11))
    return np.where(kind == 0, word, np.where(kind == 1, with_digits, default))


def _positions(ids: np.ndarray, user_id: np.ndarray) -> np.ndarray:
    """Positions in the users (sorted by ``user_id``) of the given user ids."""
    return np.searchsorted(user_id, ids)


# ---------------------------------------------------------------- the people


def _people(seed: int, users: pd.DataFrame, stores: pd.DataFrame,
            unionid_needed: np.ndarray) -> dict:
    """Latent identity of every user and of the staff: names, phones, city, WeChat."""
    rng = rng_for(seed, "raw_people")
    prm = PARAMS["people"]
    n = len(users)
    female = (users["gender"] == "female").to_numpy()
    surname = np.array(list(_SURNAMES))[_pick(rng, _SURNAMES, n)]
    first = np.where(female, _GIVEN_FEMALE[rng.integers(0, len(_GIVEN_FEMALE), n)],
                     _GIVEN_MALE[rng.integers(0, len(_GIVEN_MALE), n)])
    second = np.where(female, _GIVEN_FEMALE[rng.integers(0, len(_GIVEN_FEMALE), n)],
                      _GIVEN_MALE[rng.integers(0, len(_GIVEN_MALE), n)])
    two = rng.random(n) < prm["two_character_given_name"]
    name = np.strings.add(np.strings.add(surname.astype(_S), first.astype(_S)),
                          np.where(two, second, "").astype(_S))
    main = _unique_phones(rng, n, np.zeros(0, dtype=np.int64))
    other = _unique_phones(rng, n, main)
    has_second = rng.random(n) < prm["second_phone"]
    on_second = has_second & (rng.random(n) < prm["wechat_on_second_phone"])
    city = _user_cities(rng, users, stores)
    unionid = np.full(n, "", dtype=_S)
    unionid[unionid_needed] = _tokens(rng, int(unionid_needed.sum()), 27, "o")
    n_staff = sum(PARAMS["staff_test_accounts"].values())
    staff_phone = _unique_phones(rng, n_staff, np.concatenate([main, other]))
    staff_store = rng.integers(0, len(stores), n_staff)
    return dict(n=n, user_id=users["user_id"].to_numpy(dtype=np.int64), name=name,
                female=female, surname=surname.astype(_S), main=main, second=other,
                has_second=has_second, wechat_phone=np.where(on_second, other, main),
                wechat_other=np.where(on_second, main, other), city=city, unionid=unionid,
                staff_phone=staff_phone, staff_store=staff_store,
                staff_city=_store_cities(stores)[staff_store])


def _store_cities(stores: pd.DataFrame) -> np.ndarray:
    index = {zh: k for k, (zh, _) in enumerate(_CITY_LIST)}
    return np.array([index[c] for c in stores["city"].astype(str)], dtype=np.int64)


def _user_cities(rng: np.random.Generator, users: pd.DataFrame,
                 stores: pd.DataFrame) -> np.ndarray:
    """A city per user: the store's for a store sign-up, else one of the user's region
    and tier (positions in the city list)."""
    region = pd.Categorical(users["region"])
    tier = pd.Categorical(users["city_tier"])
    n_tiers = len(tier.categories)
    group = region.codes.astype(np.int64) * n_tiers + tier.codes
    first = np.zeros(len(region.categories) * n_tiers, dtype=np.int64)
    size = np.ones(len(first), dtype=np.int64)
    start = 0
    for (r, t), cities in _CITIES.items():  # twenty groups
        if r in region.categories and t in tier.categories:
            g = region.categories.get_loc(r) * n_tiers + tier.categories.get_loc(t)
            first[g], size[g] = start, len(cities)
        start += len(cities)
    draw = rng.random(len(users))
    city = first[group] + (draw * size[group]).astype(np.int64)
    store = users["store_id"].to_numpy(dtype=np.float64, na_value=np.nan)
    at = np.isfinite(store)
    where = np.searchsorted(stores["store_id"].to_numpy(), store[at].astype(np.int64))
    city[at] = _store_cities(stores)[where]
    return city


# ---------------------------------------------------------------- identity tables


def _app_accounts(seed: int, users: pd.DataFrame, p: dict, tag: str) -> dict:
    """``raw_app_accounts`` and, per row, its person (-1: staff), kind (0 first account,
    1 second, 2 staff), key, time made and which phone it holds."""
    rng = rng_for(seed, "raw_app_accounts")
    prm = PARAMS["raw_app_accounts"]
    device = users["device"].astype(str).to_numpy()
    signup = users["signup_time"].to_numpy().astype("datetime64[s]")
    persons = np.flatnonzero(device != "mini_program")
    m = len(persons)
    on_second = p["has_second"][persons] & (rng.random(m) < prm["second_account_if_second_phone"])
    reinstall = ~on_second & (rng.random(m) < prm["reinstall_account"])
    twice = persons[on_second | reinstall]
    n_staff = PARAMS["staff_test_accounts"]["raw_app_accounts"]
    staff_t = np.datetime64("2024-01-02T10:00:00") + rng.integers(0, 80 * 86_400, n_staff) * \
        _SECOND
    person = np.concatenate([persons, twice, np.full(n_staff, -1)])
    created = np.concatenate([signup[persons], _times_between(
        rng, signup[twice], np.full(len(twice), _END)), staff_t])
    phone = np.concatenate([p["main"][persons], np.where(
        on_second, p["second"][persons], p["main"][persons])[on_second | reinstall],
        p["staff_phone"][:n_staff]])
    kind = np.concatenate([np.zeros(m, np.int8), np.ones(len(twice), np.int8),
                           np.full(n_staff, 2, np.int8)])  # first, second, staff
    second_phone = np.concatenate([np.zeros(m, bool), on_second[on_second | reinstall],
                                   np.zeros(n_staff, bool)])
    ios = np.concatenate([device[persons] == "ios", device[twice] == "ios",
                          np.arange(n_staff) % 2 == 0])
    model = np.where(ios, _IOS[rng.integers(0, len(_IOS), len(person))],
                     _ANDROID[rng.integers(0, len(_ANDROID), len(person))]).astype(_S)
    digits = _digits(phone)
    nickname = _nicknames(rng, digits)
    first_nick = np.full(p["n"], "", dtype=_S)
    first_nick[persons] = nickname[:m]
    same = (kind == 1) & (rng.random(len(person)) < prm["same_nickname_on_second_account"])
    nickname[same] = first_nick[person[same]]
    nickname[kind == 2] = _STAFF_NICKNAMES[:n_staff].astype(_S)
    city = np.concatenate([p["city"][persons], p["city"][twice], p["staff_city"][:n_staff]])
    city_text, city_missing = _city_text(rng, city)
    order = np.argsort(created, kind="stable")
    account_id = np.empty(len(person), dtype=_S)
    account_id[order] = _numbered(rng, len(person), 10_000_000, "A" + tag)
    frame = pd.DataFrame(dict(
        account_id=_text(account_id[order]), phone=_text(digits[order]),
        nickname=_text(nickname[order]), created_at=created[order],
        city=_text(city_text[order], city_missing[order]), device=_text(model[order])))
    return dict(frame=frame, key=account_id[order], person=person[order], kind=kind[order],
                created=created[order], phone_kind=np.where(second_phone, "second", "main")[
                    order], typo=np.zeros(len(person), bool))


def _wechat_first_seen(rng: np.random.Generator, signup: np.ndarray, persons: np.ndarray,
                       second: np.ndarray) -> np.ndarray:
    return np.concatenate([signup[persons], _times_between(
        rng, signup[second], np.full(len(second), _END))])


def _miniprogram_users(seed: int, users: pd.DataFrame, orders: pd.DataFrame,
                       members: pd.DataFrame, p: dict, tag: str) -> dict:
    """``raw_miniprogram_users`` with, per row, what :func:`_app_accounts` gives and the
    planted phone format, phone and unionid presence."""
    rng = rng_for(seed, "raw_miniprogram_users")
    prm = PARAMS["raw_miniprogram_users"]
    n = p["n"]
    device = users["device"].astype(str).to_numpy()
    signup = users["signup_time"].to_numpy().astype("datetime64[s]")
    persons = np.flatnonzero(device == "mini_program")
    m = len(persons)
    two = p["has_second"][persons] & (
        rng.random(m) < prm["second_wechat_account_if_second_phone"])
    second = persons[two]
    n_staff = PARAMS["staff_test_accounts"]["raw_miniprogram_users"]
    staff0 = PARAMS["staff_test_accounts"]["raw_app_accounts"]
    person = np.concatenate([persons, second, np.full(n_staff, -1)])
    kind = np.concatenate([np.zeros(m, np.int8), np.ones(len(second), np.int8),
                           np.full(n_staff, 2, np.int8)])
    first_seen = np.concatenate([_wechat_first_seen(rng, signup, persons, second),
                                 np.datetime64("2024-01-03T09:30:00")
                                 + rng.integers(0, 60 * 86_400, n_staff) * _SECOND])
    k = len(person)
    # unionid: refreshed after the binding when the person ordered since
    order_pos = _positions(orders["user_id"].to_numpy(), p["user_id"])
    order_t = orders["order_time"].to_numpy().astype("datetime64[s]")
    last = np.full(n, np.datetime64("NaT", "s"))
    last[order_pos] = order_t  # orders are in time order: the last one stays
    binding = np.datetime64(prm["binding_date"], "s")
    who = np.maximum(person, 0)
    back = last[who] >= binding  # NaT compares False
    has_union = np.where(first_seen >= binding, rng.random(k) < prm["unionid_after_binding"],
                         back) | (kind == 2)
    unionid = np.where(kind == 1, _tokens(rng, k, 27, "o"), p["unionid"][who])
    unionid[kind == 2] = _tokens(rng, n_staff, 27, "o")
    # phone: authorised by Plus members, most buyers, some others
    auth = PARAMS["raw_miniprogram_users"]["phone_authorised"]
    buyer = np.bincount(order_pos, minlength=n) > 0
    plus = np.zeros(n, dtype=bool)
    plus[_positions(members["user_id"].to_numpy(), p["user_id"])] = True
    chance = np.where(kind == 1, auth["second_account"], np.where(
        plus[who], auth["plus_member"], np.where(buyer[who], auth["buyer"], auth["other"])))
    has_phone = (rng.random(k) < chance) | (kind == 2)
    phone = np.where(kind == 1, p["wechat_other"][who], p["wechat_phone"][who])
    phone[kind == 2] = p["staff_phone"][staff0:staff0 + n_staff]
    formats = list(prm["phone_formats"])
    code = _pick(rng, prm["phone_formats"], k)
    code[kind == 2] = 0
    text = _phone_text(_digits(phone), code, formats)
    nickname = np.where(rng.random(k) < prm["default_nickname"], "微信用户",
                        _WORDS[rng.integers(0, len(_WORDS), k)]).astype(_S)
    nickname[kind == 2] = _STAFF_NICKNAMES[staff0:staff0 + n_staff].astype(_S)
    openid = _tokens(rng, k, 27, "o")
    order = np.argsort(first_seen, kind="stable")
    seen_text = np.strings.add(np.datetime_as_string(
        first_seen - np.timedelta64(8, "h"), unit="s").astype(_S), "Z")
    on_second = p["wechat_phone"][who] != p["main"][who]
    phone_kind = np.where(kind == 1, np.where(on_second, "main", "second"),
                          np.where(on_second, "second", "main"))
    frame = pd.DataFrame(dict(
        openid=_text(openid[order]), unionid=_text(unionid[order], ~has_union[order]),
        nickname=_text(nickname[order]), phone=_text(text[order], ~has_phone[order]),
        first_seen=_text(seen_text[order])))
    return dict(frame=frame, key=openid[order], person=person[order], kind=kind[order],
                created=first_seen[order],
                phone_kind=np.where(has_phone, phone_kind, "")[order],
                typo=np.zeros(k, bool), code=code[order], has_phone=has_phone[order],
                has_union=has_union[order], unionid=unionid[order])


def _pos_members(seed: int, users: pd.DataFrame, stores: pd.DataFrame, p: dict,
                 tag: str) -> dict:
    """``raw_pos_members`` with, per row, its person, kind, key, issue day, which phone
    it holds, phone typo and format."""
    rng = rng_for(seed, "raw_pos_members")
    prm = PARAMS["raw_pos_members"]
    store_of = users["store_id"].to_numpy(dtype=np.float64, na_value=np.nan)
    persons = np.flatnonzero(np.isfinite(store_of))
    m = len(persons)
    ids = stores["store_id"].to_numpy(dtype=np.int64)
    own = np.searchsorted(ids, store_of[persons].astype(np.int64))
    joined = users["signup_time"].to_numpy().astype("datetime64[D]")[persons]
    again = rng.random(m) < prm["second_membership"]
    other = _other_store(rng, stores, own[again])
    n_staff = PARAMS["staff_test_accounts"]["raw_pos_members"]
    staff0 = len(p["staff_phone"]) - n_staff
    person = np.concatenate([persons, persons[again], np.full(n_staff, -1)])
    kind = np.concatenate([np.zeros(m, np.int8), np.ones(int(again.sum()), np.int8),
                           np.full(n_staff, 2, np.int8)])
    store = np.concatenate([own, other, p["staff_store"][staff0:]])
    later = _times_between(rng, joined[again].astype("datetime64[s]"),
                           np.full(int(again.sum()), _END)).astype("datetime64[D]")
    joined_on = np.concatenate([joined, later, np.full(n_staff, np.datetime64(
        "2024-01-05", "D"))])
    k = len(person)
    who = np.maximum(person, 0)
    gives_second = np.zeros(p["n"], dtype=bool)
    gives_second[persons] = p["has_second"][persons] & (rng.random(m) < prm["second_phone_given"])
    phone = np.where(gives_second[who], p["second"][who], p["main"][who])
    phone[kind == 2] = p["staff_phone"][staff0:]
    typo = (rng.random(k) < prm["phone_typo"]) & (kind != 2)
    taken = np.concatenate([p["main"], p["second"], p["staff_phone"]])
    phone[typo] = _typos(rng, phone[typo], taken)
    shared = _shared_phones(seed, person, kind, store, typo, len(stores),
                            np.concatenate([taken, phone]))
    family, at_store = shared["family"], shared["store"]
    phone[family] = p["main"][shared["relative"][family]]
    phone[at_store] = shared["store_phone"][store[at_store]]
    formats = list(prm["phone_formats"])
    code = _pick(rng, prm["phone_formats"], k)
    text = _phone_text(_digits(phone), code, formats)
    name = p["name"][who].copy()
    name[kind == 2] = "测试"
    space = (rng.random(k) < prm["stray_space_in_name"]) & (kind != 2)
    inside = rng.random(k) < 0.5
    spaced = np.where(inside, np.strings.add(np.strings.add(np.strings.slice(name, 0, 1), " "),
                                             np.strings.slice(name, 1, None)),
                      np.strings.add(name, " "))
    name = np.where(space, spaced, name)
    city_text, city_missing = _city_text(rng, _store_cities(stores)[store])
    order = np.lexsort((store, joined_on))
    member_no = np.empty(k, dtype=_S)
    member_no[order] = _numbered(rng, k, 100_000_000, "M" + tag)
    frame = pd.DataFrame(dict(
        member_no=_text(member_no[order]), name=_text(name[order]), phone=_text(text[order]),
        store_id=ids[store][order], joined_on=joined_on[order].astype("datetime64[s]"),
        city=_text(city_text[order], city_missing[order])))
    phone_kind = np.where(family, "family", np.where(at_store, "store", np.where(
        gives_second[who] & (kind != 2), "second", "main")))
    return dict(frame=frame, key=member_no[order], person=person[order], kind=kind[order],
                created=joined_on[order].astype("datetime64[s]"), phone_kind=phone_kind[order],
                store=store[order],
                typo=typo[order], code=code[order], space=space[order])


def _shared_phones(seed: int, person: np.ndarray, kind: np.ndarray, store: np.ndarray,
                   typo: np.ndarray, n_stores: int, taken: np.ndarray) -> dict:
    """Cards that carry a phone another person's card also carries: a family member's
    (the main phone of another customer who signed up at the same store) and, at the
    stores whose till staff have the habit, the store's own phone typed for a customer
    who would not give one. Drawn from their own stream, after everything else of the
    cards, so the rest of the table is what it was without them."""
    rng = rng_for(seed, "raw_pos_shared_phones")
    prm = PARAMS["raw_pos_members"]
    k = len(person)
    free = (kind != 2) & ~typo
    family = free & (rng.random(k) < prm["family_phone"])
    # a relative: another person's first card at the same store (sorted by store)
    firsts = np.flatnonzero(kind == 0)
    firsts = firsts[np.argsort(store[firsts], kind="stable")]
    by_store = store[firsts]
    start = np.searchsorted(by_store, store, side="left")
    size = np.searchsorted(by_store, store, side="right") - start
    family &= size > 1
    step = rng.random(k)
    offset = (step * np.maximum(size - 1, 1)).astype(np.int64)
    pick = firsts[np.minimum(start + offset, len(firsts) - 1)]
    clash = person[pick] == person
    pick = np.where(clash, firsts[np.minimum(start + (offset + 1) % np.maximum(size, 1),
                                             len(firsts) - 1)], pick)
    family &= person[pick] != person
    habit = rng.random(n_stores) < prm["store_phone_habit"]
    at_store = free & ~family & habit[store] & (rng.random(k) < prm["store_phone_if_habit"])
    return dict(family=family, relative=np.where(family, person[pick], 0), store=at_store,
                store_phone=_unique_phones(rng, n_stores, taken), habit=habit)


def _other_store(rng: np.random.Generator, stores: pd.DataFrame, own: np.ndarray) -> np.ndarray:
    """Another store for each of ``own`` (positions): one of the same city when the
    city has another, else any other store."""
    n_st = len(stores)
    city = stores["city"].astype(str).to_numpy()
    by_city = np.argsort(city, kind="stable")
    rank = np.empty(n_st, dtype=np.int64)
    rank[by_city] = np.arange(n_st)
    sorted_city = city[by_city]
    start = np.searchsorted(sorted_city, sorted_city, side="left")[rank]
    size = np.searchsorted(sorted_city, sorted_city, side="right")[rank] - start
    step = rng.random(len(own))
    same = size[own] > 1
    within = start[own] + (rank[own] - start[own] + 1 + (step * np.maximum(
        size[own] - 1, 1)).astype(np.int64)) % np.maximum(size[own], 1)
    anywhere = (own + 1 + (step * max(n_st - 1, 1)).astype(np.int64)) % n_st
    return np.where(same, by_city[np.minimum(within, n_st - 1)], anywhere)


def _wecom_contacts(seed: int, users: pd.DataFrame, orders: pd.DataFrame,
                    stores: pd.DataFrame, on_wecom: np.ndarray, p: dict) -> dict:
    """``raw_wecom_contacts`` with, per row, its person, kind (1: a second adviser), key,
    time added and whether the remark holds the phone."""
    rng = rng_for(seed, "raw_wecom_contacts")
    prm = PARAMS["raw_wecom_contacts"]
    n = p["n"]
    persons = np.flatnonzero(on_wecom)
    m = len(persons)
    signup = users["signup_time"].to_numpy().astype("datetime64[s]")
    order_pos = _positions(orders["user_id"].to_numpy(), p["user_id"])
    order_t = orders["order_time"].to_numpy().astype("datetime64[s]")
    first = np.full(n, np.datetime64("NaT", "s"))
    first[order_pos[::-1]] = order_t[::-1]  # orders are in time order: the first one stays
    store_of = users["store_id"].to_numpy(dtype=np.float64, na_value=np.nan)
    at_store = (users["channel"] == "offline_store").to_numpy() & np.isfinite(store_of)
    reached = np.where(at_store | np.isnat(first), signup, first)
    again = rng.random(m) < prm["second_adviser"]
    person = np.concatenate([persons, persons[again]])
    kind = np.concatenate([np.zeros(m, np.int8), np.ones(int(again.sum()), np.int8)])
    added = np.concatenate([reached[persons], _times_between(
        rng, reached[persons[again]], np.full(int(again.sum()), _END))])
    k = len(person)
    external = _tokens(rng, m, 30, "wm", _TOKEN[:62])
    external = np.concatenate([external, external[again]])
    has_union = rng.random(m) < prm["unionid"]
    has_union = np.concatenate([has_union, has_union[again]])
    # advisers: the store's staff for a store sign-up, else one of the online advisers
    ids = stores["store_id"].to_numpy(dtype=np.int64)
    store = np.searchsorted(ids, np.nan_to_num(store_of[person], nan=ids[0]).astype(np.int64))
    staff_no = 1 + (rng.random(k) * stores["staff"].to_numpy()[store]).astype(np.int64)
    store_names = stores["name"].astype(str).to_numpy().astype(_S)
    store_adviser = np.strings.add(np.strings.add(store_names[store], "-店员"),
                                   staff_no.astype(_S))
    online = rng.integers(0, prm["online_advisers"], k)
    first_online = np.concatenate([online[:m], online[:m][again]])
    online = np.where(kind == 1, (first_online + rng.integers(1, prm["online_advisers"], k))
                      % prm["online_advisers"], online)
    online_adviser = np.strings.add("青木顾问", np.strings.zfill((online + 1).astype(_S), 2))
    by_store = at_store[person] & (kind == 0)
    adviser = np.where(by_store, store_adviser, online_adviser)
    remark, remark_phone = _remarks(rng, p, person, by_store, store_names[store])
    order = np.argsort(added, kind="stable")
    frame = pd.DataFrame(dict(
        external_userid=_text(external[order]),
        unionid=_text(p["unionid"][person][order], ~has_union[order]),
        remark=_text(remark[order], remark[order] == ""), adviser=_text(adviser[order]),
        added_at=added[order]))
    ordered_key = external[order]
    return dict(frame=frame, key=ordered_key, person=person[order], kind=kind[order],
                created=added[order], phone_kind=np.where(remark_phone, "main", "")[order],
                typo=np.zeros(k, bool), has_union=has_union[order],
                unionid=p["unionid"][person][order])


def _remarks(rng: np.random.Generator, p: dict, person: np.ndarray, by_store: np.ndarray,
             store_name: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The adviser's note on each contact, and whether it holds the phone."""
    kinds = PARAMS["raw_wecom_contacts"]["remarks"]
    k = len(person)
    code = _pick(rng, kinds, k)
    names = list(kinds)
    code = np.where((code == names.index("store_name")) & ~by_store, names.index("name"), code)
    name = p["name"][person]
    title = np.strings.add(p["surname"][person], np.where(p["female"][person], "女士", "先生"))
    digits = _digits(p["main"][person])
    phone = _phone_text(digits, (rng.random(k) < 0.3).astype(np.int64), ["plain", "spaced"])
    out = np.full(k, "", dtype=_S)
    choices = {"name": name, "title": title,
               "name_phone": np.strings.add(np.strings.add(name, " "), phone),
               "phone": phone, "store_name": np.strings.add(np.strings.add(
                   np.strings.slice(store_name, 3, None), " "), name)}
    for j, kind in enumerate(names):  # a handful of kinds
        if kind in choices:
            out = np.where(code == j, choices[kind], out)
    has_phone = np.isin(code, [names.index("name_phone"), names.index("phone")])
    return out, has_phone


# ---------------------------------------------------------------- the order export


def _orders(seed: int, orders: pd.DataFrame, p: dict, app: dict, mini: dict, pos: dict,
            tag: str) -> dict:
    """``raw_orders``: the quarter's clean orders (paid), the orders the clean table lacks
    (cancelled, refunded, staff tests), then delivered as the export's rows."""
    rng = rng_for(seed, "raw_orders")
    prm = PARAMS["raw_orders"]
    q0 = np.datetime64(QUARTER[0], "s")
    q1 = np.datetime64(QUARTER[1], "s") + _DAY
    t_all = orders["order_time"].to_numpy().astype("datetime64[s]")
    rows = np.flatnonzero((t_all >= q0) & (t_all < q1))
    n_paid = len(rows)
    person = _positions(orders["user_id"].to_numpy()[rows], p["user_id"])
    created = t_all[rows]
    platform = (orders["platform"].to_numpy()[rows] == "mini_program").astype(np.int8)
    keys = _buyer_keys(p["n"], app, mini, pos)
    hour = (created - created.astype("datetime64[D]")) // np.timedelta64(1, "h")
    at_till = (keys["member"][0][person] != "") & (hour >= 10) & (hour < 22)  # store hours
    source = np.where(at_till & (rng.random(n_paid) < prm["pos_share_of_store_members_orders"]),
                      2, platform).astype(np.int8)
    ref = _buyer_ref(rng, keys, person, source, created)
    amount = orders["amount"].to_numpy()[rows]
    status = np.zeros(n_paid, np.int8)
    order_id = orders["order_id"].to_numpy()[rows]
    # cancelled before payment and refunded before shipping: orders the clean table lacks,
    # each by the buyer of a paid order, through the same key, up to three days after it
    extra = []
    for code, share in ((1, prm["cancelled"]), (2, prm["refunded"])):
        k = int(round(share * n_paid))
        tmpl = rng.integers(0, n_paid, k)
        shift = rng.integers(0, 4, k) * _DAY + rng.integers(0, 1801, k) * _SECOND
        when = _store_hours(np.clip(created[tmpl] + shift, q0, q1 - _SECOND), source[tmpl])
        extra.append(dict(person=person[tmpl], source=source[tmpl], ref=ref[tmpl],
                          created=when,
                          amount=amount[rng.integers(0, n_paid, k)],
                          status=np.full(k, code, np.int8), order_id=np.zeros(k, np.int64)))
    extra.append(_test_orders(rng, max(3, int(round(prm["test"] * n_paid))), app, mini, pos,
                              q0))
    base = dict(person=person, source=source, ref=ref, created=created, amount=amount,
                status=status, order_id=order_id)
    base = {c: np.concatenate([base[c], *(e[c] for e in extra)]) for c in base}
    paid_spelling = np.concatenate([np.zeros(n_paid + sum(len(e["person"]) for e in extra[:2]),
                                             bool), extra[2]["paid_spelling"]])
    return _export_rows(rng, base, paid_spelling, p, tag, q0)


def _store_hours(created: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Times of the orders keyed in at a till (source 2) moved into store hours."""
    day = created.astype("datetime64[D]").astype("datetime64[s]")
    opened = np.clip(created - day, np.timedelta64(10, "h"), np.timedelta64(22, "h") - _SECOND)
    return np.where(source == 2, day + opened, created)


def _buyer_keys(n: int, app: dict, mini: dict, pos: dict) -> dict:
    """Each person's first and second key in each source, and when the second began."""
    out = {}
    for name, t in (("account", app), ("openid", mini), ("member", pos)):
        first = np.full(n, "", dtype=_S)
        second = np.full(n, "", dtype=_S)
        since = np.full(n, np.datetime64("NaT", "s"))
        one, two = t["kind"] == 0, t["kind"] == 1
        first[t["person"][one]] = t["key"][one]
        second[t["person"][two]] = t["key"][two]
        since[t["person"][two]] = t["created"][two]
        out[name] = (first, second, since)
    return out


def _buyer_ref(rng: np.random.Generator, keys: dict, person: np.ndarray, source: np.ndarray,
               created: np.ndarray) -> np.ndarray:
    """The key each order's source knows its buyer by: the person's first key there, or
    their second (when it existed by then) half of the time."""
    use = rng.random(len(person)) < PARAMS["raw_orders"]["second_key_used"]
    out = np.full(len(person), "", dtype=_S)
    for code, name in enumerate(("account", "openid", "member")):
        first, second, since = keys[name]
        rows = source == code
        later = rows & (since[person] <= created) & use  # NaT compares False
        out = np.where(rows, first[person], out)
        out = np.where(later, second[person], out)
    return out


def _test_orders(rng: np.random.Generator, k: int, app: dict, mini: dict, pos: dict,
                 q0: np.datetime64) -> dict:
    """Staff test orders: mostly one fen, often marked paid."""
    prm = PARAMS["raw_orders"]
    source = _pick(rng, prm["test_sources"], k).astype(np.int8)
    ref = np.full(k, "", dtype=_S)
    for code, t in enumerate((app, mini, pos)):
        staff = t["key"][t["kind"] == 2]
        rows = source == code
        ref[rows] = staff[rng.integers(0, len(staff), int(rows.sum()))]
    day = rng.integers(0, 92, k)
    created = q0 + day * _DAY + rng.integers(10 * 3600, 18 * 3600, k) * _SECOND
    cheap = rng.random(k) < prm["test_amount_one_fen"]
    amount = np.where(cheap, 0.01, np.array([1.0, 9.9, 99.0, 128.0])[rng.integers(0, 4, k)])
    return dict(person=np.full(k, -1), source=source, ref=ref, created=created, amount=amount,
                status=np.full(k, 3, np.int8), order_id=np.zeros(k, np.int64),
                paid_spelling=rng.random(k) < prm["test_status_paid"])


def _order_numbers(base: dict, tag: str, q0: np.datetime64) -> np.ndarray:
    """Order numbers: QM (POS for the till) and the China date, then the order's place
    among the day's orders of that system."""
    created, till = base["created"], base["source"] == 2
    day = (created - q0) // _DAY
    order = np.lexsort((created, day, till))
    group = np.r_[True, (np.diff(day[order]) != 0) | (np.diff(till[order]) != 0)]
    starts = np.flatnonzero(group)
    counts = np.diff(np.r_[starts, len(order)])
    place = np.empty(len(order), dtype=np.int64)
    place[order] = group_positions(counts) + 1
    date = np.strings.replace(np.datetime_as_string(created, unit="D").astype(_S), "-", "")
    prefix = np.where(till, "POS" + tag, "QM" + tag).astype(_S)
    return np.strings.add(np.strings.add(prefix, date), np.strings.zfill(place.astype(_S), 5))


def _amount_text(rng: np.random.Generator, amount: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Amounts as the export writes them, and the format of each."""
    cents = np.round(amount * 100).astype(np.int64)
    whole, frac = cents // 100, cents % 100
    plain = whole.astype(_S)
    grouped = (whole % 1000).astype(_S)
    rest = whole // 1000
    while (rest > 0).any():  # a group of three digits at a time
        more = rest > 0
        grouped = np.where(more, np.strings.add(np.strings.add(
            (rest % 1000).astype(_S), ","), np.strings.zfill(grouped, 3)), grouped)
        rest //= 1000
    two = np.strings.add(np.strings.add(grouped, "."), np.strings.zfill(frac.astype(_S), 2))
    one = np.strings.add(np.strings.add(plain, "."), (frac // 10).astype(_S))
    short = np.where(frac == 0, plain, np.where(frac % 10 == 0, one, np.strings.add(
        np.strings.add(plain, "."), np.strings.zfill(frac.astype(_S), 2))))
    formats = PARAMS["raw_orders"]["amount_formats"]
    code = _pick(rng, formats, len(amount))
    lead = np.where(rng.random(len(amount)) < 0.5, " ", "")
    text = {"plain": two, "short": short, "yuan_sign": np.strings.add("¥", two),
            "stray_spaces": np.strings.add(np.strings.add(lead, two), " "),
            "full_width": np.strings.translate(two, _FULL_WIDTH)}
    out = two.copy()
    for j, name in enumerate(formats):  # a handful of formats
        out = np.where(code == j, text[name], out)
    return out, code


def _status_text(rng: np.random.Generator, status: np.ndarray,
                 paid_spelling: np.ndarray) -> np.ndarray:
    spellings = PARAMS["raw_orders"]["status_spellings"]
    shown = np.where(paid_spelling, 0, status)
    out = np.full(len(status), "", dtype=_S)
    for code, options in enumerate(spellings.values()):  # four statuses
        rows = shown == code
        words = np.array(list(options), dtype=_S)
        out[rows] = words[_pick(rng, options, int(rows.sum()))]
    return out


def _created_text(created: np.ndarray, source: np.ndarray) -> np.ndarray:
    china = np.strings.replace(np.datetime_as_string(created, unit="s").astype(_S), "T", " ")
    utc = np.strings.add(np.datetime_as_string(created - np.timedelta64(8, "h"),
                                               unit="s").astype(_S), "Z")
    till = np.strings.replace(china, "-", "/")
    return np.where(source == 1, utc, np.where(source == 2, till, china))


def _export_rows(rng: np.random.Generator, base: dict, paid_spelling: np.ndarray, p: dict,
                 tag: str, q0: np.datetime64) -> dict:
    """The base orders delivered as the export's rows: copies, texts, row order."""
    prm = PARAMS["raw_orders"]
    n = len(base["person"])
    order_no = _order_numbers(base, tag, q0)
    amount_text, amount_code = _amount_text(rng, base["amount"])
    status_text = _status_text(rng, base["status"], paid_spelling)
    created_text = _created_text(base["created"], base["source"])
    staff = base["person"] < 0
    city = np.where(staff, p["staff_city"][0], p["city"][np.maximum(base["person"], 0)])
    city_text, city_missing = _city_text(rng, city)
    copies = 1 + _pick(rng, {"0": 1 - sum(prm["extra_copies"].values()),
                             **prm["extra_copies"]}, n)
    row = np.repeat(np.arange(n), copies)
    copy_no = group_positions(copies) + 1
    exact = (copy_no > 1) & (rng.random(len(row)) < prm["exact_copy"])
    day = (base["created"] - q0) // _DAY
    late = np.where((copy_no > 1) & ~exact, rng.integers(1, 4, len(row)), 0)
    run = rng.integers(0, 900, 100)  # the nightly export's start, seconds after 02:00
    export_day = day[row] + 1 + late
    exported = q0 + export_day * _DAY + np.timedelta64(2, "h") + run[export_day] * _SECOND
    order = np.lexsort((copy_no, row, base["created"][row], exported))
    r = row[order]
    frame = pd.DataFrame(dict(
        order_no=_text(order_no[r]),
        source=pd.Categorical.from_codes(base["source"][r], ["app", "mini_program", "pos"]),
        buyer_ref=_text(base["ref"][r]), amount=_text(amount_text[r]),
        status=_text(status_text[r]), created_at=_text(created_text[r]),
        city=_text(city_text[r], city_missing[r]), exported_at=exported[order]))
    return dict(frame=frame, key=order_no[r], row=r, copy=copy_no[order], exact=exact[order],
                base=base, paid_spelling=paid_spelling, amount_code=amount_code)


# ---------------------------------------------------------------- truth


_STATUS = np.array(["", "cancelled", "refunded", "test"], dtype=object)


def _links(tables: dict, p: dict) -> pd.DataFrame:
    """One row per raw record: its person, its clean order, what is wrong or planted."""
    parts = []
    notes = {"raw_app_accounts": "second_account", "raw_miniprogram_users":
             "second_wechat_account", "raw_pos_members": "second_store_membership",
             "raw_wecom_contacts": "second_adviser"}
    for name, t in tables.items():
        if name == "raw_orders":
            continue
        k = len(t["person"])
        staff = t["kind"] == 2
        parts.append(dict(
            table=np.full(k, name, dtype=object), key=t["key"].astype(object),
            copy=np.where(name == "raw_wecom_contacts", 1 + t["kind"], 1).astype(np.int64),
            person=t["person"], order_id=np.zeros(k, np.int64),
            bad_reason=np.where(staff, "staff_test_account", "").astype(object),
            note=np.where(t["kind"] == 1, notes[name], "").astype(object),
            phone_kind=np.where(staff, "", t["phone_kind"]).astype(object),
            phone_typo=t["typo"]))
    o = tables["raw_orders"]
    b, r = o["base"], o["row"]
    first = o["copy"] == 1
    bad = np.where(first, _STATUS[b["status"][r]], "duplicate")
    parts.append(dict(
        table=np.full(len(r), "raw_orders", dtype=object), key=o["key"].astype(object),
        copy=o["copy"].astype(np.int64), person=b["person"][r], order_id=b["order_id"][r],
        bad_reason=bad, note=np.where(first, "", np.where(o["exact"], "exact_copy",
                                                           "reexported")).astype(object),
        phone_kind=np.full(len(r), "", dtype=object), phone_typo=np.zeros(len(r), bool)))
    cols = {c: np.concatenate([x[c] for x in parts]) for c in parts[0]}
    person = cols.pop("person")
    user_id = p["user_id"][np.maximum(person, 0)]
    frame = pd.DataFrame(dict(
        table=pd.Categorical(cols["table"]), key=_text(cols["key"]), copy=cols["copy"],
        user_id=pd.arrays.IntegerArray(np.where(person >= 0, user_id, 0), person < 0),
        order_id=pd.arrays.IntegerArray(cols["order_id"], cols["order_id"] == 0),
        bad_reason=pd.Categorical(np.where(cols["bad_reason"] == "", None, cols["bad_reason"])),
        note=pd.Categorical(np.where(cols["note"] == "", None, cols["note"])),
        phone_kind=pd.Categorical(np.where(cols["phone_kind"] == "", None, cols["phone_kind"])),
        phone_typo=cols["phone_typo"]))
    return frame


def _normalised(phone: pd.Series) -> pd.Series:
    """Digits of a phone as written anywhere (full width, +86, spaces, dashes)."""
    digits = phone.str.normalize("NFKC").str.replace(r"\D", "", regex=True)
    return digits.where(~((digits.str.len() == 13) & digits.str.startswith("86")),
                        digits.str.slice(2))


def _clusters(n: int, groups: list[np.ndarray]) -> np.ndarray:
    """Connected components of records joined by equal values (codes, -1: none)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    src, dst = [], []
    for codes in groups:
        have = np.flatnonzero(codes >= 0)
        order = have[np.argsort(codes[have], kind="stable")]
        same = codes[order][1:] == codes[order][:-1]
        src.append(order[1:][same])
        dst.append(order[:-1][same])
    src, dst = np.concatenate(src), np.concatenate(dst)
    graph = coo_matrix((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64)


def _distinct(group: np.ndarray, value: np.ndarray, n_groups: int) -> np.ndarray:
    """How many distinct ``value`` each group has (non-negative ints; by sorting)."""
    packed = np.sort(group.astype(np.int64) * (int(value.max()) + 1) + value)
    first = np.r_[True, packed[1:] != packed[:-1]]
    return np.bincount(packed[first] // (int(value.max()) + 1), minlength=n_groups)


def _stitching(t: dict) -> dict:
    """How many people the identity records make when stitched by exact phone, by
    normalised phone, and by normalised phone and unionid (staff records left out)."""
    names = ["raw_app_accounts", "raw_miniprogram_users", "raw_pos_members",
             "raw_wecom_contacts"]
    rec = []
    for name in names:
        x = t[name]
        keep = (x["kind"] == 0) | ((x["kind"] == 1) & (name != "raw_wecom_contacts"))
        f = x["frame"][keep]
        none = pd.Series(pd.NA, index=f.index, dtype="string")
        remark = f["remark"] if "remark" in f else none
        rec.append(pd.DataFrame(dict(
            table=name, person=x["person"][keep], phone=f.get("phone", none),
            unionid=f.get("unionid", none),
            remark_phone=remark.str.replace(r"\s", "", regex=True).str.extract(
                r"(1[3-9][0-9]{9})", expand=False))))
    r = pd.concat(rec, ignore_index=True)
    n = len(r)
    person = r["person"].to_numpy()
    exact = _codes(r["phone"])
    norm = _codes(pd.concat([_normalised(r["phone"]), r["remark_phone"]]))
    phone_n, remark_n = norm[:n], norm[n:]
    union = _codes(r["unionid"])
    levels = {"exact_phone": [exact], "normalised_phone": [phone_n],
              "normalised_phone_and_unionid": [phone_n, union],
              "also_phones_in_wecom_remarks": [np.where(phone_n >= 0, phone_n, remark_n),
                                               union]}
    people = np.flatnonzero(np.bincount(person))
    out = dict(records=n, true_people=int(len(people)), records_per_table={
        name: int((r["table"] == name).sum()) for name in names})
    for level, groups in levels.items():
        label = _clusters(n, groups)
        n_labels = int(label.max()) + 1
        per_cluster = _distinct(label, person, n_labels)
        split = _distinct(person, label, int(person.max()) + 1)[people]
        out[level] = dict(clusters=n_labels,
                          clusters_with_two_or_more_people=int((per_cluster > 1).sum()),
                          people_split_over_clusters=int((split > 1).sum()),
                          people_in_one_cluster=int((split == 1).sum()))
    out["note"] = ("identity records (a WeCom contact counted once) of the four tables, staff "
                   "test records left out, joined when they share a value: the phone as "
                   "written; the phone's digits (full-width read as ASCII, +86 dropped); and "
                   "also the unionid; the last level also reads an 11-digit phone typed in a "
                   "WeCom remark. A person whose records fall in two clusters is split; a "
                   "cluster with two people is a false merge (through a store card typed "
                   "with a relative's phone or the store's own)")
    return out


def _share(mask: np.ndarray) -> float:
    return round(float(np.mean(mask)), 4) if len(mask) else 0.0


def _counts(codes: np.ndarray, names: list[str]) -> dict[str, int]:
    return {name: int((codes == k).sum()) for k, name in enumerate(names)}


def _reconciliation(o: dict, orders: pd.DataFrame) -> dict:
    """What the order export adds up to, naively and once cleaned."""
    b, r = o["base"], o["row"]
    amount = b["amount"][r]
    status = b["status"][r]
    first = o["copy"] == 1
    paid_word = (status == 0) | o["paid_spelling"][r]
    good = first & (status == 0)
    tests = first & (status == 3)
    dup_good = ~first & (status == 0)
    q = b["order_id"][b["order_id"] > 0]
    clean = orders.set_index("order_id").loc[q, "amount"]

    def money(mask: np.ndarray) -> float:
        return round(float(amount[mask].sum()), 2)

    return dict(
        clean_orders=int(len(q)), clean_amount=round(float(clean.sum()), 2),
        export_rows=int(len(r)), naive_rows_amount=money(np.ones(len(r), bool)),
        rows_with_paid_status=int(paid_word.sum()), paid_status_amount=money(paid_word),
        duplicate_rows=int((~first).sum()), duplicate_rows_of_paid_orders=int(dup_good.sum()),
        duplicate_revenue=money(dup_good),
        test_orders=int(tests.sum()), test_orders_marked_paid=int((tests & paid_word).sum()),
        test_amount_marked_paid=money(tests & paid_word),
        cancelled_orders=int((first & (status == 1)).sum()),
        cancelled_amount=money(first & (status == 1)),
        refunded_orders=int((first & (status == 2)).sum()),
        refunded_amount=money(first & (status == 2)),
        paid_orders_after_cleaning=int(good.sum()), paid_amount_after_cleaning=money(good),
        deduplicated_paid_status_orders=int((first & paid_word).sum()),
        deduplicated_paid_status_amount=money(first & paid_word),
        rule="keep one row per order_no (copies differ at most in exported_at), drop "
        "cancelled, refunded and test orders (status 'test', or a staff test account as "
        "buyer, or 0.01 yuan), read the amounts as numbers: the rows left are the clean "
        "orders of the quarter, one for one (count and amount; the POS rows are clean "
        "orders keyed in at a till). Test orders marked paid are what a status filter "
        "alone lets through")


def _realised(t: dict, links: pd.DataFrame, p: dict, o: dict) -> dict:
    """The shares the tables realise, beside the parameters."""
    app, mini, pos, wecom = (t[k] for k in ("raw_app_accounts", "raw_miniprogram_users",
                                            "raw_pos_members", "raw_wecom_contacts"))
    people = {name: int(np.count_nonzero(np.bincount(x["person"][x["person"] >= 0])))
              for name, x in t.items() if name != "raw_orders"}
    real = mini["kind"] != 2
    p_pos = pos["kind"] != 2
    first_rows = o["copy"] == 1
    b = o["base"]
    return dict(
        people_with_second_phone=_share(p["has_second"]),
        records={name: int(len(x["person"])) for name, x in t.items() if name != "raw_orders"},
        people=people,
        app_second_accounts=int((app["kind"] == 1).sum()),
        miniprogram_second_wechat_accounts=int((mini["kind"] == 1).sum()),
        miniprogram_unionid_missing=_share(~mini["has_union"][real]),
        miniprogram_phone_missing=_share(~mini["has_phone"][real]),
        miniprogram_phone_formats=_counts(mini["code"][real & mini["has_phone"]], list(
            PARAMS["raw_miniprogram_users"]["phone_formats"])),
        pos_second_memberships=int((pos["kind"] == 1).sum()),
        pos_phone_typos=int(pos["typo"].sum()), pos_phone_typo_share=_share(pos["typo"][p_pos]),
        pos_phone_formats=_counts(pos["code"][p_pos], list(
            PARAMS["raw_pos_members"]["phone_formats"])),
        pos_names_with_stray_space=int(pos["space"].sum()),
        pos_family_phones=int((pos["phone_kind"] == "family").sum()),
        pos_store_phones=int((pos["phone_kind"] == "store").sum()),
        pos_stores_typing_their_phone=int(len(np.unique(pos["store"][
            pos["phone_kind"] == "store"]))),
        wecom_unionid_missing=_share(~wecom["has_union"][wecom["kind"] == 0]),
        wecom_second_advisers=int((wecom["kind"] == 1).sum()),
        order_rows_by_copy={str(c): int((o["copy"] == c).sum()) for c in (1, 2, 3)},
        order_copies_exact=int(o["exact"].sum()),
        order_copies_reexported=int(((o["copy"] > 1) & ~o["exact"]).sum()),
        order_amount_formats=_counts(o["amount_code"][o["row"][first_rows]],
                                     list(PARAMS["raw_orders"]["amount_formats"])),
        orders_by_source={s: int((b["source"] == k).sum())
                          for k, s in enumerate(["app", "mini_program", "pos"])},
        staff_records=int((links["bad_reason"] == "staff_test_account").sum()),
    )


_RULES = {
    "raw_app_accounts": "every user whose device is ios or android, an account made at "
    "sign-up; a second account for some (their second phone, or the same phone after a "
    "re-install); four staff test accounts",
    "raw_miniprogram_users": "every user whose device is mini_program, first seen at sign-up; "
    "a second WeChat account for some who have a second phone; the phone authorised by Plus "
    "members, most buyers and some others; a unionid on a record made after the binding date, "
    "or refreshed by an order since; two staff test users",
    "raw_pos_members": "every user who signed up in a store (users.store_id), a card of that "
    "store from the sign-up day; a second card at another store of the same city for some; "
    "two staff test cards",
    "raw_wecom_contacts": "every user WeCom reaches at the end of the data or who unsubscribed "
    "from it (state reach_wecom, unsubscribed_wecom), added at a store sign-up by the store's "
    "staff, else at the first order, else at sign-up, by an online adviser; a second adviser "
    "for some",
    "raw_orders": "every online order of the quarter, paid (30% of store members' orders "
    "in store hours, 10:00-22:00, keyed in at a till, source pos); plus orders cancelled "
    "before payment and refunded before shipping (not in orders), staff test orders, and "
    "rows delivered twice or three times",
}


# ---------------------------------------------------------------- public


def raw_data(seed: int, company_seed: int, tables: dict[str, pd.DataFrame],
             state: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict]:
    """The raw exports and their truth, as the generator adds them to a world.

    Parameters
    ----------
    seed
        The seed of the customers; each table draws from its own stream.
    company_seed
        The company seed: a shard whose seed differs writes a region code into
        its record numbers (:mod:`coursekit.world.shards`).
    tables
        The world's clean tables: ``users``, ``orders``, ``stores`` and
        ``memberships`` are read.
    state
        The end state (its ``reach_wecom`` and ``unsubscribed_wecom`` say who is
        on WeCom).

    Returns
    -------
    tuple of (dict of DataFrame, dict)
        The tables by name (:data:`RAW_TABLES`, with the dtypes of their
        contracts) and the truth: rules, :data:`PARAMS`, the shares realised,
        the staff test keys, the reconciliation of the order export with the
        clean orders of the quarter and the stitching of the identity records.

    Examples
    --------
    >>> from coursekit.world.generate import generate
    >>> tables, truth, state = generate(600, 5)
    >>> again, _ = raw_data(5, 5, tables, state)
    >>> again["raw_orders"].equals(tables["raw_orders"])
    True
    >>> tr = truth["raw"]["reconciliation"]
    >>> tr["paid_orders_after_cleaning"] == tr["clean_orders"]
    True
    """
    users, orders, stores = tables["users"], tables["orders"], tables["stores"]
    if not (users["user_id"].to_numpy() == np.arange(1, len(users) + 1)).all() or not (
            state["user_id"].to_numpy() == users["user_id"].to_numpy()).all():
        raise AssertionError("users and the end state must hold users 1..n in order")
    tag = _tag(seed, company_seed)
    on_wecom = (state["reach_wecom"] | state["unsubscribed_wecom"]).to_numpy(dtype=bool)
    mini_users = (users["device"] == "mini_program").to_numpy()
    p = _people(seed, users, stores, on_wecom | mini_users)
    t = dict(raw_app_accounts=_app_accounts(seed, users, p, tag),
             raw_miniprogram_users=_miniprogram_users(seed, users, orders,
                                                      tables["memberships"], p, tag),
             raw_pos_members=_pos_members(seed, users, stores, p, tag),
             raw_wecom_contacts=_wecom_contacts(seed, users, orders, stores, on_wecom, p))
    t["raw_orders"] = _orders(seed, orders, p, t["raw_app_accounts"],
                              t["raw_miniprogram_users"], t["raw_pos_members"], tag)
    links = _links(t, p)
    frames = {name: x["frame"] for name, x in t.items()}
    frames["raw_links"] = links
    staff = {name: [str(k) for k in x["key"][x["kind"] == 2]]
             for name, x in t.items() if name in PARAMS["staff_test_accounts"]}
    truth = dict(
        tables=list(RAW_TABLES), quarter=dict(start=QUARTER[0], end=QUARTER[1],
                                              time="China time"),
        rules=dict(_RULES), params=copy.deepcopy(PARAMS), staff_test_keys=staff,
        realised=_realised(t, links, p, t["raw_orders"]),
        reconciliation=_reconciliation(t["raw_orders"], orders),
        stitching=_stitching(t),
        links="raw_links: one row per raw record (table, key and, for a key that occurs "
        "more than once, its copy in row order): the person (user_id; empty for staff "
        "test records), the clean order of an order row, bad_reason (duplicate, test, "
        "cancelled, refunded, staff_test_account), note (second_account, "
        "second_wechat_account, second_store_membership, second_adviser, exact_copy, "
        "reexported), which phone the record carries (the person's main or second, a "
        "relative's, the store's) and whether it has a typo",
    )
    return {name: frames[name] for name in RAW_TABLES}, truth
