"""Data governance: from raw channel exports to one protected view of each person.

A company's data starts as raw exports, one per touchpoint (app accounts,
mini-program users, till-system members, WeCom contacts, order exports),
each with its own keys, spellings and mistakes. Before any of the course's
analytics can run, the data must be cleaned, the records of one person
joined, and personal information protected (数据治理):

1. **Cleaning** (:mod:`~coursekit.governance.cleaning`): :func:`cleaning_report`
   lists what is wrong with a table (checks derived from its column contract
   in :mod:`coursekit.schema`); the normalisers :func:`normalise_phone`,
   :func:`normalise_text`, :func:`normalise_city`, :func:`normalise_status`,
   :func:`parse_amount` and :func:`parse_time` fix one kind of value each and
   report what they did
   (:class:`Normalised`); :func:`deduplicate` keeps one row per key and lists
   the repeats (:class:`Deduplicated`).
2. **Identity** (:mod:`~coursekit.governance.identity`):
   :func:`identity_records` stacks the touchpoints' exports into one table of
   records and their identifiers (phones normalised, phones typed in remarks);
   :func:`shared_identifiers` lists the values held under several names (a
   store's or a relative's phone); :func:`stitch` links records sharing a
   phone or a unionid into people (connected components, transitive across
   sources) and says what each rule added (:class:`Stitched`);
   :func:`match_quality` scores the result against a known truth by pairwise
   precision and recall (:class:`MatchQuality`), and :func:`rule_scores` does
   so for a ladder of rules, one rule added at a time.
3. **Privacy** (:mod:`~coursekit.governance.privacy`): :func:`pseudonymise`
   (keyed HMAC tokens), :func:`mask_phone` and :func:`mask_text`,
   :func:`k_anonymity` (:class:`KAnonymity`) with :func:`generalise_age`,
   :func:`generalise_time` and :func:`suppress` (:class:`Suppressed`), and
   :class:`AccessPolicy` (which role sees which column, in which form).

Every function takes a column (a Series, list or array) or a plain
DataFrame, checks it at the door and raises
:class:`~coursekit.errors.DataError` or :class:`~coursekit.errors.ArgumentError`
with what to do; none of them drops a row or guesses a value silently.

Examples
--------
>>> import pandas as pd
>>> from coursekit import governance
>>> app = pd.DataFrame({"account_id": ["A1", "A2"], "phone": ["13812345678", "13900001111"]})
>>> pos = pd.DataFrame({"member_no": ["M7"], "phone": ["+86 138-1234-5678"]})
>>> records = pd.concat([app.assign(source="app").rename(columns={"account_id": "key"}),
...                      pos.assign(source="pos").rename(columns={"member_no": "key"})],
...                     ignore_index=True)
>>> records["phone"] = governance.normalise_phone(records["phone"]).values
>>> governance.stitch(records, ["phone"]).people["person_id"].tolist()
[1, 2, 1]
"""

from __future__ import annotations

from coursekit.governance.cleaning import (
    CHECKS,
    CITIES,
    Deduplicated,
    Normalised,
    cleaning_report,
    contract_labels,
    deduplicate,
    normalise_city,
    normalise_phone,
    normalise_status,
    normalise_text,
    parse_amount,
    parse_time,
)
from coursekit.governance.identity import (
    MatchQuality,
    Stitched,
    identity_records,
    match_quality,
    rule_scores,
    shared_identifiers,
    stitch,
)
from coursekit.governance.privacy import (
    AccessPolicy,
    KAnonymity,
    Suppressed,
    generalise_age,
    generalise_time,
    k_anonymity,
    mask_phone,
    mask_text,
    pseudonymise,
    suppress,
)

__all__ = [
    "CHECKS",
    "CITIES",
    "cleaning_report",
    "contract_labels",
    "normalise_phone",
    "normalise_text",
    "normalise_city",
    "normalise_status",
    "parse_amount",
    "parse_time",
    "Normalised",
    "deduplicate",
    "Deduplicated",
    "identity_records",
    "shared_identifiers",
    "stitch",
    "Stitched",
    "match_quality",
    "MatchQuality",
    "rule_scores",
    "pseudonymise",
    "mask_phone",
    "mask_text",
    "k_anonymity",
    "KAnonymity",
    "suppress",
    "Suppressed",
    "generalise_age",
    "generalise_time",
    "AccessPolicy",
]
