"""Checks for module 8, data governance: from raw channel exports to one user view
(``solutions/08_data_governance_exercises.ipynb``).

Expected values come from the raw exports of the world in use through
:mod:`coursekit.governance` and pandas. Every question asks about something the
lesson does not print: the copies in one source's rows and the revenue they would
add, the refunded orders, the orders of one China-time hour, the accounts of one
city once its spellings are read, the users under a stated rule set and that
rule's pairwise precision and recall, a masking function the learner writes, the
smallest group of an extract and the generalisation that reaches k = 5, and which
of three extracts may go to an analytics vendor. Where the simulated company knows the
answer (``raw_links``, ``truth["raw"]``), a correct answer is shown beside it.

The plausible wrong answers are the thread's classic mistakes, computed from the
same data: every row counted (copies too), only exact copies dropped, UTC times
read as China time, one spelling of a status or a city taken for all, amounts read as plain
numbers, records counted as users, a phone shared by many cards trusted, precision
and recall swapped, the wrong digits masked or a phone masked before it was
normalised, k computed with the id among the quasi-identifiers, a plain unkeyed
hash taken for a pseudonym ...

Examples
--------
>>> from coursekit.exercises import m08
>>> questions = m08.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(9, 'not_attempted')
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import governance
from coursekit.data import world_dir
from coursekit.exercises.core import (
    BesideTruth,
    Exercise,
    ExerciseSet,
    Result,
    ____,
    describe_type,
    diff_number,
    specific_first,
)

#: The source of the copies question (``raw_orders.source``).
SOURCE = "mini_program"
#: Status spellings of ``raw_orders`` other than the four labels, after trimming and
#: lower-casing: paid, cancelled, refunded, test.
STATUS = {"已支付": "paid", "canceled": "cancelled", "已取消": "cancelled",
          "已退款": "refunded", "测试": "test"}
#: The China-time hour of the evening question (21: from 21:00 to 21:59).
HOUR = 21
#: The city of the city-report question, as ``governance.CITIES`` names it.
CITY = "上海"
#: The identity records: per raw table, its key and the column holding a name.
IDENTITY_SOURCES = {"raw_app_accounts": ("account_id", "nickname"),
                    "raw_miniprogram_users": ("openid", "nickname"),
                    "raw_pos_members": ("member_no", "name"),
                    "raw_wecom_contacts": ("external_userid", "remark")}
#: A mobile number typed in a WeCom remark (11 digits, spaces allowed after 3 and 7).
REMARK_PHONE = r"1[3-9][0-9](?: ?[0-9]{4}){2}"
#: Staff test records: a nickname or name holding one of these (case ignored).
STAFF_NAMES = "测试|test"
#: The stitching rules of the user questions, in order (a WeCom contact's phone: the one
#: typed in its remark).
RULES = ("phone", "unionid")
#: The store manager's rule: a card whose phone is on this many cards of its store, or
#: more, loses its phone (the store's own number is on many cards).
SHARED_CARDS = 3
#: The phones the masking function is checked on, as the exports write them.
PHONES = ("13812345678", "138 1234 5678", "139-0000-1111", "+86 138 1234 5678",
          "+8615912345678", "0086 150 1234 5678", "１５８１２３４５６７８",
          "１３９　０００１　２２２２", " 17712345678 ", "12345", "021-62345678", "1381234567")
#: The k every extract for an outsider must reach.
K_TARGET = 5
#: The quasi-identifiers of the users extract.
QUASI_IDENTIFIERS = ("city_tier", "age_band", "gender", "signup_month")
#: Generalisations of the users extract, from the most detailed to the least.
GENERALISATIONS = {
    "signup quarter": ("city_tier", "age_band", "gender", "signup_quarter"),
    "signup year": ("city_tier", "age_band", "gender", "signup_year"),
    "no signup date": ("city_tier", "age_band", "gender"),
    "age band and gender": ("age_band", "gender"),
}
#: The company's key for pseudonyms (kept apart from the data; never given to a vendor).
SECRET = "qingmu-governance-key"
#: The vendor extracts of the app accounts: their columns besides ``pid``.
EXTRACTS = {"A": ("city", "year"), "B": ("city", "brand", "year"), "C": ("city",)}
#: The extracts whose ``pid`` is a plain SHA-256 of the phone (the others: HMAC with SECRET).
PLAIN_HASHED = ("A",)


# --------------------------------------------------------------------------- shared helpers




def _per_world(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Cache a table built from the world in use, once per world (its folder and the
    state of its checksums file), so that the questions share it."""
    cache: dict[tuple[str, int], Any] = {}

    @functools.wraps(fn)
    def wrapper() -> Any:
        key = _world()
        if key not in cache:
            cache.clear()
            cache[key] = fn()
        return cache[key]

    return wrapper


def _world() -> tuple[str, int]:
    """The world in use: its folder and the state of its checksums file."""
    folder = world_dir()
    return str(folder.resolve()), (folder / "checksums.json").stat().st_mtime_ns


def _raw_truth() -> dict[str, Any]:
    return coursekit.truth()["raw"]


def _links(table: str) -> pd.DataFrame:
    links = coursekit.load("raw_links")
    return links[links["table"].astype(str) == table]


# --------------------------------------------------------------------------- the order export


def _status(text: pd.Series) -> pd.Series:
    return text.str.strip().str.lower().replace(STATUS).fillna("").astype(str)


@_per_world
def _orders() -> pd.DataFrame:
    """``raw_orders`` with the status as one of the four labels, the amount in yuan, the
    China time of the order, whether the row repeats an earlier row's order (``repeat``)
    and whether a later export of its order replaces it (``stale``: the lesson keeps the
    latest export of each order)."""
    raw = coursekit.load("raw_orders")
    latest = governance.deduplicate(raw, "order_no", keep="last", order_by="exported_at")
    return raw.assign(
        status=_status(raw["status"]),
        yuan=governance.parse_amount(raw["amount"]).values,
        time=governance.parse_time(raw["created_at"]).values,
        repeat=raw.duplicated("order_no").to_numpy(),
        stale=~raw.index.isin(latest.kept.index),
        spelt=raw["status"].fillna("").astype(str),
        source=raw["source"].astype(str),
    )


def _naive_yuan(amount: pd.Series) -> pd.Series:
    """Amounts read as plain numbers: '¥29.90' and full-width digits are lost."""
    return pd.to_numeric(amount.str.strip(), errors="coerce")


