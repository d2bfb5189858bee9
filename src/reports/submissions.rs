//! The yearly report sent to the province (seed III.1: "định kỳ báo cáo kết quả thực hiện
//! trước ngày 22 tháng 02 hàng năm"): a district's board reviews its year, adds its remarks and
//! submits; the figures and remarks are frozen with who and when. A correction is a new
//! submission that keeps the earlier ones. The province follows, for a year, who has submitted
//! and who is late, sums the submitted figures, and may return a report with a reason.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::yearly::DistrictYear;
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::collation::clean_text;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::time::ZONE;

/// The day a year's report is due before: 22 February of the next year.
pub fn deadline(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year + 1, 2, 22).expect("22 February")
}

/// The first instant that is too late: midnight starting the deadline day, local time.
fn too_late_from(year: i32) -> DateTime<Utc> {
    ZONE.from_local_datetime(&deadline(year).and_time(chrono::NaiveTime::MIN))
        .single()
        .expect("no clock change")
        .with_timezone(&Utc)
}

/// Days from `today` (local) to the deadline: 1 on 21 February; 0 or less once too late.
pub fn days_left(year: i32, today: NaiveDate) -> i64 {
    (deadline(year) - today).num_days()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    pub year: i32,
    /// The board's remarks, free text (line breaks kept), up to 5,000 characters each.
    pub achievements: String,
    pub difficulties: String,
    pub proposals: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnInput {
    /// Why the province returns the report.
    pub reason: String,
}

/// A submitted report, frozen as it was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Submission {
    pub id: i64,
    pub district_id: i64,
    pub district_name: String,
    pub year: i32,
    /// The district's figures as they stood when it was sent.
    pub figures: DistrictYear,
    pub achievements: String,
    pub difficulties: String,
    pub proposals: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    /// Sent on or after 22 February of the next year.
    pub late: bool,
    pub returned_by: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
}

/// Where a district stands for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitStatus {
    pub district_id: i64,
    pub district_name: String,
    /// `not_submitted`, `submitted` or `returned` (its latest submission).
    pub status: String,
    /// Its latest submission came late, or none stands and the deadline has passed.
    pub late: bool,
    /// Every submission, oldest first.
    pub submissions: Vec<Submission>,
}

/// A year's submissions as the caller may follow them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Follow {
    pub year: i32,
    /// Reports are due before this day.
    pub deadline: NaiveDate,
    /// Days from today to the deadline (0 or less once it has passed).
    pub days_left: i64,
    pub units: Vec<UnitStatus>,
    /// The figures of the standing submissions added up (the province's sum).
    pub submitted_total: DistrictYear,
}

#[derive(sqlx::FromRow)]
struct Row {
    submission_id: i64,
    district_id: i64,
    district_name: String,
    year: i32,
    figures: String,
    achievements: String,
    difficulties: String,
    proposals: String,
    submitted_by: String,
    submitted_at: DateTime<Utc>,
    returned_by: Option<String>,
    returned_at: Option<DateTime<Utc>>,
    return_reason: Option<String>,
}

const SELECT: &str = "SELECT r.submission_id, r.district_id, d.name AS district_name, r.year, r.figures, r.achievements, \
    r.difficulties, r.proposals, r.submitted_by, r.submitted_at, r.returned_by, r.returned_at, r.return_reason \
    FROM report_submission r JOIN district d ON d.district_id = r.district_id";

impl Row {
    fn view(self) -> Result<Submission> {
        Ok(Submission {
            id: self.submission_id,
            district_id: self.district_id,
            district_name: self.district_name,
            year: self.year,
            figures: serde_json::from_str(&self.figures).map_err(anyhow::Error::from)?,
            achievements: self.achievements,
            difficulties: self.difficulties,
            proposals: self.proposals,
            submitted_by: self.submitted_by,
            late: self.submitted_at >= too_late_from(self.year),
            submitted_at: self.submitted_at,
            returned_by: self.returned_by,
            returned_at: self.returned_at,
            return_reason: self.return_reason,
        })
    }
}

/// Free text as typed: each line tidied (NFC, no control or invisible characters), line
/// breaks kept, at most `max` characters.
fn remark(field: &str, text: &str, max: usize) -> Result<String> {
    let lines: Vec<String> = text.lines().map(clean_text).collect();
    let cleaned = lines.join("\n").trim().to_string();
    if cleaned.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            "text_too_long",
            format!("Tối đa {max} ký tự."),
            format!("At most {max} characters."),
        ));
    }
    Ok(cleaned)
}

/// The district whose report the caller sends: a district board's own.
fn own_district(user: &AuthUser) -> Result<i64> {
    match user.scope {
        Scope::District(d) => Ok(d),
        _ => Err(ApiError::forbidden()),
    }
}

