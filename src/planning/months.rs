//! The months an approved plan gives a class: a request's half-days must fall in them, and
//! the board of the plan's district may move them (recorded in the audit log).

use chrono::{DateTime, Datelike, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::plans::{self, Plan};
use super::sessions::Slot;
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::time::local;

/// Months 1 to 12, at least one, as stored: sorted, without repeats, e.g. `"3,4"`.
pub fn valid(field: &str, months: &[u32]) -> Result<String> {
    let mut months = months.to_vec();
    months.sort_unstable();
    months.dedup();
    if months.is_empty() || months.iter().any(|m| !(1..=12).contains(m)) {
        return Err(ApiError::invalid(
            field,
            "invalid_months",
            "Các tháng dự kiến phải từ 1 đến 12, ít nhất một tháng.",
            "Intended months are 1 to 12, at least one.",
        ));
    }
    Ok(months.iter().map(u32::to_string).collect::<Vec<_>>().join(","))
}

/// Months as stored, back to numbers.
pub fn parse(stored: &str) -> Vec<u32> {
    stored.split(',').filter_map(|m| m.parse().ok()).collect()
}

/// "tháng 3, 4" / "months 3, 4".
fn words(months: &[u32]) -> (String, String) {
    let list = months.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    (format!("tháng {list}"), format!("months {list}"))
}

/// Every half-day of a request in the months the plan gives its class; a 422 naming the
/// first one outside them otherwise.
pub fn require_slots_inside(field: &str, slots: &[Slot], months: &[u32]) -> Result<()> {
    let Some((i, slot)) = slots
        .iter()
        .enumerate()
        .find(|(_, s)| !months.contains(&s.date.month()))
    else {
        return Ok(());
    };
    let (vi, en) = words(months);
    let day = slot.date.format("%d/%m/%Y");
    Err(ApiError::invalid(
        format!("{field}[{i}]"),
        "outside_plan_months",
        format!("Buổi ngày {day} nằm ngoài các tháng kế hoạch đã duyệt dành cho lớp này ({vi})."),
        format!("The half-day of {day} is outside the months the approved plan gives this class ({en})."),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthsInput {
    /// The class's new months, 1-12.
    pub months: Vec<u32>,
}

/// Moves the months of a plan's class (the board of the plan's district, or the province),
/// approved or not. A request under way or accepted must still fall inside them.
pub async fn move_class(mut c: Conn<'_>, user: &AuthUser, id: i64, class_id: i64, body: MonthsInput) -> Result<Plan> {
    let before = plans::find(c.reborrow(), id).await?;
    plans::require_planner(user, before.district_id)?;
    plans::require_class(&before, class_id)?;
    let stored = valid("months", &body.months)?;
    let months = parse(&stored);
    let requested: Vec<DateTime<Utc>> = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT s.starts_at FROM request_slot s JOIN class_request r ON r.request_id = s.request_id \
             WHERE r.planned_class_id = $1 AND r.status <> 'rejected' ORDER BY s.starts_at",
        )
        .bind(class_id)
        .fetch_all(&mut *c)
        .await?
    });
    if let Some(t) = requested
        .iter()
        .map(|t| local(*t))
        .find(|t| !months.contains(&t.month()))
    {
        let (vi, en) = words(&months);
        let day = t.format("%d/%m/%Y");
        return Err(ApiError::conflict(
            "request_outside_months",
            format!(
                "Lớp đã có đề nghị giảng viên với buổi ngày {day}, ngoài {vi}; hãy từ chối đề nghị đó trước khi dời tháng."
            ),
            format!("The class has a request with a half-day on {day}, outside {en}; reject it before moving the months."),
        )
        .with_field("months"));
    }
    on!(c.reborrow(), |c| {
        sqlx::query("UPDATE planned_class SET months = $1 WHERE planned_class_id = $2")
            .bind(&stored)
            .bind(class_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE plan SET updated_at = $1 WHERE plan_id = $2")
            .bind(now())
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    plans::recorded(c, user, "move_months", before).await
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::vocab::HalfDay;

    #[test]
    fn a_half_day_outside_the_months_is_named() {
        let slot = |m: u32| Slot {
            date: NaiveDate::from_ymd_opt(2027, m, 15).unwrap(),
            half_day: HalfDay::Morning,
        };
        assert!(require_slots_inside("slots", &[slot(3), slot(4)], &[3, 4]).is_ok());
        let e = require_slots_inside("slots", &[slot(3), slot(9)], &[3]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("slots[1]"));
        assert_eq!(valid("months", &[4, 3, 4]).unwrap(), "3,4");
        assert!(valid("months", &[]).is_err());
    }
}
