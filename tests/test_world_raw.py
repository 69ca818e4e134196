"""The raw exports: valid, separate from the company, one person per record, the planted
messiness at its stated shares, and an order export that a careful cleaning turns back
into the clean orders of its quarter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import holds_its_contract, survives_csv
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import coursekit
from coursekit.data import default_dir, verify
from coursekit.schema import TABLES, WORLD2_TABLES, data_dictionary
from coursekit.world import generate_world, raw_exports, read_state, write_world
from coursekit.world.generate import generate
from coursekit.world.raw_exports import PARAMS, QUARTER, RAW_TABLES, raw_data

IDENTITY = ("raw_app_accounts", "raw_miniprogram_users", "raw_pos_members",
            "raw_wecom_contacts")
KEY = {"raw_app_accounts": "account_id", "raw_miniprogram_users": "openid",
       "raw_pos_members": "member_no", "raw_wecom_contacts": "external_userid",
       "raw_orders": "order_no"}
D = "[0-9]"  # an ASCII digit (a regular expression's \\d also matches full-width ones)
SOURCE_TABLE = {"app": "raw_app_accounts", "mini_program": "raw_miniprogram_users",
                "pos": "raw_pos_members"}


@pytest.fixture(scope="module", params=["default", "seed7"])
def world(request) -> dict:
    """The committed default world (as loaded) and a 3,000-user world of seed 7."""
    if request.param == "default":
        names = ["users", "orders", "stores", "memberships", *RAW_TABLES]
        tables = {n: coursekit.load(n) for n in names}
        return dict(tables=tables, truth=coursekit.truth(), state=read_state(default_dir()))
    tables, truth, state = generate(3_000, 7)
    return dict(tables=tables, truth=truth, state=state)


def _near(count: int, n: int, p: float) -> bool:
    """A binomial share within four standard errors (and half a point) of ``p``."""
    return abs(count / n - p) <= 4 * np.sqrt(p * (1 - p) / n) + 0.005


def _digits(phone: pd.Series) -> pd.Series:
    """A phone's digits however it was written (full width, +86, spaces, dashes)."""
    d = phone.astype("string").str.normalize("NFKC").str.replace(r"\D", "", regex=True)
    return d.where(~((d.str.len() == 13) & d.str.startswith("86")), d.str.slice(2))


def _links(tables: dict, name: str) -> pd.DataFrame:
    links = tables["raw_links"]
    return links[links["table"] == name].reset_index(drop=True)


