//! Class requests: a center asks for lecturers for a class of its district's approved plan
//! ("không xem xét đối với những lớp không có trong kế hoạch đã được cấp ủy phê duyệt").
//! Accepting one makes the class and its sessions: the modules in order, one session per
//! module half-day, on the requested half-days in date order.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
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
use crate::vocab::{HalfDay, PlanStatus, RequestStatus};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// A class of an approved plan.
    pub planned_class_id: i64,
    /// Where the class meets, e.g. `Hội trường Trung tâm chính trị huyện Trần Đề`.
    pub venue: String,
    /// The venue's district; the center's district when absent.
    pub district_id: Option<i64>,
    /// As many half-days as the program has.
    pub slots: Vec<Slot>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClassRequest {
    pub id: i64,
    pub planned_class_id: i64,
    /// The planned class's name.
    pub class_name: String,
    pub center_id: i64,
    pub center_name: String,
    /// The district whose approved plan holds the class: its board reads and decides the
    /// request.
    pub plan_district_id: i64,
    /// The venue's district, where the sessions are held.
    pub district_id: i64,
    pub venue: String,
    pub status: RequestStatus,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub slots: Vec<Slot>,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The class, once accepted.
    pub class_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_id: i64,
    planned_class_id: i64,
    class_name: String,
    center_id: i64,
    center_name: String,
    plan_district_id: i64,
    district_id: i64,
    venue: String,
    status: String,
    reason: Option<String>,
    requested_by: String,
    requested_at: DateTime<Utc>,
    decided_by: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    class_id: Option<i64>,
}

const SELECT: &str = "SELECT r.request_id, r.planned_class_id, k.name AS class_name, k.center_id, \
    ce.name AS center_name, p.district_id AS plan_district_id, \
    r.district_id, r.venue, r.status, r.reason, r.requested_by, r.created_at AS requested_at, r.decided_by, \
    r.decided_at, cc.class_id \
    FROM class_request r JOIN planned_class k ON k.planned_class_id = r.planned_class_id \
    JOIN center ce ON ce.center_id = k.center_id \
    JOIN plan p ON p.plan_id = k.plan_id LEFT JOIN course_class cc ON cc.request_id = r.request_id";

/// The filter on requests a caller may read: the province all, a district board those of its
/// district's plan (wherever the venue), a center its own.
fn scope_clause(user: &AuthUser) -> Result<(Option<i64>, Option<i64>)> {
    match user.scope {
        Scope::Province => Ok((None, None)),
        Scope::District(d) => Ok((Some(d), None)),
        Scope::Center { center_id, .. } => Ok((None, Some(center_id))),
        Scope::Person(_) => Err(ApiError::forbidden()),
    }
}

async fn load(mut c: Conn<'_>, rows: Vec<Row>) -> Result<Vec<ClassRequest>> {
    // Every request's half-days in one query a few hundred requests at a time, not one per
    // request: the inbox lists all of a province's history.
    let mut starts_of: HashMap<i64, Vec<DateTime<Utc>>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let found: Vec<(i64, DateTime<Utc>)> = on!(c.reborrow(), |c| {
            let sql = format!(
                "SELECT request_id, starts_at FROM request_slot WHERE request_id IN ({}) ORDER BY starts_at",
                placeholders(chunk.len())
            );
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for r in chunk {
                query = query.bind(r.request_id);
            }
            query.fetch_all(&mut *c).await?
        });
        for (id, t) in found {
            starts_of.entry(id).or_default().push(t);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let starts = starts_of.remove(&r.request_id).unwrap_or_default();
        let slots = starts
            .into_iter()
            .map(|t| {
                let local = crate::time::local(t);
                Slot {
                    date: local.date_naive(),
                    half_day: if local.time() < chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon") {
                        HalfDay::Morning
                    } else {
                        HalfDay::Afternoon
                    },
                }
            })
            .collect();
        out.push(ClassRequest {
            id: r.request_id,
            planned_class_id: r.planned_class_id,
            class_name: r.class_name,
            center_id: r.center_id,
            center_name: r.center_name,
            plan_district_id: r.plan_district_id,
            district_id: r.district_id,
            venue: r.venue,
            status: RequestStatus::parse(&r.status).ok_or_else(|| anyhow::anyhow!("request status {:?}", r.status))?,
            reason: r.reason,
            slots,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
            class_id: r.class_id,
        });
    }
    Ok(out)
}

/// The requests the caller may read, newest first.
pub async fn list(mut c: Conn<'_>, user: &AuthUser, filter: RequestFilter) -> Result<Vec<ClassRequest>> {
    let (district, center) = scope_clause(user)?;
    let rows: Vec<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE ($1 IS NULL OR p.district_id = $1) AND ($2 IS NULL OR k.center_id = $2) \
             AND ($3 IS NULL OR r.status = $3) ORDER BY r.request_id DESC"
        )))
        .bind(district)
        .bind(center)
        .bind(filter.status.map(RequestStatus::as_str))
        .fetch_all(&mut *c)
        .await?
    });
    load(c.reborrow(), rows).await
}

