"""The one declaration of every bronze table: columns, types, keys, partitioning, descriptions.

The generator writes these schemas, the tests check against them, and the dbt
sources (`dbt/models/staging/_bronze__sources.yml`) are rendered from them by
`python -m creatorlake.bronze.schemas`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import yaml
from pyspark.sql import types as T

MONEY = T.DecimalType(18, 2)
CPM = T.DecimalType(10, 4)


@dataclass(frozen=True)
class Column:
    name: str
    dtype: T.DataType
    description: str
    nullable: bool = True
    # The contract rules ingestion checks files against (the generator guarantees them).
    enum: tuple[str, ...] = ()
    # True: never negative; a SQL condition: never negative on the rows it holds for.
    non_negative: bool | str = False
    references: str | None = None  # "<table>.<column>" this foreign key resolves to
    not_before: str | None = None  # "<table>.<column>" of the referenced parent this timestamp may not precede
    date_of: str | None = None  # a partition date derived from this timestamp column, not read from files
    # A non-null column a file may leave out; ingestion lands the declared default ('' for strings).
    optional_in_files: bool = False

    @property
    def required(self) -> bool:
        return not self.nullable and not self.optional_in_files and self.date_of is None


@dataclass(frozen=True)
class BronzeTable:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    partition_by: str | None = None
    # Event-like tables grow by appended days; entity tables change by merge.
    kind: str = "entity"
    # Money identities each row satisfies to the cent: (column, trusted SQL expression it equals).
    reconciles: tuple[tuple[str, str], ...] = ()
    # A batch lands every day, so its newest `_ingested_at` says how fresh bronze is (dbt source
    # freshness watches it). Other tables land only the rows that changed: a quiet day lands none.
    lands_daily: bool = False

    @property
    def schema(self) -> T.StructType:
        return T.StructType([T.StructField(c.name, c.dtype, c.nullable) for c in (*self.columns, *LINEAGE)])

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.schema.fields]


def _cols(*specs: tuple) -> tuple[Column, ...]:
    """(name, dtype, description[, nullable][, {rules}]) -> Columns; rules are Column's keyword fields."""
    out = []
    for name, dtype, description, *rest in specs:
        rules = rest.pop() if rest and isinstance(rest[-1], dict) else {}
        out.append(Column(name, dtype, description, rest[0] if rest else True, **rules))
    return tuple(out)


LINEAGE = (
    Column("_ingested_at", T.TimestampType(), "When the row landed in bronze (UTC).", False),
    Column("_batch_id", T.StringType(), "The load that wrote the row: seed, generated window and batch.", False),
)

S, I, L, B, TS, D, DBL = T.StringType(), T.IntegerType(), T.LongType(), T.BooleanType(), T.TimestampType(), T.DateType(), T.DoubleType()

CREATORS = BronzeTable(
    name="creators",
    description="Creators on the platform: podcasters who also run paid memberships.",
    key=("creator_id",),
    columns=_cols(
        ("creator_id", S, "Unique creator identifier, e.g. cr_0001.", False),
        ("creator_name", S, "Public display name of the creator."),
        ("email", S, "Creator's contact email (PII: hashed before silver)."),
        ("category", S, "Primary content category (comedy, news, true_crime, ...)."),
        ("subcategory", S, "Content subcategory within the category."),
        ("country_code", S, "ISO 3166-1 alpha-2 country of the creator."),
        ("currency_code", S, "Preferred payout currency (USD, EUR, GBP, ...)."),
        ("plan_type", S, "Platform plan: lite, pro or premium (sets the platform fee).", {"enum": ("lite", "pro", "premium")}),
        ("is_nsfw", B, "Whether the content is age-restricted."),
        ("is_verified", B, "Whether the creator is verified."),
        ("created_at", TS, "Account creation time (UTC)."),
        ("first_pledge_received_at", TS, "Time of the first pledge the creator received, null if none."),
        ("last_post_at", TS, "Time of the creator's most recent post, null if none."),
        ("status", S, "Account status: active, paused, suspended or deleted.", {"enum": ("active", "paused", "suspended", "deleted")}),
        ("creator_tier", S, "Size tier by audience: emerging, established or star.", {"enum": ("emerging", "established", "star")}),
        ("join_date", D, "Date the creator joined the podcast program (UTC)."),
        ("comments_enabled_at", TS, "When the creator turned on Podcast Comments, null if never (staggered rollout)."),
        ("analytics_enabled_at", TS, "When the creator first opened Creator Analytics, null if never."),
        ("updated_at", TS, "When the row last changed (UTC): the time of its latest change; snapshots version the row by it."),
    ),
)