def _with_copy(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.assign(copy=frame.groupby(key, sort=False).cumcount() + 1)


# ---------------------------------------------------------------- the reference cleaning


STATUS = {"paid": "paid", "已支付": "paid", "cancelled": "cancelled", "canceled": "cancelled",
          "已取消": "cancelled", "refunded": "refunded", "已退款": "refunded", "test": "test",
          "测试": "test"}


def staff_keys(tables: dict) -> set[str]:
    """Keys of the staff test accounts, found the way an analyst would: 测试 or test in
    the nickname or name."""
    keys = set()
    for name, column in (("raw_app_accounts", "nickname"), ("raw_miniprogram_users",
                                                            "nickname"),
                         ("raw_pos_members", "name")):
        f = tables[name]
        hit = f[column].astype(str).str.contains("测试|test", case=False, regex=True)
        keys |= set(f.loc[hit, KEY[name]].astype(str))
    return keys


def clean_orders(raw: pd.DataFrame, staff: set[str]) -> pd.DataFrame:
    """A cleaning written out: one row per order_no, statuses read, amounts parsed, test
    orders and unpaid ones dropped, every time in China time."""
    df = raw.drop_duplicates("order_no", keep="first").copy()
    status = df["status"].str.normalize("NFKC").str.strip().str.lower().map(STATUS)
    assert status.notna().all(), "every status spelling is known"
    text = df["amount"].str.normalize("NFKC").str.strip().str.replace(r"[¥,]", "", regex=True)
    df["amount"] = pd.to_numeric(text).astype(float)
    src = df["source"].astype(str)
    china = pd.to_datetime(df["created_at"].where(src == "app"), format="%Y-%m-%d %H:%M:%S")
    till = pd.to_datetime(df["created_at"].where(src == "pos"), format="%Y/%m/%d %H:%M:%S")
    utc = pd.to_datetime(df["created_at"].where(src == "mini_program"), utc=True,
                         format="%Y-%m-%dT%H:%M:%SZ")
    utc = utc.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    df["order_time"] = china.fillna(till).fillna(utc).astype("datetime64[s]")
    test = (status == "test") | df["buyer_ref"].isin(staff) | (df["amount"] == 0.01)
    return df[(status == "paid") & ~test].reset_index(drop=True)


def quarter_orders(orders: pd.DataFrame) -> pd.DataFrame:
    t = orders["order_time"]
    return orders[(t >= QUARTER[0]) & (t < pd.Timestamp(QUARTER[1]) + pd.Timedelta(days=1))]


# ---------------------------------------------------------------- generation


def test_same_inputs_same_tables_other_seed_other_draws(world):
    tables, state = world["tables"], world["state"]
    a, ta = raw_data(11, 11, tables, state)
    b, tb = raw_data(11, 11, tables, state)
    c, _ = raw_data(12, 12, tables, state)
    assert ta == tb and list(a) == list(RAW_TABLES)
    for name in RAW_TABLES:
        pd.testing.assert_frame_equal(a[name], b[name])
        assert not a[name].equals(c[name]), name
    # the same people and orders, other draws: as many persons per source
    assert set(a["raw_links"]["user_id"].dropna()) == set(c["raw_links"]["user_id"].dropna())


def test_own_streams_leave_the_company_untouched():
    folder = Path(raw_exports.__file__).parent
    pattern = r'rng_for\(\s*\w+,\s*"([^"]+)"'
    used = {m for f in folder.glob("*.py") if f.name != "raw_exports.py"
            for m in re.findall(pattern, f.read_text(encoding="utf-8"))}
    assert {"survey", "messages", "brand_survey", "gift_vouchers"} <= used  # the scan works
    mine = set(re.findall(pattern, Path(raw_exports.__file__).read_text(encoding="utf-8")))
    assert mine == set(RAW_TABLES[:-1]) | {"raw_people", "raw_pos_shared_phones"}
    assert not mine & used


def test_the_other_tables_are_byte_identical_with_or_without_them(tmp_path, monkeypatch):
    with_raw = write_world(tmp_path / "with", users=800, seed=3)
    monkeypatch.setattr(raw_exports, "raw_data", lambda *a, **k: ({}, {}))
    without = write_world(tmp_path / "without", users=800, seed=3)
    assert set(with_raw["tables"]) - set(without["tables"]) == set(RAW_TABLES)
    for name, entry in without["tables"].items():
        assert with_raw["tables"][name] == entry, name
    assert with_raw["state"] == without["state"]


def test_the_committed_tables_are_what_the_generator_made_before(tmp_path, monkeypatch):
    """The default world's other files, as committed, are the generator's without the
    raw exports: adding them changed no byte of the others."""
    committed = json.loads((default_dir() / "checksums.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(raw_exports, "raw_data", lambda *a, **k: ({}, {}))
    fresh = write_world(tmp_path, users=committed["users"], seed=committed["seed"])
    assert set(committed["tables"]) == set(fresh["tables"]) | set(RAW_TABLES)
    for name, entry in fresh["tables"].items():
        assert committed["tables"][name]["sha256"] == entry["sha256"], name
    assert committed["state"]["sha256"] == fresh["state"]["sha256"]


def test_world_one_has_no_raw_exports():
    tables, truth = generate_world(600, 2, world=1)
    assert not set(RAW_TABLES) & set(tables) and "raw" not in truth
    assert set(RAW_TABLES) <= WORLD2_TABLES


# ---------------------------------------------------------------- contracts


def test_contracts_hold_with_their_dtypes_and_keys(world):
    tables = world["tables"]
    for name in RAW_TABLES:
        holds_its_contract(tables[name], name)
        assert name in TABLES
        described = TABLES[name].description
        assert described.startswith("Latent" if name == "raw_links" else "Raw export"), name
    # text where the mess is: the contract lets every planted value through
    assert {c.kind for c in TABLES["raw_orders"].columns
            if c.name in ("amount", "status", "created_at", "city")} == {"str"}
    assert not TABLES["raw_orders"].key  # rows delivered twice are part of it


def test_csv_round_trip_keeps_the_text_as_written(tmp_path, world):
    for name in RAW_TABLES:
        survives_csv(world["tables"][name], name, tmp_path)


def test_data_dictionary_renders_them():
    text = data_dictionary(list(RAW_TABLES))
    for name in RAW_TABLES:
        assert f"### `{name}`" in text
    assert "| `amount` | str | yuan |" in text
    readme = (default_dir() / "README.md").read_text(encoding="utf-8")
    assert "### `raw_orders`" in readme


def test_the_committed_world_has_them_with_their_truth():
    assert verify() == []
    cat = coursekit.datasets().set_index("name")
    for name in RAW_TABLES:
        assert cat.loc[name, "rows"] == len(coursekit.load(name))
    tr = coursekit.truth()["raw"]
    assert {"tables", "quarter", "rules", "params", "staff_test_keys", "realised",
            "reconciliation", "stitching", "links"} <= set(tr)
    assert tr["params"] == json.loads(json.dumps(PARAMS))
    assert tr["tables"] == list(RAW_TABLES)


# ---------------------------------------------------------------- people


def test_every_record_is_one_person_and_every_person_is_a_user(world):
    tables = world["tables"]
    users = set(tables["users"]["user_id"])
    staff = staff_keys(tables)
    for name in (*IDENTITY, "raw_orders"):
        raw = _with_copy(tables[name], KEY[name])
        links = _links(tables, name)
        assert len(links) == len(raw), name
        joined = raw.merge(links, left_on=[KEY[name], "copy"], right_on=["key", "copy"],
                           how="left", validate="one_to_one", indicator=True)
        assert (joined["_merge"] == "both").all(), name
        assert set(joined["user_id"].dropna()) <= users, name
        if name in IDENTITY:
            no_person = joined["user_id"].isna()
            assert (no_person == (joined["bad_reason"] == "staff_test_account")).all(), name
            assert set(joined.loc[no_person, KEY[name]].astype(str)) <= staff, name
            truth_keys = world["truth"]["raw"]["staff_test_keys"].get(name, [])
            assert sorted(joined.loc[no_person, KEY[name]].astype(str)) == sorted(truth_keys)
    # a contact's rows (two advisers) are the same person
    wc = _links(tables, "raw_wecom_contacts")
    assert wc.groupby("key")["user_id"].nunique().max() == 1


def test_who_appears_where_follows_the_clean_tables(world):
    tables, state = world["tables"], world["state"]
    users = tables["users"]
    device = users["device"].astype(str)

    def persons(name: str) -> set[int]:
        return set(_links(tables, name)["user_id"].dropna().astype(int))

    assert persons("raw_app_accounts") == set(users.loc[device != "mini_program", "user_id"])
    assert persons("raw_miniprogram_users") == set(users.loc[device == "mini_program",
                                                             "user_id"])
    assert persons("raw_pos_members") == set(users.loc[users["store_id"].notna(), "user_id"])
    on = state["reach_wecom"] | state["unsubscribed_wecom"]
    assert persons("raw_wecom_contacts") == set(state.loc[on, "user_id"])
    # a first app account is made at sign-up; a card is first issued by the sign-up store
    app = tables["raw_app_accounts"].merge(_links(tables, "raw_app_accounts"),
                                           left_on="account_id", right_on="key")
    first = app[app["note"].isna() & app["user_id"].notna()].merge(users, on="user_id")
    assert (first["created_at"] == first["signup_time"]).all()
    pos = tables["raw_pos_members"].merge(_links(tables, "raw_pos_members"),
                                          left_on="member_no", right_on="key")
    card = pos[pos["note"].isna() & pos["user_id"].notna()].merge(users, on="user_id")
    assert (card["store_id_x"] == card["store_id_y"]).all()
    assert (card["joined_on"] == card["signup_time"].dt.normalize()).all()


def _phones(tables: dict) -> pd.DataFrame:
    """Every phone in the identity tables with its person and whether it is a typo."""
    rows = []
    for name in ("raw_app_accounts", "raw_miniprogram_users", "raw_pos_members"):
        f = tables[name]
        lk = _links(tables, name).set_index("key")
        rows.append(pd.DataFrame(dict(
            table=name, phone=_digits(f["phone"]).to_numpy(),
            user_id=lk.loc[f[KEY[name]].to_numpy(), "user_id"].to_numpy(),
            typo=lk.loc[f[KEY[name]].to_numpy(), "phone_typo"].to_numpy(),
            kind=lk.loc[f[KEY[name]].to_numpy(), "phone_kind"].astype(str).to_numpy())))
    out = pd.concat(rows, ignore_index=True)
    return out[out["phone"].notna() & out["user_id"].notna()]


def test_phones_are_per_person_and_typos_one_digit_off(world):
    tables = world["tables"]
    ph = _phones(tables)
    assert ph["phone"].str.fullmatch(r"1[3-9]\d{9}").all()
    good = ph[~ph["typo"] & ph["kind"].isin(["main", "second"])]
    # no two people share a number of their own; a person has one or two
    assert good.groupby("phone")["user_id"].nunique().max() == 1
    per_person = good.groupby("user_id")["phone"].nunique()
    assert per_person.max() == 2 and (per_person == 1).mean() > 0.8
    # a typo of the main phone is one digit off the first app account's phone
    main = tables["raw_app_accounts"].merge(_links(tables, "raw_app_accounts"),
                                            left_on="account_id", right_on="key")
    main = main[main["note"].isna() & main["user_id"].notna()].set_index("user_id")["phone"]
    typos = ph[ph["typo"] & (ph["kind"] == "main") & ph["user_id"].isin(main.index)]
    assert len(typos) >= 5
    a = np.array([list(x) for x in typos["phone"]])
    b = np.array([list(x) for x in main.loc[typos["user_id"]]])
    assert ((a != b).sum(axis=1) == 1).all()
    assert (a[:, :3] == b[:, :3]).all()  # the mobile block is kept
    assert not set(ph.loc[ph["typo"], "phone"]) & set(good["phone"])  # nobody else's


def test_some_cards_carry_a_relatives_or_the_stores_phone(world):
    tables = world["tables"]
    prm = PARAMS["raw_pos_members"]
    ph = _phones(tables)
    own = ph[~ph["typo"] & ph["kind"].isin(["main", "second"])]
    owner = own.drop_duplicates("phone").set_index("phone")["user_id"]
    pos = ph[ph["table"] == "raw_pos_members"]
    family = pos[pos["kind"] == "family"]
    assert _near(len(family), len(pos), prm["family_phone"])
    # a relative's phone is another customer's main phone, a customer of the same store
    assert family["phone"].isin(owner.index).all()
    assert (owner.loc[family["phone"]].to_numpy() != family["user_id"].to_numpy()).all()
    cards = tables["raw_pos_members"].assign(phone=_digits(tables["raw_pos_members"]["phone"]))
    store_of = cards.drop_duplicates("phone").set_index("phone")["store_id"]
    users = tables["users"].set_index("user_id")["store_id"]
    assert (users.loc[owner.loc[family["phone"]]].to_numpy()
            == store_of.loc[family["phone"]].to_numpy()).mean() > 0.5
    # the store's phone: nobody's own, shared by several cards of one store
    store = cards.merge(_links(tables, "raw_pos_members"), left_on="member_no",
                        right_on="key")
    store = store[store["phone_kind"] == "store"]
    assert len(store) >= 5 and not set(store["phone"]) & set(owner.index)
    assert store.groupby("phone")["store_id"].nunique().max() == 1
    assert store.groupby("phone").size().max() >= 3


# ---------------------------------------------------------------- planted shares


def _classify(text: pd.Series, patterns: dict[str, str]) -> pd.Series:
    """The first pattern each text matches in full (written with ``[0-9]``: ``\\d`` also
    matches full-width digits)."""
    out = pd.Series(pd.NA, index=text.index, dtype="string")
    for name, pattern in patterns.items():
        out = out.mask(out.isna() & text.str.fullmatch(pattern).fillna(False).astype(bool),
                       name)
    return out


def test_pos_phones_come_in_the_planted_formats_and_typos(world):
    tables = world["tables"]
    prm = PARAMS["raw_pos_members"]
    links = _links(tables, "raw_pos_members")
    real = links["user_id"].notna().to_numpy()
    phone = tables["raw_pos_members"]["phone"][real]
    kinds = _classify(phone, {"plain": f"{D}{{11}}", "dashes": f"{D}{{3}}-{D}{{4}}-{D}{{4}}",
                              "plus86_space": rf"\+86 {D}{{11}}",
                              "trailing_space": f"{D}{{11}} ", "full_width": r"[０-９]{11}",
                              "spaced": f"{D}{{3}} {D}{{4}} {D}{{4}}"})
    assert kinds.notna().all()
    counts = kinds.value_counts()
    for name, share in prm["phone_formats"].items():
        assert _near(int(counts.get(name, 0)), len(phone), share), name
    assert _near(int(links["phone_typo"][real].sum()), int(real.sum()), prm["phone_typo"])
    cards = links[real]
    persons = cards["user_id"].nunique()
    assert _near(len(cards) - persons, persons, prm["second_membership"])


def test_miniprogram_unionids_phones_and_formats(world):
    tables = world["tables"]
    prm = PARAMS["raw_miniprogram_users"]
    mp = tables["raw_miniprogram_users"].merge(_links(tables, "raw_miniprogram_users"),
                                               left_on="openid", right_on="key")
    mp = mp[mp["user_id"].notna()]
    seen = pd.to_datetime(mp["first_seen"], utc=True).dt.tz_convert("Asia/Shanghai")
    after = (seen.dt.tz_localize(None) >= pd.Timestamp(prm["binding_date"])).to_numpy()
    missing = mp["unionid"].isna().to_numpy()
    assert _near(int(missing[after].sum()), int(after.sum()), 1 - prm["unionid_after_binding"])
    # before the binding: a unionid exactly when the person ordered on or after it
    orders = tables["orders"]
    back = set(orders.loc[orders["order_time"] >= prm["binding_date"], "user_id"])
    assert (missing[~after] == ~mp["user_id"][~after].isin(back).to_numpy()).all()
    assert missing[~after].any() and (~missing[~after]).any()
    phone = mp["phone"].dropna()
    kinds = _classify(phone, {"plain": f"{D}{{11}}", "plus86": rf"\+86{D}{{11}}",
                              "plus86_spaced": rf"\+86 {D}{{3}} {D}{{4}} {D}{{4}}"}
                      ).value_counts()
    assert kinds.sum() == len(phone)
    for name, share in prm["phone_formats"].items():
        assert _near(int(kinds.get(name, 0)), len(phone), share), name
    # every Plus member among them let the mini-program read the phone
    plus = set(tables["memberships"]["user_id"])
    firsts = mp[mp["note"].isna()]
    assert firsts.loc[firsts["user_id"].isin(plus), "phone"].notna().all()


def test_app_and_wecom_shares(world):
    tables, truth = world["tables"], world["truth"]["raw"]
    app = _links(tables, "raw_app_accounts")
    app = app[app["user_id"].notna()]
    persons = app["user_id"].nunique()
    s = truth["realised"]["people_with_second_phone"]
    p = PARAMS["raw_app_accounts"]
    expected = s * p["second_account_if_second_phone"] + (1 - s) * p["reinstall_account"]
    assert _near(int((app["note"] == "second_account").sum()), persons, expected)
    assert _near(int((app["phone_kind"] == "second").sum()), persons,
                 s * p["second_account_if_second_phone"])
    city = tables["raw_app_accounts"]["city"]
    assert _near(int(city.isna().sum()), len(city), PARAMS["city_spellings"]["missing"])
    wc = tables["raw_wecom_contacts"].drop_duplicates("external_userid")
    q = PARAMS["raw_wecom_contacts"]
    assert _near(int(wc["unionid"].isna().sum()), len(wc), 1 - q["unionid"])
    extra = len(tables["raw_wecom_contacts"]) - len(wc)
    assert _near(extra, len(wc), q["second_adviser"])
    # the same WeChat: a unionid seen in both places belongs to one person
    both = pd.concat([
        tables[n].merge(_links(tables, n), left_on=KEY[n], right_on="key")[["unionid",
                                                                           "user_id"]]
        for n in ("raw_miniprogram_users", "raw_wecom_contacts")]).dropna()
    assert both.groupby("unionid")["user_id"].nunique().max() == 1
    assert both["unionid"].duplicated().any()


def test_order_export_shares(world):
    tables = world["tables"]
    prm = PARAMS["raw_orders"]
    raw = tables["raw_orders"]
    links = _links(tables, "raw_orders")
    orders = len(raw["order_no"].unique())
    copies = raw.groupby("order_no").size()
    assert copies.max() == 3
    assert _near(int((copies > 1).sum()), orders, sum(prm["extra_copies"].values()))
    again = raw.duplicated("order_no")
    exact = raw.duplicated()
    assert _near(int(exact.sum()), int(again.sum()), prm["exact_copy"])
    paid = int((links["bad_reason"].isna()).sum())
    for reason in ("cancelled", "refunded"):
        assert int((links["bad_reason"] == reason).sum()) == round(prm[reason] * paid)
    assert int((links["bad_reason"] == "test").sum()) == max(3, round(prm["test"] * paid))
    first = raw[~again]
    two = r"[0-9,]+\.[0-9]{2}"
    kinds = _classify(first["amount"], {
        "full_width": r"[０-９，]+．[０-９]{2}", "yuan_sign": f"¥{two}",
        "stray_spaces": rf" ?{two} ", "plain": two, "short": r"[0-9]+(\.[0-9])?"}
        ).value_counts()
    assert kinds.sum() == len(first)
    shares = dict(prm["amount_formats"])
    # a "short" amount with two decimals other than zero is written like a plain one
    for name in ("full_width", "yuan_sign", "stray_spaces"):
        assert _near(int(kinds.get(name, 0)), len(first), shares[name]), name


# ---------------------------------------------------------------- messiness and reconciliation


def test_the_messiness_is_really_there(world):
    tables = world["tables"]
    pos_phone = tables["raw_pos_members"]["phone"]
    kinds = _classify(pos_phone, {"plain": f"{D}{{11}}", "dashes": f"{D}{{3}}-{D}{{4}}-{D}{{4}}",
                                  "plus86": rf"\+86 ?{D}{{11}}", "trailing": rf"{D}{{11}}\s+",
                                  "full_width": r"[０-９]{11}",
                                  "spaced": f"{D}{{3}} {D}{{4}} {D}{{4}}"})
    assert kinds.nunique() >= 3 and kinds.notna().all()
    created = tables["raw_orders"]["created_at"]
    assert created.str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").any()
    assert created.str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ").any()
    assert created.str.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d").any()
    raw = tables["raw_orders"]
    assert raw.duplicated().any()  # rows delivered twice, whole
    again = raw[raw.duplicated("order_no", keep=False)]
    assert (again.groupby("order_no")["exported_at"].nunique() > 1).any()  # and exported again
    status = raw["status"]
    assert status.str.contains("[a-z]").any() and status.str.contains("[A-Z]{4}").any()
    assert status.str.contains("已支付").any()
    assert status.str.strip().str.lower().isin(["test", "测试"]).any()
    assert raw["amount"].str.contains("¥").any() and raw["amount"].str.contains("[０-９]").any()
    assert (raw["amount"] == "0.01").any()
    city = tables["raw_app_accounts"]["city"].dropna()
    assert city.str.endswith("市").any() and city.str.contains("^ [a-z]").any()
    assert city.str.contains("[Ａ-Ｚ]").any()
    mp = tables["raw_miniprogram_users"]
    assert mp["unionid"].isna().any() and mp["phone"].isna().any()
    assert (mp["nickname"] == "微信用户").mean() > 0.4
    assert tables["raw_wecom_contacts"]["remark"].str.contains(r"1[3-9]\d").any()


def test_the_export_reconciles_with_the_clean_orders_of_the_quarter(world):
    tables, truth = world["tables"], world["truth"]["raw"]
    raw = tables["raw_orders"]
    clean = quarter_orders(tables["orders"])
    mine = clean_orders(raw, staff_keys(tables))
    assert len(mine) == len(clean)
    assert round(mine["amount"].sum(), 2) == round(clean["amount"].sum(), 2)
    assert np.array_equal(np.sort(mine["amount"].to_numpy()), np.sort(clean["amount"].to_numpy()))
    assert np.array_equal(np.sort(mine["order_time"].to_numpy()),
                          np.sort(clean["order_time"].to_numpy().astype("datetime64[s]")))
    # one for one: the truth's clean order of each row has its time and amount
    lk = _with_copy(mine, "order_no").merge(_links(tables, "raw_orders"),
                                             left_on=["order_no", "copy"],
                                             right_on=["key", "copy"])
    back = clean.set_index("order_id").loc[lk["order_id"].astype(int)]
    assert (back["amount"].to_numpy() == lk["amount"].to_numpy()).all()
    assert (back["order_time"].to_numpy() == lk["order_time"].to_numpy()).all()
    assert sorted(lk["order_id"].astype(int)) == sorted(clean["order_id"])
    # what the truth says a naive reading gets
    rec = truth["reconciliation"]
    assert (rec["clean_orders"], rec["clean_amount"]) == (len(clean),
                                                          round(clean["amount"].sum(), 2))
    amount = pd.to_numeric(raw["amount"].str.normalize("NFKC").str.strip().str.replace(
        r"[¥,]", "", regex=True))
    cent = pytest.approx
    assert amount.sum() == cent(rec["naive_rows_amount"], abs=0.005)
    assert rec["naive_rows_amount"] > rec["clean_amount"]
    status = raw["status"].str.normalize("NFKC").str.strip().str.lower().map(STATUS)
    assert amount[status == "paid"].sum() == cent(rec["paid_status_amount"], abs=0.005)
    first = ~raw.duplicated("order_no")
    by_status = amount[first & (status == "paid")].sum()
    assert by_status == cent(rec["deduplicated_paid_status_amount"], abs=0.005)
    # a status filter alone keeps the test orders marked paid
    assert by_status - rec["clean_amount"] == cent(rec["test_amount_marked_paid"], abs=0.005)
    assert int((first & (status == "paid")).sum()) - len(clean) == rec["test_orders_marked_paid"]
    dup_paid = ~first & (status == "paid") & ~raw["buyer_ref"].isin(staff_keys(tables))
    assert amount[dup_paid].sum() == cent(rec["duplicate_revenue"], abs=0.005)
    assert int(dup_paid.sum()) == rec["duplicate_rows_of_paid_orders"]


def test_buyers_are_found_in_their_source(world):
    tables = world["tables"]
    raw = tables["raw_orders"].merge(_links(tables, "raw_orders").drop_duplicates("key"),
                                     left_on="order_no", right_on="key")
    for source, name in SOURCE_TABLE.items():
        rows = raw[raw["source"] == source]
        lk = tables[name].merge(_links(tables, name), left_on=KEY[name], right_on="key")
        owner = lk.set_index(KEY[name])["user_id"]
        assert rows["buyer_ref"].isin(owner.index).all(), source
        got = owner.loc[rows["buyer_ref"]].fillna(0).to_numpy(dtype=np.int64)
        assert (got == rows["user_id"].fillna(0).to_numpy(dtype=np.int64)).all(), source
    assert set(tables["raw_pos_members"]["store_id"]) <= set(tables["stores"]["store_id"])
    # nobody orders before signing up
    mine = raw[raw["user_id"].notna()]
    created = pd.to_datetime(mine["created_at"].str.replace("/", "-").str.replace(
        "T", " ").str.rstrip("Z"))
    utc = mine["source"].astype(str).eq("mini_program")
    created = created.where(~utc, created + pd.Timedelta(hours=8))
    signup = tables["users"].set_index("user_id").loc[mine["user_id"].astype(int),
                                                      "signup_time"]
    assert (created.to_numpy() >= signup.to_numpy()).all()
    # the till keys in orders during store hours only
    till = pd.to_datetime(raw.loc[raw["source"] == "pos", "created_at"], format="%Y/%m/%d %H:%M:%S")
    assert len(till) and till.dt.hour.between(10, 21).all()


def _clusters(values: list[np.ndarray]) -> np.ndarray:
    n = len(values[0])
    src, dst = [], []
    for v in values:  # join every record to the first record with its value
        codes = pd.factorize(pd.Series(v, dtype=object))[0]
        have = np.flatnonzero(codes >= 0)
        first = pd.Series(have).groupby(codes[have]).transform("min").to_numpy()
        src.append(have)
        dst.append(first)
    src, dst = np.concatenate(src), np.concatenate(dst)
    graph = coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def test_stitching_in_the_truth_is_what_the_records_give(world):
    tables, st = world["tables"], world["truth"]["raw"]["stitching"]
    parts = []
    for name in IDENTITY:
        f = tables[name].drop_duplicates(KEY[name])
        f = f.merge(_links(tables, name).drop_duplicates("key"), left_on=KEY[name],
                    right_on="key")
        f = f[f["user_id"].notna()]
        parts.append(pd.DataFrame(dict(
            user_id=f["user_id"].astype(int).to_numpy(),
            phone=f["phone"].to_numpy() if "phone" in f else pd.NA,
            unionid=f["unionid"].to_numpy() if "unionid" in f else pd.NA,
            kind=f["phone_kind"].astype(str).to_numpy())))
    r = pd.concat(parts, ignore_index=True).astype({"phone": "string", "unionid": "string"})
    assert st["records"] == len(r) and st["true_people"] == r["user_id"].nunique()
    levels = {"exact_phone": [r["phone"]], "normalised_phone": [_digits(r["phone"])],
              "normalised_phone_and_unionid": [_digits(r["phone"]), r["unionid"]]}
    found = []
    for level, keys in levels.items():
        label = _clusters([k.astype(object).where(k.notna(), None).to_numpy() for k in keys])
        assert st[level]["clusters"] == label.max() + 1, level
        people = pd.Series(r["user_id"]).groupby(label).nunique()
        assert st[level]["clusters_with_two_or_more_people"] == int((people > 1).sum()), level
        # every false merge goes through a card that carries a shared phone
        shared = set(label[r["kind"].isin(["family", "store"]).to_numpy()])
        assert set(people.index[people > 1]) <= shared, level
        found.append(label.max() + 1)
    assert found[0] > found[1] > found[2] > st["also_phones_in_wecom_remarks"]["clusters"]
    assert st["also_phones_in_wecom_remarks"]["clusters"] > st["true_people"]


# ---------------------------------------------------------------- a world in shards


def test_a_world_in_shards_keeps_keys_unique_and_reconciles(tmp_path):
    write_world(tmp_path, users=1_200, seed=11, shard_users=600)
    tables = {n: coursekit.load(n, world=tmp_path)  # keys checked by load
              for n in ["users", "orders", "stores", *RAW_TABLES]}
    users = tables["users"]
    assert tables["raw_links"]["user_id"].dropna().isin(users["user_id"]).all()
    orders = tables["orders"]
    assert tables["raw_links"]["order_id"].dropna().isin(orders["order_id"]).all()
    # the second shard writes its region code into its record numbers
    acc = tables["raw_app_accounts"]["account_id"]
    assert acc.str.fullmatch(r"A\d{8}").any() and acc.str.fullmatch(r"A[0-9A-Z]{7}\d{8}").any()
    mine = clean_orders(tables["raw_orders"], staff_keys(tables))
    clean = quarter_orders(orders)
    assert len(mine) == len(clean)
    assert round(mine["amount"].sum(), 2) == round(clean["amount"].sum(), 2)
    lk = _links(tables, "raw_orders")
    users_of = orders.set_index("order_id")["user_id"]
    paid = lk[lk["order_id"].notna()]
    assert (users_of.loc[paid["order_id"].astype(int)].to_numpy()
            == paid["user_id"].to_numpy()).all()
