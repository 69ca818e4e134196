"""Privacy: pseudonyms, masks, k-anonymity and who may see which column.

Personal information (个人信息) in the course's raw exports: phones, names,
WeChat ids, the adviser's notes. China's Personal Information Protection Law
(个人信息保护法, PIPL, 2021) distinguishes *de-identified* data (去标识化: a person
cannot be identified without extra information kept apart, such as a key),
which is still personal information, from *anonymised* data (匿名化: no person
can be identified and the process cannot be reversed), which is not (PIPL
art. 4 and 73; the GDPR draws the same line between pseudonymised and
anonymous data, art. 4(5) and recital 26). The tools here:

- :func:`pseudonymise`: a keyed hash (HMAC-SHA-256) of an identifier: the same
  value gives the same token, so tables still join, but without the secret
  the token cannot be traced back (de-identification);
- :func:`mask_phone` and :func:`mask_text`: what a service screen shows
  (``138****5678``, ``张**``);
- :func:`k_anonymity`: how identifiable the rows of a table still are through
  quasi-identifiers (age band, city, gender) even with no name in it,
  :func:`generalise_age` / :func:`generalise_time` to coarsen them and
  :func:`suppress` to leave out the rows still in too small a group;
- :class:`AccessPolicy`: which role sees which columns, masked or
  pseudonymised (the principle of least privilege).

References
----------
.. [1] Krawczyk, H., Bellare, M. and Canetti, R. (1997). HMAC: keyed-hashing
   for message authentication. RFC 2104.
.. [2] Sweeney, L. (2002). k-anonymity: a model for protecting privacy.
   *International Journal of Uncertainty, Fuzziness and Knowledge-Based
   Systems* 10(5), 557-570.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._periods import PERIODS
from coursekit._periods import freq as _freq
from coursekit._values import times as _times
from coursekit.errors import ArgumentError, DataError
from coursekit.governance._shared import (
    as_text,
    column_names,
    frame,
    label,
    mask,
    positive_int,
    present,
    series,
)
from coursekit.governance.cleaning import normalise_phone

__all__ = [
    "AccessPolicy",
    "KAnonymity",
    "Suppressed",
    "generalise_age",
    "generalise_time",
    "k_anonymity",
    "mask_phone",
    "mask_text",
    "pseudonymise",
    "suppress",
]


# --------------------------------------------------------------------------- pseudonyms


def _secret(secret: object) -> bytes:
    if isinstance(secret, str) and secret:
        return secret.encode("utf-8")
    if isinstance(secret, bytes) and secret:
        return secret
    raise ArgumentError("the secret must be non-empty text or bytes", name="secret",
                        value="<hidden>" if isinstance(secret, str | bytes) else secret,
                        fix="keep a long random secret apart from the data, e.g. "
                        "secrets.token_hex(32), and pass it here")


def pseudonymise(values: object, secret: str | bytes, *, length: int = 16) -> pd.Series:
    """Replace identifiers by stable tokens: the first ``length`` hex digits of
    HMAC-SHA-256(secret, value).

    The same value and secret always give the same token, so tables
    pseudonymised with one secret still join on the token; another secret
    gives unrelated tokens. Without the secret a token cannot be traced back.

    Why not a plain hash such as SHA-256(phone)? Because the space of phones
    is small enough to enumerate: mainland mobile numbers are 11 digits
    starting 13-19, about 7 billion candidates, and one graphics card computes
    billions of SHA-256 hashes a second, so anyone can hash every possible
    phone and look each token up. HMAC (RFC 2104) mixes a secret key into the
    hash: the enumeration needs the key. Keep the key apart from the data
    (whoever holds both can re-identify: the result is de-identified, still
    personal information, not anonymous).

    Values are hashed as they are written (UTF-8 text; whole numbers as their
    digits): normalise first (:func:`~coursekit.governance.normalise_phone`),
    or ``"138-1234-5678"`` and ``"13812345678"`` get two tokens.

    Parameters
    ----------
    values
        A column of identifiers (text or whole numbers); missing stays missing.
    secret
        The key: non-empty text (UTF-8) or bytes.
    length
        Hex digits kept, 8 to 64. The default 16 (64 bits) makes a collision
        among 10 million distinct values about a 1 in 300,000 event (birthday
        bound :math:`n^2 / 2^{65}`).

    Returns
    -------
    pandas.Series
        Tokens (``string`` dtype), on the input's index.

    Raises
    ------
    ArgumentError
        An empty or non-text secret, a bad ``length``.
    DataError
        Values that are neither text nor whole numbers.

    Examples
    --------
    >>> tokens = pseudonymise(["13812345678", "13812345678", None], "course-secret")
    >>> tokens.tolist()
    ['257e72343c1fe694', '257e72343c1fe694', <NA>]
    >>> import hashlib, hmac
    >>> hmac.new(b"course-secret", b"13812345678", hashlib.sha256).hexdigest()[:16]
    '257e72343c1fe694'
    """
    key = _secret(secret)
    length = positive_int(length, "length", low=8)
    if length > 64:
        raise ArgumentError("SHA-256 has 64 hex digits", name="length", value=length,
                            allowed="8 to 64")
    s = series(values)
    text = as_text(s, "identifiers")
    codes, uniq = pd.factorize(text.astype(object).to_numpy(), use_na_sentinel=True)
    # one HMAC per distinct value: hashing has no vectorised form in numpy
    tokens = np.array([hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:length]
                       for v in uniq], dtype=object)
    out = np.where(codes >= 0, tokens[np.maximum(codes, 0)] if len(uniq) else None, None)
    return pd.Series(out, index=s.index, name=s.name, dtype="string")


# --------------------------------------------------------------------------- masks


def mask_phone(values: object) -> pd.Series:
    """Show a phone as its first 3 and last 4 digits: ``138****5678``.

    Each value is first normalised (:func:`~coursekit.governance.normalise_phone`:
    any spelling of a mainland mobile number); a value that is not a valid
    phone comes out missing, not half-masked (it could be something else
    entirely, shown in full).

    Parameters
    ----------
    values
        A column of phone numbers.

    Returns
    -------
    pandas.Series
        ``string`` dtype, on the input's index.

    Examples
    --------
    >>> mask_phone(["13812345678", "+86 139-0000-1111", "12345", None]).tolist()
    ['138****5678', '139****1111', <NA>, <NA>]
    """
    phones = normalise_phone(values).values
    return phones.str[:3] + "****" + phones.str[-4:]


def mask_text(values: object) -> pd.Series:
    """Mask personal text: phones as ``138****5678``, anything else as its first
    character and one ``*`` per other character (``张三丰`` -> ``张**``).

    A name keeps its surname, which a service agent needs to greet the
    customer (张女士) and little more. A value that is a valid phone in any
    spelling gets the phone mask; text that merely holds a phone (an
    adviser's note ``"李 13812345678"``) is masked as text, so the phone goes.
    Text is NFKC-normalised and trimmed first.

    Parameters
    ----------
    values
        A column of text (names, notes, phones).

    Returns
    -------
    pandas.Series
        ``string`` dtype, on the input's index; missing and blank values missing.

    Examples
    --------
    >>> mask_text(["张三丰", "Li Lei", "138-1234-5678", "李 13812345678", "王", None]).tolist()
    ['张**', 'L*****', '138****5678', '李************', '*', <NA>]
    """
    s = series(values)
    text = as_text(s, "text").str.normalize("NFKC").str.strip()
    text = text.mask(mask(text == ""))
    phones = mask_phone(s)
    size = text.str.len().fillna(0).astype("int64")
    stars = pd.Series("*", index=s.index, dtype="string").str.repeat(
        (size - 1).clip(lower=0).tolist())
    masked = (text.str[:1] + stars).where(mask(size != 1), "*").mask(mask(text.isna()))
    return pd.Series(phones.where(mask(phones.notna()), masked), index=s.index, name=s.name,
                     dtype="string")


# --------------------------------------------------------------------------- k-anonymity


@dataclass(frozen=True)
class KAnonymity:
    """The result of :func:`k_anonymity`.

    Attributes
    ----------
    k
        The size of the smallest equivalence class: the table is k-anonymous for
        this k (every row shares its quasi-identifiers with at least k - 1 others).
    k_target
        The k the table should reach.
    classes
        Number of equivalence classes (distinct combinations of quasi-identifiers).
    rows
        Rows of the table.
    rows_below
        Rows in classes smaller than ``k_target`` (the rows at risk).
    share_below
        ``rows_below / rows``.
    small_classes
        The classes smaller than ``k_target``: the quasi-identifier columns and
        ``size``, smallest first.
    """

    k: int
    k_target: int
    classes: int
    rows: int
    rows_below: int
    share_below: float
    small_classes: pd.DataFrame


def k_anonymity(df: pd.DataFrame, quasi_identifiers: str | Sequence[str], *,
                k_target: int = 5) -> KAnonymity:
    """How identifiable the rows of a table are through their quasi-identifiers.

    A quasi-identifier is a column that does not name anyone but, combined
    with others, can single a person out (Sweeney 2002 found that ZIP code,
    birth date and sex identify most Americans). Rows with the same values of
    all the quasi-identifiers form an *equivalence class*; a table is
    k-anonymous when every class holds at least k rows, so that anyone who
    knows a person's quasi-identifiers can narrow them down to no fewer than k
    rows. ``k`` here is the size of the smallest class; the rows in classes
    below ``k_target`` are the ones to generalise (age to bands, dates to
    months, cities to tiers) or suppress before sharing the table.

    k-anonymity protects against re-identification, not against learning a
    shared attribute: if every row of a class has the same sensitive value,
    knowing someone is in the class reveals it.

    Parameters
    ----------
    df
        The table to be shared.
    quasi_identifiers
        Column(s) an outsider could know about a person. A missing value is a
        value of its own.
    k_target
        The k to reach (at least 2).

    Returns
    -------
    KAnonymity

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"age_band": ["18-24"] * 4 + ["25-30"] * 3 + ["41+"],
    ...                       "city_tier": ["1", "1", "1", "2", "2", "2", "2", "4+"]})
    >>> r = k_anonymity(users, ["age_band", "city_tier"], k_target=3)
    >>> r.k, r.classes, r.rows_below, r.share_below
    (1, 4, 2, 0.25)
    >>> r.small_classes
      age_band city_tier  size
    0    18-24         2     1
    1      41+        4+     1
    """
    table = "table"
    frame(df, table)
    qis = column_names(quasi_identifiers, "quasi_identifiers")
    present(df, table, qis, "quasi_identifiers")
    k_target = positive_int(k_target, "k_target", low=2)
    try:
        sizes = df.groupby(qis, sort=True, dropna=False, observed=True).size()
    except TypeError as err:
        raise DataError("quasi-identifier cells that cannot be grouped (lists, dicts, or "
                        "numbers mixed with text)", table=table, column=qis,
                        rows=df[qis].head(5), fix="make each column one type") from err
    sizes = sizes.rename("size").reset_index()
    small = sizes[sizes["size"] < k_target].sort_values("size", kind="stable")
    rows_below = int(small["size"].sum())
    n = len(df)
    return KAnonymity(int(sizes["size"].min()), k_target, int(len(sizes)), n, rows_below,
                      rows_below / n, small.reset_index(drop=True))


@dataclass(frozen=True)
class Suppressed:
    """The result of :func:`suppress`.

    Attributes
    ----------
    kept
        The rows of the classes of at least ``k_target`` rows, in the input's
        order, index kept: the table to share.
    dropped
        The rows left out (classes smaller than ``k_target``), in the input's
        order, index kept.
    share_dropped
        ``len(dropped) / rows``: what the sharing costs.
    k
        The k of ``kept`` (its smallest class; at least ``k_target``), 0 when
        every row was dropped.
    """

    kept: pd.DataFrame
    dropped: pd.DataFrame
    share_dropped: float
    k: int


def suppress(df: pd.DataFrame, quasi_identifiers: str | Sequence[str], *,
             k_target: int = 5) -> Suppressed:
    """Leave out the rows of the equivalence classes smaller than ``k_target``.

    Suppression is generalisation's companion in reaching k-anonymity
    (Sweeney 2002): generalise the quasi-identifiers (:func:`generalise_age`,
    :func:`generalise_time`) until few rows remain in small classes, then
    suppress those rows instead of coarsening every row further. A class
    is kept or left out whole, so every class left has at least
    ``k_target`` rows: the rows kept are k-anonymous for ``k_target``.
    Check :attr:`Suppressed.share_dropped` before sharing: suppressing a
    large share biases the table (the rare combinations go first).

    Parameters
    ----------
    df
        The table to be shared.
    quasi_identifiers
        Column(s) an outsider could know about a person; a missing value is a
        value of its own (as in :func:`k_anonymity`).
    k_target
        The least class size to keep (at least 2).

    Returns
    -------
    Suppressed
        ``kept``, ``dropped``, ``share_dropped`` and the ``k`` of ``kept``.

    Raises
    ------
    DataError
        ``df`` is not a table with rows, lacks a quasi-identifier, or holds
        cells that cannot be grouped.
    ArgumentError
        Bad column names or ``k_target``.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"age_band": ["18-24"] * 4 + ["25-30"] * 3 + ["41+"],
    ...                       "city_tier": ["1", "1", "1", "2", "2", "2", "2", "4+"]})
    >>> out = suppress(users, ["age_band", "city_tier"], k_target=3)
    >>> out.dropped.index.tolist(), out.share_dropped, out.k
    ([3, 7], 0.25, 3)
    >>> k_anonymity(out.kept, ["age_band", "city_tier"], k_target=3).rows_below
    0
    """
    table = "table"
    frame(df, table)
    qis = column_names(quasi_identifiers, "quasi_identifiers")
    present(df, table, qis, "quasi_identifiers")
    k_target = positive_int(k_target, "k_target", low=2)
    try:
        cls = df.groupby(qis, sort=False, dropna=False, observed=True).ngroup().to_numpy()
    except TypeError as err:
        raise DataError("quasi-identifier cells that cannot be grouped (lists, dicts, or "
                        "numbers mixed with text)", table=table, column=qis,
                        rows=df[qis].head(5), fix="make each column one type") from err
    sizes = np.bincount(cls)
    keep = sizes[cls] >= k_target
    kept_sizes = sizes[sizes >= k_target]
    return Suppressed(df[keep].copy(), df[~keep].copy(), float((~keep).sum() / len(df)),
                      int(kept_sizes.min()) if len(kept_sizes) else 0)


def generalise_age(values: object, *, edges: Sequence[int] = (18, 25, 31, 36, 41)) -> pd.Series:
    """Ages to bands: with the default edges the course's ``18-24``, ``25-30``,
    ``31-35``, ``36-40``, ``41+`` (and ``<18`` below the first edge).

    A band runs from one edge up to, not including, the next: 24.9 is in
    ``18-24``, 25 in ``25-30``.

    Parameters
    ----------
    values
        Ages in years (numbers, not negative; missing stays missing).
    edges
        Increasing whole numbers, the first age of each band.

    Returns
    -------
    pandas.Series
        An ordered categorical of the band labels, on the input's index.

    Examples
    --------
    >>> generalise_age([17, 18, 24.9, 25, 40, 41, 70, None]).tolist()
    ['<18', '18-24', '18-24', '25-30', '36-40', '41+', '41+', nan]
    """
    cuts = list(edges) if isinstance(edges, Sequence) and not isinstance(edges, str) else None
    if not cuts or not all(isinstance(e, int | np.integer) and not isinstance(e, bool)
                           and e >= 0 for e in cuts) or any(
            b <= a for a, b in zip(cuts, cuts[1:], strict=False)):
        raise ArgumentError("edges must be increasing whole numbers of at least 0",
                            name="edges", value=edges, fix="e.g. edges=(18, 25, 31, 36, 41)")
    s = series(values)
    name = label(s, "age")
    ages = _ages(s, name)
    names = ([f"<{cuts[0]}"] if cuts[0] > 0 else []) + [
        f"{a}-{b - 1}" for a, b in zip(cuts, cuts[1:], strict=False)] + [f"{cuts[-1]}+"]
    bins = ([-math.inf] if cuts[0] > 0 else []) + [float(c) for c in cuts] + [math.inf]
    bands = pd.cut(ages, bins=bins, labels=names, right=False, ordered=True)
    return pd.Series(bands, index=s.index, name=s.name)


def _ages(s: pd.Series, name: str) -> np.ndarray:
    numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
    flags = pd.api.types.is_bool_dtype(s.dtype) or (
        pd.api.types.is_object_dtype(s.dtype)
        and bool(s.map(lambda v: isinstance(v, bool | np.bool_)).any()))
    if flags:
        raise DataError("expected ages as numbers, found True/False", column=name,
                        rows=s.head(5).to_frame(), fix="pass the column of ages")
    if not numeric:
        converted = pd.to_numeric(s, errors="coerce") if not pd.api.types.is_bool_dtype(
            s.dtype) else None
        if converted is None or (converted.isna() & s.notna()).any():
            raise DataError("expected ages as numbers", column=name,
                            rows=s.head(5).to_frame(),
                            fix="convert with pd.to_numeric(col) after cleaning the text")
        s = converted
    ages = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isinf(ages) | (ages < 0)
    if bad.any():
        raise DataError("ages must be finite and not negative", column=name,
                        rows=s[bad].head(5).to_frame(), fix="fix or drop the rows shown")
    return ages


def generalise_time(values: object, *, per: str = "M") -> pd.Series:
    """Times to the first moment of their period: a date of birth or of a visit to
    its month (or week, quarter, year), a common generalisation before sharing.

    Parameters
    ----------
    values
        Naive times (datetimes, or text written year first).
    per
        ``"D"``, ``"W"`` (Monday to Sunday), ``"M"``, ``"Q"`` or ``"Y"``.

    Returns
    -------
    pandas.Series
        ``datetime64[ns]``: midnight of the period's first day (NaT where missing).

    Examples
    --------
    >>> out = generalise_time(["2025-10-03 14:22:05", "2025-12-31", None], per="M")
    >>> out.dt.strftime("%Y-%m-%d").tolist()
    ['2025-10-01', '2025-12-01', nan]
    >>> str(generalise_time(["2025-10-03"], per="W")[0].date())  # Friday -> its Monday
    '2025-09-29'
    """
    code = _freq(per)
    s = series(values)
    name = label(s, "values")
    t = _times(s.rename(name).to_frame(), name, name, nullable=True)
    start = t.dt.to_period(PERIODS[code]).dt.start_time.astype("datetime64[ns]")
    return pd.Series(start.to_numpy(), index=s.index, name=s.name)


# --------------------------------------------------------------------------- access


_TREATMENTS = ("mask", "pseudonymise")


class AccessPolicy:
    """Which role may see which columns, and in what form.

    Each role lists the columns it may see (``columns``), and among them the
    ones it sees masked (``mask``: :func:`mask_text`, so phones as
    ``138****5678`` and names as ``张**``) or pseudonymised (``pseudonymise``:
    :func:`pseudonymise` tokens, which still join across tables). Every other
    column is hidden: a role sees only what its work needs (least privilege).

    Parameters
    ----------
    roles
        ``{role: {"columns": [...], "mask": [...], "pseudonymise": [...]}}``;
        ``mask`` and ``pseudonymise`` are optional, subsets of ``columns``, and
        do not overlap.

    Raises
    ------
    ArgumentError
        A role spec that is not of that form.

    Examples
    --------
    >>> import pandas as pd
    >>> members = pd.DataFrame({"member_no": ["M1", "M2"], "name": ["张三", "李四"],
    ...                         "phone": ["13812345678", "13900001111"],
    ...                         "city": ["北京", "上海"]})
    >>> policy = AccessPolicy({
    ...     "store_staff": {"columns": ["member_no", "name", "phone"],
    ...                     "mask": ["name", "phone"]},
    ...     "analyst": {"columns": ["member_no", "city"], "pseudonymise": ["member_no"]}})
    >>> policy.apply(members, "store_staff")
      member_no name        phone
    0        M1   张*  138****5678
    1        M2   李*  139****1111
    >>> policy.apply(members, "analyst", secret="s3cret")["city"].tolist()
    ['北京', '上海']
    >>> policy.describe()  # doctest: +NORMALIZE_WHITESPACE
              store_staff       analyst
    column
    member_no        show  pseudonymise
    name             mask        hidden
    phone            mask        hidden
    city           hidden          show
    """

    def __init__(self, roles: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        if not isinstance(roles, Mapping) or not roles:
            raise ArgumentError("roles must map role names to their column lists",
                                name="roles", value=roles,
                                fix="e.g. {'analyst': {'columns': ['user_id', 'city']}}")
        parsed: dict[str, dict[str, tuple[str, ...]]] = {}
        for role, spec in roles.items():
            if not isinstance(role, str) or not role:
                raise ArgumentError("role names must be non-empty text", name="roles",
                                    value=role)
            parsed[role] = _role(role, spec)
        self._roles = types.MappingProxyType(parsed)

    @property
    def roles(self) -> tuple[str, ...]:
        """The role names, in the order given."""
        return tuple(self._roles)

    def __repr__(self) -> str:
        return f"AccessPolicy(roles={list(self._roles)})"

    def apply(self, df: pd.DataFrame, role: str, *, secret: str | bytes | None = None
              ) -> pd.DataFrame:
        """The view of ``df`` a role may see: its columns only, masked and
        pseudonymised as the policy says.

        Parameters
        ----------
        df
            The full table.
        role
            One of :attr:`roles`.
        secret
            The key of :func:`pseudonymise`; needed when the role pseudonymises.

        Returns
        -------
        pandas.DataFrame
            The role's columns in the policy's order, on ``df``'s index (a copy).

        Raises
        ------
        ArgumentError
            An unknown role, or no ``secret`` for a role that needs one.
        DataError
            ``df`` lacks a column of the role.
        """
        if not isinstance(role, str) or role not in self._roles:
            raise ArgumentError("unknown role: nothing is shown to a role the policy does not "
                                "name", name="role", value=role,
                                allowed=", ".join(map(repr, self._roles)))
        spec = self._roles[role]
        if spec["pseudonymise"] and secret is None:
            raise ArgumentError(f"role {role!r} sees pseudonymised columns: pass the secret",
                                name="secret", fix="apply(df, role, secret=...)")
        frame(df, "table", allow_empty=True)
        present(df, "table", list(spec["columns"]), f"columns of role {role!r}")
        out = df[list(spec["columns"])].copy()
        for c in spec["mask"]:
            out[c] = mask_text(out[c])
        for c in spec["pseudonymise"]:
            out[c] = pseudonymise(out[c], secret)  # type: ignore[arg-type]
        return out

    def describe(self) -> pd.DataFrame:
        """The policy as a table: one row per column, one column per role, each cell
        ``show``, ``mask``, ``pseudonymise`` or ``hidden``.

        Returns
        -------
        pandas.DataFrame
            Index ``column`` (in order of first mention), a column per role.
        """
        names = list(dict.fromkeys(c for spec in self._roles.values() for c in spec["columns"]))
        table = pd.DataFrame("hidden", index=pd.Index(names, name="column"),
                             columns=list(self._roles), dtype=object)
        for role, spec in self._roles.items():
            table.loc[list(spec["columns"]), role] = "show"
            for how in _TREATMENTS:
                if spec[how]:
                    table.loc[list(spec[how]), role] = how
        return table


def _role(role: str, spec: object) -> dict[str, tuple[str, ...]]:
    where = f"roles[{role!r}]"
    if not isinstance(spec, Mapping) or "columns" not in spec:
        raise ArgumentError("a role needs a 'columns' list", name=where, value=spec,
                            fix="e.g. {'columns': ['user_id', 'city'], 'mask': []}")
    unknown = sorted(set(spec) - {"columns", *_TREATMENTS})
    if unknown:
        raise ArgumentError(f"unknown entries {unknown}", name=where,
                            allowed="'columns', 'mask', 'pseudonymise'")
    cols = tuple(column_names(spec["columns"], f"{where}['columns']"))
    out = {"columns": cols}
    for how in _TREATMENTS:
        listed = tuple(column_names(spec.get(how, []), f"{where}[{how!r}]", allow_empty=True))
        outside = [c for c in listed if c not in cols]
        if outside:
            raise ArgumentError(f"{how} names columns the role does not see: {outside}",
                                name=where, fix=f"add them to 'columns', or drop them from "
                                f"{how!r}")
        out[how] = listed
    both = set(out["mask"]) & set(out["pseudonymise"])
    if both:
        raise ArgumentError(f"columns both masked and pseudonymised: {sorted(both)}",
                            name=where, fix="choose one treatment per column")
    return out
