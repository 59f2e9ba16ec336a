-- --title "High-performing creators by engagement score" --type TABLE --width 6
select
  creator_name,
  creator_category,
  sum(total_views) as views,
  sum(total_likes) as likes,
  sum(total_comments) as comments,
  sum(total_engagement_score) as engagement_score,
  round(try_divide(100 * sum(engaged_patrons), sum(total_patrons)), 2) as engagement_rate_pct
from gold.fct_creator_monthly_performance
group by all
order by engagement_score desc, creator_name
limit 20
