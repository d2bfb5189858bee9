//! Topics: curriculum modules (chuyên đề) and resolutions (nghị quyết); holding one is a
//! qualification.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{delete_unreferenced, duplicate_code, in_use, valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, ApiJson, ApiPath, Problem, Result};
use crate::on;
use crate::state::AppState;
use crate::vocab::TopicKind;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(get_topic, update_topic, delete_topic))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicInput {
    /// e.g. `SC-03`, `NQ-TW8-XIII`.
    code: String,
    name: String,
    kind: TopicKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Topic {
    id: i64,
    code: String,
    name: String,
    kind: TopicKind,
}

#[derive(sqlx::FromRow)]
struct TopicRow {
    topic_id: i64,
    code: String,
    name: String,
    kind: String,
}

impl TopicRow {
    fn view(self) -> Result<Topic> {
        let kind = TopicKind::parse(&self.kind).ok_or_else(|| anyhow::anyhow!("topic kind {:?}", self.kind))?;
        Ok(Topic {
            id: self.topic_id,
            code: self.code,
            name: self.name,
            kind,
        })
    }
}

const COLUMNS: &str = "topic_id, code, name, kind";

/// All topics, by code.
#[utoipa::path(get, path = "/api/v1/topics", tag = "registry", responses((status = 200, body = Vec<Topic>)))]
async fn list_topics(State(state): State<AppState>, _user: AuthUser) -> Result<Json<Vec<Topic>>> {
    let mut conn = state.db.acquire().await?;
    let rows: Vec<TopicRow> = on!(conn.conn(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM topic ORDER BY code"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    Ok(Json(rows.into_iter().map(TopicRow::view).collect::<Result<_>>()?))
}

#[utoipa::path(get, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 200, body = Topic), (status = 404, body = Problem, content_type = "application/problem+json")))]
async fn get_topic(State(state): State<AppState>, _user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<Json<Topic>> {
    let mut conn = state.db.acquire().await?;
    Ok(Json(find(conn.conn(), id).await?))
}

async fn find(c: Conn<'_>, id: i64) -> Result<Topic> {
    let row: Option<TopicRow> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM topic WHERE topic_id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.ok_or_else(|| ApiError::not_found("chuyên đề / nghị quyết", "Topic"))?
        .view()
}

/// Checks the input and that its code is free for the topic `id` (0 for a new one).
async fn validate(c: Conn<'_>, id: i64, body: &TopicInput) -> Result<(String, String)> {
    let (code, name) = (valid_code("code", &body.code)?, valid_name("name", &body.name)?);
    let taken: bool = on!(c, |c| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM topic WHERE code = $1 AND topic_id <> $2)")
            .bind(&code)
            .bind(id)
            .fetch_one(&mut *c)
            .await?
    });
    if taken {
        return Err(duplicate_code(&code));
    }
    Ok((code, name))
}

/// Add a topic (province board only).
#[utoipa::path(post, path = "/api/v1/topics", tag = "registry", request_body = TopicInput,
    responses((status = 201, body = Topic), (status = 409, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
async fn create_topic(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<TopicInput>,
) -> Result<(StatusCode, Json<Topic>)> {
    user.require_admin()?;
    let mut tx = state.db.begin().await?;
    let (code, name) = validate(tx.conn(), 0, &body).await?;
    let t = now();
    let row: TopicRow = on!(tx.conn(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO topic (code, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
        .bind(t)
        .fetch_one(&mut *c)
        .await?
    });
    let created = row.view()?;
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "create",
        "topic",
        created.id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Change a topic (province board only).
#[utoipa::path(put, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)), request_body = TopicInput,
    responses((status = 200, body = Topic), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn update_topic(
    State(state): State<AppState>,
    user: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TopicInput>,
) -> Result<Json<Topic>> {
    user.require_admin()?;
    let mut tx = state.db.begin().await?;
    let before = find(tx.conn(), id).await?;
    let (code, name) = validate(tx.conn(), id, &body).await?;
    let row: TopicRow = on!(tx.conn(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE topic SET code = $1, name = $2, kind = $3, updated_at = $4 WHERE topic_id = $5 RETURNING {COLUMNS}"
        )))
        .bind(&code)
        .bind(&name)
        .bind(body.kind.as_str())
        .bind(now())
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    });
    let after = row.view()?;
    audit::record(
        tx.conn(),
        &Actor::from(&user),
        "update",
        "topic",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}

/// Delete a topic nobody holds (province board only); otherwise 409 with the reason.
#[utoipa::path(delete, path = "/api/v1/topics/{id}", tag = "registry", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json")))]
async fn delete_topic(State(state): State<AppState>, user: AuthUser, ApiPath(id): ApiPath<i64>) -> Result<StatusCode> {
    user.require_admin()?;
    let mut tx = state.db.begin().await?;
    let before = find(tx.conn(), id).await?;
    delete_unreferenced(
        tx.conn(),
        &Actor::from(&user),
        "topic",
        id,
        &before,
        &[
            ("qualification", "topic_id", "người có chuyên môn này"),
            ("program_module", "topic_id", "học phần của chương trình"),
            ("briefing", "topic_id", "hội nghị"),
            ("session", "topic_id", "buổi"),
        ],
        |refs| in_use("chuyên đề / nghị quyết", "topic", refs),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
