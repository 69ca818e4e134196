"""Tags: rules over user features, their coverage, one user's profile and TGI."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError

__all__ = ["TAG_KINDS", "Tag", "TagEngine", "coverage", "profile", "tgi", "default_tags"]


#: The four kinds of tags: who, when / where, why, what / how.
TAG_KINDS = ("descriptive", "scenario", "attitudinal", "behavioural")


@dataclass(frozen=True)
class Tag:
    """One rule-based tag.

    Parameters
    ----------
    name
        Short unique name, e.g. ``"repeat_buyer"``.
    kind
        One of :data:`TAG_KINDS`: ``"descriptive"`` (who the user is:
        city, age, device), ``"scenario"`` (when and where they use the
        product: weekends, late at night, inside WeChat), ``"attitudinal"``
        (why they buy: price, quality, gifts, liking the brand) or
        ``"behavioural"`` (what they do and how: orders, spend, recency).
    rule
        A function of the per-user feature table (one row per user)
        returning a boolean Series on the same index (or a boolean array of
        the same length): True where the user has the tag.
    description
        What the tag means, for people (the Chinese name may go here).

    Examples
    --------
    >>> repeat = Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2,
    ...              "复购: two orders or more")
    >>> repeat.kind
    'behavioural'
    """

    name: str
    kind: str
    rule: Callable[[pd.DataFrame], pd.Series | np.ndarray]
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise DataError(f"a tag needs a non-empty name, got {self.name!r}",
                            table="tags", column="name", fix="e.g. Tag('repeat_buyer', ...)")
        if self.kind not in TAG_KINDS:
            raise DataError(
                f"tag {self.name!r}: unknown kind {self.kind!r}",
                table="tags",
                column="kind",
                fix=f"use one of {list(TAG_KINDS)}",
            )
        if not callable(self.rule):
            raise DataError(f"tag {self.name!r}: rule must be a function of the features",
                            table="tags", column="rule",
                            fix="e.g. rule=lambda f: f['orders'] >= 2")


class TagEngine:
    """Applies a list of :class:`Tag` rules to a per-user feature table.

    Parameters
    ----------
    tags
        The tags; names must be unique.

    Examples
    --------
    >>> import pandas as pd
    >>> features = pd.DataFrame({"orders": [0, 1, 3], "city_tier": ["1", "3", "1"]},
    ...                         index=pd.Index([10, 11, 12], name="user_id"))
    >>> engine = TagEngine([
    ...     Tag("tier1_city", "descriptive", lambda f: f["city_tier"] == "1"),
    ...     Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2)])
    >>> engine.apply(features)  # doctest: +NORMALIZE_WHITESPACE
             tier1_city  repeat_buyer
    user_id
    10             True         False
    11            False         False
    12             True          True
    """

    def __init__(self, tags: Iterable[Tag]) -> None:
        tags = tuple(tags)
        if not tags:
            raise DataError("no tags given", table="tags", fix="e.g. TagEngine(default_tags())")
        for t in tags:
            if not isinstance(t, Tag):
                raise DataError(f"expected Tag objects, got {type(t).__name__}", table="tags",
                                fix="e.g. TagEngine([Tag('big', 'behavioural', rule)])")
        names = [t.name for t in tags]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise DataError(f"tag names must be unique; repeated: {dup}", table="tags",
                            column="name", fix="rename or drop the repeated tags")
        self.tags = tags

    def __repr__(self) -> str:
        return f"TagEngine({len(self.tags)} tags: {', '.join(t.name for t in self.tags)})"

    def catalog(self) -> pd.DataFrame:
        """The tags as a table: name (index), kind, description."""
        return pd.DataFrame(
            {"kind": [t.kind for t in self.tags],
             "description": [t.description for t in self.tags]},
            index=pd.Index([t.name for t in self.tags], name="tag"),
        )

    def apply(self, features: pd.DataFrame) -> pd.DataFrame:
        """Evaluate every tag on ``features``.

        Returns
        -------
        pandas.DataFrame
            Users (the index of ``features``) x tags, booleans. Each tag's
            kind and description are in :meth:`catalog` (pass it to
            :func:`coverage`, :func:`profile` and :func:`tgi`).

        Raises
        ------
        DataError
            ``features`` not a non-empty table with unique ids; a rule that
            needs a column the features lack (named), or returns something
            other than one boolean per user.
        """
        if not isinstance(features, pd.DataFrame):
            raise DataError(f"expected a DataFrame of features, got {type(features).__name__}",
                            table="features", fix="e.g. user_features(users, orders, events)")
        if len(features) == 0:
            raise DataError("the table is empty", table="features",
                            fix="check the filter that made the features")
        if not features.index.is_unique:
            raise DataError("users appear more than once", table="features",
                            rows=features[features.index.duplicated()].head(5),
                            fix="one row per user")
        out = {}
        for t in self.tags:
            try:
                value = t.rule(features)
            except KeyError as err:
                missing = err.args[0] if err.args else "?"
                raise DataError(
                    f"tag {t.name!r} needs column {missing!r}, which the features lack",
                    table="features",
                    column=str(missing),
                    fix="add the column to the features, or drop the tag",
                ) from None
            out[t.name] = self._boolean(t, value, features.index)
        return pd.DataFrame(out, index=features.index)

    @staticmethod
    def _boolean(tag: Tag, value: object, index: pd.Index) -> np.ndarray:
        if isinstance(value, pd.Series):
            if not value.index.equals(index):
                raise DataError(f"tag {tag.name!r}: the rule returned a Series on another index",
                                table="features", column=tag.name,
                                fix="return a Series computed from the features' own columns")
            if value.isna().any():
                raise DataError(
                    f"tag {tag.name!r}: the rule returned missing values",
                    table="features",
                    column=tag.name,
                    rows=value[value.isna()].head(5).to_frame(),
                    fix="decide what a missing feature means, e.g. (...).fillna(False)",
                )
            value = value.to_numpy()
        arr = np.asarray(value)
        if arr.shape != (len(index),) or arr.dtype != bool:
            raise DataError(
                f"tag {tag.name!r}: the rule must return one boolean per user, got "
                f"{arr.dtype} of shape {arr.shape}",
                table="features",
                column=tag.name,
                fix="compare columns, e.g. lambda f: f['orders'] >= 2",
            )
        return arr


def _tag_frame(tag_frame: object) -> pd.DataFrame:
    if not isinstance(tag_frame, pd.DataFrame):
        raise DataError(f"expected the table of TagEngine.apply, got {type(tag_frame).__name__}",
                        table="tag_frame", fix="pass engine.apply(features)")
    if tag_frame.shape[0] == 0 or tag_frame.shape[1] == 0:
        raise DataError("the tag table is empty", table="tag_frame",
                        fix="check the features the tags were applied to (and their filter)")
    bad = [c for c in tag_frame.columns if not pd.api.types.is_bool_dtype(tag_frame[c].dtype)]
    if bad:
        raise DataError("tag columns must be booleans", table="tag_frame", column=bad,
                        fix="use the table made by TagEngine.apply")
    unknown = [c for c in tag_frame.columns if tag_frame[c].hasnans]  # nullable booleans
    if unknown:
        raise DataError("missing values in tag columns: a user has a tag or not", table="tag_frame",
                        column=unknown, rows=tag_frame.loc[tag_frame[unknown].isna().any(axis=1),
                                                           unknown].head(5),
                        fix="fill them, e.g. tag_frame.fillna(False) when unknown means no")
    return tag_frame


def _catalog(catalog: object, tag_frame: pd.DataFrame) -> pd.DataFrame | None:
    """The tags' kind and description (``TagEngine.catalog()``), checked; None if not given."""
    if catalog is None:
        return None
    if not isinstance(catalog, pd.DataFrame) or not {"kind", "description"} <= set(
            catalog.columns):
        raise ArgumentError("catalog must be the table of TagEngine.catalog()",
                            name="catalog", fix="pass catalog=engine.catalog()")
    missing = [c for c in tag_frame.columns if c not in catalog.index]
    if missing:
        raise ArgumentError(f"tags missing from the catalog: {missing[:5]}", name="catalog",
                            fix="use the catalog of the engine that made the tag table")
    return catalog.loc[list(tag_frame.columns), ["kind", "description"]]