class SourceCopies(BesideTruth):
    """The copies among one source's rows of the order export, and the paid revenue
    they would add."""

    qid = "q1"
    title = "Copies in the mini-program's rows"
    variables = ("mp_copies", "mp_copy_revenue")
    hints = (
        "A copy is a row that repeats an earlier row's `order_no`: the same order delivered "
        "twice, or exported again later (then `exported_at` differs, so the row is not an "
        "exact copy). Count the copies among the rows of source 'mini_program', then add "
        "the amounts of the copies whose status reads paid (any spelling), in yuan.",
        "`copy = orders.duplicated('order_no')`; `mp = orders[copy & (orders['source'] == "
        "m08.SOURCE)]`; `len(mp)` and `mp.loc[mp['status'] == 'paid', 'amount'].sum()`, "
        "with `orders` read as above (status in four labels, amount by "
        "`governance.parse_amount`).",
    )

    def _expected(self) -> dict[str, object]:
        o = _orders()
        copies = o[o["repeat"] & (o["source"] == SOURCE)]
        return {"mp_copies": len(copies),
                "mp_copy_revenue": float(copies.loc[copies["status"] == "paid", "yuan"].sum())}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        right = self._expected()
        return (f"a dashboard summing the raw export would count {right['mp_copy_revenue']:,.2f} "
                "yuan of the mini-program's revenue twice: the copies go before any KPI.")

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders()
        mine = o["source"] == SOURCE
        paid = o["status"] == "paid"
        raw = coursekit.load("raw_orders")
        exact = raw.duplicated().to_numpy() & mine.to_numpy()
        every = raw.duplicated("order_no", keep=False).to_numpy() & mine.to_numpy()
        copy = o["repeat"].to_numpy() & mine.to_numpy()
        naive = _naive_yuan(raw["amount"])
        exact_hint = ("That drops only rows identical in every column; an order exported "
                      "again carries a later `exported_at` and is a copy too: a copy repeats "
                      "an earlier row's `order_no`.")
        every_hint = ("That counts the first row of each repeated order too; the copies are "
                      "the rows after the first (`duplicated('order_no')`, keep='first').")
        return self.distinct_mistakes(specific_first([
            ({"mp_copies": int(exact.sum()),
              "mp_copy_revenue": float(o.loc[exact & paid, "yuan"].sum())}, exact_hint),
            ({"mp_copies": int(exact.sum())}, exact_hint),
            ({"mp_copies": int(every.sum()),
              "mp_copy_revenue": float(o.loc[every & paid, "yuan"].sum())}, every_hint),
            ({"mp_copies": int(every.sum())}, every_hint),
            ({"mp_copies": int(o["repeat"].sum()),
              "mp_copy_revenue": float(o.loc[o["repeat"] & paid, "yuan"].sum())},
             f"That is the whole export; the question asks about the rows of source "
             f"'{SOURCE}'."),
            ({"mp_copy_revenue": float(o.loc[copy, "yuan"].sum())},
             "That adds the copies of cancelled, refunded and test orders too; only a paid "
             "order is revenue: add the copies whose status reads paid."),
            ({"mp_copy_revenue": float(o.loc[copy & (o["spelt"] == "paid").to_numpy(),
                                              "yuan"].sum())},
             "That keeps only the rows spelt exactly 'paid'; the export also writes PAID, "
             "Paid, ' paid ' and 已支付: read them with `governance.normalise_status`."),
            ({"mp_copy_revenue": float(naive[copy & paid.to_numpy()].sum())},
             "Some amounts were lost: '¥29.90' and full-width digits are no plain numbers. "
             "Read them with `governance.parse_amount`."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        o = _orders()
        keys = set(o.loc[o["source"] == SOURCE, "order_no"])
        links = _links("raw_orders")
        dup = links[links["key"].isin(keys) & (links["bad_reason"].astype(str) == "duplicate")]
        note = dup["note"].astype(str)
        return (f"raw_links (the simulated truth) marks {len(dup):,} of the mini-program's rows "
                f"as copies: {int((note == 'exact_copy').sum()):,} delivered twice, "
                f"{int((note == 'reexported').sum()):,} exported again later.")


class RefundedRevenue(BesideTruth):
    """Orders refunded before shipping, and their amount, in the order export."""

    qid = "q2"
    title = "What the refunds took back"
    variables = ("refunded_orders", "refunded_revenue")
    hints = (
        "One row per order first, its latest export (a re-exported row may carry a newer "
        "status: paid, then refunded), then the orders whose status reads refunded, in any "
        "of its spellings, and the sum of their amounts in yuan.",
        "`once = governance.deduplicate(orders, 'order_no', keep='last', "
        "order_by='exported_at').kept`; `refunded = once[once['status'] == 'refunded']`; "
        "`len(refunded)` and `refunded['amount'].sum()`.",
    )
    correct_message = ("paid once and given back before shipping: not revenue, and a rate "
                       "worth watching by product and channel.")

    def _expected(self) -> dict[str, object]:
        o = _orders()
        once = o[~o["stale"]]
        refunded = once[once["status"] == "refunded"]
        return {"refunded_orders": len(refunded),
                "refunded_revenue": float(refunded["yuan"].sum())}

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders()
        once, first = ~o["stale"], ~o["repeat"]
        refunded = o["status"] == "refunded"
        cancelled = o["status"] == "cancelled"
        exact = o["spelt"] == "refunded"
        naive = _naive_yuan(coursekit.load("raw_orders")["amount"])
        rows_hint = ("That counts every row of the export, copies too: keep one row per "
                     "`order_no` first.")
        spelling_hint = ("That keeps only the rows spelt exactly 'refunded'; the export also "
                         "writes REFUNDED and 已退款: read them with "
                         "`governance.normalise_status`.")
        return self.distinct_mistakes(specific_first([
            ({"refunded_orders": int(refunded.sum()),
              "refunded_revenue": float(o.loc[refunded, "yuan"].sum())}, rows_hint),
            ({"refunded_orders": int(refunded.sum())}, rows_hint),
            ({"refunded_orders": int((first & refunded).sum()),
              "refunded_revenue": float(o.loc[first & refunded, "yuan"].sum())}, _H_FIRST),
            ({"refunded_orders": int((once & exact).sum()),
              "refunded_revenue": float(o.loc[once & exact, "yuan"].sum())}, spelling_hint),
            ({"refunded_orders": int((once & cancelled).sum()),
              "refunded_revenue": float(o.loc[once & cancelled, "yuan"].sum())},
             "Those are the cancelled orders (never paid); the question asks for the "
             "refunded ones (paid, then given back)."),
            ({"refunded_orders": int((once & (refunded | cancelled)).sum()),
              "refunded_revenue": float(o.loc[once & (refunded | cancelled), "yuan"].sum())},
             "That adds the cancelled orders (never paid) to the refunded ones."),
            ({"refunded_revenue": float(naive[once & refunded].sum())},
             "Some amounts were lost: '¥29.90' and full-width digits are no plain numbers. "
             "Read them with `governance.parse_amount`."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        rec = _raw_truth()["reconciliation"]
        return (f"The export's truth (truth.json): {rec['refunded_orders']:,} refunded orders, "
                f"{rec['refunded_amount']:,.2f} yuan.")


_H_FIRST = ("That keeps the first export of each order; a re-exported row may carry a newer "
            "status (paid, then refunded): keep the latest export (`governance.deduplicate(..., "
            "keep='last', order_by='exported_at')`).")


def _hour_count(times: pd.Series, rows: pd.Series | np.ndarray) -> int:
    return int((pd.Series(times).dt.hour.to_numpy()[np.asarray(rows, dtype=bool)] == HOUR).sum())


class EveningOrders(BesideTruth):
    """Paid orders placed in one China-time hour, from an export that mixes time zones."""

    qid = "q3"
    title = "The evening's paid orders, China time"
    variables = ("evening_orders",)
    hints = (
        "The app and the tills write China time; the mini-program writes UTC, with a `Z` at "
        "the end. Read every time into China time (`governance.parse_time` converts the "
        "times with a zone and keeps the others), keep one row per `order_no` (its latest "
        f"export) and the paid orders, then count those whose hour is {HOUR}.",
        "`time = governance.parse_time(once['created_at']).values`; "
        "`((once['status'] == 'paid') & (time.dt.hour == m08.HOUR)).sum()` with `once = "
        "governance.deduplicate(orders, 'order_no', keep='last', order_by='exported_at')"
        ".kept`.",
    )
    correct_message = ("the hour the customer-service desk and the warehouse's cut-off are "
                       "planned around: with the mini-program read as China time its orders "
                       "would sit eight hours early.")

    def _expected(self) -> int:
        o = _orders()
        return _hour_count(o["time"], ~o["stale"] & (o["status"] == "paid"))

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders()
        paid = (o["status"] == "paid").to_numpy()
        once, first = ~o["stale"].to_numpy(), ~o["repeat"].to_numpy()
        text = o["created_at"]
        as_china = governance.parse_time(text.str.replace(r"Z$", "", regex=True)).values
        as_utc = governance.parse_time(text, source_tz="UTC").values
        in_utc = governance.parse_time(text, source_tz="Asia/Shanghai", to="UTC").values
        return self.distinct_mistakes([
            (_hour_count(as_china, once & paid),
             "That reads the mini-program's UTC times as China time (the `Z` dropped): they "
             "are eight hours behind. Convert them: `governance.parse_time` does."),
            (_hour_count(as_utc, once & paid),
             "That reads every time as UTC; only the mini-program's (with a `Z`) are. The "
             "app's and the tills' are China time already."),
            (_hour_count(in_utc, once & paid),
             f"That counts hour {HOUR} in UTC; the question asks for China time."),
            (_hour_count(o["time"], paid),
             "That counts every row, copies too: keep one row per `order_no` first."),
            (_hour_count(o["time"], first & paid), _H_FIRST),
            (_hour_count(o["time"], once),
             "That counts every order, cancelled, refunded and test orders too; count the "
             "paid ones."),
        ])

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        o = _orders()
        rows = o[~o["stale"] & (o["status"] == "paid") & (o["time"].dt.hour == HOUR)]
        links = _links("raw_orders")
        links = links[links["copy"] == 1].set_index("key")["order_id"]
        ids = rows["order_no"].map(links).dropna()
        clean = coursekit.load("orders").set_index("order_id")["order_time"]
        same_hour = int((clean.reindex(ids.astype("int64")).dt.hour == HOUR).sum())
        rest = len(rows) - len(ids)
        tied = (f"{len(ids):,} of them" if rest else
                f"all {len(ids):,} of them" if len(ids) > 1 else "it")
        others = ""
        if rest:
            others = (" (the other is a staff test order marked paid)" if rest == 1 else
                      f" (the other {rest:,} are staff test orders marked paid)")
        where = ("every one of those" if same_hour == len(ids) > 1 else
                 f"{same_hour:,} of those")
        return (f"raw_links (the simulated truth) ties {tied} to the clean `orders` table"
                f"{others}, which puts {where} in the same hour.")


def _written(city: pd.Series, spellings: Iterable[str], *, lower: bool = True) -> int:
    """Accounts whose city, trimmed (and lower-cased), but not NFKC-folded, is one of
    ``spellings``."""
    text = city.astype("string").str.strip()
    if lower:
        text = text.str.lower()
    return int(text.isin(list(spellings)).sum())


class CityAccounts(Exercise):
    """The app accounts of one city once its spellings are read, against a report that
    reads the column as written."""

    qid = "q4"
    title = "How many app accounts in Shanghai?"
    variables = ("city_accounts",)
    hints = (
        f"The app writes a city many ways: {CITY}, {CITY}市, its pinyin with a capital, in "
        "lower case with spaces around, in full-width letters. Read them all into one name "
        "with `governance.normalise_city`, then count the accounts of "
        f"`m08.CITY` ({CITY}).",
        "`city = governance.normalise_city(accounts['city']).values`; "
        "`city.eq(m08.CITY).fillna(False).sum()`. A city that cannot be read is missing "
        "(NA), and so is its comparison: `.eq(m08.CITY).fillna(False)` gives plain True "
        "or False before you combine conditions with `&` or `|` (else 'boolean value of "
        "NA is ambiguous').",
    )

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        city = coursekit.load("raw_app_accounts")["city"]
        as_written = int((city == CITY).sum())
        return (f"a report that groups the column as written would show {as_written:,} "
                f"accounts in {CITY}, {as_written / self._expected():.0%} of them: city names "
                "come from a list at the source, and a pipeline reads the old ones through "
                "one.")

    def _expected(self) -> int:
        city = governance.normalise_city(coursekit.load("raw_app_accounts")["city"]).values
        return int((city == CITY).sum())

    def mistakes(self) -> list[tuple[object, str]]:
        city = coursekit.load("raw_app_accounts")["city"]
        pinyin = governance.CITIES[CITY]
        wide = "".join(chr(ord(c) + 0xFEE0) for c in pinyin.capitalize())
        chinese = (CITY, f"{CITY}市")
        return self.distinct_mistakes([
            (int((city == CITY).sum()),
             f"That counts only the spelling {CITY}; the app also writes {CITY}市, its pinyin "
             "and full-width letters. Read them with `governance.normalise_city`."),
            (_written(city, chinese),
             f"The pinyin spellings ({pinyin.capitalize()}, ' {pinyin} ', full-width) are "
             f"{CITY} too. Read them with `governance.normalise_city`."),
            (_written(city, (*chinese, pinyin.capitalize()), lower=False),
             f"' {pinyin} ' and full-width spellings are {CITY} too: case, spaces and width "
             "differ. Read them with `governance.normalise_city`."),
            (_written(city, (*chinese, pinyin)),
             f"Full-width letters ({wide}, typed in an input method's full-width mode) are "
             "the same letters: fold them with NFKC (`governance.normalise_city` does)."),
        ])


# --------------------------------------------------------------------------- one user view


@_per_world
def _records() -> pd.DataFrame:
    """The identity records of the four raw tables, as the notebook builds them: one row per
    record (a WeCom contact of two advisers once), the phone normalised (a WeCom contact's:
    the one typed in its remark), staff test records left out."""
    parts = []
    for table, (key, label) in IDENTITY_SOURCES.items():
        raw = coursekit.load(table).drop_duplicates(key)
        parts.append(raw.rename(columns={key: "key", label: "label"}).assign(source=table))
    records = pd.concat(parts, ignore_index=True)
    typed = records["label"].str.extract(f"({REMARK_PHONE})")[0]
    wecom = records["source"] == "raw_wecom_contacts"
    records["phone"] = governance.normalise_phone(records["phone"].mask(wecom, typed)).values
    staff = records["label"].str.contains(STAFF_NAMES, case=False, na=False)
    columns = ["source", "key", "label", "phone", "unionid", "store_id"]
    return records.loc[~staff.to_numpy(dtype=bool), columns].reset_index(drop=True)


def _shared_cards(records: pd.DataFrame, *, at_least: int = SHARED_CARDS) -> np.ndarray:
    """True for the cards whose phone is on ``at_least`` cards of their store or more."""
    cards = records[records["source"] == "raw_pos_members"]
    per_store = cards.groupby(["store_id", "phone"])["key"].transform("size")
    shared = per_store[per_store >= at_least].index
    return records.index.isin(shared)


def _lesson_suspects(records: pd.DataFrame) -> np.ndarray:
    """True for the cards whose phone is held under two card names or more: the lesson's
    rule (``governance.shared_identifiers`` with the cards' names only)."""
    cards = (records["source"] == "raw_pos_members").to_numpy()
    shared = governance.shared_identifiers(records.assign(name=records["label"].where(cards)),
                                           "phone", min_names=2)
    return cards & records["phone"].isin(shared["phone"]).to_numpy()


def _stitch(rule: str = "cards", rules: Iterable[str] = RULES) -> governance.Stitched:
    """The records stitched by ``rules``, the shared phones handled by ``rule``:
    'cards' (the cards sharing a phone with SHARED_CARDS cards of their store or more lose
    it), 'pairs' (the same from two cards on), 'stores' (the same, the cards counted over
    every store), 'lesson' (the lesson's rule: a card whose phone is held under two card
    names or more loses it), 'everywhere' (such a phone is ignored on
    every record), 'any' (a phone on two records or more is ignored), 'none' (every phone
    trusted)."""
    records = _records().copy()
    phone = records["phone"]
    if rule == "cards":
        records["phone"] = phone.mask(_shared_cards(records))
    elif rule == "pairs":
        records["phone"] = phone.mask(_shared_cards(records, at_least=2))
    elif rule == "stores":
        cards = records["source"] == "raw_pos_members"
        n = records["phone"].where(cards).map(records.loc[cards, "phone"].value_counts())
        records["phone"] = phone.mask(n.fillna(0) >= SHARED_CARDS)
    elif rule == "lesson":
        records["phone"] = phone.mask(_lesson_suspects(records))
    elif rule == "everywhere":
        bad = set(records.loc[_shared_cards(records), "phone"].dropna())
        records["phone"] = phone.mask(phone.isin(bad))
    elif rule == "any":
        records["phone"] = phone.mask(phone.map(phone.value_counts()).fillna(0) >= 2)
    return governance.stitch(records, list(rules))


@functools.lru_cache(maxsize=16)
def _stitched(world: tuple[str, int], rule: str, rules: tuple[str, ...]) -> governance.Stitched:
    return _stitch(rule, rules)


def _people(rule: str = "cards", rules: tuple[str, ...] = RULES) -> governance.Stitched:
    return _stitched(_world(), rule, rules)


def _identity_truth() -> pd.DataFrame:
    """The true person of every identity record (raw_links), for match_quality."""
    links = coursekit.load("raw_links")
    truth = links[links["table"].astype(str) != "raw_orders"].rename(columns={"table": "source"})
    return truth[["source", "key", "user_id"]].astype({"source": str})


def _count(stitched: governance.Stitched) -> int:
    return int(stitched.people["person_id"].nunique())


class StitchedUsers(BesideTruth):
    """Users after stitching by a stated rule set that ignores the phones on many cards of
    one store."""

    qid = "q5"
    title = "How many users, by the store manager's rule?"
    variables = ("users_stitched",)
    hints = (
        "Stitch `records` with `governance.stitch` by the rules of `m08.RULES` in order "
        "(phone, then unionid), after taking the phone off every card "
        f"whose phone is on {SHARED_CARDS} or more cards of its own store (the store's own "
        "number). Count the people.",
        "`cards = records[records['source'] == 'raw_pos_members']`; `n = cards.groupby("
        "['store_id', 'phone'])['key'].transform('size')`; `phone = records['phone'].mask("
        "records.index.isin(n[n >= m08.SHARED_CARDS].index))`; then `governance.stitch("
        "records.assign(phone=phone), list(m08.RULES)).people['person_id'].nunique()`.",
    )
    correct_message = ("a number of users with its rules stated: another rule set gives "
                       "another number, and each number must say which (question 6 scores "
                       "this one).")

    def _expected(self) -> int:
        return _count(_people())

    def mistakes(self) -> list[tuple[object, str]]:
        return self.distinct_mistakes([
            (len(_records()),
             "That counts records: a person with an app account, a card and a WeCom contact "
             "is three. Stitch them and count the distinct `person_id`."),
            (_count(_people("none")),
             "That trusts every phone: a phone on many cards of one store is the store's own, "
             f"and merges different people into one. Take it off the cards that share it "
             f"with {SHARED_CARDS - 1} others or more first."),
            (_count(_people("lesson")),
             "That is the lesson's rule (a till phone held under two card names or more "
             "leaves those cards), or close to it (a phone off from two cards of a store "
             f"on); the manager's rule takes it off only from {SHARED_CARDS} cards of one "
             "store on."),
            (_count(_people("pairs")),
             "That takes the phone off cards that share it with one other card too; the "
             f"manager's rule takes it off only from {SHARED_CARDS} cards of a store on."),
            (_count(_people("stores")),
             "That counts a phone's cards over all stores; the manager's rule counts the "
             "cards of the card's own store (group by `store_id` and `phone`): the store's own "
             "number sits on the cards of one store."),
            (_count(_people("everywhere")),
             "That takes the shared phone off every record; the rule takes it off the cards "
             "that share it, and the other records keep their phone."),
            (_count(_people("any")),
             "That ignores every phone held by two records, the links a phone rule exists "
             "for; the rule takes off only the phones on many cards of one store."),
            (_count(_people(rules=("phone",))),
             "The unionid rule is missing: it joins a mini-program user and a WeCom contact "
             "of the same WeChat account."),
        ])

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        people = _people().people.merge(_identity_truth(), on=["source", "key"])
        per = people.groupby("person_id")["user_id"].nunique()
        return (f"In the simulated truth (raw_links) these records belong to "
                f"{people['user_id'].nunique():,} people; {int((per > 1).sum()):,} of your "
                "people still join the records of two people or more.")


class RuleQuality(Exercise):
    """Pairwise precision and recall of the store manager's rule against raw_links."""

    qid = "q6"
    title = "How good is that rule? (a decision)"
    variables = ("rule_precision", "rule_recall")
    hints = (
        "Score q5's stitching against the truth: `raw_links` gives each record's person "
        "(`user_id`; its `table` column names the source). Pairwise precision: of the "
        "pairs of records put together, the share that are one person; recall: of the "
        "pairs that are one person, the share put together.",
        "`truth = links[links['table'] != 'raw_orders'].rename(columns={'table': "
        "'source'}).astype({'source': str})`; `q = governance.match_quality(stitched.people, "
        "truth)`; `q.precision`, `q.recall`.",
    )

    def _quality(self, rule: str = "cards",
                 rules: tuple[str, ...] = RULES) -> governance.MatchQuality:
        return governance.match_quality(_people(rule, rules).people, _identity_truth())

    def _expected(self) -> dict[str, float]:
        q = self._quality()
        return {"rule_precision": q.precision, "rule_recall": q.recall}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        q, trusting, lesson = self._quality(), self._quality("none"), self._quality("lesson")

        def false(m: governance.MatchQuality) -> str:
            return f"{m.pairs_merged - m.pairs_correct:,} of {m.pairs_merged:,}"

        cards = int(_lesson_suspects(_records()).sum())
        verdict = ("a relative's phone is on two cards, not many, and still sends one "
                   "person's coupons to another: keep the lesson's rule"
                   if lesson.precision > q.precision else
                   "here the manager's rule merges fewer people wrongly")
        return (f"{false(q)} pairs the manager's rule merges are two people (trusting every "
                f"phone: {false(trusting)}). The lesson's rule, a till phone held under two "
                f"card names or more taken off those cards ({cards:,} cards): "
                f"{false(lesson)}, precision {lesson.precision:.4f} against "
                f"{q.precision:.4f}, for recall {lesson.recall:.3f} against "
                f"{q.recall:.3f}. Precision comes first ({verdict}). The low recall is the "
                "records no identifier joins: the count is too high, not too low.")

    def compare(self, **answers: Any) -> Result | None:
        result = super().compare(**answers)
        if result is None:
            return None
        if any(self._matches_mistake(answers, wrong) for wrong, _ in self.mistakes()):
            return result
        expected = self._expected()
        for var in self.variables:
            if _rounded(answers[var], expected[var]):
                return self.incorrect(f"`{var}` is close but rounded: store the unrounded "
                                      "share (as `match_quality` gives it), not a value "
                                      "rounded for reading.")
        return result

    def mistakes(self) -> list[tuple[object, str]]:
        q, trusting = self._quality(), self._quality("none")
        phone = self._quality("none", ("phone",))
        return self.distinct_mistakes(specific_first([
            ({"rule_precision": q.recall, "rule_recall": q.precision},
             "Precision and recall are swapped: precision is over the pairs merged (how many "
             "are right), recall over the true pairs (how many were found)."),
            ({"rule_precision": trusting.precision, "rule_recall": trusting.recall},
             "That scores the rules with every phone trusted; score q5's stitching, where "
             "the cards sharing a phone at their store lost it."),
            ({"rule_precision": trusting.precision},
             "That precision trusts every phone; score q5's stitching, where the cards "
             "sharing a phone at their store lost it."),
            ({"rule_precision": self._quality("lesson").precision,
              "rule_recall": self._quality("lesson").recall},
             "That scores the lesson's rule (the cell after the check), or one close to it "
             "(a phone off from two cards of a store on); score q5's stitching, the "
             "manager's rule, and set the two side by side."),
            ({"rule_precision": self._quality("pairs").precision,
              "rule_recall": self._quality("pairs").recall},
             "That scores a stricter rule (a phone off from two cards of a store on); score "
             "q5's stitching, the manager's rule."),
            ({"rule_precision": phone.precision, "rule_recall": phone.recall},
             "That scores the phone rule alone; score q5's stitching, phone and unionid."),
            ({"rule_precision": q.people_true / q.people_found},
             "That compares the numbers of people; precision compares pairs of records."),
        ]))


def _rounded(answer: object, expected: float) -> bool:
    """True when ``answer`` is ``expected`` rounded or cut to 1 or 2 decimals, and wrong."""
    if not isinstance(answer, float | np.floating) or not np.isfinite(expected):
        return False
    if diff_number(answer, expected) is None:
        return False
    shorter = [f(expected * 10**d) / 10**d for d in (1, 2) for f in (np.round, np.floor)]
    return any(abs(float(answer) - v) < 1e-9 for v in shorter)


# --------------------------------------------------------------------------- protecting people


_NOTHING = object()


def _na(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


_H_DIGITS = ("Keep the first 3 and the last 4 digits with 4 stars between: 138****5678 "
             "(the operator prefix and the end the customer recognises).")
_H_FORMAT = ("Normalise the phone first (spaces, dashes and brackets out, +86 or 0086 in "
             "front dropped: `governance.normalise_phone` does it), then mask its 11 digits.")
_H_WIDTH = ("Full-width digits (１３８…, typed in an input method's full-width mode) are "
            "digits too: fold them with `unicodedata.normalize('NFKC', text)` before "
            "anything else (`normalise_phone` does).")
_H_INVALID = ("A value that is not a mainland mobile number (11 digits, 1 then 3-9) comes "
              "out None: not half-masked, not empty (it could be anything, shown in part).")


def _case_kinds() -> list[str]:
    """What each phone of PHONES tests: 'plain', 'format', 'width' or 'invalid'."""
    valid = governance.normalise_phone(list(PHONES)).values.notna().tolist()
    kinds = []
    for phone, ok in zip(PHONES, valid, strict=True):
        if not ok:
            kinds.append("invalid")
        elif unicodedata.normalize("NFKC", phone) != phone:
            kinds.append("width")
        elif phone != phone.strip() or not re.fullmatch(r"[0-9]{11}", phone):
            kinds.append("format")
        else:
            kinds.append("plain")
    return kinds


_KIND_HINTS = {"plain": _H_DIGITS, "format": _H_FORMAT, "width": _H_WIDTH,
               "invalid": _H_INVALID}


def _compact(phone: str, *, nfkc: bool = True) -> str:
    """Separators out and a country code in front dropped (NFKC first unless not)."""
    text = unicodedata.normalize("NFKC", phone) if nfkc else phone
    text = re.sub(r"[\s\-().]", "", text)
    return re.sub(r"^(?:\+|00)?86(?=1\d{10}$)", "", text)


def _stars(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


#: Spellings the learner's ``mask`` is tried on besides PHONES: dashes behind +86,
#: full-width digits and plus with ideographic spaces, a service number.
_UNSEEN = ("+86-139-0000-1111", "\uff0b\uff18\uff16\u3000\uff11\uff18\uff16\u3000"
           "\uff10\uff10\uff10\uff11\u3000\uff12\uff13\uff14\uff15", "10086")


class MaskPhones(Exercise):
    """A phone mask the learner writes, checked on the phones of PHONES.

    ``masked`` is compared with the right masks. When the check reads ``masked`` from
    the notebook (``q7.check()``), the function ``mask`` found there is also called on
    a few spellings that are not in PHONES, so that a list built another way (or
    typed) does not pass with a stub ``mask``. Answers given directly, as the grader
    gives the values it recorded (a function cannot be recorded), are judged on
    ``masked`` alone.
    """

    qid = "q7"
    title = "A phone mask for the service screen"
    variables = ("masked",)
    hints = (
        "Write a function `mask(phone)`: normalise the text (full-width digits folded, "
        "spaces and dashes out, +86 or 0086 dropped), check it is a mainland mobile number "
        "(11 digits, 1 then 3-9; otherwise return None), then keep the first 3 and the last "
        "4 digits with 4 stars between. Store `[mask(p) for p in m08.PHONES]` in `masked`.",
        "Inside `mask`: `digits = governance.normalise_phone([phone]).values[0]`; return "
        "None when `pd.isna(digits)`, else `digits[:3] + '****' + digits[-4:]`.",
    )
    correct_message = ("a service agent sees enough to confirm a caller (138****5678) and "
                       "nothing to copy; `governance.mask_phone` does the same for a whole "
                       "column.")

    def _expected(self) -> list[str | None]:
        masked = governance.mask_phone(list(PHONES))
        return [None if _na(v) else str(v) for v in masked]

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["masked"]
        if callable(answer) and not isinstance(answer, pd.Series | pd.Index | np.ndarray):
            return self.incorrect(
                "`masked` is the function itself; store what it gives for every phone: "
                "`masked = [mask(p) for p in m08.PHONES]`.")
        if isinstance(answer, pd.Series | pd.Index | np.ndarray | tuple):
            answer = list(answer)
        if not isinstance(answer, list):
            return self.incorrect(f"`masked` should be a list (one masked phone per phone of "
                                  f"`m08.PHONES`), but it is {describe_type(answer)}.")
        expected = self._expected()
        if len(answer) != len(expected):
            return self.incorrect(f"`masked` has {len(answer)} items; `m08.PHONES` has "
                                  f"{len(expected)} phones, one masked phone each.")
        got = [None if _na(a) else a for a in answer]
        wrong = [i for i, (a, e) in enumerate(zip(got, expected, strict=True))
                 if not (a is None and e is None)
                 and not (isinstance(a, str) and e is not None and a == e)]
        if not wrong:
            if self.namespace.get("masked", _NOTHING) is not answers["masked"]:
                return None  # given directly (the grader): the function is not there
            return self._check_function(self.namespace.get("mask", _NOTHING))
        for mistake, hint in self.mistakes():
            if got == mistake:
                return self.incorrect(hint)
        kinds = _case_kinds()
        for kind in ("plain", "format", "width", "invalid"):
            for i in wrong:
                if kinds[i] == kind:
                    return self.incorrect(f"{_KIND_HINTS[kind]} See `masked[{i}]`, for "
                                          f"{PHONES[i]!r}.")
        return self.incorrect("`masked` is not right.")  # pragma: no cover - kinds cover all

    def _check_function(self, mask: object) -> Result | None:
        """None when ``mask`` masks the unseen spellings right, else what is off."""
        if mask is _NOTHING:
            return self.incorrect("`masked` is right, but there is no function `mask`: the "
                                  "question asks for one. Define `mask(phone)` and build "
                                  "`masked = [mask(p) for p in m08.PHONES]` with it.")
        if not callable(mask) or mask is ____:
            return self.incorrect(f"`masked` is right, but `mask` is {describe_type(mask)}, "
                                  "not a function: define `def mask(phone): ...`.")
        right = [None if _na(v) else str(v) for v in governance.mask_phone(list(_UNSEEN))]
        kinds = dict(zip(_UNSEEN, ("format", "width", "invalid"), strict=True))
        for phone, want in zip(_UNSEEN, right, strict=True):
            try:
                got = mask(phone)
            except Exception as exc:  # noqa: BLE001 - the learner's function may fail
                return self.incorrect(f"`masked` is right, but `mask({phone!r})` fails "
                                      f"({type(exc).__name__}: {exc}), a spelling not in "
                                      f"`m08.PHONES`. {_KIND_HINTS[kinds[phone]]}")
            if got is ____:
                return self.incorrect("`masked` is right, but `mask` still returns ____: "
                                      "write its body, then build `masked` with it.")
            got = None if _na(got) else got
            if not (got is None and want is None or isinstance(got, str) and got == want):
                return self.incorrect(f"`masked` is right, but `mask({phone!r})` gives "
                                      f"{got!r}, which is not right (a spelling not in "
                                      f"`m08.PHONES`). {_KIND_HINTS[kinds[phone]]}")
        return None

    def mistakes(self) -> list[tuple[object, str]]:
        right = self._expected()

        def each(fn: Callable[[str, str | None], str | None]) -> list[str | None]:
            return [fn(p, r) for p, r in zip(PHONES, right, strict=True)]

        def plain_width(p: str, r: str | None) -> str | None:
            text = _compact(p, nfkc=False)
            return _stars(text) if re.fullmatch(r"1[3-9][0-9]{9}", text) else None

        def unicode_width(p: str, r: str | None) -> str | None:
            text = _compact(p, nfkc=False)
            return _stars(text) if re.fullmatch(r"\d{11}", text) else None

        pairs: list[tuple[object, str]] = [
            (each(lambda p, r: _stars(p)), _H_FORMAT),
            (each(lambda p, r: None if r is None else _compact(p)[:4] + "****"
                  + _compact(p)[-3:]), _H_DIGITS),
            (each(lambda p, r: None if r is None else _compact(p)[:7] + "****"), _H_DIGITS),
            (each(lambda p, r: None if r is None else "***" + _compact(p)[3:7] + "****"),
             _H_DIGITS),
            (each(plain_width), _H_WIDTH),
            (each(unicode_width), _H_WIDTH),
            (each(lambda p, r: _stars(_compact(p)) if r is None else r), _H_INVALID),
            (each(lambda p, r: "" if r is None else r), _H_INVALID),
        ]
        seen: list[list[str | None]] = [right]
        kept = []
        for value, hint in pairs:
            if any(value == s for s in seen):
                continue
            seen.append(value)  # type: ignore[arg-type]
            kept.append((value, hint))
        return kept


@_per_world
def _users_extract() -> pd.DataFrame:
    """The users extract of the k-anonymity question, with its generalised columns."""
    users = coursekit.load("users")
    return users[["user_id", "city_tier", "age_band", "gender"]].assign(
        signup_month=governance.generalise_time(users["signup_time"], per="M"),
        signup_quarter=governance.generalise_time(users["signup_time"], per="Q"),
        signup_year=governance.generalise_time(users["signup_time"], per="Y"),
    )


def _k(frame: pd.DataFrame, columns: Iterable[str]) -> governance.KAnonymity:
    return governance.k_anonymity(frame, list(columns), k_target=K_TARGET)


def _reaching() -> str:
    """The first generalisation that reaches K_TARGET, or 'none'."""
    extract = _users_extract()
    for name, columns in GENERALISATIONS.items():
        if _k(extract, columns).k >= K_TARGET:
            return name
    return "none"


class SmallestGroup(Exercise):
    """The smallest group and the rows at risk of the users extract, and the first
    generalisation reaching k = 5."""

    qid = "q8"
    title = "The smallest group of an extract, and how to lift it"
    variables = ("smallest_group", "rows_at_risk", "generalisation")
    hints = (
        "k-anonymity of `extract` over `m08.QUASI_IDENTIFIERS` (city tier, age band, gender, "
        "sign-up month; not `user_id`, which is dropped before the extract goes out): the "
        f"smallest group's size and the rows in groups smaller than {K_TARGET}. Then try the "
        "generalisations of `m08.GENERALISATIONS` in order and name the first whose "
        f"smallest group holds {K_TARGET} rows or more ('none' if none does).",
        "`r = governance.k_anonymity(extract, list(m08.QUASI_IDENTIFIERS))`: `r.k` and "
        "`r.rows_below`; `next(name for name, cols in m08.GENERALISATIONS.items() if "
        "governance.k_anonymity(extract, list(cols)).k >= m08.K_TARGET)`.",
    )
    correct_message = ("the least detail given up for k = 5: every row of the shared extract "
                       "then looks like at least four others.")

    def _expected(self) -> dict[str, object]:
        r = _k(_users_extract(), QUASI_IDENTIFIERS)
        return {"smallest_group": r.k, "rows_at_risk": r.rows_below,
                "generalisation": _reaching()}

    def compare(self, **answers: Any) -> Result | None:
        name = answers["generalisation"]
        if isinstance(name, str) and name.strip().casefold() not in (
                *GENERALISATIONS, "none"):
            return self.incorrect(f"`generalisation` is {name!r}, which is not one of "
                                  f"`m08.GENERALISATIONS`: {', '.join(GENERALISATIONS)} "
                                  "(or 'none').")
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        extract = _users_extract()
        right = self._expected()
        with_id = _k(extract, ("user_id", *QUASI_IDENTIFIERS))
        exact = _k(extract.assign(signup_month=coursekit.load("users")["signup_time"]),
                   QUASI_IDENTIFIERS)
        r = _k(extract, QUASI_IDENTIFIERS)
        sizes = extract.groupby(list(QUASI_IDENTIFIERS), observed=True, dropna=False).size()
        at_most = int(sizes[sizes <= K_TARGET].sum())
        id_hint = ("`user_id` is no quasi-identifier: it is unique, so every row is a group "
                   "of one. Group on `m08.QUASI_IDENTIFIERS` only (the id is dropped before "
                   "the extract goes out).")
        pairs: list[tuple[object, str]] = [
            ({"smallest_group": with_id.k, "rows_at_risk": with_id.rows_below}, id_hint),
            ({"rows_at_risk": with_id.rows_below}, id_hint),
            ({"smallest_group": exact.k, "rows_at_risk": exact.rows_below},
             "That groups on the exact sign-up time; the extract holds the sign-up month "
             "(`signup_month`)."),
            ({"rows_at_risk": len(r.small_classes)},
             f"That counts the groups below {K_TARGET}; the question asks for the rows in "
             "them."),
            ({"rows_at_risk": at_most},
             f"That counts the groups of exactly {K_TARGET} too; a group of {K_TARGET} "
             f"already meets k = {K_TARGET}."),
        ]
        names = list(GENERALISATIONS)
        chosen = names.index(right["generalisation"]) if right["generalisation"] in names \
            else len(names)
        for i, name in enumerate(names):
            if i < chosen:
                pairs.append(({"generalisation": name},
                              f"The smallest group of '{name}' is still below {K_TARGET}."))
            elif i > chosen:
                pairs.append(({"generalisation": name},
                              f"'{name}' reaches k = {K_TARGET} but gives up more detail "
                              "than needed: take the first generalisation that reaches it."))
        if chosen < len(names):
            pairs.append(({"generalisation": "none"},
                          f"One of the generalisations reaches k = {K_TARGET}: try them in "
                          "order."))
        return self.distinct_mistakes(specific_first(pairs))


def _plain_hash(phone: str) -> str:
    return hashlib.sha256(phone.encode("utf-8")).hexdigest()[:16]


@_per_world
def _extracts() -> dict[str, pd.DataFrame]:
    """The three vendor extracts of the app accounts, as the notebook builds them."""
    accounts = coursekit.load("raw_app_accounts")
    phone = governance.normalise_phone(accounts["phone"]).values
    columns = pd.DataFrame({
        "city": governance.normalise_city(accounts["city"]).values,
        "brand": accounts["device"].str.split().str[0],
        "year": accounts["created_at"].dt.year,
    })
    plain = phone.map(_plain_hash, na_action="ignore")
    keyed = governance.pseudonymise(phone, SECRET)
    return {name: pd.concat([(plain if name in PLAIN_HASHED else keyed).rename("pid"),
                             columns[list(cols)]], axis=1)
            for name, cols in EXTRACTS.items()}


def _safe() -> tuple[str, int]:
    """The extract to send (keyed, k >= K_TARGET, the most detailed of those), and its k;
    ('none', 0) when none is safe."""
    best: tuple[int, str, int] | None = None
    for name, cols in EXTRACTS.items():
        r = _k(_extracts()[name], cols)
        if name in PLAIN_HASHED or r.k < K_TARGET:
            continue
        if best is None or r.classes > best[0]:
            best = (r.classes, name, r.k)
    return ("none", 0) if best is None else (best[1], best[2])


class VendorExtract(Exercise):
    """Decision: which of three extracts of the app accounts may go to an analytics vendor
    entrusted with a study (it hands its results back per account, so it needs a token)."""

    qid = "q9"
    title = "Which extract goes to the vendor? (a decision)"
    variables = ("safe_extract", "safe_k")
    hints = (
        "An extract may leave the company when nobody can turn its `pid` back into a phone "
        f"and every row shares its other columns with at least {K_TARGET - 1} others "
        f"(k >= {K_TARGET}). Check each of `extracts`: how its `pid` was made, and its k "
        "over its columns other than `pid`. If several are safe, send the most detailed.",
        "`governance.k_anonymity(df, [c for c in df.columns if c != 'pid']).k` for each; a "
        "plain SHA-256 of a phone is no protection (about 7 billion numbers to try); the "
        "keyed HMAC tokens of `governance.pseudonymise` are.",
    )

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        plain = ("a plain hash would not do: 11-digit numbers starting 13-19 are 7 x 10^9 "
                 "candidates, hashed in seconds.")
        if _safe()[0] == "none":
            return ("none may go as it is: generalise further (or suppress the rare rows) "
                    f"until a keyed extract reaches k = {K_TARGET}; " + plain)
        return ("keyed tokens and groups of at least five: the vendor can count, compare and "
                "hand results back per token, not find anyone (a third party that needs no "
                "join gets no token at all); " + plain)

    def _expected(self) -> dict[str, object]:
        name, k = _safe()
        return {"safe_extract": name, "safe_k": k}

    def compare(self, **answers: Any) -> Result | None:
        name = answers["safe_extract"]
        if isinstance(name, str) and name.strip().upper() not in (*EXTRACTS, "NONE"):
            return self.incorrect(f"`safe_extract` is {name!r}: name one of "
                                  f"{', '.join(EXTRACTS)}, or 'none'.")
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        extracts = _extracts()
        right, right_k = _safe()
        pairs: list[tuple[object, str]] = []
        for name, cols in EXTRACTS.items():
            r = _k(extracts[name], cols)
            if name == right:
                continue
            if name in PLAIN_HASHED:
                hint = (f"{name}'s `pid` is a plain SHA-256 of the phone: mainland mobile "
                        "numbers are about 7 billion (11 digits starting 13-19), hashed in "
                        "seconds, so the vendor can turn every pid back into a phone. Only "
                        "a keyed hash (HMAC with a secret it never gets) stops that.")
            elif r.k < K_TARGET:
                hint = (f"{name}'s smallest group is below {K_TARGET}: someone who knows a "
                        "person's columns can single out that row.")
            else:
                hint = (f"{name} is safe too, but the other safe extract keeps more detail "
                        "(more groups).")
            pairs.append(({"safe_extract": name, "safe_k": r.k}, hint))
            pairs.append(({"safe_extract": name}, hint))
        if right != "none":
            pairs.append(({"safe_extract": "none"},
                          f"One extract is keyed and has k >= {K_TARGET}: check each."))
            df = extracts[right]
            with_id = _k(df, df.columns)
            pairs.append(({"safe_k": with_id.k},
                          "That k counts `pid` as a quasi-identifier: a token is unique per "
                          "phone, so every row is a group of one. Leave it out."))
        return self.distinct_mistakes(specific_first(pairs))


EXERCISES = ExerciseSet(
    "08_data_governance_exercises",
    [SourceCopies, RefundedRevenue, EveningOrders, CityAccounts, StitchedUsers, RuleQuality,
     MaskPhones, SmallestGroup, VendorExtract],
)

__all__ = ["CITY", "EXERCISES", "EXTRACTS", "GENERALISATIONS", "HOUR", "IDENTITY_SOURCES",
           "K_TARGET", "PHONES", "PLAIN_HASHED", "QUASI_IDENTIFIERS", "REMARK_PHONE", "RULES",
           "SECRET", "SHARED_CARDS", "SOURCE", "STAFF_NAMES", "STATUS"]
