//! Briefing conferences (hội nghị học tập, quán triệt nghị quyết): a resolution presented in
//! a district to an audience whose level sets the rapporteurs' minimum level, in a language
//! when the audience needs one.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::sessions::{self, NewSession, Slot};
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::db::{Conn, now, placeholders};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::require_ref;
use crate::registry::valid_name;
use crate::vocab::{RapporteurLevel, TopicKind};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefingInput {
    /// A topic of kind `resolution`.
    pub topic_id: i64,
    pub district_id: i64,
    pub venue: String,
    /// e.g. `Hội nghị quán triệt Nghị quyết Trung ương 8 khóa XIII`.
    pub title: String,
    /// The audience; rapporteurs must be of this level or above.
    pub audience_level: RapporteurLevel,
    /// ISO 639 code of the audience's language, e.g. `km`.
    pub language: Option<String>,
    /// Whether only speakers of `language` may present.
    #[serde(default)]
    pub language_required: bool,
    /// Rapporteurs needed at each session.
    pub rapporteurs: u32,
    pub slots: Vec<Slot>,
    /// The last day it may take place.
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Briefing {
    pub id: i64,
    pub topic_id: i64,
    pub district_id: i64,
    pub venue: String,
    pub title: String,
    pub audience_level: RapporteurLevel,
    pub language: Option<String>,
    pub language_required: bool,
    pub rapporteurs: u32,
    pub deadline: Option<NaiveDate>,
    /// Its sessions, in order.
    pub session_ids: Vec<i64>,
    /// When each session starts, in the same order.
    pub starts: Vec<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BriefingFilter {
    pub district_id: Option<i64>,
    /// `YYYY-MM`: briefings with a session in that month.
    pub month: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Row {
    briefing_id: i64,
    topic_id: i64,
    district_id: i64,
    venue: String,
    title: String,
    audience_level: String,
    language: Option<String>,
    language_required: bool,
    rapporteurs: i64,
    deadline: Option<NaiveDate>,
}

/// The briefings of these rows with their sessions, in one query a few hundred briefings at a
/// time.
async fn views(mut c: Conn<'_>, rows: Vec<Row>) -> Result<Vec<Briefing>> {
    let mut sessions_of: HashMap<i64, Vec<(i64, DateTime<Utc>)>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let found: Vec<(i64, i64, DateTime<Utc>)> = on!(c.reborrow(), |c| {
            let sql = format!(
                "SELECT briefing_id, session_id, starts_at FROM session WHERE briefing_id IN ({}) ORDER BY starts_at",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                query = query.bind(r.briefing_id);
            }
            query.fetch_all(&mut *c).await?
        });
        for (briefing, session, starts) in found {
            sessions_of.entry(briefing).or_default().push((session, starts));
        }
    }
    rows.into_iter()
        .map(|r| {
            let (session_ids, starts) = sessions_of
                .remove(&r.briefing_id)
                .unwrap_or_default()
                .into_iter()
                .unzip();
            Ok(Briefing {
                id: r.briefing_id,
                topic_id: r.topic_id,
                district_id: r.district_id,
                venue: r.venue,
                title: r.title,
                audience_level: RapporteurLevel::parse(&r.audience_level)
                    .ok_or_else(|| anyhow::anyhow!("audience level {:?}", r.audience_level))?,
                language: r.language,
                language_required: r.language_required,
                rapporteurs: r.rapporteurs as u32,
                deadline: r.deadline,
                session_ids,
                starts,
            })
        })
        .collect()
}

const SELECT: &str = "SELECT briefing_id, topic_id, district_id, venue, title, audience_level, language, \
    language_required, rapporteurs, deadline FROM briefing";

/// Briefings the caller may read: the province all, a district board and a center their
/// district's.
/// With a filter, only those of a district, or with a session in a month.
pub async fn list(mut c: Conn<'_>, user: &AuthUser, filter: BriefingFilter) -> Result<Vec<Briefing>> {
    let district = user.readable_district()?;
    let range = filter.month.as_deref().map(crate::time::month_range).transpose()?;
    let (from, to) = match range {
        Some((a, b)) => (
            Some(crate::time::local_midnight(a)?),
            Some(crate::time::local_midnight(b)?),
        ),
        None => (None, None),
    };
    let rows: Vec<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE ($1 IS NULL OR district_id = $1) AND ($2 IS NULL OR district_id = $2) \
             AND ($3 IS NULL OR EXISTS (SELECT 1 FROM session s WHERE s.briefing_id = briefing.briefing_id \
                  AND s.starts_at >= $3 AND s.starts_at < $4)) ORDER BY briefing_id"
        )))
        .bind(district)
        .bind(filter.district_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *c)
        .await?
    });
    views(c, rows).await
}

/// Stores a checked briefing and its sessions.
pub async fn insert(mut c: Conn<'_>, b: &BriefingInput, created_by: &str) -> Result<i64> {
    let id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "INSERT INTO briefing (topic_id, district_id, venue, title, audience_level, language, language_required, \
             rapporteurs, deadline, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING briefing_id",
        )
        .bind(b.topic_id)
        .bind(b.district_id)
        .bind(&b.venue)
        .bind(&b.title)
        .bind(b.audience_level.as_str())
        .bind(&b.language)
        .bind(b.language_required)
        .bind(i64::from(b.rapporteurs))
        .bind(b.deadline)
        .bind(created_by)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    for slot in &b.slots {
        sessions::insert(
            c.reborrow(),
            &NewSession {
                class_id: None,
                briefing_id: Some(id),
                module_position: None,
                topic_id: b.topic_id,
                district_id: b.district_id,
                venue: &b.venue,
                slot: *slot,
                needs: i64::from(b.rapporteurs),
                min_theory_level: None,
                min_rapporteur_level: Some(b.audience_level.as_str()),
                language: b.language.as_deref(),
                language_required: b.language_required,
            },
        )
        .await?;
    }
    Ok(id)
}

