//! Half-day slots and the sessions classes and briefings are made of.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::time::ZONE;
use crate::vocab::HalfDay;

/// A half-day on a date: morning 07:30-11:00, afternoon 13:30-17:00, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub date: NaiveDate,
    pub half_day: HalfDay,
}

impl Slot {
    /// Start and end, as stored (UTC).
    pub fn times(self) -> (DateTime<Utc>, DateTime<Utc>) {
        let (from, to) = match self.half_day {
            HalfDay::Morning => ((7, 30), (11, 0)),
            HalfDay::Afternoon => ((13, 30), (17, 0)),
        };
        let at = |(h, m): (u32, u32)| {
            let t = self
                .date
                .and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time"));
            // Asia/Ho_Chi_Minh has no gaps or folds: every local time exists once.
            ZONE.from_local_datetime(&t)
                .single()
                .expect("no DST")
                .with_timezone(&Utc)
        };
        (at(from), at(to))
    }
}

/// Checks slots: at least one, none twice, all in `year` when given. Returns them sorted.
pub fn valid_slots(field: &str, slots: &[Slot], year: Option<i32>) -> Result<Vec<Slot>> {
    use chrono::Datelike;
    if slots.is_empty() || slots.len() > 400 {
        return Err(ApiError::invalid(
            field,
            "invalid_slots",
            "Cần từ 1 đến 400 buổi.",
            "Between 1 and 400 half-days are needed.",
        ));
    }
    let mut sorted = slots.to_vec();
    sorted.sort();
    if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
        return Err(ApiError::invalid(
            field,
            "duplicate_slot",
            format!(
                "Buổi {} {} được kê hai lần.",
                w[0].half_day.label(),
                w[0].date.format("%d/%m/%Y")
            ),
            format!("The {} of {} is listed twice.", w[0].half_day.as_str(), w[0].date),
        ));
    }
    if let Some(year) = year
        && let Some(s) = sorted.iter().find(|s| s.date.year() != year)
    {
        return Err(ApiError::invalid(
            field,
            "outside_plan_year",
            format!("Ngày {} nằm ngoài năm {year} của kế hoạch.", s.date.format("%d/%m/%Y")),
            format!("{} falls outside the plan's year {year}.", s.date),
        ));
    }
    for s in &sorted {
        crate::time::require_plan_day(field, s.date)?;
    }
    Ok(sorted)
}

/// Refuses slots that overlap a session, or a pending request, at the same venue.
pub async fn require_venue_free(mut c: Conn<'_>, district_id: i64, venue: &str, slots: &[Slot]) -> Result<()> {
    for slot in slots {
        let (start, end) = slot.times();
        let busy: bool = on!(c.reborrow(), |c| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM session WHERE district_id = $1 AND venue = $2 AND starts_at < $4 AND $3 < ends_at) \
                 OR EXISTS (SELECT 1 FROM request_slot s JOIN class_request r ON r.request_id = s.request_id \
                            WHERE r.status = 'submitted' AND r.district_id = $1 AND r.venue = $2 \
                            AND s.starts_at < $4 AND $3 < s.ends_at)",
            )
            .bind(district_id)
            .bind(venue)
            .bind(start)
            .bind(end)
            .fetch_one(&mut *c)
            .await?
        });
        if busy {
            return Err(ApiError::conflict(
                "venue_busy",
                format!(
                    "Địa điểm \"{venue}\" đã có buổi khác vào {} ngày {}.",
                    slot.half_day.label().to_lowercase(),
                    slot.date.format("%d/%m/%Y")
                ),
                format!(
                    "\"{venue}\" already has a session on the {} of {}.",
                    slot.half_day.as_str(),
                    slot.date
                ),
            )
            .with_field("slots"));
        }
    }
    Ok(())
}

/// What a new session needs.
pub struct NewSession<'a> {
    pub class_id: Option<i64>,
    pub briefing_id: Option<i64>,
    pub module_position: Option<i64>,
    pub topic_id: i64,
    pub district_id: i64,
    pub venue: &'a str,
    pub slot: Slot,
    pub needs: i64,
    pub min_theory_level: Option<&'a str>,
    pub min_rapporteur_level: Option<&'a str>,
    pub language: Option<&'a str>,
    pub language_required: bool,
}

pub async fn insert(c: Conn<'_>, s: &NewSession<'_>) -> Result<i64> {
    let (start, end) = s.slot.times();
    Ok(on!(c, |c| {
        sqlx::query_scalar(
            "INSERT INTO session (class_id, briefing_id, module_position, topic_id, district_id, venue, starts_at, ends_at, \
             needs, min_theory_level, min_rapporteur_level, language, language_required) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING session_id",
        )
        .bind(s.class_id)
        .bind(s.briefing_id)
        .bind(s.module_position)
        .bind(s.topic_id)
        .bind(s.district_id)
        .bind(s.venue)
        .bind(start)
        .bind(end)
        .bind(s.needs)
        .bind(s.min_theory_level)
        .bind(s.min_rapporteur_level)
        .bind(s.language)
        .bind(s.language_required)
        .fetch_one(&mut *c)
        .await?
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_days_are_local_times() {
        let slot = Slot {
            date: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            half_day: HalfDay::Morning,
        };
        let (start, end) = slot.times();
        assert_eq!(start.to_rfc3339(), "2027-03-01T00:30:00+00:00");
        assert_eq!(end.to_rfc3339(), "2027-03-01T04:00:00+00:00");
    }

    #[test]
    fn slots_are_sorted_and_checked() {
        let d = |day| NaiveDate::from_ymd_opt(2027, 3, day).unwrap();
        let am = |day| Slot {
            date: d(day),
            half_day: HalfDay::Morning,
        };
        assert_eq!(
            valid_slots("slots", &[am(2), am(1)], Some(2027)).unwrap(),
            vec![am(1), am(2)]
        );
        assert_eq!(
            valid_slots("slots", &[am(1), am(1)], None).unwrap_err().code,
            "duplicate_slot"
        );
        assert_eq!(
            valid_slots("slots", &[am(1)], Some(2026)).unwrap_err().code,
            "outside_plan_year"
        );
        assert_eq!(valid_slots("slots", &[], None).unwrap_err().code, "invalid_slots");
    }
}
