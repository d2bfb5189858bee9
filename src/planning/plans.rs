//! Annual plans (kế hoạch đào tạo, bồi dưỡng hằng năm): a district's classes for a year,
//! drafted and then approved by the district board or the province. Only classes in an
//! approved plan may be requested.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::require_ref;
use crate::registry::valid_name;
use crate::vocab::PlanStatus;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlannedClassInput {
    pub program_id: i64,
    /// The center that runs it: one of the plan's district, or the provincial school.
    pub center_id: i64,
    /// e.g. `Lớp Sơ cấp LLCT khóa 1 năm 2027`.
    pub name: String,
    /// Intended months, 1-12.
    pub months: Vec<u32>,
    pub trainees: u32,
    /// Of the trainees, how many are women.
    pub women: u32,
    /// Of the trainees, how many are of an ethnic minority.
    pub ethnic_minority: u32,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub district_id: i64,
    pub year: i32,
    #[serde(default)]
    pub classes: Vec<PlannedClassInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedClass {
    pub id: i64,
    pub program_id: i64,
    pub center_id: i64,
    pub name: String,
    pub months: Vec<u32>,
    pub trainees: u32,
    pub women: u32,
    pub ethnic_minority: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    pub id: i64,
    pub district_id: i64,
    pub year: i32,
    pub status: PlanStatus,
    /// Who approved it (username) and when.
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub classes: Vec<PlannedClass>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PlanFilter {
    year: Option<i32>,
    district_id: Option<i64>,
}

/// Whether the caller may draft and approve plans of `district_id`.
pub fn may_plan(user: &AuthUser, district_id: i64) -> bool {
    require_planner(user, district_id).is_ok()
}

pub fn require_planner(user: &AuthUser, district_id: i64) -> Result<()> {
    match user.scope {
        Scope::Province => Ok(()),
        Scope::District(d) if d == district_id => Ok(()),
        _ => Err(ApiError::forbidden()),
    }
}

/// Plans the caller may read: the province sees all, a district board and a center their
/// district's.
pub async fn list(mut c: Conn<'_>, user: &AuthUser, filter: PlanFilter) -> Result<Vec<Plan>> {
    let scope = user.readable_district()?;
    let ids: Vec<i64> = on!(c.reborrow(), |c| {
        sqlx::query_scalar(
            "SELECT plan_id FROM plan WHERE ($1 IS NULL OR year = $1) AND ($2 IS NULL OR district_id = $2) \
             AND ($3 IS NULL OR district_id = $3) ORDER BY year, district_id",
        )
        .bind(filter.year)
        .bind(filter.district_id)
        .bind(scope)
        .fetch_all(&mut *c)
        .await?
    });
    let mut plans = Vec::with_capacity(ids.len());
    for id in ids {
        plans.push(find(c.reborrow(), id).await?);
    }
    Ok(plans)
}

pub async fn get(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Plan> {
    let scope = user.readable_district()?;
    let plan = find(c, id).await?;
    if scope.is_some_and(|d| d != plan.district_id) {
        return Err(ApiError::forbidden());
    }
    Ok(plan)
}

pub async fn find(mut c: Conn<'_>, id: i64) -> Result<Plan> {
    type Head = (i64, i32, String, Option<String>, Option<DateTime<Utc>>);
    let head: Option<Head> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id, year, status, approved_by, approved_at FROM plan WHERE plan_id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
    });
    let (district_id, year, status, approved_by, approved_at) =
        head.ok_or_else(|| ApiError::not_found("kế hoạch", "Plan"))?;
    type Row = (i64, i64, i64, String, String, i64, i64, i64);
    let rows: Vec<Row> = on!(c, |c| {
        sqlx::query_as(
            "SELECT planned_class_id, program_id, center_id, name, months, trainees, women, ethnic_minority \
             FROM planned_class WHERE plan_id = $1 ORDER BY planned_class_id",
        )
        .bind(id)
        .fetch_all(&mut *c)
        .await?
    });
    Ok(Plan {
        id,
        district_id,
        year,
        status: PlanStatus::parse(&status).ok_or_else(|| anyhow::anyhow!("plan status {status:?}"))?,
        approved_by,
        approved_at,
        classes: rows
            .into_iter()
            .map(
                |(id, program_id, center_id, name, months, trainees, women, ethnic_minority)| PlannedClass {
                    id,
                    program_id,
                    center_id,
                    name,
                    months: months.split(',').filter_map(|m| m.parse().ok()).collect(),
                    trainees: trainees as u32,
                    women: women as u32,
                    ethnic_minority: ethnic_minority as u32,
                },
            )
            .collect(),
    })
}

/// The name of a field of a class: `classes[0].months` in a plan, `months` alone.
fn at(field: &str, name: &str) -> String {
    if field.is_empty() {
        name.to_string()
    } else {
        format!("{field}.{name}")
    }
}

/// Checks a planned class for a plan of `district_id`; the months as stored.
async fn check_class(mut c: Conn<'_>, district_id: i64, field: &str, k: &PlannedClassInput) -> Result<String> {
    let at = |name: &str| at(field, name);
    require_ref(c.reborrow(), &at("program_id"), "program", k.program_id).await?;
    let center: Option<(i64, String, bool)> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id, kind, active FROM center WHERE center_id = $1")
            .bind(k.center_id)
            .fetch_optional(&mut *c)
            .await?
    });
    match center {
        None => require_ref(c.reborrow(), &at("center_id"), "center", k.center_id).await?,
        Some((_, _, false)) => {
            return Err(ApiError::invalid(
                at("center_id"),
                "center_closed",
                "Trung tâm này đã ngừng hoạt động; hãy chọn trung tâm khác.",
                "This center has closed; choose another.",
            ));
        }
        Some((d, kind, _)) if d != district_id && kind != "provincial_school" => {
            return Err(ApiError::invalid(
                at("center_id"),
                "center_outside_district",
                "Trung tâm không thuộc huyện của kế hoạch.",
                "The center is not in the plan's district.",
            ));
        }
        Some(_) => {}
    }
    let months = super::months::valid(&at("months"), &k.months)?;
    if k.women > k.trainees || k.ethnic_minority > k.trainees || k.trainees > 100_000 {
        return Err(ApiError::invalid(
            at("trainees"),
            "invalid_trainees",
            "Số học viên nữ và dân tộc thiểu số không được vượt tổng số học viên.",
            "Women and ethnic-minority trainees cannot exceed the trainees.",
        ));
    }
    Ok(months)
}

