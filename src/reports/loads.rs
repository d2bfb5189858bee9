//! How much each person takes in a year: sessions and travel, so that fairness shows.

use super::facts::year_bounds;
use crate::db::Conn;
use crate::error::Result;
use crate::on;

#[derive(Debug, sqlx::FromRow)]
pub struct PersonLoad {
    pub full_name: String,
    pub sessions: i64,
    /// From home to each session's district, one way, added up.
    pub travel_minutes: i64,
}

/// Everyone with a session in the year (in the district, when given), most loaded first.
pub async fn of_year(c: Conn<'_>, year: i32, district: Option<i64>) -> Result<Vec<PersonLoad>> {
    let (from, to) = year_bounds(year);
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT p.full_name, COUNT(*) AS sessions, \
                    CAST(COALESCE(SUM(CASE WHEN p.home_district_id = s.district_id THEN 0 ELSE t.minutes END), 0) AS BIGINT) AS travel_minutes \
             FROM assignment a JOIN session s ON s.session_id = a.session_id JOIN person p ON p.person_id = a.person_id \
             LEFT JOIN travel_time t ON t.from_district_id = p.home_district_id AND t.to_district_id = s.district_id \
             WHERE a.to_version IS NULL AND s.starts_at >= $1 AND s.starts_at < $2 AND ($3 IS NULL OR s.district_id = $3) \
             GROUP BY p.person_id, p.full_name, p.sort_key ORDER BY COUNT(*) DESC, p.sort_key",
        )
        .bind(from)
        .bind(to)
        .bind(district)
        .fetch_all(&mut *c)
        .await?
    }))
}