SHOWS = BronzeTable(
    name="shows",
    description="Podcast shows; each belongs to one creator.",
    key=("show_id",),
    columns=_cols(
        ("show_id", S, "Unique show identifier.", False),
        ("creator_id", S, "Creator who owns the show.", False, {"references": "creators.creator_id"}),
        ("show_name", S, "Title of the show."),
        ("category", S, "Show category (usually the creator's)."),
        ("language", S, "ISO 639-1 language of the show."),
        ("created_at", TS, "When the show was created (UTC)."),
    ),
)

EPISODES = BronzeTable(
    name="episodes",
    description="Podcast episodes published on shows.",
    key=("episode_id",),
    columns=_cols(
        ("episode_id", S, "Unique episode identifier.", False),
        ("show_id", S, "Show the episode belongs to.", False, {"references": "shows.show_id"}),
        ("creator_id", S, "Creator of the show.", False, {"references": "creators.creator_id"}),
        ("title", S, "Episode title."),
        ("publish_ts", TS, "When the episode was published (UTC)."),
        ("duration_s", I, "Episode length in seconds.", {"non_negative": True}),
        ("access_level", S, "public or patron_only."),
        ("comments_enabled", B, "Whether Podcast Comments were on for this episode at publish time."),
    ),
)

LISTENERS = BronzeTable(
    name="listeners",
    description="Listeners of the podcast app.",
    key=("listener_id",),
    columns=_cols(
        ("listener_id", S, "Unique listener identifier.", False),
        ("region", S, "Region of the listener's country (NA, EU, LATAM, APAC, ...)."),
        ("country_code", S, "ISO 3166-1 alpha-2 country of the listener."),
        ("signup_ts", TS, "When the listener signed up (UTC)."),
        ("platform", S, "Main client platform: ios, android, web or desktop."),
    ),
)

PATRONS = BronzeTable(
    name="patrons",
    description="Patrons: listeners who pay creators through memberships.",
    key=("patron_id",),
    columns=_cols(
        ("patron_id", S, "Unique patron identifier, e.g. pa_00001.", False),
        ("patron_name", S, "Patron's display name (PII: never passes bronze)."),
        ("email", S, "Patron's email (PII: hashed before silver)."),
        ("country_code", S, "ISO 3166-1 alpha-2 country of the patron."),
        ("created_at", TS, "Patron account creation time (UTC)."),
        ("first_pledge_at", TS, "Time of the patron's first pledge."),
        ("lifetime_spend_usd", MONEY, "Total succeeded spend of the patron so far.", {"non_negative": True}),
        ("status", S, "Account status: active, inactive or deleted.", {"enum": ("active", "inactive", "deleted")}),
        ("listener_id", S, "The listener account of this patron.", False, {"optional_in_files": True}),
    ),
)

TIERS = BronzeTable(
    name="tiers",
    description="Membership tiers a creator offers.",
    key=("tier_id",),
    columns=_cols(
        ("tier_id", S, "Unique tier identifier, e.g. ti_00001.", False),
        ("creator_id", S, "Creator offering the tier.", False, {"references": "creators.creator_id"}),
        ("tier_name", S, "Tier name, e.g. Supporter, Plus, VIP."),
        ("tier_rank", I, "Rank within the creator's tiers (1 = cheapest).", {"non_negative": True}),
        ("price_usd", MONEY, "Monthly price of the tier.", {"non_negative": True}),
        ("description", S, "Benefits of the tier."),
        ("is_active", B, "Whether the tier can still be joined."),
        ("created_at", TS, "When the tier was created (UTC)."),
        ("archived_at", TS, "When the tier was archived, null while active."),
        ("updated_at", TS, "When the row last changed (UTC): the time of its latest change; snapshots version the row by it."),
    ),
)

PLEDGES = BronzeTable(
    name="pledges",
    description="Pledges: a patron's membership of one creator's tier.",
    key=("pledge_id",),
    columns=_cols(
        ("pledge_id", S, "Unique pledge identifier, e.g. pl_000001.", False),
        ("patron_id", S, "Pledging patron.", False, {"references": "patrons.patron_id"}),
        ("creator_id", S, "Creator pledged to.", False, {"references": "creators.creator_id"}),
        ("tier_id", S, "Tier pledged to.", False, {"references": "tiers.tier_id"}),
        ("pledge_amount_usd", MONEY, "Monthly pledge amount.", {"non_negative": True}),
        ("pledge_status", S, "active, paused, churned or declined.", {"enum": ("active", "paused", "churned", "declined")}),
        ("is_first_pledge", B, "Whether this is the patron's first pledge to any creator."),
        ("started_at", TS, "When the pledge started (UTC).", {"not_before": "creators.created_at"}),
        ("ended_at", TS, "When the pledge ended (churned), null otherwise."),
        ("pause_started_at", TS, "When the pledge was paused, null otherwise."),
        ("churn_reason", S, "Why the pledge ended: voluntary, payment_failed, ..."),
        ("updated_at", TS, "When the row last changed (UTC): the time of its latest change; snapshots version the row by it."),
    ),
)