/// Add a briefing conference with its sessions (the province, or the district's board).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: BriefingInput) -> Result<Briefing> {
    match user.scope {
        Scope::Province => {}
        Scope::District(d) if d == body.district_id => {}
        _ => return Err(ApiError::forbidden()),
    }
    let venue = valid_name("venue", &body.venue)?;
    let title = valid_name("title", &body.title)?;
    if !(1..=20).contains(&body.rapporteurs) {
        return Err(ApiError::invalid(
            "rapporteurs",
            "invalid_rapporteurs",
            "Cần từ 1 đến 20 báo cáo viên mỗi buổi.",
            "1 to 20 rapporteurs per session.",
        ));
    }
    let language = body.language.as_deref().map(str::trim).filter(|l| !l.is_empty());
    if body.language_required && language.is_none() {
        return Err(ApiError::invalid(
            "language",
            "language_missing",
            "Yêu cầu ngôn ngữ nhưng chưa nêu ngôn ngữ nào.",
            "A language is required but none is named.",
        ));
    }
    if language.is_some_and(|l| l.len() > 8 || !l.chars().all(|c| c.is_ascii_lowercase())) {
        return Err(ApiError::invalid(
            "language",
            "invalid_language",
            "Mã ngôn ngữ theo ISO 639, ví dụ km.",
            "Use an ISO 639 language code, e.g. km.",
        ));
    }
    let slots = sessions::valid_slots("slots", &body.slots, None)?;
    if let (Some(deadline), Some(last)) = (body.deadline, slots.last())
        && last.date > deadline
    {
        return Err(ApiError::invalid(
            "slots",
            "after_deadline",
            format!(
                "Buổi ngày {} muộn hơn hạn {}.",
                last.date.format("%d/%m/%Y"),
                deadline.format("%d/%m/%Y")
            ),
            format!("The session on {} is after the deadline {deadline}.", last.date),
        ));
    }
    require_ref(c.reborrow(), "district_id", "district", body.district_id).await?;
    let kind: Option<String> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT kind FROM topic WHERE topic_id = $1")
            .bind(body.topic_id)
            .fetch_optional(&mut *c)
            .await?
    });
    if kind.as_deref() != Some(TopicKind::Resolution.as_str()) {
        return Err(ApiError::invalid(
            "topic_id",
            "unknown_reference",
            format!("Không có nghị quyết với mã số {}.", body.topic_id),
            format!("No resolution topic with id {}.", body.topic_id),
        ));
    }
    sessions::require_venue_free(c.reborrow(), body.district_id, &venue, &slots).await?;
    let checked = BriefingInput {
        venue,
        title,
        language: language.map(str::to_string),
        slots,
        ..body
    };
    let id = insert(c.reborrow(), &checked, &user.username).await?;
    let row: Row = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE briefing_id = $1")))
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    let created = views(c.reborrow(), vec![row]).await?.remove(0);
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "briefing",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Cancel a briefing not yet held (the province, or the district's board): it goes with its
/// sessions. One whose first session has begun is held and stays; so does one whose sessions
/// already have published rapporteurs.
pub async fn cancel(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    let row: Option<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE briefing_id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    let row = row.ok_or_else(|| ApiError::not_found("hội nghị", "Briefing"))?;
    let readable = user.readable_district()?;
    if readable.is_some_and(|d| d != row.district_id) {
        return Err(ApiError::not_found("hội nghị", "Briefing"));
    }
    match user.scope {
        Scope::Province => {}
        Scope::District(d) if d == row.district_id => {}
        _ => return Err(ApiError::forbidden()),
    }
    let before = views(c.reborrow(), vec![row]).await?.remove(0);
    if before.starts.first().is_some_and(|t| *t <= now()) {
        return Err(ApiError::conflict(
            "briefing_held",
            "Hội nghị đã diễn ra (hoặc đang diễn ra) nên không thể hủy; chỉ hủy được hội nghị chưa tổ chức.",
            "The briefing has already been held (or has begun), so it cannot be cancelled; only a briefing not yet held can be.",
        ));
    }
    let published: bool = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM assignment a JOIN session s ON s.session_id = a.session_id \
             WHERE s.briefing_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    });
    if published {
        return Err(ApiError::conflict(
            "briefing_published",
            "Hội nghị đã có báo cáo viên trong lịch đã công bố; hãy báo Ban Tuyên giáo Tỉnh ủy để điều chỉnh lịch trước khi hủy.",
            "The briefing has rapporteurs in a published schedule; ask the province board to change the schedule before cancelling it.",
        ));
    }
    on!(c.reborrow(), |c| {
        sqlx::query("DELETE FROM session WHERE briefing_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM briefing WHERE briefing_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "cancel",
        "briefing",
        id,
        Some(&before),
        None::<&()>,
    )
    .await?;
    Ok(())
}
