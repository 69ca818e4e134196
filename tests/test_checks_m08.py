"""Module 8 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right answers are computed here by
hand, not through the checks nor through coursekit.governance: statuses, amounts and
clocks read with the standard library, phones normalised by hand, the records
stitched with a union-find written here, pairwise precision and recall counted from
pairs, the masks written out, k-anonymity as group sizes, the pseudonyms made with
hmac and hashlib. Only the city spellings of the vendor extract are read with
governance.normalise_city (its table of every city's pinyin is the course's). Where the simulated
company knows the answer (raw_links, truth.json), the hand computations are held to
it. A last test runs every check on a second, smaller world, where the expected
values and the decisions come from its data."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from helpers import every_check_holds, in_world, right, wrong

import coursekit
from coursekit import governance
from coursekit.exercises import ____, m08

#: Every status spelling of the export, read by hand.
SPELLINGS = {"paid": "paid", "已支付": "paid", "cancelled": "cancelled",
             "canceled": "cancelled", "已取消": "cancelled", "refunded": "refunded",
             "已退款": "refunded", "test": "test", "测试": "test"}
IDENTITY = (("raw_app_accounts", "account_id", "nickname"),
            ("raw_miniprogram_users", "openid", "nickname"),
            ("raw_pos_members", "member_no", "name"),
            ("raw_wecom_contacts", "external_userid", "remark"))


@pytest.fixture(scope="module")
def d():
    names = ("raw_orders", "raw_links", "raw_app_accounts", "raw_pos_members",
             "raw_miniprogram_users", "raw_wecom_contacts", "users", "orders")
    return {t: coursekit.load(t) for t in names}


@pytest.fixture(scope="module")
def truth():
    return coursekit.truth()["raw"]




def test_every_question_is_not_attempted_as_handed_out():
    for q in m08.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


def test_the_constants_agree_with_the_data(d):
    spelt = set(d["raw_orders"]["status"].str.strip().str.lower())
    assert spelt <= set(SPELLINGS) and spelt - set(m08.STATUS) <= {"paid", "cancelled",
                                                                  "refunded", "test"}
    assert {k: v for k, v in SPELLINGS.items() if k != v} == m08.STATUS
    assert m08.SOURCE in set(d["raw_orders"]["source"].astype(str))
    assert {t: (k, label) for t, k, label in IDENTITY} == m08.IDENTITY_SOURCES
    assert set(m08.QUASI_IDENTIFIERS[:3]) <= set(d["users"].columns)
    assert list(m08.GENERALISATIONS)[0] == "signup quarter" and m08.K_TARGET == 5
    assert set(m08.PLAIN_HASHED) < set(m08.EXTRACTS)


# --------------------------------------------------------------------------- the order export


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def yuan(text: str) -> float:
    """'¥1,234.50', ' 29.90 ', full-width digits -> a float."""
    return float(re.sub(r"[¥元,\s]", "", nfkc(text)))


def china_hour(text: str) -> int:
    """The China-time hour of a created_at: UTC (a trailing Z) is 8 hours behind."""
    hour = int(text[11:13])
    return (hour + 8) % 24 if text.endswith("Z") else hour


def latest_export(raw: pd.DataFrame) -> np.ndarray:
    """True for a row that a later export of its order replaces (ties: the later row)."""
    newest: dict[str, tuple[pd.Timestamp, int]] = {}
    for i, (key, at) in enumerate(zip(raw["order_no"], raw["exported_at"], strict=True)):
        if key not in newest or at >= newest[key][0]:
            newest[key] = (at, i)
    kept = {i for _, i in newest.values()}
    return np.array([i not in kept for i in range(len(raw))])


@pytest.fixture(scope="module")
def orders(d):
    raw = d["raw_orders"]
    return pd.DataFrame({
        "order_no": raw["order_no"].astype(str), "source": raw["source"].astype(str),
        "spelt": raw["status"].astype(str),
        "status": [SPELLINGS[s.strip().lower()] for s in raw["status"]],
        "yuan": [yuan(a) for a in raw["amount"]],
        "naive": pd.to_numeric(raw["amount"].str.strip(), errors="coerce").astype(float),
        "hour": [china_hour(t) for t in raw["created_at"]],
        "clock": [int(t[11:13]) for t in raw["created_at"]],
        "exact": raw.duplicated().to_numpy(),
        "copy": raw["order_no"].duplicated().to_numpy(),
        "stale": latest_export(raw),
        "repeated": raw["order_no"].duplicated(keep=False).to_numpy(),
    })


def test_q1_copies_in_one_source(orders, d):
    q = m08.SourceCopies()
    o = orders
    mine, paid = o["source"] == m08.SOURCE, o["status"] == "paid"
    copies = o[o["copy"] & mine]
    n, revenue = len(copies), copies.loc[copies["status"] == "paid", "yuan"].sum()
    links = d["raw_links"]
    dup = links[(links["table"] == "raw_orders") & (links["bad_reason"] == "duplicate")
                & links["key"].isin(set(o.loc[mine, "order_no"]))]
    assert len(dup) == n == 67  # the export's truth marks the same copies
    message = right(q, mp_copies=n, mp_copy_revenue=revenue)
    assert f"{revenue:,.2f} yuan" in message and f"marks {n:,} of the" in message
    right(q, mp_copies=np.int64(n), mp_copy_revenue=round(revenue, 1))
    exact = o["exact"] & mine
    assert exact.sum() < n  # a re-exported copy differs in exported_at
    wrong(q, "identical in every column", mp_copies=int(exact.sum()),
          mp_copy_revenue=o.loc[exact & paid, "yuan"].sum())
    wrong(q, "identical in every column", mp_copies=int(exact.sum()), mp_copy_revenue=revenue)
    every = o["repeated"] & mine
    wrong(q, "first row of each repeated order", mp_copies=int(every.sum()),
          mp_copy_revenue=o.loc[every & paid, "yuan"].sum())
    wrong(q, "whole export", mp_copies=int(o["copy"].sum()),
          mp_copy_revenue=o.loc[o["copy"] & paid, "yuan"].sum())
    wrong(q, "cancelled, refunded and test", mp_copies=n, mp_copy_revenue=copies["yuan"].sum())
    wrong(q, "spelt exactly 'paid'", mp_copies=n,
          mp_copy_revenue=copies.loc[copies["spelt"] == "paid", "yuan"].sum())
    wrong(q, "parse_amount", mp_copies=n,
          mp_copy_revenue=copies.loc[copies["status"] == "paid", "naive"].sum())
    r = q.evaluate(mp_copies=n, mp_copy_revenue=2 * revenue)
    assert r.status == "incorrect" and "too high" in r.message


def test_q2_refunded_revenue(orders, truth):
    q = m08.RefundedRevenue()
    once = orders[~orders["stale"]]  # the latest export of each order, as the lesson keeps
    refunded = once[once["status"] == "refunded"]
    n, amount = len(refunded), refunded["yuan"].sum()
    first = orders[~orders["copy"] & (orders["status"] == "refunded")]
    assert (len(first), round(first["yuan"].sum(), 2)) == (n, round(amount, 2))  # same here
    right(q, refunded_orders=len(first), refunded_revenue=first["yuan"].sum())
    rec = truth["reconciliation"]
    assert (n, round(amount, 2)) == (rec["refunded_orders"], rec["refunded_amount"])
    message = right(q, refunded_orders=n, refunded_revenue=amount)
    assert f"{n:,} refunded orders" in message
    every = orders[orders["status"] == "refunded"]
    assert len(every) > n
    wrong(q, "copies too", refunded_orders=len(every), refunded_revenue=every["yuan"].sum())
    wrong(q, "copies too", refunded_orders=len(every), refunded_revenue=amount)
    spelt = once[once["spelt"] == "refunded"]
    wrong(q, "REFUNDED and 已退款", refunded_orders=len(spelt),
          refunded_revenue=spelt["yuan"].sum())
    cancelled = once[once["status"] == "cancelled"]
    wrong(q, "cancelled orders", refunded_orders=len(cancelled),
          refunded_revenue=cancelled["yuan"].sum())
    both = once[once["status"].isin(["cancelled", "refunded"])]
    wrong(q, "adds the cancelled", refunded_orders=len(both), refunded_revenue=both["yuan"].sum())
    wrong(q, "parse_amount", refunded_orders=n, refunded_revenue=refunded["naive"].sum())


def test_q3_evening_orders_in_china_time(orders, d):
    q = m08.EveningOrders()
    o = orders
    paid, once = o["status"] == "paid", ~o["stale"]
    n = int((paid & once & (o["hour"] == m08.HOUR)).sum())
    assert n == int((paid & ~o["copy"] & (o["hour"] == m08.HOUR)).sum())  # first = latest here
    # the clean table, through raw_links, puts the clean orders among them in the same hour
    links = d["raw_links"]
    links = links[(links["table"] == "raw_orders") & (links["copy"] == 1)]
    ids = o.loc[paid & once & (o["hour"] == m08.HOUR), "order_no"].map(
        links.set_index("key")["order_id"]).dropna().astype("int64")
    clean = d["orders"].set_index("order_id")["order_time"]
    assert (clean.loc[ids].dt.hour == m08.HOUR).all() and len(ids) == n
    message = right(q, evening_orders=n)
    # every one is a clean order: no "other ... staff test orders" clause
    assert f"ties all {len(ids):,} of them" in message and "staff test" not in message
    assert "puts every one of those in the same hour" in message
    right(q, evening_orders=np.int64(n))
    as_china = int((paid & once & (o["clock"] == m08.HOUR)).sum())
    assert as_china < n  # the mini-program's evening sits eight hours early when misread
    wrong(q, "UTC times as China time", evening_orders=as_china)
    zulu = o.index.isin(d["raw_orders"].index[d["raw_orders"]["created_at"].str.endswith("Z")])
    as_utc = np.where(zulu, o["hour"], (o["clock"] + 8) % 24)
    wrong(q, "every time as UTC", evening_orders=int((paid & once & (as_utc == m08.HOUR)).sum()))
    in_utc = (o["hour"] - 8) % 24
    wrong(q, "in UTC", evening_orders=int((paid & once & (in_utc == m08.HOUR)).sum()))
    wrong(q, "copies too", evening_orders=int((paid & (o["hour"] == m08.HOUR)).sum()))
    wrong(q, "count the paid ones", evening_orders=int((once & (o["hour"] == m08.HOUR)).sum()))


def test_q4_the_accounts_of_one_city(d):
    q = m08.CityAccounts()
    city = d["raw_app_accounts"]["city"]
    assert m08.CITY == "上海"

    def read(text, *, fold=True, lower=True):
        if not isinstance(text, str):
            return None
        t = (nfkc(text) if fold else text).strip()
        return t.lower() if lower else t

    folded = city.map(read)
    n = int(folded.isin(["上海", "上海市", "shanghai"]).sum())
    as_written = int((city == "上海").sum())
    assert as_written < 0.6 * n  # about half the accounts are spelt another way
    message = right(q, city_accounts=n)
    assert f"would show {as_written:,} accounts" in message
    right(q, city_accounts=np.int64(n))
    wrong(q, "only the spelling", city_accounts=as_written)
    assert ".eq(m08.CITY).fillna(False)" in q.hints[1]
    wrong(q, "pinyin spellings", city_accounts=int(folded.isin(["上海", "上海市"]).sum()))
    wrong(q, "case, spaces and width", city_accounts=int(city.map(
        lambda t: read(t, fold=False, lower=False)).isin(["上海", "上海市", "Shanghai"]).sum()))
    wrong(q, "Full-width letters", city_accounts=int(city.map(
        lambda t: read(t, fold=False)).isin(["上海", "上海市", "shanghai"]).sum()))


# --------------------------------------------------------------------------- one user view


def phone_digits(text: object) -> str | None:
    """A mainland mobile number as 11 digits, read by hand; None when it is not one."""
    if not isinstance(text, str):
        return None
    t = re.sub(r"[^0-9+]", "", nfkc(text))
    for code in ("+86", "0086", "86"):
        if t.startswith(code) and len(t) == len(code) + 11:
            t = t[len(code):]
    return t if re.fullmatch(r"1[3-9][0-9]{9}", t) else None


def remark_phone(remark: object) -> str | None:
    if not isinstance(remark, str):
        return None
    m = re.search(r"(1[3-9][0-9]) ?([0-9]{4}) ?([0-9]{4})", remark)
    return "".join(m.groups()) if m else None


@pytest.fixture(scope="module")
def records(d):
    """The identity records, built by hand as the notebook's cell describes them."""
    parts = []
    for table, key, label in IDENTITY:
        df = d[table].drop_duplicates(key)
        wecom = table == "raw_wecom_contacts"
        phone = df[label].map(remark_phone) if wecom else df["phone"].map(phone_digits)
        parts.append(pd.DataFrame({
            "source": table, "key": df[key].astype(str), "label": df[label].astype(object),
            "phone": phone.astype(object),
            "unionid": df["unionid"].astype(object) if "unionid" in df else None,
            "store_id": df["store_id"].astype(float) if "store_id" in df else np.nan}))
    out = pd.concat(parts, ignore_index=True)
    staff = out["label"].map(lambda s: isinstance(s, str) and bool(
        re.search("测试|test", s, flags=re.IGNORECASE)))
    out = out[~staff].reset_index(drop=True)
    return out.where(out.notna(), None)


