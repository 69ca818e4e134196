"""``datasets/README.md``: the company, how the data was made, the data dictionary.

The dictionary part is generated from :mod:`coursekit.schema`, so the README
and the column contracts cannot drift apart (a test checks it).
"""

from __future__ import annotations

from coursekit.schema import data_dictionary

INTRO = """\
# The course data

## The company: Qingmu (青木)

Qingmu is a fictional consumer brand of healthy snacks, tea and coffee (nuts,
dried fruit, tea, coffee, pastries, jerky, oats and festival gift boxes).
It sells online through its **app** and its **WeChat mini-program** store, runs
**offline stores** (24 in 12 cities in the default data; more in a larger
world) whose staff add shoppers to the brand's
**WeCom (企业微信) communities**, sells a **paid membership** (Qingmu Plus,
青木会员 Plus: 15 yuan a month or 128 yuan a year), publishes on four
**content accounts** (WeChat official account, Xiaohongshu, Douyin, Video
Account) and buys new users on **paid channels** (Douyin feed ads, Xiaohongshu
creators, search ads), besides organic sign-ups, referrals (老带新) and store
sign-ups. Its CRM writes to the users it can reach by **app push, SMS and
WeCom**, more often to some segments and before the big sales, and some readers
tire of it. The data covers two years, 2024-01-01 to 2025-12-31 (China time).

Every person and number in these tables is simulated: no real person is in
them. The behaviour comes from latent traits per user (purchase rate, dropout
chance, spend level, taste, willingness to share, and one of four hidden
personas: family stocker, gift giver, health-minded office worker, student
snacker), so the patterns of real businesses appear without being pasted in:
most buyers order once and never again, paid channels cost more per sign-up the
more is spent on them, coupons are also used on orders that would have come
anyway, and every order costs shipping, packaging and a payment fee
(`order_costs`). What produced the data, every
parameter and effect and three planted operational incidents, is in
`truth.json`; look at it only after your own analysis.

## Files

- one Parquet file per table (below), read with `coursekit.load("orders")`;
- among them the raw exports (`raw_*`): each touchpoint's own export for the
  same people (app accounts, mini-program users, store POS members, WeCom
  contacts, one quarter of orders), messy as delivered; `raw_links` is their
  truth (which record is whose, which order rows are bad), for checking a
  cleaning or a stitching, not an input of one;
- the case tables of the modules: module 1's (`cost_rates`, `gift_vouchers`,
  `group_buying`, `businesses`), module 2's (`market_adoption`,
  `brand_survey`, `survey_profiles`, `competitors`) and module 4's
  (`referral_experiment`, a randomised referral-programme test, and
  `creator_deals`, a creator programme's deals);
- `truth.json`: the parameters and effects behind the data;
- `state.parquet`: the simulator's state when the data ends, one row per user
  (whether they still buy, their latent rates, reach and recent messages). It
  is what simulating forward into 2026 starts from (the capstone's sandbox,
  `coursekit.world.read_state`), not a table for analysis: it holds what the
  company cannot see;
- `checksums.json`: size, seed, row counts and SHA-256 of every file;
  `coursekit.load` checks a file again whenever its size or modification
  time changes, and checks each table against its column contract;
- `cdnow/`: the real CDNOW transaction data with its source note.

The default data is made with `make data` (20,000 users, seed 2024). Any other
size or seed: `coursekit data generate --users 300000 --seed 7 --out DIR
[--format csv]`, then `coursekit.use_world(DIR)` or
`coursekit.setup(world=DIR)` in a notebook.

## Data dictionary

Times are China time without a time-zone suffix; money is in yuan (CNY) except
CDNOW (US dollars).

"""


def readme_text() -> str:
    """The full text of ``datasets/README.md``."""
    return INTRO + data_dictionary()
