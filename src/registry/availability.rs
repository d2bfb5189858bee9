//! When a person cannot come: unavailable periods (leave, trips, illness) and the weekly
//! half-days a part-time lecturer can come. Kept by the board, the person's center, and the
//! person.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::people::{self, HalfDaySlot, PersonView};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::collation::clean_text;
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::time::{checked, local};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnavailabilityInput {
    /// Start, RFC 3339 with an offset, e.g. `2027-03-02T00:00:00+07:00`.
    pub start: DateTime<FixedOffset>,
    /// End (excluded).
    pub end: DateTime<FixedOffset>,
    /// e.g. "Nghỉ phép", "Đi công tác".
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unavailability {
    pub id: i64,
    pub person_id: i64,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    unavailability_id: i64,
    person_id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
}

impl From<Row> for Unavailability {
    fn from(r: Row) -> Self {
        Unavailability {
            id: r.unavailability_id,
            person_id: r.person_id,
            start: local(r.starts_at),
            end: local(r.ends_at),
            reason: r.reason,
        }
    }
}

/// The person, if the caller may read them (`edit` false) or keep their availability (`edit` true).
async fn person_for(mut c: Conn<'_>, user: &AuthUser, person_id: i64, edit: bool) -> Result<PersonView> {
    if edit {
        people::lock(c.reborrow(), person_id).await?;
    }
    let person = people::find(c, person_id).await?;
    let allowed = if edit {
        user.can_edit_availability(person.scope())
    } else {
        user.can_read_person(person.scope())
    };
    if allowed {
        Ok(person)
    } else {
        Err(ApiError::forbidden())
    }
}

async fn periods(c: Conn<'_>, person_id: i64) -> Result<Vec<Unavailability>> {
    let rows: Vec<Row> = on!(c, |c| {
        sqlx::query_as("SELECT unavailability_id, person_id, starts_at, ends_at, reason FROM unavailability WHERE person_id = $1 ORDER BY starts_at")
            .bind(person_id)
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows.into_iter().map(Unavailability::from).collect())
}

/// A person's unavailable periods, in time order.
pub async fn list(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Vec<Unavailability>> {
    person_for(c.reborrow(), user, id, false).await?;
    periods(c.reborrow(), id).await
}

/// Records that a person is unavailable, for whoever may keep their availability (the API, and
/// a lecturer's own page).
pub async fn add(mut c: Conn<'_>, user: &AuthUser, id: i64, body: UnavailabilityInput) -> Result<Unavailability> {
    person_for(c.reborrow(), user, id, true).await?;
    let (start, end) = (checked(body.start, "start")?, checked(body.end, "end")?);
    if start >= end {
        return Err(ApiError::invalid(
            "end",
            "reversed_period",
            "Thời điểm kết thúc phải sau thời điểm bắt đầu.",
            "The end must come after the start.",
        ));
    }
    let reason = body.reason.map(|r| clean_text(&r)).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::invalid(
            "reason",
            "invalid_reason",
            "Lý do tối đa 200 ký tự.",
            "A reason takes at most 200 characters.",
        ));
    }
    let row: Row = on!(c.reborrow(), |c| {
        let clash: Option<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT starts_at, ends_at FROM unavailability WHERE person_id = $1 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at LIMIT 1",
        )
        .bind(id)
        .bind(end)
        .bind(start)
        .fetch_optional(&mut *c)
        .await?;
        if let Some((s, e)) = clash {
            let (s, e) = (local(s).format("%d/%m/%Y %H:%M"), local(e).format("%d/%m/%Y %H:%M"));
            return Err(ApiError::conflict(
                "overlapping_period",
                format!("Trùng với khoảng thời gian vắng mặt đã có ({s} – {e})."),
                format!("Overlaps an unavailable period already recorded ({s} – {e})."),
            )
            .with_field("start"));
        }
        sqlx::query_as(
            "INSERT INTO unavailability (person_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4) \
             RETURNING unavailability_id, person_id, starts_at, ends_at, reason",
        )
        .bind(id)
        .bind(start)
        .bind(end)
        .bind(&reason)
        .fetch_one(&mut *c)
        .await?
    });
    let created = Unavailability::from(row);
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "unavailability",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Remove an unavailable period.
pub async fn remove(mut c: Conn<'_>, user: &AuthUser, id: i64, period_id: i64) -> Result<()> {
    person_for(c.reborrow(), user, id, true).await?;
    let removed: Option<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "DELETE FROM unavailability WHERE unavailability_id = $1 AND person_id = $2 \
             RETURNING unavailability_id, person_id, starts_at, ends_at, reason",
        )
        .bind(period_id)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    let removed = Unavailability::from(
        removed.ok_or_else(|| ApiError::not_found("khoảng thời gian vắng mặt", "Unavailable period"))?,
    );
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "delete",
        "unavailability",
        period_id,
        Some(&removed),
        None::<&()>,
    )
    .await?;
    Ok(())
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyPattern {
    /// The half-days the person can come; empty means no weekly restriction.
    pub half_days: Vec<HalfDaySlot>,
}

/// Replace the weekly half-days a person can come.
pub async fn set_weekly_pattern(mut c: Conn<'_>, user: &AuthUser, id: i64, body: WeeklyPattern) -> Result<PersonView> {
    let before = person_for(c.reborrow(), user, id, true).await?;
    let mut slots = body.half_days;
    slots.sort();
    slots.dedup();
    on!(c.reborrow(), |c| {
        sqlx::query("DELETE FROM weekly_availability WHERE person_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for s in &slots {
            sqlx::query("INSERT INTO weekly_availability (person_id, weekday, half_day) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(s.weekday.as_str())
                .bind(s.half_day.as_str())
                .execute(&mut *c)
                .await?;
        }
    });
    let after = people::find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "weekly_pattern",
        id,
        Some(&before.weekly_pattern),
        Some(&after.weekly_pattern),
    )
    .await?;
    Ok(after)
}
