"""A small handmade bronze lakehouse for the dbt tests, independent of the generator.

The dbt tests build on `tiny_bronze` (the generator's output) when the generator is
available; this module is the fallback and the development fixture: a few creators,
patrons, pledges with every status, fee-exact transactions (refunds, failures,
pending), posts and engagement, podcast listens, ads and a partner-program lifecycle.
Rows follow the invariants of METRICS.md section 2; a few keys are written twice
with an older `_ingested_at` so deduplication is exercised.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from creatorlake.bronze.schemas import TABLES

WINDOW_END = date(2026, 11, 15)
WINDOW_DAYS = 42
PLATFORM_FEE = {"lite": Decimal("0.05"), "pro": Decimal("0.08"), "premium": Decimal("0.12")}
CENT = Decimal("0.01")


def _money(x: Decimal | float) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _add_months(ts: datetime, n: int) -> datetime:
    month = ts.month - 1 + n
    year = ts.year + month // 12
    month = month % 12 + 1
    return ts.replace(year=year, month=month, day=min(ts.day, 28))


def build_rows(seed: int = 11) -> dict[str, list[dict]]:
    rnd = random.Random(seed)
    window_start = WINDOW_END - timedelta(days=WINDOW_DAYS - 1)
    window_start_ts = datetime.combine(window_start, datetime.min.time())
    end_ts = datetime.combine(WINDOW_END, datetime.min.time()) + timedelta(hours=23)
    batch = "handmade"
    # landed "now", so `dbt source freshness` sees fresh tables
    ingested = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    rows: dict[str, list[dict]] = {t.name: [] for t in TABLES}

    categories = ["comedy", "news", "true_crime", "education"]
    countries = ["US", "GB", "DE", "BR"]
    tiers_by_size = ["emerging", "established", "star"]
    plans = ["lite", "pro", "premium"]
    creators = []
    for i in range(1, 9):
        created = datetime(2024, 9, 1) + timedelta(days=rnd.randint(0, 600))
        if i == 8:  # a creator who joins inside the window and has no patrons
            created = window_start_ts + timedelta(days=5, hours=3)
        creator = dict(
            creator_id=f"cr_{i:04d}", creator_name=f"Creator Person {i}", email=f"creator{i}@example.com",
            category=categories[i % 4], subcategory="general", country_code=countries[(i // 2) % 4],
            currency_code="USD", plan_type=plans[i % 3], is_nsfw=False, is_verified=i % 2 == 0,
            created_at=created, first_pledge_received_at=None, last_post_at=None,
            status="active", creator_tier=tiers_by_size[i % 3], join_date=created.date(),
            comments_enabled_at=window_start_ts + timedelta(days=10) if i % 2 else None,
            analytics_enabled_at=created + timedelta(days=3) if i % 3 else None,
            _ingested_at=ingested, _batch_id=batch,
        )
        creators.append(creator)
    rows["creators"] = creators
    # An older, superseded version of one creator: dedup must keep the latest.
    rows["creators"].append({**creators[0], "creator_name": "Old Name", "_ingested_at": ingested - timedelta(days=3)})

    tiers = {}
    for c in creators:
        n = 1 + int(c["creator_id"][-1]) % 3
        tiers[c["creator_id"]] = []
        for rank in range(1, n + 1):
            t = dict(tier_id=f"ti_{c['creator_id'][-4:]}{rank}", creator_id=c["creator_id"], tier_name=["Supporter", "Plus", "VIP"][rank - 1],
                     tier_rank=rank, price_usd=_money([5, 10, 25][rank - 1]), description="benefits", is_active=True,
                     created_at=c["created_at"], archived_at=None, _ingested_at=ingested, _batch_id=batch)
            tiers[c["creator_id"]].append(t)
            rows["tiers"].append(t)

    listeners = []
    for i in range(1, 121):
        listeners.append(dict(listener_id=f"li_{i:05d}", region="NA", country_code=countries[i % 4],
                              signup_ts=datetime(2024, 1, 1) + timedelta(days=rnd.randint(0, 900)),
                              platform=["ios", "android", "web", "desktop"][i % 4], _ingested_at=ingested, _batch_id=batch))
    # keep every listener signed up before the window so listens never precede signup
    for li in listeners:
        li["signup_ts"] = min(li["signup_ts"], window_start_ts - timedelta(days=1))
    rows["listeners"] = listeners

    patrons = []
    for i in range(1, 31):
        patrons.append(dict(patron_id=f"pa_{i:05d}", patron_name=f"Patron Person {i}", email=f"patron{i}@example.org",
                            country_code=countries[i % 4], created_at=datetime(2024, 6, 1), first_pledge_at=None,
                            lifetime_spend_usd=_money(0), status="active", listener_id=listeners[i - 1]["listener_id"],
                            _ingested_at=ingested, _batch_id=batch))
    rows["patrons"] = patrons

    pledge_n = 0
    tx_n = 0
    membership_creators = creators[:7]
    for p in patrons:
        chosen = rnd.sample(membership_creators, rnd.randint(1, 3))
        for c in chosen:
            start = max(c["created_at"], datetime(2025, 1, 1)) + timedelta(days=rnd.randint(1, 500), hours=rnd.randint(0, 23))
            if start > end_ts - timedelta(days=2):
                start = end_ts - timedelta(days=rnd.randint(2, 30))
            segments = rnd.choice([["churned", "active"], ["churned"], ["active"], ["paused"], ["declined"], ["churned", "churned"]])
            cursor = start
            for status in segments:
                if cursor >= end_ts:
                    break
                pledge_n += 1
                tier = rnd.choice(tiers[c["creator_id"]])
                ended = paused = None
                reason = None
                if status == "churned":
                    ended = min(cursor + timedelta(days=rnd.randint(20, 200)), end_ts - timedelta(hours=1))
                    reason = rnd.choice(["voluntary", "payment_failed"])
                elif status == "paused":
                    paused = min(cursor + timedelta(days=rnd.randint(20, 200)), end_ts - timedelta(hours=1))
                pledge = dict(pledge_id=f"pl_{pledge_n:06d}", patron_id=p["patron_id"], creator_id=c["creator_id"], tier_id=tier["tier_id"],
                              pledge_amount_usd=tier["price_usd"], pledge_status=status, is_first_pledge=pledge_n == 1,
                              started_at=cursor, ended_at=ended, pause_started_at=paused, churn_reason=reason,
                              _ingested_at=ingested, _batch_id=batch)
                rows["pledges"].append(pledge)
                stop = ended or paused or end_ts
                k = 0
                while status != "declined":
                    at = _add_months(cursor, k) + timedelta(minutes=7)
                    if at >= stop:
                        break
                    k += 1
                    tx_n += 1
                    roll = rnd.random()
                    tx_status = "failed" if roll < 0.08 else ("pending" if roll < 0.1 else "succeeded")
                    gross = pledge["pledge_amount_usd"]
                    tx_type = "pledge_payment"
                    if roll > 0.97:
                        tx_type, gross = "refund", -gross
                    platform_fee = _money(gross * PLATFORM_FEE[c["plan_type"]])
                    processing = _money(gross * Decimal("0.029") + (Decimal("0.30") if gross > 0 else Decimal("-0.30")))
                    rows["transactions"].append(dict(
                        transaction_id=f"tx_{tx_n:07d}", pledge_id=pledge["pledge_id"], patron_id=p["patron_id"], creator_id=c["creator_id"],
                        transaction_type=tx_type, transaction_status=tx_status, gross_amount_usd=gross, platform_fee_usd=platform_fee,
                        processing_fee_usd=processing, net_amount_usd=gross - platform_fee - processing,
                        payment_method=rnd.choice(["card", "paypal"]), failure_reason="card_declined" if tx_status == "failed" else None,
                        transaction_at=at, transaction_date=at.date(), _ingested_at=ingested, _batch_id=batch))
                cursor = stop + timedelta(days=rnd.randint(5, 60))
                if status in ("declined", "paused"):
                    break
    # a duplicated transaction: an older load with another status loses to the latest
    dup = dict(rows["transactions"][0])
    rows["transactions"].append({**dup, "transaction_status": "pending", "_ingested_at": ingested - timedelta(days=1)})

    post_n = ev_n = 0
    for c in membership_creators:
        for _ in range(rnd.randint(3, 8)):
            post_n += 1
            published = c["created_at"] + timedelta(days=rnd.randint(1, 700))
            published = min(published, end_ts - timedelta(days=1))
            access = rnd.choice(["public", "patron_only", "tier_specific"])
            rows["posts"].append(dict(post_id=f"po_{post_n:05d}", creator_id=c["creator_id"], title=f"Post {post_n}", post_type=rnd.choice(["article", "image", "video"]),
                                      access_level=access, minimum_tier_id=tiers[c["creator_id"]][0]["tier_id"] if access == "tier_specific" else None,
                                      published_at=published, is_pinned=False, _ingested_at=ingested, _batch_id=batch))
            for _ in range(rnd.randint(0, 6)):
                ev_n += 1
                at = published + timedelta(hours=rnd.randint(1, 300))
                if at > end_ts:
                    continue
                rows["engagement_events"].append(dict(event_id=f"ev_{ev_n:07d}", patron_id=rnd.choice(patrons)["patron_id"], creator_id=c["creator_id"],
                                                      post_id=f"po_{post_n:05d}", event_type=rnd.choice(["view", "view", "like", "unlike", "comment", "share"]),
                                                      event_at=at, event_date=at.date(), _ingested_at=ingested, _batch_id=batch))

    ep_n = 0
    episodes = []
    for c in creators:
        for s in range(1, 3 if c["creator_tier"] != "emerging" else 2):
            show_id = f"sh_{c['creator_id'][-4:]}{s}"
            rows["shows"].append(dict(show_id=show_id, creator_id=c["creator_id"], show_name=f"Show {show_id}", category=c["category"],
                                      language="en", created_at=c["created_at"], _ingested_at=ingested, _batch_id=batch))
            for _ in range(4):
                ep_n += 1
                publish = max(c["created_at"], window_start_ts - timedelta(days=20)) + timedelta(days=rnd.randint(0, 50), hours=rnd.randint(0, 23))
                publish = min(publish, end_ts - timedelta(days=1))
                ep = dict(episode_id=f"ep_{ep_n:06d}", show_id=show_id, creator_id=c["creator_id"], title=f"Episode {ep_n}", publish_ts=publish,
                          duration_s=rnd.randint(600, 3600), access_level=rnd.choice(["public", "patron_only"]),
                          comments_enabled=bool(c["comments_enabled_at"] and publish >= c["comments_enabled_at"]),
                          _ingested_at=ingested, _batch_id=batch)
                episodes.append(ep)
    rows["episodes"] = episodes

    e_n = 0
    for day_i in range(WINDOW_DAYS):
        day = window_start + timedelta(days=day_i)
        day_ts = datetime.combine(day, datetime.min.time())
        for ep in episodes:
            if ep["publish_ts"] >= day_ts + timedelta(hours=23):
                continue
            n_listens = rnd.randint(0, 3)
            for _ in range(n_listens):
                e_n += 1
                li = rnd.choice(listeners)
                at = max(day_ts + timedelta(hours=rnd.randint(0, 23), minutes=rnd.randint(0, 59)), ep["publish_ts"] + timedelta(minutes=1))
                if at.date() != day:
                    continue
                listened = ep["duration_s"] if rnd.random() < 0.4 else rnd.randint(10, ep["duration_s"])
                rows["events"].append(dict(event_id=f"e_{e_n:08d}", event_ts=at, event_type="listen", listener_id=li["listener_id"],
                                           creator_id=ep["creator_id"], show_id=ep["show_id"], episode_id=ep["episode_id"],
                                           listened_s=listened, event_date=day, _ingested_at=ingested, _batch_id=batch))
                for kind, p in (("follow", 0.1), ("share", 0.05), ("comment", 0.15 if ep["comments_enabled"] else 0.0)):
                    if rnd.random() < p:
                        e_n += 1
                        rows["events"].append(dict(event_id=f"e_{e_n:08d}", event_ts=at + timedelta(minutes=1), event_type=kind, listener_id=li["listener_id"],
                                                   creator_id=ep["creator_id"], show_id=ep["show_id"], episode_id=ep["episode_id"],
                                                   listened_s=None, event_date=(at + timedelta(minutes=1)).date(), _ingested_at=ingested, _batch_id=batch))
            if n_listens:
                impressions = n_listens * 2
                filled = rnd.randint(0, impressions)
                cpm = Decimal(str(rnd.choice([12.5, 18.0, 22.75]))).quantize(Decimal("0.0001"))
                rows["ad_impressions"].append(dict(ad_ts=day_ts + timedelta(hours=23, minutes=30), ad_date=day, episode_id=ep["episode_id"], show_id=ep["show_id"],
                                                   creator_id=ep["creator_id"], impressions=impressions, filled_impressions=filled, cpm_used=cpm,
                                                   revenue_usd=_money(Decimal(filled) * cpm / 1000), _ingested_at=ingested, _batch_id=batch))
        for c in creators:
            if c["created_at"] < day_ts and rnd.random() < 0.4:
                for kind in ("creator_login", "analytics_view"):
                    if kind == "analytics_view" and not c["analytics_enabled_at"]:
                        continue
                    e_n += 1
                    at = day_ts + timedelta(hours=9, minutes=day_i % 50)
                    rows["events"].append(dict(event_id=f"e_{e_n:08d}", event_ts=at, event_type=kind, listener_id=None, creator_id=c["creator_id"],
                                               show_id=None, episode_id=None, listened_s=None, event_date=day, _ingested_at=ingested, _batch_id=batch))

    steps = ["eligible", "applied", "approved", "active"]
    for i, c in enumerate(creators[:6]):
        at = window_start_ts + timedelta(days=i, hours=8)
        reach = len(steps) if i < 3 else (2 if i == 3 else 1)
        for status in steps[:reach]:
            rows["partner_program"].append(dict(lifecycle_ts=at, creator_id=c["creator_id"], status=status, reason=None, payout_usd=None,
                                                _ingested_at=ingested, _batch_id=batch))
            at += timedelta(days=2)
        if i == 3:
            rows["partner_program"].append(dict(lifecycle_ts=at, creator_id=c["creator_id"], status="rejected", reason="content_policy",
                                                payout_usd=None, _ingested_at=ingested, _batch_id=batch))
        if reach == len(steps):
            pay = at + timedelta(days=7)
            while pay < end_ts:
                rows["partner_program"].append(dict(lifecycle_ts=pay, creator_id=c["creator_id"], status="payout", reason=None,
                                                    payout_usd=_money(rnd.randint(1000, 9000) / 100), _ingested_at=ingested, _batch_id=batch))
                pay += timedelta(days=7)
    return rows


def write_handmade_bronze(spark, settings, seed: int = 11) -> dict[str, int]:
    """Write every bronze table (overwrite) and return row counts."""
    rows = build_rows(seed)
    schema_name = settings.schema("bronze")
    spark.sql(f"create schema if not exists {schema_name}")
    counts = {}
    for t in TABLES:
        data = [tuple(r.get(c) for c in t.column_names) for r in rows[t.name]]
        df = spark.createDataFrame(data, t.schema)
        writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
        if t.partition_by:
            writer = writer.partitionBy(t.partition_by)
        writer.saveAsTable(f"{schema_name}.{t.name}")
        counts[t.name] = len(data)
    return counts