def union_find(records: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """The person of each record: records sharing a value of a column are one person."""
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for col in columns:
        first: dict[str, int] = {}
        for i, value in enumerate(records[col]):
            if value is None:
                continue
            if value in first:
                parent[find(i)] = find(first[value])
            else:
                first[value] = i
    return np.array([find(i) for i in range(len(records))])


def shared_cards(records: pd.DataFrame, *, at_least: int = 3) -> pd.Series:
    cards = records[records["source"] == "raw_pos_members"].dropna(subset=["phone"])
    n = cards.groupby(["store_id", "phone"])["key"].transform("size")
    return records.index.isin(n[n >= at_least].index)


def lesson_cards(records: pd.DataFrame) -> np.ndarray:
    """The lesson's rule by hand: the cards whose phone is held under two card names or
    more (names compared without case, width and spaces)."""
    cards = records[(records["source"] == "raw_pos_members") & records["phone"].notna()]
    names: dict[str, set[str]] = {}
    for phone, name in zip(cards["phone"], cards["label"], strict=True):
        if isinstance(name, str) and re.sub(r"\s+", "", nfkc(name).lower()):
            names.setdefault(phone, set()).add(re.sub(r"\s+", "", nfkc(name).lower()))
    shared = {phone for phone, held in names.items() if len(held) >= 2}
    return records.index.isin(cards.index[cards["phone"].isin(shared)])


def by_rule(records: pd.DataFrame, rule: str) -> pd.DataFrame:
    out = records.copy()
    if rule == "cards":
        out.loc[shared_cards(out), "phone"] = None
    elif rule == "pairs":
        out.loc[shared_cards(out, at_least=2), "phone"] = None
    elif rule == "stores":
        cards = out[out["source"] == "raw_pos_members"].dropna(subset=["phone"])
        n = cards.groupby("phone")["key"].transform("size")
        out.loc[n[n >= 3].index, "phone"] = None
    elif rule == "lesson":
        out.loc[lesson_cards(out), "phone"] = None
    elif rule == "everywhere":
        bad = set(out.loc[shared_cards(out), "phone"])
        out.loc[out["phone"].isin(bad), "phone"] = None
    elif rule == "any":
        counts = out["phone"].value_counts()
        out.loc[out["phone"].map(counts).fillna(0) >= 2, "phone"] = None
    return out


def person_count(records, rule="cards", columns=("phone", "unionid")):
    return len(set(union_find(by_rule(records, rule), columns)))


def pairs(sizes: pd.Series) -> int:
    s = sizes.to_numpy(dtype=np.int64)
    return int((s * (s - 1) // 2).sum())


def quality(records, d, rule="cards", columns=("phone", "unionid")):
    """Pairwise precision and recall against raw_links, counted by hand."""
    links = d["raw_links"]
    links = links[(links["table"] != "raw_orders") & (links["copy"] == 1)]
    true = links.assign(source=links["table"].astype(str)).set_index(["source", "key"])
    user = true["user_id"].reindex(pd.MultiIndex.from_frame(records[["source", "key"]]))
    frame = pd.DataFrame({"person": union_find(by_rule(records, rule), columns),
                          "user": user.to_numpy()})
    merged = pairs(frame.groupby("person").size())
    together = pairs(frame.groupby("user").size())
    correct = pairs(frame.groupby(["person", "user"]).size())
    return correct / merged, correct / together, merged - correct


def test_q5_users_by_the_store_managers_rule(records, d, truth):
    q = m08.StitchedUsers()
    assert m08.SHARED_CARDS == 3
    n = person_count(records)
    trusting = person_count(records, "none")
    # the records and the rule set match how the world's truth stitched them
    st = truth["stitching"]
    assert len(records) == st["records"]
    assert trusting == st["also_phones_in_wecom_remarks"]["clusters"]
    assert trusting < n < person_count(records, "pairs") < person_count(records, "any")
    # the store's own number sits on its cards only: taking it off everywhere is the same
    assert person_count(records, "everywhere") == n
    message = right(q, users_stitched=n)
    assert "belong to 20,000 people" in message
    wrong(q, "counts records", users_stitched=len(records))
    wrong(q, "trusts every phone", users_stitched=trusting)
    # two cards of a store, or two card names (the lesson's rule): nearly the same count
    assert abs(person_count(records, "pairs") - person_count(records, "lesson")) <= 2
    wrong(q, "lesson's rule", users_stitched=person_count(records, "pairs"))
    over_stores = person_count(records, "stores")
    assert over_stores > n  # more cards lose their phone: fewer joins
    wrong(q, "over all stores", users_stitched=over_stores)
    wrong(q, "lesson's rule", users_stitched=person_count(records, "lesson"))
    wrong(q, "held by two records", users_stitched=person_count(records, "any"))
    wrong(q, "unionid rule is missing", users_stitched=person_count(records,
                                                                     columns=("phone",)))


def test_q6_precision_and_recall_of_the_rule(records, d):
    q = m08.RuleQuality()
    precision, recall, wrong_pairs = quality(records, d)
    trusting = quality(records, d, "none")
    pairs_rule = quality(records, d, "pairs")
    # the manager's rule halves the false merges; the lesson's stricter one removes most
    assert trusting[0] < precision < 0.99 < pairs_rule[0]
    assert pairs_rule[2] < wrong_pairs < trusting[2]
    message = right(q, rule_precision=precision, rule_recall=recall)
    assert f"{wrong_pairs:,} of {round(wrong_pairs / (1 - precision)):,} pairs" in message
    assert f"every phone: {trusting[2]:,} of" in message
    lesson = quality(records, d, "lesson")
    assert int(lesson_cards(records).sum()) == 142 and lesson[0] > 0.998 > precision
    assert f"({int(lesson_cards(records).sum()):,} cards)" in message
    assert f"precision {lesson[0]:.4f} against {precision:.4f}" in message
    assert f"recall {lesson[1]:.3f} against {recall:.3f}" in message
    assert "keep the lesson's rule" in message
    right(q, rule_precision=round(precision, 3), rule_recall=round(recall, 3))
    wrong(q, "lesson's rule", rule_precision=lesson[0], rule_recall=lesson[1])
    for rounded in ({"rule_precision": round(precision, 2), "rule_recall": recall},
                    {"rule_precision": precision, "rule_recall": round(recall, 2)},
                    {"rule_precision": int(precision * 10) / 10, "rule_recall": recall}):
        wrong(q, "close but rounded", **rounded)
    assert round(precision, 2) != round(precision, 3)  # the 2-decimal answer is off here
    wrong(q, "swapped", rule_precision=recall, rule_recall=precision)
    wrong(q, "every phone trusted", rule_precision=trusting[0], rule_recall=trusting[1])
    wrong(q, "two cards of a store on", rule_precision=pairs_rule[0],
          rule_recall=pairs_rule[1])
    phone = quality(records, d, "none", ("phone",))
    wrong(q, "phone rule alone", rule_precision=phone[0], rule_recall=phone[1])
    r = q.evaluate(rule_precision=precision, rule_recall=recall / 2)
    assert r.status == "incorrect" and "`rule_recall` is too low" in r.message


# --------------------------------------------------------------------------- protecting people

MASKED = ["138****5678", "138****5678", "139****1111", "138****5678", "159****5678",
          "150****5678", "158****5678", "139****2222", "177****5678", None, None, None]


def learner_mask(phone: str) -> str | None:
    """A mask as a learner might write it, folding full-width digits by their code points."""
    text = phone.translate({0xFF10 + i: str(i) for i in range(10)})
    digits = "".join(c for c in text if c.isdigit() or c == "+")
    digits = re.sub(r"^(\+86|0086)", "", digits)
    if not re.fullmatch(r"1[3-9][0-9]{9}", digits):
        return None
    return digits[:3] + "****" + digits[-4:]


def test_q7_the_learners_mask():
    q = m08.MaskPhones()
    assert [learner_mask(p) for p in m08.PHONES] == MASKED
    assert "+86 138 1234 5678" in m08.PHONES and any("１" in p for p in m08.PHONES)
    right(q, masked=MASKED)
    right(q, masked=tuple(MASKED))
    right(q, masked=pd.Series(MASKED).where(pd.Series(MASKED).notna(), np.nan))
    right(q, masked=[pd.NA if m is None else m for m in MASKED])
    plain = [p[:3] + "****" + p[-4:] for p in m08.PHONES]
    wrong(q, "Normalise the phone first", masked=plain)
    eleven = [None if m is None else re.sub(r"[^0-9]", "", nfkc(p))[-11:] for p, m in
              zip(m08.PHONES, MASKED, strict=True)]
    wrong(q, "first 3 and the last 4", masked=[None if e is None else e[:4] + "****" + e[-3:]
                                               for e in eleven])
    wrong(q, "first 3 and the last 4", masked=[None if e is None else e[:7] + "****"
                                               for e in eleven])
    no_fold = [None if "\uff10" <= p.strip()[0] <= "\uff19" else m
               for p, m in zip(m08.PHONES, MASKED, strict=True)]
    wrong(q, "Full-width digits", masked=no_fold)
    half = [m if m is not None else (lambda t: t[:3] + "****" + t[-4:])(
        re.sub(r"[^0-9]", "", p)) for p, m in zip(m08.PHONES, MASKED, strict=True)]
    wrong(q, "comes out None", masked=half)
    wrong(q, "comes out None", masked=["" if m is None else m for m in MASKED])
    # a mix no single mistake explains: the first case that is off is named
    mixed = list(MASKED)
    mixed[0], mixed[6] = "1381234****", None
    r = q.evaluate(masked=mixed)
    assert r.status == "incorrect" and "first 3 and the last 4" in r.message
    assert "masked[0]" in r.message
    wrong(q, "the function itself", masked=learner_mask)
    wrong(q, "12 phones", masked=MASKED[:-1])
    wrong(q, "should be a list", masked="138****5678")


def hand_mask(phone: str) -> str | None:
    """The mask written out: the phone read by hand, then 3 digits, 4 stars, 4 digits."""
    digits = phone_digits(phone)
    return None if digits is None else digits[:3] + "****" + digits[-4:]


def test_q7_the_function_itself_is_called_from_the_notebook():
    assert [hand_mask(p) for p in m08.PHONES] == MASKED

    def checked(**namespace):
        return m08.MaskPhones(namespace).evaluate()

    assert checked(masked=list(MASKED), mask=hand_mask).status == "correct"
    # a list built another way, with a stub or no function, does not pass
    r = checked(masked=list(MASKED))
    assert r.status == "incorrect" and "no function `mask`" in r.message, r.text
    r = checked(masked=list(MASKED), mask="138****5678")
    assert r.status == "incorrect" and "`mask` is a string, not a function" in r.message
    r = checked(masked=list(MASKED), mask=lambda phone: ____)
    assert r.status == "incorrect" and "still returns ____" in r.message
    # a function right on m08.PHONES but not on another spelling: the spelling is named
    wide_plus = "\u3000".join("".join(chr(ord(c) + 0xFEE0) for c in part)
                               for part in ("+86", "186", "0001", "2345"))  # ＋８６　１８６…
    assert hand_mask(wide_plus) == "186****2345" and learner_mask(wide_plus) is None
    r = checked(masked=list(MASKED), mask=learner_mask)
    assert r.status == "incorrect" and repr(wide_plus) in r.message, r.text
    assert "Full-width digits" in r.message

    def no_dashes(phone):
        return None if "-" in phone and phone.startswith("+") else hand_mask(phone)

    r = checked(masked=list(MASKED), mask=no_dashes)
    assert r.status == "incorrect" and "'+86-139-0000-1111'" in r.message
    assert "Normalise the phone first" in r.message

    def service(phone):
        return "100****0086" if phone == "10086" else hand_mask(phone)

    r = checked(masked=list(MASKED), mask=service)
    assert r.status == "incorrect" and "'10086'" in r.message and "comes out None" in r.message

    def fails(phone):
        if phone.startswith("+86-"):
            raise ValueError("no dashes")
        return hand_mask(phone)

    r = checked(masked=list(MASKED), mask=fails)
    assert r.status == "incorrect" and "fails (ValueError: no dashes)" in r.message
    # answers given directly, as the grader gives recorded values: `masked` alone
    r = m08.MaskPhones({"masked": list(MASKED), "mask": lambda phone: ____}).evaluate(
        masked=list(MASKED))
    assert r.status == "correct", r.text
    # a wrong `masked` is reported as before, whatever `mask` is
    r = checked(masked=[p[:3] + "****" + p[-4:] for p in m08.PHONES], mask=hand_mask)
    assert r.status == "incorrect" and "Normalise the phone first" in r.message


def test_q8_smallest_group_and_generalisation(d):
    q = m08.SmallestGroup()
    users = d["users"]
    extract = users[["user_id", "city_tier", "age_band", "gender"]].assign(
        signup_month=users["signup_time"].dt.to_period("M"),
        signup_quarter=users["signup_time"].dt.to_period("Q"),
        signup_year=users["signup_time"].dt.year)
    qis = ["city_tier", "age_band", "gender", "signup_month"]
    sizes = extract.groupby(qis, observed=True).size()
    k, at_risk = int(sizes.min()), int(sizes[sizes < 5].sum())
    ladder = {"signup quarter": ["city_tier", "age_band", "gender", "signup_quarter"],
              "signup year": ["city_tier", "age_band", "gender", "signup_year"],
              "no signup date": ["city_tier", "age_band", "gender"],
              "age band and gender": ["age_band", "gender"]}
    ks = {name: int(extract.groupby(cols, observed=True).size().min())
          for name, cols in ladder.items()}
    first = next(name for name, v in ks.items() if v >= 5)
    assert (k, first) == (1, "signup quarter") and ks["signup quarter"] == 5  # just reached
    right(q, smallest_group=k, rows_at_risk=at_risk, generalisation=first)
    right(q, smallest_group=k, rows_at_risk=at_risk, generalisation=" Signup Quarter")
    wrong(q, "no quasi-identifier", smallest_group=1, rows_at_risk=len(users),
          generalisation=first)
    wrong(q, "counts the groups below", smallest_group=k,
          rows_at_risk=int((sizes < 5).sum()), generalisation=first)
    wrong(q, "groups of exactly 5 too", smallest_group=k,
          rows_at_risk=int(sizes[sizes <= 5].sum()), generalisation=first)
    wrong(q, "more detail than needed", smallest_group=k, rows_at_risk=at_risk,
          generalisation="signup year")
    wrong(q, "try them in order", smallest_group=k, rows_at_risk=at_risk,
          generalisation="none")
    wrong(q, "not one of", smallest_group=k, rows_at_risk=at_risk, generalisation="city")


def test_q9_the_extract_for_the_vendor(d):
    q = m08.VendorExtract()
    accounts = d["raw_app_accounts"]
    phones = [phone_digits(p) for p in accounts["phone"]]
    key = m08.SECRET.encode("utf-8")
    plain = [hashlib.sha256(p.encode("utf-8")).hexdigest()[:16] for p in phones]
    keyed = [hmac.new(key, p.encode("utf-8"), hashlib.sha256).hexdigest()[:16] for p in phones]
    cols = pd.DataFrame({"city": governance.normalise_city(accounts["city"]).values,
                         "brand": accounts["device"].str.split().str[0],
                         "year": accounts["created_at"].dt.year})
    extracts = {"A": cols[["city", "year"]].assign(pid=plain),
                "B": cols[["city", "brand", "year"]].assign(pid=keyed),
                "C": cols[["city"]].assign(pid=keyed)}
    # one known phone is enough to see that A's pid is a plain hash
    probe = hashlib.sha256(phones[0].encode("utf-8")).hexdigest()[:16]
    assert probe in set(extracts["A"]["pid"]) and probe not in set(extracts["C"]["pid"])

    def k(name, with_pid=False):
        df = extracts[name]
        by = [c for c in df.columns if with_pid or c != "pid"]
        return int(df.groupby(by, dropna=False).size().min())

    assert k("A") >= 5 > k("B") and k("C") >= 5  # A is detailed enough, but reversible
    message = right(q, safe_extract="C", safe_k=k("C"))
    assert "7 x 10^9" in message
    right(q, safe_extract=" c ", safe_k=np.int64(k("C")))
    wrong(q, "plain SHA-256", safe_extract="A", safe_k=k("A"))
    wrong(q, "plain SHA-256", safe_extract="A", safe_k=k("C"))
    wrong(q, "smallest group is below 5", safe_extract="B", safe_k=k("B"))
    wrong(q, "keyed and has k >= 5", safe_extract="none", safe_k=0)
    wrong(q, "counts `pid`", safe_extract="C", safe_k=k("C", with_pid=True))
    wrong(q, "name one of", safe_extract="D", safe_k=k("C"))


# --------------------------------------------------------------------------- another world



def test_every_check_holds_on_another_world(small_world):
    """On a 3,000-user world of seed 7 the reference answers are right (and shown beside
    that world's truth), the wrong ones get their hints, and each question keeps at least
    one plausible mistake."""
    default = m08.SourceCopies()._expected()
    with in_world(small_world):
        every_check_holds(m08.EXERCISES)
        # the expected values follow the data of the world in use
        assert m08.SourceCopies()._expected() != default
        assert m08.SmallestGroup()._expected()["generalisation"] != "signup quarter"
        message = m08.StitchedUsers().evaluate(
            users_stitched=m08.StitchedUsers()._expected()).message
        assert "belong to 3,000 people" in message