TRANSACTIONS = BronzeTable(
    name="transactions",
    description="Payments for pledges, with refunds and chargebacks as negative amounts.",
    key=("transaction_id",),
    partition_by="transaction_date",
    kind="event",
    lands_daily=True,
    reconciles=(("gross_amount_usd", "platform_fee_usd + processing_fee_usd + net_amount_usd"),),
    columns=_cols(
        ("transaction_id", S, "Unique transaction identifier, e.g. tx_0000001.", False),
        ("pledge_id", S, "Pledge paid for.", False, {"references": "pledges.pledge_id"}),
        ("patron_id", S, "Paying patron.", False, {"references": "patrons.patron_id"}),
        ("creator_id", S, "Creator paid.", False, {"references": "creators.creator_id"}),
        ("transaction_type", S, "pledge_payment, refund or chargeback.", {"enum": ("pledge_payment", "refund", "chargeback")}),
        ("transaction_status", S, "pending, succeeded, failed or refunded.", {"enum": ("pending", "succeeded", "failed", "refunded")}),
        ("gross_amount_usd", MONEY, "Amount charged; negative for refunds and chargebacks.", {"non_negative": "transaction_type = 'pledge_payment'"}),
        ("platform_fee_usd", MONEY, "Platform's fee (by plan: lite 5%, pro 8%, premium 12%).", {"non_negative": "transaction_type = 'pledge_payment'"}),
        ("processing_fee_usd", MONEY, "Payment processor's fee.", {"non_negative": "transaction_type = 'pledge_payment'"}),
        ("net_amount_usd", MONEY, "Creator's share: gross - platform fee - processing fee."),
        ("payment_method", S, "card or paypal.", {"enum": ("card", "paypal")}),
        ("failure_reason", S, "Why a failed payment failed, null otherwise."),
        ("transaction_at", TS, "When the transaction happened (UTC).", {"not_before": "pledges.started_at"}),
        ("transaction_date", D, "UTC date of transaction_at (partition column).", {"date_of": "transaction_at"}),
    ),
)

POSTS = BronzeTable(
    name="posts",
    description="Membership posts published by creators.",
    key=("post_id",),
    columns=_cols(
        ("post_id", S, "Unique post identifier, e.g. po_00001.", False),
        ("creator_id", S, "Publishing creator.", False, {"references": "creators.creator_id"}),
        ("title", S, "Post title."),
        ("post_type", S, "article, image or video.", {"enum": ("article", "image", "video")}),
        ("access_level", S, "public, patron_only or tier_specific.", {"enum": ("public", "patron_only", "tier_specific")}),
        ("minimum_tier_id", S, "Lowest tier that may see a tier_specific post.", {"references": "tiers.tier_id"}),
        ("published_at", TS, "When the post was published (UTC)."),
        ("is_pinned", B, "Whether the post is pinned to the creator's page."),
    ),
)

ENGAGEMENT_EVENTS = BronzeTable(
    name="engagement_events",
    description="Patron interactions with membership posts.",
    key=("event_id",),
    partition_by="event_date",
    kind="event",
    columns=_cols(
        ("event_id", S, "Unique engagement event identifier, e.g. ev_0000001.", False),
        ("patron_id", S, "Engaging patron.", False, {"references": "patrons.patron_id"}),
        ("creator_id", S, "Creator of the post.", False, {"references": "creators.creator_id"}),
        ("post_id", S, "Post engaged with.", False, {"references": "posts.post_id"}),
        ("event_type", S, "view, like, unlike, comment or share.", {"enum": ("view", "like", "unlike", "comment", "share")}),
        ("event_at", TS, "When it happened (UTC).", {"not_before": "posts.published_at"}),
        ("event_date", D, "UTC date of event_at (partition column).", {"date_of": "event_at"}),
    ),
)

EVENTS = BronzeTable(
    name="events",
    description="Podcast app events: listens, follows, comments (with their moderation verdict), shares, reports, analytics views, creator logins.",
    key=("event_id",),
    partition_by="event_date",
    kind="event",
    lands_daily=True,
    columns=_cols(
        ("event_id", S, "Unique event identifier.", False),
        ("event_ts", TS, "When the event happened (UTC).", {"not_before": "episodes.publish_ts"}),
        ("event_type", S, "listen, follow, comment, share, report (negative feedback on the episode), analytics_view or creator_login.",
         {"enum": ("listen", "follow", "comment", "share", "report", "analytics_view", "creator_login")}),
        ("listener_id", S, "Listener who acted; null for creator-side events.", {"references": "listeners.listener_id"}),
        ("creator_id", S, "Creator concerned.", False, {"references": "creators.creator_id"}),
        ("show_id", S, "Show concerned, null for creator-side events."),
        ("episode_id", S, "Episode concerned, null where none.", {"references": "episodes.episode_id"}),
        ("listened_s", I, "Seconds listened (listen events), else null.", {"non_negative": True}),
        ("is_spam", B, "Comment events: whether the comment was flagged as spam; null on other events."),
        ("is_removed", B, "Comment events: whether moderation removed the comment; null on other events."),
        ("event_date", D, "UTC date of event_ts (partition column).", {"date_of": "event_ts"}),
    ),
)