def _with_kind(out: pd.DataFrame, catalog: pd.DataFrame | None) -> pd.DataFrame:
    if catalog is None:
        return out
    return pd.concat([catalog[["kind"]].set_axis(out.index), out], axis=1)


def coverage(tag_frame: pd.DataFrame, *, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many users carry each tag, and what share of all users that is.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply`.
    catalog
        :meth:`TagEngine.catalog`, to add each tag's ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per tag (index ``tag``): [``kind``,] ``users`` (with the tag)
        and ``coverage`` (users / all users, 0-1). The share of users with at
        least one tag is ``tag_frame.any(axis=1).mean()``.

    Examples
    --------
    >>> import pandas as pd
    >>> tags = pd.DataFrame({"a": [True, True, False, False], "b": [False, True, False, False]})
    >>> cov = coverage(tags)
    >>> cov[["users", "coverage"]].to_numpy().tolist()
    [[2.0, 0.5], [1.0, 0.25]]
    """
    tf = _tag_frame(tag_frame)
    values = tf.to_numpy(dtype=bool)
    users = values.sum(axis=0)
    out = pd.DataFrame({"users": users, "coverage": users / len(tf)},
                       index=pd.Index(tf.columns, name="tag"))
    return _with_kind(out, _catalog(catalog, tf))


def profile(tag_frame: pd.DataFrame, user_id: object, *,
            catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """One user's tags (用户画像), grouped by kind.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply`.
    user_id
        The user, a label of ``tag_frame``'s index.
    catalog
        :meth:`TagEngine.catalog`, for each tag's ``kind`` and ``description``.

    Returns
    -------
    pandas.DataFrame
        The tags the user has (index ``tag``), with ``kind`` and
        ``description`` when ``catalog`` is given, ordered by kind
        (:data:`TAG_KINDS` order) then as in the tag table; no rows when the
        user has no tag.

    Raises
    ------
    DataError
        The user is not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> engine = TagEngine([Tag("big", "behavioural", lambda f: f["spend"] > 100, "spends"),
    ...                     Tag("young", "descriptive", lambda f: f["age"] < 25, "under 25")])
    >>> tags = engine.apply(pd.DataFrame({"spend": [500, 20], "age": [22, 40]}, index=[7, 8]))
    >>> profile(tags, 7, catalog=engine.catalog())  # doctest: +NORMALIZE_WHITESPACE
                  kind description
    tag
    young  descriptive    under 25
    big    behavioural      spends
    """
    tf = _tag_frame(tag_frame)
    if user_id not in tf.index:
        raise DataError(f"user {user_id!r} is not in the tag table", table="tag_frame",
                        column=tf.index.name or "index",
                        fix="pass an id of the table's index")
    row = tf.loc[user_id]
    if isinstance(row, pd.DataFrame):
        raise DataError(f"user {user_id!r} appears more than once", table="tag_frame",
                        column=tf.index.name or "index",
                        fix="one row per user: build the features once per user")
    cat = _catalog(catalog, tf)
    has = [c for c in tf.columns if bool(row[c])]
    if cat is None:
        return pd.DataFrame(index=pd.Index(has, name="tag", dtype=object))
    kinds = [cat.loc[c, "kind"] for c in has]
    order = {k: i for i, k in enumerate(TAG_KINDS)}
    pos = sorted(range(len(has)), key=lambda i: (order.get(kinds[i], len(order)), i))
    return pd.DataFrame(
        {"kind": [kinds[i] for i in pos],
         "description": [cat.loc[has[i], "description"] for i in pos]},
        index=pd.Index([has[i] for i in pos], name="tag", dtype=object),
    )


def tgi(tag_frame: pd.DataFrame, target: pd.Series | np.ndarray, *,
        catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """TGI (target group index) of every tag for a target group against all users.

    .. math:: \\mathrm{TGI} = \\frac{\\text{share of the target group with the tag}}
              {\\text{share of all users with the tag}} \\times 100

    100 means the tag is as common in the target group as among all users;
    above 100 it is over-represented (a TGI of 150: half as common again),
    below 100 under-represented. A TGI resting on a handful of users is
    noise: read it with the counts beside it.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply` (all users).
    target
        Who is in the target group: a boolean Series indexed by user (every
        user of ``tag_frame`` must be in it) or a boolean array in the order
        of ``tag_frame``'s rows.
    catalog
        :meth:`TagEngine.catalog`, to add each tag's ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per tag (index ``tag``): [``kind``,] ``target_users`` (target
        users with the tag), ``target_share`` (of the target group),
        ``all_users``, ``all_share`` (of all users) and ``tgi`` (NaN when no
        user has the tag).

    Raises
    ------
    DataError
        A target that is not boolean, does not cover the users, or is empty.

    Examples
    --------
    Ten users, four in the target group; tag ``a`` is held by 3 of the 4
    targets and by 5 of the 10 users: TGI = (3/4) / (5/10) x 100 = 150.

    >>> import pandas as pd
    >>> tags = pd.DataFrame({"a": [True, True, True, False] + [True, True] + [False] * 4})
    >>> target = pd.Series([True] * 4 + [False] * 6)
    >>> out = tgi(tags, target)
    >>> out[["target_users", "target_share", "all_users", "all_share", "tgi"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
         target_users  target_share  all_users  all_share    tgi
    tag
    a               3          0.75          5        0.5  150.0
    """
    tf = _tag_frame(tag_frame)
    if isinstance(target, pd.Series):
        if not pd.api.types.is_bool_dtype(target.dtype) or target.isna().any():
            raise DataError("the target must be booleans without missing values",
                            table="target", column=target.name or "target",
                            fix="e.g. target = rfm_table['segment'] == '重要价值客户'")
        aligned = target.reindex(tf.index)
        if aligned.isna().any() or not target.index.is_unique:
            missing = tf.index[aligned.isna().to_numpy()]
            raise DataError(
                f"{len(missing):,} user(s) of the tag table are not in the target "
                "(or the target repeats users)",
                table="target",
                column=target.name or "target",
                rows=pd.DataFrame({"user": missing[:5]}),
                fix="build the target on the same users, e.g. "
                "target.reindex(tag_frame.index, fill_value=False)",
            )
        mask = aligned.to_numpy(dtype=bool)
    else:
        mask = np.asarray(target)
        if mask.dtype != bool or mask.shape != (len(tf),):
            raise DataError(
                f"the target must be {len(tf)} booleans, got {mask.dtype} of shape {mask.shape}",
                table="target", column="target",
                fix="pass a Series of True/False indexed like the tag table",
            )
    n_target = int(mask.sum())
    if n_target == 0:
        raise DataError("the target group is empty", table="target", column="target",
                        fix="check the condition that selects the target group")
    values = tf.to_numpy(dtype=bool)
    t_users = values[mask].sum(axis=0)
    a_users = values.sum(axis=0)
    t_share = t_users / n_target
    a_share = a_users / len(tf)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(a_users > 0, t_share / a_share * 100, np.nan)
    out = pd.DataFrame(
        {"target_users": t_users, "target_share": t_share,
         "all_users": a_users, "all_share": a_share, "tgi": index},
        index=pd.Index(tf.columns, name="tag"),
    )
    return _with_kind(out, _catalog(catalog, tf))


def default_tags() -> list[Tag]:
    """Seventeen tags over the columns of :func:`user_features`, in the four kinds.

    Thresholds written as percentiles (top 10 % of spend, top quarter of
    order value) are taken among the buyers of the feature table given, so
    they adapt to the world and the date; the others are fixed. Shares of
    sessions need at least three sessions, so that one visit does not make
    a habit.

    Examples
    --------
    >>> tags = default_tags()
    >>> len(tags), sorted({t.kind for t in tags})
    (17, ['attitudinal', 'behavioural', 'descriptive', 'scenario'])
    """

    def eq(col: str, value: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: (f[col].astype(object) == value).fillna(False).astype(bool)

    def top(col: str, q: float) -> Callable[[pd.DataFrame], pd.Series]:
        def rule(f: pd.DataFrame) -> pd.Series:
            buyers = f.loc[f["orders"] > 0, col]
            if buyers.empty:
                return pd.Series(False, index=f.index)
            return (f["orders"] > 0) & (f[col] >= buyers.quantile(q))
        return rule

    def habit(col: str, share: float) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: (f["sessions"] >= 3) & (f[col].fillna(0) >= share)

    return [
        Tag("tier1_city", "descriptive", eq("city_tier", "1"), "一线城市: lives in a tier-1 city"),
        Tag("gen_z", "descriptive", eq("age_band", "18-24"), "Z世代: aged 18-24"),
        Tag("female", "descriptive", eq("gender", "female"), "女性: female"),
        Tag("referred", "descriptive", eq("channel", "referral"),
            "老带新: came through a friend's invitation"),
        Tag("weekend_shopper", "scenario", habit("weekend_share", 0.5),
            "周末用户: half or more of their sessions on Saturday or Sunday (3+ sessions)"),
        Tag("night_owl", "scenario", habit("late_night_share", 0.4),
            "夜猫子: 40% or more of their sessions start between 22:00 and 06:00 (3+ sessions)"),
        Tag("wechat_native", "scenario", eq("device", "mini_program"),
            "小程序用户: uses the shop inside WeChat"),
        Tag("deal_seeker", "attitudinal", lambda f: f["coupon_orders"].fillna(0) >= 1,
            "价格敏感: used a campaign coupon at least once"),
        Tag("premium_taste", "attitudinal", top("avg_order_value", 0.75),
            "品质型: average order value in the top quarter of buyers"),
        Tag("gifter", "attitudinal", eq("favourite_category", "gift_box"),
            "送礼型: spends most on gift boxes"),
        Tag("advocate", "attitudinal", lambda f: (f["shares"] + f["invites"]) >= 2,
            "品牌拥护者: shared or invited friends twice or more"),
        Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2,
            "复购用户: two orders or more"),
        Tag("big_spender", "behavioural", top("spend", 0.9),
            "高消费: total spend in the top 10% of buyers"),
        Tag("recent_buyer", "behavioural", lambda f: f["recency_days"].fillna(np.inf) <= 30,
            "近期购买: ordered in the last 30 days"),
        Tag("lapsing_buyer", "behavioural",
            lambda f: (f["orders"] > 0) & (f["recency_days"].fillna(0) > 90),
            "沉睡风险: bought before, but not in the last 90 days"),
        Tag("browser_not_buyer", "behavioural",
            lambda f: (f["sessions"] >= 3) & (f["orders"] == 0),
            "只逛不买: three sessions or more, never ordered"),
        Tag("cart_abandoner", "behavioural", lambda f: (f["carts"] >= 1) & (f["orders"] == 0),
            "加购未买: added to cart, never ordered"),
    ]
