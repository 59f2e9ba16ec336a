"""The simulated world's knobs: every section of generator.yml but `defaults:`, one typed field each.

The file is the one place of their values (no field here has a default, except the planted
effects, where leaving one out means "no effect"); what each knob does is documented beside
it in the file and in the data model docs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Country:
    weight: float
    region: str
    currency: str
    language: str
    cpm: float                # ad CPM (USD, creator share)
    fill_rate: float


@dataclass(frozen=True)
class Category:
    weight: float
    cpm_mult: float
    ad_load: float            # ad slots per listen
    subcategories: tuple[str, ...]


@dataclass(frozen=True)
class Anchor:
    """A segment the first creators get whatever the seed, so the shipped incidents' segments exist."""

    country_code: str
    category: str


@dataclass(frozen=True)
class TierShares:
    star: float
    established: float


@dataclass(frozen=True)
class CreatorSettings:
    popularity_sigma: float
    tier_shares: TierShares
    countries: Mapping[str, Country]
    categories: Mapping[str, Category]
    anchors: tuple[Anchor, ...]
    plans: Mapping[str, float]
    plan_change_share: float
    status_change_share: Mapping[str, float]
    comments_adoption_share: float
    comments_rollout_days: float
    analytics_adoption_share: float
    nsfw_share: float


@dataclass(frozen=True)
class ListenerSettings:
    platforms: Mapping[str, float]
    audience_per_popularity: float


@dataclass(frozen=True)
class PodcastSettings:
    listens_per_creator_day: float
    weekday_factor: tuple[float, ...]     # Monday .. Sunday
    growth_sigma_per_year: float
    growth_mean_per_year: float
    daily_noise_sigma: float
    episode_decay_days: float
    episode_max_age_days: int
    cadences: Mapping[float, float]       # days between episodes -> weight
    patron_only_share: float
    duration_median_min: float
    return_listen_prob: float
    follow_prob: float
    comment_prob: float
    share_prob: float
    report_prob: float                    # a listen is followed by a report (negative feedback) without any spam
    login_prob: float
    analytics_views_per_day: float
    ad_noise_sigma: float
    cpm_noise_sigma: float


@dataclass(frozen=True)
class PartnerProgramSettings:
    eligible_share: float
    eligible_mean_days: float
    apply_prob: float
    approve_prob: float
    activate_prob: float
    rejection_reasons: Mapping[str, float]
    payout_per_popularity_usd: float


@dataclass(frozen=True)
class ProcessingFee:
    rate: float
    fixed: float


@dataclass(frozen=True)
class MembershipSettings:
    patrons_per_creator: float
    pledges_per_creator_day: float
    pledge_popularity_power: float
    tiers_per_creator: Mapping[int, float]
    tier_prices_usd: tuple[float, ...]
    tier_names: tuple[str, ...]
    tier_pick: tuple[float, ...]
    tier_archive_share: float
    monthly_churn: Mapping[str, float]     # creator tier -> monthly churn probability
    churn_reasons: Mapping[str, float]
    declined_share: float
    pause_share: float
    payment_failure_prob: float
    retry_success_prob: float
    failure_reasons: Mapping[str, float]
    payment_methods: Mapping[str, float]
    refund_prob: float
    chargeback_prob: float
    chargeback_fee_usd: float
    platform_fee: Mapping[str, float]      # plan -> fee rate
    processing_fee: Mapping[str, ProcessingFee]
    posts_per_creator_day: float
    post_types: Mapping[str, float]
    post_access: Mapping[str, float]
    engagement_per_patron_post: float
    engagement_types: Mapping[str, float]


@dataclass(frozen=True)
class ChangeSettings:
    """Entity updates from start_date on, which appended days land as changed rows. Each entity
    changes this way at most once, at a time drawn from its daily rate (0: never); the time does
    not depend on the window, so an append lands the same changes as a longer fresh run."""

    creator_tier_per_day: float        # a creator moves one size tier (emerging -> established -> star -> established)
    pledge_tier_per_day: float         # an active pledge moves to the next tier up (the top one down); its amount follows
    tier_price_per_day: float          # a tier not yet archived raises its price
    tier_price_increase: float         # by this share (new price rounded to the dollar, minus a cent)


@dataclass(frozen=True)
class CommentsEffects:
    return_listen_lift: float = 0.0
    follow_lift: float = 0.0
    # Comment spam: the spam probability of a comment is spam_share on the day its creator turns
    # Comments on, growing by spam_growth_per_week per week since then, up to spam_share_max.
    spam_share: float = 0.0
    spam_growth_per_week: float = 0.0
    spam_share_max: float = 1.0          # a ceiling, not an effect: no cap unless set
    # Moderation: the probability that a spam comment, and a comment that is not spam, is removed.
    spam_removal_prob: float = 0.0
    false_removal_prob: float = 0.0
    # Negative feedback: on an episode with comments, the report probability of a listen is
    # podcast.report_prob * (1 + report_lift_per_spam_share * the creator's spam probability that day).
    report_lift_per_spam_share: float = 0.0


@dataclass(frozen=True)
class AnalyticsEffects:
    weekly_growth_lift: float = 0.0


@dataclass(frozen=True)
class PartnerProgramEffects:
    ad_revenue_lift: float = 0.0


@dataclass(frozen=True)
class Confounding:
    engagement_drift_per_year: float = 0.0
    analytics_growth_weight: float = 0.0


@dataclass(frozen=True)
class Effects:
    """The planted truth; an effect left out is no effect."""

    comments: CommentsEffects = CommentsEffects()
    analytics: AnalyticsEffects = AnalyticsEffects()
    partner_program: PartnerProgramEffects = PartnerProgramEffects()
    confounding: Confounding = Confounding()


@dataclass(frozen=True)
class WorldSettings:
    history_days: float
    creators: CreatorSettings
    listeners: ListenerSettings
    podcast: PodcastSettings
    partner_program: PartnerProgramSettings
    membership: MembershipSettings
    changes: ChangeSettings
    effects: Effects = Effects()