/// Checks a planned class for a plan of `district_id` and stores it.
pub async fn insert_class(
    mut c: Conn<'_>,
    plan_id: i64,
    district_id: i64,
    field: &str,
    k: &PlannedClassInput,
) -> Result<()> {
    let name = valid_name(&at(field, "name"), &k.name)?;
    let months = check_class(c.reborrow(), district_id, field, k).await?;
    on!(c, |c| {
        sqlx::query(
            "INSERT INTO planned_class (plan_id, program_id, center_id, name, months, trainees, women, ethnic_minority) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(plan_id)
        .bind(k.program_id)
        .bind(k.center_id)
        .bind(&name)
        .bind(months)
        .bind(i64::from(k.trainees))
        .bind(i64::from(k.women))
        .bind(i64::from(k.ethnic_minority))
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Stores a new draft plan.
pub async fn insert_plan(c: Conn<'_>, district_id: i64, year: i32) -> Result<i64> {
    Ok(on!(c, |c| {
        sqlx::query_scalar(
            "INSERT INTO plan (district_id, year, status, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $3) \
             RETURNING plan_id",
        )
        .bind(district_id)
        .bind(year)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    }))
}

/// Marks a plan approved, by whom and when.
pub async fn store_approval(c: Conn<'_>, id: i64, approved_by: &str) -> Result<()> {
    on!(c, |c| {
        sqlx::query(
            "UPDATE plan SET status = 'approved', approved_by = $1, approved_at = $2, updated_at = $2 WHERE plan_id = $3",
        )
        .bind(approved_by)
        .bind(now())
        .bind(id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Draft a district's plan for a year, with its classes (the province, or the district's
/// board).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: PlanInput) -> Result<Plan> {
    require_planner(user, body.district_id)?;
    if !crate::time::PLAN_YEARS.contains(&body.year) {
        return Err(ApiError::invalid(
            "year",
            "invalid_year",
            "Năm kế hoạch phải từ 2000 đến 2200.",
            "The plan's year must be 2000 to 2200.",
        ));
    }
    require_ref(c.reborrow(), "district_id", "district", body.district_id).await?;
    let taken: bool = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM plan WHERE district_id = $1 AND year = $2)")
            .bind(body.district_id)
            .bind(body.year)
            .fetch_one(&mut *c)
            .await?
    });
    if taken {
        return Err(ApiError::conflict(
            "plan_exists",
            format!("Huyện này đã có kế hoạch năm {}.", body.year),
            format!("The district already has a plan for {}.", body.year),
        ));
    }
    let id = insert_plan(c.reborrow(), body.district_id, body.year).await?;
    for (i, k) in body.classes.iter().enumerate() {
        insert_class(c.reborrow(), id, body.district_id, &format!("classes[{i}]"), k).await?;
    }
    let created = find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "plan",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Loads a plan the caller may change: theirs to plan, and still a draft.
async fn draft_plan(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Plan> {
    let plan = find(c.reborrow(), id).await?;
    require_planner(user, plan.district_id)?;
    if plan.status != PlanStatus::Draft {
        return Err(ApiError::conflict(
            "plan_approved",
            "Kế hoạch đã được phê duyệt; không thể sửa.",
            "The plan is approved and can no longer change.",
        ));
    }
    Ok(plan)
}

/// The plan as it stands after a change by `user`, with the change recorded in the audit log.
pub async fn recorded(mut c: Conn<'_>, user: &AuthUser, action: &str, before: Plan) -> Result<Plan> {
    let after = find(c.reborrow(), before.id).await?;
    audit::record(
        c,
        &Actor::from(user),
        action,
        "plan",
        before.id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Add a class to a draft plan.
pub async fn add_class(mut c: Conn<'_>, user: &AuthUser, id: i64, body: PlannedClassInput) -> Result<Plan> {
    let before = draft_plan(c.reborrow(), user, id).await?;
    insert_class(c.reborrow(), id, before.district_id, "", &body).await?;
    recorded(c, user, "update", before).await
}

/// Approve a draft plan (the district's board, or the province); who and when are recorded.
pub async fn approve(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<Plan> {
    let before = draft_plan(c.reborrow(), user, id).await?;
    if before.classes.is_empty() {
        return Err(ApiError::conflict(
            "plan_empty",
            "Kế hoạch chưa có lớp nào.",
            "The plan has no classes.",
        ));
    }
    store_approval(c.reborrow(), id, &user.username).await?;
    recorded(c, user, "approve", before).await
}

/// Checks a planned class of a draft plan and stores its new values.
pub async fn store_class(mut c: Conn<'_>, class_id: i64, district_id: i64, k: &PlannedClassInput) -> Result<()> {
    let name = valid_name("name", &k.name)?;
    let months = check_class(c.reborrow(), district_id, "", k).await?;
    on!(c, |c| {
        sqlx::query(
            "UPDATE planned_class SET program_id = $1, center_id = $2, name = $3, months = $4, trainees = $5, \
             women = $6, ethnic_minority = $7 WHERE planned_class_id = $8",
        )
        .bind(k.program_id)
        .bind(k.center_id)
        .bind(&name)
        .bind(months)
        .bind(i64::from(k.trainees))
        .bind(i64::from(k.women))
        .bind(i64::from(k.ethnic_minority))
        .bind(class_id)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

pub fn require_class(plan: &Plan, class_id: i64) -> Result<()> {
    if plan.classes.iter().any(|k| k.id == class_id) {
        Ok(())
    } else {
        Err(ApiError::not_found("lớp trong kế hoạch", "Planned class"))
    }
}

/// Change a class of a draft plan: program, center, name, months, trainees.
pub async fn update_class(
    mut c: Conn<'_>,
    user: &AuthUser,
    id: i64,
    class_id: i64,
    body: PlannedClassInput,
) -> Result<Plan> {
    let before = draft_plan(c.reborrow(), user, id).await?;
    require_class(&before, class_id)?;
    store_class(c.reborrow(), class_id, before.district_id, &body).await?;
    recorded(c, user, "update", before).await
}

/// Remove a class from a draft plan.
pub async fn remove_class(mut c: Conn<'_>, user: &AuthUser, id: i64, class_id: i64) -> Result<Plan> {
    let before = draft_plan(c.reborrow(), user, id).await?;
    require_class(&before, class_id)?;
    on!(c.reborrow(), |c| {
        sqlx::query("DELETE FROM planned_class WHERE planned_class_id = $1")
            .bind(class_id)
            .execute(&mut *c)
            .await?;
    });
    recorded(c, user, "update", before).await
}

/// A district's plan for a year at a glance.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct PlanSummary {
    pub district_id: i64,
    pub district_name: String,
    /// None when the district has no plan for the year yet.
    pub plan_id: Option<i64>,
    pub status: Option<String>,
    pub classes: i64,
    pub trainees: i64,
    pub women: i64,
    pub ethnic_minority: i64,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// Every district the caller may read, with its plan for `year` (if any): status, classes,
/// trainees, who approved it and when.
pub async fn overview(c: Conn<'_>, user: &AuthUser, year: i32) -> Result<Vec<PlanSummary>> {
    let scope = user.readable_district()?;
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT d.district_id, d.name AS district_name, p.plan_id, p.status, \
                    CAST(COUNT(k.planned_class_id) AS BIGINT) AS classes, \
                    CAST(COALESCE(SUM(k.trainees), 0) AS BIGINT) AS trainees, \
                    CAST(COALESCE(SUM(k.women), 0) AS BIGINT) AS women, \
                    CAST(COALESCE(SUM(k.ethnic_minority), 0) AS BIGINT) AS ethnic_minority, \
                    p.approved_by, p.approved_at \
             FROM district d LEFT JOIN plan p ON p.district_id = d.district_id AND p.year = $1 \
             LEFT JOIN planned_class k ON k.plan_id = p.plan_id \
             WHERE ($2 IS NULL OR d.district_id = $2) \
             GROUP BY d.district_id, d.name, d.code, p.plan_id, p.status, p.approved_by, p.approved_at \
             ORDER BY d.code",
        )
        .bind(year)
        .bind(scope)
        .fetch_all(&mut *c)
        .await?
    }))
}

#[derive(sqlx::FromRow)]
/// A class of a center's approved plans, with its latest request's decision.
pub struct CenterClass {
    pub planned_class_id: i64,
    pub name: String,
    pub year: i32,
    pub months: String,
    pub trainees: i64,
    pub program_name: String,
    pub half_days: i64,
    pub status: Option<String>,
    pub reason: Option<String>,
}

/// The classes of a center's approved plans from `from_year` on, with their latest request's
/// status.
pub async fn center_classes(c: Conn<'_>, center: i64, from_year: i32) -> Result<Vec<CenterClass>> {
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT pc.planned_class_id, pc.name, pl.year, pc.months, pc.trainees, pr.name AS program_name, \
                    CAST((SELECT SUM(m.half_days) FROM program_module m WHERE m.program_id = pr.program_id) AS BIGINT) AS half_days, \
                    r.status, r.reason \
             FROM planned_class pc JOIN plan pl ON pl.plan_id = pc.plan_id JOIN program pr ON pr.program_id = pc.program_id \
             LEFT JOIN class_request r ON r.request_id = \
                 (SELECT MAX(request_id) FROM class_request WHERE planned_class_id = pc.planned_class_id) \
             WHERE pc.center_id = $1 AND pl.status = 'approved' AND pl.year >= $2 \
             ORDER BY pl.year, pc.planned_class_id",
        )
        .bind(center)
        .bind(from_year)
        .fetch_all(&mut *c)
        .await?
    }))
}