/// Sends the caller's district's report for a year: the figures as they stand now, frozen
/// with the remarks.
pub async fn submit(mut c: Conn<'_>, user: &AuthUser, input: SubmissionInput) -> Result<Submission> {
    let district = own_district(user)?;
    let year = input.year;
    if !crate::time::PLAN_YEARS.contains(&year) {
        return Err(ApiError::invalid(
            "year",
            "invalid_year",
            "Năm phải trong khoảng 2000-2200.",
            "The year must be within 2000-2200.",
        ));
    }
    let (achievements, difficulties, proposals) = (
        remark("achievements", &input.achievements, 5000)?,
        remark("difficulties", &input.difficulties, 5000)?,
        remark("proposals", &input.proposals, 5000)?,
    );
    let report = super::yearly(c.reborrow(), user, year, Some(district)).await?;
    let figures = report
        .districts
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("huyện", "District"))?;
    let id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "INSERT INTO report_submission (district_id, year, figures, achievements, difficulties, proposals, \
             submitted_by, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING submission_id",
        )
        .bind(district)
        .bind(year)
        .bind(serde_json::to_string(&figures).map_err(anyhow::Error::from)?)
        .bind(&achievements)
        .bind(&difficulties)
        .bind(&proposals)
        .bind(&user.username)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    let created = find(c.reborrow(), id).await?;
    audit::record(
        c,
        &Actor::from(user),
        "submit",
        "report_submission",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

async fn find(c: Conn<'_>, id: i64) -> Result<Submission> {
    let row: Option<Row> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.submission_id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    row.ok_or_else(|| ApiError::not_found("báo cáo đã gửi", "Submitted report"))?
        .view()
}

/// One submission: the province's, or the district board's own.
pub async fn get(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Submission> {
    let found = find(c, id).await?;
    match user.scope {
        Scope::Province => Ok(found),
        Scope::District(d) if d == found.district_id => Ok(found),
        Scope::District(_) => Err(ApiError::not_found("báo cáo đã gửi", "Submitted report")),
        _ => Err(ApiError::forbidden()),
    }
}

/// Who has submitted a year's report, who is late, and the sum of the standing submissions:
/// the province sees every district, a district board its own.
pub async fn follow(mut c: Conn<'_>, user: &AuthUser, year: i32, today: NaiveDate) -> Result<Follow> {
    let only = match user.scope {
        Scope::Province => None,
        Scope::District(d) => Some(d),
        _ => return Err(ApiError::forbidden()),
    };
    let year = super::valid_year(year)?;
    let districts: Vec<(i64, String)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id, name FROM district WHERE $1 IS NULL OR district_id = $1 ORDER BY code")
            .bind(only)
            .fetch_all(&mut *c)
            .await?
    });
    let rows: Vec<Row> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE r.year = $1 AND ($2 IS NULL OR r.district_id = $2) ORDER BY r.submission_id"
        )))
        .bind(year)
        .bind(only)
        .fetch_all(&mut *c)
        .await?
    });
    let mut all: Vec<Submission> = rows.into_iter().map(Row::view).collect::<Result<_>>()?;
    let overdue = days_left(year, today) <= 0;
    let mut submitted_total = DistrictYear {
        district_name: "Tổng các báo cáo đã nhận".into(),
        ..Default::default()
    };
    let mut units = Vec::with_capacity(districts.len());
    for (district_id, district_name) in districts {
        let submissions: Vec<Submission> = all.extract_if(.., |s| s.district_id == district_id).collect();
        let (status, late) = match submissions.last() {
            None => ("not_submitted", overdue),
            Some(s) if s.returned_at.is_some() => ("returned", overdue),
            Some(s) => {
                super::yearly::add(&mut submitted_total, &s.figures);
                ("submitted", s.late)
            }
        };
        units.push(UnitStatus {
            district_id,
            district_name,
            status: status.to_string(),
            late,
            submissions,
        });
    }
    submitted_total.coverage_rate = if submitted_total.sessions == 0 {
        0.0
    } else {
        submitted_total.covered_sessions as f64 / submitted_total.sessions as f64
    };
    Ok(Follow {
        year,
        deadline: deadline(year),
        days_left: days_left(year, today),
        units,
        submitted_total,
    })
}

/// Returns a district's latest submission with a reason (the province only): the district
/// submits again.
pub async fn send_back(mut c: Conn<'_>, user: &AuthUser, id: i64, input: ReturnInput) -> Result<Submission> {
    user.require_admin()?;
    let reason = clean_text(&input.reason);
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::invalid(
            "reason",
            "invalid_reason",
            "Cần nêu lý do trả lại (tối đa 1000 ký tự).",
            "Give the reason for returning it (at most 1,000 characters).",
        ));
    }
    let before = find(c.reborrow(), id).await?;
    let latest: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT MAX(submission_id) FROM report_submission WHERE district_id = $1 AND year = $2")
            .bind(before.district_id)
            .bind(before.year)
            .fetch_one(&mut *c)
            .await?
    });
    if latest != id || before.returned_at.is_some() {
        return Err(ApiError::conflict(
            "not_standing",
            "Chỉ trả lại được báo cáo gửi sau cùng của đơn vị, khi chưa bị trả lại.",
            "Only a unit's latest submission, not yet returned, can be returned.",
        ));
    }
    on!(c.reborrow(), |c| {
        sqlx::query(
            "UPDATE report_submission SET returned_by = $1, returned_at = $2, return_reason = $3 WHERE submission_id = $4",
        )
        .bind(&user.username)
        .bind(now())
        .bind(&reason)
        .bind(id)
        .execute(&mut *c)
        .await?;
    });
    let after = find(c.reborrow(), id).await?;
    audit::record(
        c,
        &Actor::from(user),
        "return",
        "report_submission",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_22_february_of_the_next_year() {
        assert_eq!(deadline(2027), NaiveDate::from_ymd_opt(2028, 2, 22).unwrap());
        assert_eq!(days_left(2027, NaiveDate::from_ymd_opt(2028, 2, 21).unwrap()), 1);
        assert_eq!(days_left(2027, NaiveDate::from_ymd_opt(2028, 2, 22).unwrap()), 0);
        assert_eq!(too_late_from(2027).to_rfc3339(), "2028-02-21T17:00:00+00:00");
    }
}
