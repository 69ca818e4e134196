"""Content performance by format, slot, topic and platform (coursekit.growth.content)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import content_effects

REFERENCES = {"format": "image_post", "slot": "noon", "topic": "promotion",
              "platform": "wechat_oa"}


def _posts(n: int = 3000, seed: int = 1, noise: float = 0.3) -> pd.DataFrame:
    """Reach = 1,000 x format x slot x lognormal noise: video 2x image, evening 1.5x noon."""
    rng = np.random.default_rng(seed)
    fmt = rng.choice(["image", "video", "article"], n)
    slot = rng.choice(["noon", "evening"], n, p=[0.6, 0.4])
    mean = (1000 * pd.Series(fmt).map({"image": 1.0, "video": 2.0, "article": 0.7})
            * pd.Series(slot).map({"noon": 1.0, "evening": 1.5})).to_numpy()
    return pd.DataFrame({"format": fmt, "slot": slot,
                         "impressions": rng.poisson(mean * rng.lognormal(0, noise, n)),
                         "publish_time": pd.Timestamp("2025-01-01")
                         + pd.to_timedelta(np.sort(rng.uniform(0, 365, n)), unit="D")})


def _truth_ratio(truth: dict, factor: str, level: str) -> float:
    table = truth["platform_reach"] if factor == "platform" else truth[factor]
    return table[level] / table[REFERENCES[factor]]


def test_exact_effects_are_recovered():
    posts = _posts()
    posts["impressions"] = (1000 * posts["format"].map({"image": 1, "video": 2, "article": 0.7})
                            * posts["slot"].map({"noon": 1, "evening": 1.5}))
    out = content_effects(posts, factors=["format", "slot"], trend=False,
                          reference={"format": "image", "slot": "noon"})
    assert out["effect"].tolist() == pytest.approx([0.7, 1.0, 2.0, 1.5, 1.0])
    assert out.loc[("format", "image"), "reference"] == "image"
    assert np.isnan(out.loc[("format", "image"), "effect_low"])


@pytest.mark.parametrize("model", ["log_ols", "poisson"])
def test_noisy_effects_are_in_their_intervals(model):
    out = content_effects(_posts(), factors=["format", "slot"], model=model,
                          reference={"format": "image", "slot": "noon"})
    for key, true in {("format", "video"): 2.0, ("format", "article"): 0.7,
                      ("slot", "evening"): 1.5}.items():
        row = out.loc[key]
        assert row["effect_low"] < true < row["effect_high"], key
        assert row["effect_low"] < row["effect"] < row["effect_high"]
        assert row["p_value"] < 1e-6


def test_the_default_reference_is_the_most_common_level():
    out = content_effects(_posts(), factors=["slot"], trend=False)
    assert set(out["reference"]) == {"noon"}
    assert out.loc[("slot", "noon"), "effect"] == 1.0
    assert out["posts"].sum() == 3000


def test_the_course_world_effects_match_the_truth(tables):
    """14 effects against the world's multipliers: with 95 % intervals about 13 should
    cover theirs by chance; ask for 12 (the chance of fewer is below 3 %)."""
    truth = coursekit.truth()["content_effects"]
    out = content_effects(tables["content_posts"], reference=REFERENCES)
    est = out.loc[out.index.get_level_values("level") != out["reference"]]
    assert len(est) == 14
    true = np.array([_truth_ratio(truth, f, lev) for f, lev in est.index])
    covered = (est["effect_low"] < true) & (true < est["effect_high"])
    assert covered.sum() >= 12, est.assign(truth=true)[~covered]
    # and every estimate is within 10 % of its truth
    assert np.abs(est["effect"] / true - 1).max() < 0.10


def test_a_raw_average_would_mislead(tables):
    """Short videos are never posted on WeChat (the smallest account): their raw mean
    mixes format and platform; the model separates them."""
    posts = tables["content_posts"]
    raw = posts.groupby("format", observed=True)["impressions"].mean()
    model = content_effects(posts, reference=REFERENCES).loc["format", "effect"]
    truth = coursekit.truth()["content_effects"]["format"]
    raw_ratio = raw["short_video"] / raw["image_post"]
    true_ratio = truth["short_video"] / truth["image_post"]
    assert abs(model["short_video"] - true_ratio) < abs(raw_ratio - true_ratio)


def test_bad_input_is_refused():
    posts = _posts(300)
    with pytest.raises(DataError, match="log"):
        content_effects(posts.assign(impressions=0), factors=["format"])
    assert content_effects(posts.assign(impressions=np.arange(300) % 3), factors=["format"],
                           model="poisson")["effect"].notna().all()
    with pytest.raises(DataError, match="negative"):
        content_effects(posts.assign(impressions=-1), factors=["format"])
    with pytest.raises(DataError, match="one level"):
        content_effects(posts.assign(slot="noon"), factors=["format", "slot"])
    with pytest.raises(DataError, match="told apart"):
        content_effects(posts.assign(copy=posts["format"]), factors=["format", "copy"])
    with pytest.raises(DataError, match="missing column"):
        content_effects(posts, factors=["format", "topic"])
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=["format"], reference={"format": "gif"})
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=["format"], reference={"slot": "noon"})
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=["format"], model="negbin")
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=[])
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=["format"], level=95)
    with pytest.raises(ArgumentError):
        content_effects(posts, factors=["format"], trend="no")