/// One request, as the caller may see it.
async fn find(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<ClassRequest> {
    let request = load_one(c, id).await?;
    let allowed = match user.scope {
        Scope::Province => true,
        Scope::District(d) => d == request.plan_district_id,
        Scope::Center { center_id, .. } => center_id == request.center_id,
        Scope::Person(_) => false,
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    Ok(request)
}

/// One request, whoever asks.
pub async fn load_one(mut c: Conn<'_>, id: i64) -> Result<ClassRequest> {
    let row: Option<Row> = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE r.request_id = $1")))
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    let row = row.ok_or_else(|| ApiError::not_found("yêu cầu", "Request"))?;
    Ok(load(c, vec![row]).await?.remove(0))
}

pub async fn get(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<ClassRequest> {
    find(c, user, id).await
}

/// Checks and stores a center's request (the API, and the center's page).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: RequestInput) -> Result<ClassRequest> {
    let venue = valid_name("venue", &body.venue)?;
    type Planned = (i64, i64, String, i32, i64, String, bool);
    let planned: Option<Planned> = on!(c.reborrow(), |c| {
        sqlx::query_as(
            "SELECT k.center_id, c.district_id, p.status, p.year, k.program_id, k.months, c.active \
             FROM planned_class k JOIN plan p ON p.plan_id = k.plan_id JOIN center c ON c.center_id = k.center_id \
             WHERE k.planned_class_id = $1",
        )
        .bind(body.planned_class_id)
        .fetch_optional(&mut *c)
        .await?
    });
    let not_planned = || {
        ApiError::invalid(
            "planned_class_id",
            "class_not_in_approved_plan",
            "Lớp này không có trong kế hoạch đã được cấp ủy phê duyệt; không xem xét đối với những lớp không có trong kế hoạch đã được cấp ủy phê duyệt.",
            "This class is not in a plan the Party committee approved; classes outside an approved plan are not considered.",
        )
    };
    let Some((center_id, center_district, plan_status, year, program_id, months, center_active)) = planned else {
        return Err(not_planned());
    };
    let allowed = match user.scope {
        Scope::Province => true,
        Scope::Center { center_id: mine, .. } => mine == center_id,
        _ => false,
    };
    if !allowed {
        return Err(ApiError::forbidden());
    }
    if plan_status != PlanStatus::Approved.as_str() {
        return Err(not_planned());
    }
    if !center_active {
        return Err(ApiError::invalid(
            "planned_class_id",
            "center_closed",
            "Trung tâm của lớp này đã ngừng hoạt động nên không nhận đề nghị mới; hãy liên hệ Ban Tuyên giáo Tỉnh ủy.",
            "This class's center has closed and takes no new requests; contact the province's Propaganda Board.",
        ));
    }
    let pending: bool = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM class_request WHERE planned_class_id = $1 AND status <> 'rejected')",
        )
        .bind(body.planned_class_id)
        .fetch_one(&mut *c)
        .await?
    });
    if pending {
        return Err(ApiError::conflict(
            "already_requested",
            "Lớp này đã có yêu cầu đang xử lý hoặc đã được chấp nhận.",
            "This class already has a request under way or accepted.",
        ));
    }
    let district_id = body.district_id.unwrap_or(center_district);
    require_ref(c.reborrow(), "district_id", "district", district_id).await?;
    let slots = sessions::valid_slots("slots", &body.slots, Some(year))?;
    super::months::require_slots_inside("slots", &body.slots, &super::months::parse(&months))?;
    let program = super::programs::find(c.reborrow(), program_id).await?;
    if slots.len() as u32 != program.half_days {
        return Err(ApiError::invalid(
            "slots",
            "wrong_number_of_slots",
            format!(
                "Chương trình {} có {} buổi; yêu cầu kê {} buổi.",
                program.name,
                program.half_days,
                slots.len()
            ),
            format!(
                "{} takes {} half-days; the request lists {}.",
                program.name,
                program.half_days,
                slots.len()
            ),
        ));
    }
    sessions::require_venue_free(c.reborrow(), district_id, &venue, &slots).await?;
    let id = submit(
        c.reborrow(),
        body.planned_class_id,
        district_id,
        &venue,
        &slots,
        &user.username,
    )
    .await?;
    let created = find(c.reborrow(), user, id).await?;
    crate::notify::causes::request_waiting(
        c.reborrow(),
        id,
        created.plan_district_id,
        &created.class_name,
        &created.center_name,
    )
    .await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "class_request",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Stores a checked request as submitted.