AD_IMPRESSIONS = BronzeTable(
    name="ad_impressions",
    description="Daily ad delivery per episode: one row per episode per day with listens.",
    key=("ad_date", "episode_id"),
    partition_by="ad_date",
    kind="event",
    lands_daily=True,
    reconciles=(("revenue_usd", "round(filled_impressions * cpm_used / 1000, 2)"),),
    columns=_cols(
        ("ad_ts", TS, "Time the day's ad batch was recorded (UTC).", False),
        ("ad_date", D, "UTC date of delivery (partition column).", False),
        ("episode_id", S, "Episode the ads ran in.", False, {"references": "episodes.episode_id"}),
        ("show_id", S, "Show of the episode.", False),
        ("creator_id", S, "Creator of the show.", False),
        ("impressions", L, "Ad opportunities (slots) in the day's listens.", {"non_negative": True}),
        ("filled_impressions", L, "Opportunities filled with a paid ad (<= impressions).", {"non_negative": True}),
        ("cpm_used", CPM, "Price per 1,000 filled impressions, creator's share, USD.", {"non_negative": True}),
        ("revenue_usd", MONEY, "Creator's ad revenue: filled_impressions * cpm_used / 1000, to the cent.", {"non_negative": True}),
    ),
)

PARTNER_PROGRAM = BronzeTable(
    name="partner_program",
    description="Partner program lifecycle: eligible -> applied -> approved -> active -> payout, or rejected.",
    key=("creator_id", "status", "lifecycle_ts"),
    kind="event",
    columns=_cols(
        ("lifecycle_ts", TS, "When the creator reached the status (UTC).", False),
        ("creator_id", S, "Creator in the program.", False, {"references": "creators.creator_id"}),
        ("status", S, "eligible, applied, approved, active, payout or rejected.", False, {"enum": ("eligible", "applied", "approved", "active", "payout", "rejected")}),
        ("reason", S, "Why an application was rejected; null otherwise."),
        ("payout_usd", MONEY, "Amount paid on a payout row; null otherwise.", {"non_negative": True}),
    ),
)

TABLES: tuple[BronzeTable, ...] = (
    CREATORS, SHOWS, EPISODES, LISTENERS, PATRONS, TIERS, PLEDGES,
    TRANSACTIONS, POSTS, ENGAGEMENT_EVENTS, EVENTS, AD_IMPRESSIONS, PARTNER_PROGRAM,
)
BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> BronzeTable:
    return BY_NAME[name]


def _sql_type(dtype: T.DataType) -> str:
    return dtype.simpleString()


def dbt_sources_yaml(tables: Iterable[BronzeTable] = TABLES) -> str:
    """Render the dbt sources file from this declaration (checked in; a test keeps it in step)."""
    source = {
        "name": "bronze",
        "description": "Raw platform tables landed as Delta by the generator (creatorlake generate).",
        "schema": "{{ var('bronze_schema') }}",
        "loaded_at_field": "_ingested_at",
        # A daily batch lands at 02:00 UTC: a day and a half without one is late, three days an error.
        "freshness": {
            "warn_after": {"count": 36, "period": "hour"},
            "error_after": {"count": 72, "period": "hour"},
        },
        "tables": [],
    }
    for t in tables:
        entry = {
            "name": t.name,
            "description": t.description,
            "meta": {"key": list(t.key), "kind": t.kind, "partition_by": t.partition_by, "lands_daily": t.lands_daily},
            "columns": [
                {"name": c.name, "description": c.description, "data_type": _sql_type(c.dtype)}
                for c in (*t.columns, *LINEAGE)
            ],
        }
        if not t.lands_daily:
            entry["freshness"] = None  # no batch on a quiet day is not staleness
        source["tables"].append(entry)
    header = "# Rendered from src/creatorlake/bronze/schemas.py by `python -m creatorlake.bronze.schemas`; do not edit by hand.\n"
    return header + yaml.safe_dump({"version": 2, "sources": [source]}, sort_keys=False, width=120)


if __name__ == "__main__":
    print(dbt_sources_yaml(), end="")