pub async fn submit(
    mut c: Conn<'_>,
    planned_class_id: i64,
    district_id: i64,
    venue: &str,
    slots: &[Slot],
    requested_by: &str,
) -> Result<i64> {
    let t = now();
    let id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "INSERT INTO class_request (planned_class_id, district_id, venue, status, requested_by, created_at, updated_at) \
             VALUES ($1, $2, $3, 'submitted', $4, $5, $5) RETURNING request_id",
        )
        .bind(planned_class_id)
        .bind(district_id)
        .bind(venue)
        .bind(requested_by)
        .bind(t)
        .fetch_one(&mut *c)
        .await?
    });
    for slot in slots {
        let (start, end) = slot.times();
        on!(c.reborrow(), |c| {
            sqlx::query("INSERT INTO request_slot (request_id, starts_at, ends_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(start)
                .bind(end)
                .execute(&mut *c)
                .await?;
        });
    }
    Ok(id)
}

/// Accepts a submitted request: makes its class, one session per module half-day on the
/// requested half-days in order, and records the decision.
pub async fn store_acceptance(mut c: Conn<'_>, request: &ClassRequest, decided_by: &str) -> Result<()> {
    let id = request.id;
    let program_id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT program_id FROM planned_class WHERE planned_class_id = $1")
            .bind(request.planned_class_id)
            .fetch_one(&mut *c)
            .await?
    });
    let program = super::programs::find(c.reborrow(), program_id).await?;
    let class_id: i64 = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "INSERT INTO course_class (request_id, planned_class_id, created_at) VALUES ($1, $2, $3) RETURNING class_id",
        )
        .bind(id)
        .bind(request.planned_class_id)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    let mut slots = request.slots.iter();
    for (position, module) in program.modules.iter().enumerate() {
        for _ in 0..module.half_days {
            let slot = *slots
                .next()
                .ok_or_else(|| anyhow::anyhow!("request {id} has fewer slots than its program"))?;
            sessions::insert(
                c.reborrow(),
                &NewSession {
                    class_id: Some(class_id),
                    briefing_id: None,
                    module_position: Some(position as i64 + 1),
                    topic_id: module.topic_id,
                    district_id: request.district_id,
                    venue: &request.venue,
                    slot,
                    needs: 1,
                    min_theory_level: module.min_theory_level.map(|l| l.as_str()),
                    min_rapporteur_level: None,
                    language: None,
                    language_required: false,
                },
            )
            .await?;
        }
    }
    decide(c, decided_by, request, RequestStatus::Accepted, None).await
}

/// Loads a submitted request the caller may decide on (the province, or the board of the
/// district whose plan holds the class).
async fn decidable(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<ClassRequest> {
    let request = find(c.reborrow(), user, id).await?;
    if !matches!(user.scope, Scope::Province | Scope::District(_)) {
        return Err(ApiError::forbidden());
    }
    if request.status != RequestStatus::Submitted {
        return Err(ApiError::conflict(
            "request_decided",
            format!("Yêu cầu đã ở trạng thái \"{}\".", request.status.label()),
            format!("The request is already {}.", request.status.as_str()),
        ));
    }
    Ok(request)
}

/// Records a decision, and tells the request's center.
async fn decide(
    mut c: Conn<'_>,
    decided_by: &str,
    request: &ClassRequest,
    status: RequestStatus,
    reason: Option<&str>,
) -> Result<()> {
    on!(c.reborrow(), |c| {
        sqlx::query(
            "UPDATE class_request SET status = $1, reason = $2, decided_by = $3, decided_at = $4, updated_at = $4 \
             WHERE request_id = $5",
        )
        .bind(status.as_str())
        .bind(reason)
        .bind(decided_by)
        .bind(now())
        .bind(request.id)
        .execute(&mut *c)
        .await?;
    });
    crate::notify::causes::request_decided(c, request.id, request.center_id, &request.class_name, reason).await?;
    Ok(())
}

/// Accept a request: it becomes a class with its sessions, ready for the scheduler.
pub async fn accept(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<ClassRequest> {
    let before = decidable(c.reborrow(), user, id).await?;
    store_acceptance(c.reborrow(), &before, &user.username).await?;
    let after = find(c.reborrow(), user, id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "accept",
        "class_request",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Reject a request, with the reason the center will see.
pub async fn reject(mut c: Conn<'_>, user: &AuthUser, id: i64, body: RejectInput) -> Result<ClassRequest> {
    let reason = valid_name("reason", &body.reason)?;
    let before = decidable(c.reborrow(), user, id).await?;
    decide(
        c.reborrow(),
        &user.username,
        &before,
        RequestStatus::Rejected,
        Some(&reason),
    )
    .await?;
    let after = find(c.reborrow(), user, id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "reject",
        "class_request",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}
