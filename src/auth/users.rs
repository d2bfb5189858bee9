//! Accounts: created and managed by the province board (`roster user add` makes the first).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AuthUser;
use super::password;
use crate::audit::{self, Actor};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::exists;
use crate::vocab::UserRole;

#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct UserView {
    #[sqlx(rename = "user_id")]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: UserRoleText,
    pub district_id: Option<i64>,
    pub center_id: Option<i64>,
    pub person_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// A role as read from the database (checked there by a constraint).
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct UserRoleText(pub UserRole);

impl TryFrom<String> for UserRoleText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        UserRole::parse(&s).map(UserRoleText).ok_or(s)
    }
}

const USER_COLUMNS: &str =
    "user_id, username, display_name, role, district_id, center_id, person_id, active, created_at";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: UserRole,
    /// Required for `district_board`.
    pub district_id: Option<i64>,
    /// Required for `center_coordinator`.
    pub center_id: Option<i64>,
    /// Required for `lecturer`: the person the account belongs to.
    pub person_id: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub password: Option<String>,
    /// A deactivated account can no longer sign in; its sessions and tokens stop working.
    pub active: Option<bool>,
}

/// All accounts (province board only).
pub async fn list(c: Conn<'_>, user: &AuthUser) -> Result<Vec<UserView>> {
    user.require_admin()?;
    let rows = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM app_user ORDER BY username"
        )))
        .fetch_all(&mut *c)
        .await?
    });
    Ok(rows)
}

/// Create an account (province board only).
pub async fn create(c: Conn<'_>, user: &AuthUser, body: NewUser) -> Result<UserView> {
    user.require_admin()?;
    let created = insert(c, &Actor::from(user), body).await?;
    Ok(created)
}

/// Change an account's name, password or whether it is active (province board only).
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: UserChange) -> Result<UserView> {
    user.require_admin()?;
    let before = get(c.reborrow(), id).await?;
    if body.active == Some(false) && Some(id) == user.user_id {
        return Err(ApiError::conflict(
            "own_account",
            "Không thể tự khóa tài khoản đang dùng.",
            "You cannot deactivate your own account.",
        ));
    }
    let display_name = match body.display_name {
        Some(n) => valid_display_name(&n)?,
        None => before.display_name.clone(),
    };
    let hash = body
        .password
        .as_deref()
        .map(valid_password)
        .transpose()?
        .map(password::hash)
        .transpose()?;
    let active = body.active.unwrap_or(before.active);
    let after: UserView = on!(c.reborrow(), |c| {
        if let Some(hash) = &hash {
            sqlx::query("UPDATE app_user SET password_hash = $1 WHERE user_id = $2")
                .bind(hash)
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        if hash.is_some() || !active {
            // A new password or a locked account ends every open session.
            sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        if hash.is_some() {
            // A password reset is for a compromised account: its API tokens go too.
            sqlx::query("UPDATE api_token SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now())
                .bind(id)
                .execute(&mut *c)
                .await?;
        }
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE app_user SET display_name = $1, active = $2 WHERE user_id = $3 RETURNING {USER_COLUMNS}"
        )))
        .bind(&display_name)
        .bind(active)
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    });
    // The hash never enters the log; that the password changed does.
    let mut logged = serde_json::to_value(&after).map_err(anyhow::Error::from)?;
    logged["password_changed"] = serde_json::Value::Bool(hash.is_some());
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "user",
        id,
        Some(&before),
        Some(&logged),
    )
    .await?;
    Ok(after)
}

pub async fn get(c: Conn<'_>, id: i64) -> Result<UserView> {
    let row: Option<UserView> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM app_user WHERE user_id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *c)
        .await?
    });
    row.ok_or_else(|| ApiError::not_found("tài khoản", "Account"))
}

/// The active account with this username and its password hash.
pub(super) async fn find_for_login(c: Conn<'_>, username: &str) -> Result<Option<(UserView, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserView,
        password_hash: String,
    }
    let row: Option<Row> = on!(c, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM app_user WHERE username = $1 AND active = TRUE \
             AND (person_id IS NULL OR EXISTS (SELECT 1 FROM person p WHERE p.person_id = app_user.person_id AND p.active = TRUE))"
        )))
        .bind(username.trim())
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(row.map(|r| (r.user, r.password_hash)))
}

/// Validates and stores a new account, for [`create`].
async fn insert(mut c: Conn<'_>, actor: &Actor, new: NewUser) -> Result<UserView> {
    let username = new.username.trim().to_string();
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "._-@".contains(ch))
    {
        return Err(ApiError::invalid(
            "username",
            "invalid_username",
            "Tên đăng nhập cần 1-64 ký tự: chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang hoặc @.",
            "A username needs 1-64 characters: ASCII letters, digits, '.', '_', '-' or '@'.",
        ));
    }
    let display_name = valid_display_name(&new.display_name)?;
    valid_password(&new.password)?;
    let scope_fields = [
        (
            "district_id",
            new.district_id,
            UserRole::DistrictBoard,
            "district",
            "huyện",
            "District",
        ),
        (
            "center_id",
            new.center_id,
            UserRole::CenterCoordinator,
            "center",
            "trung tâm",
            "Center",
        ),
        (
            "person_id",
            new.person_id,
            UserRole::Lecturer,
            "person",
            "người",
            "Person",
        ),
    ];
    for (field, value, role, table, vi, en) in scope_fields {
        match (value, new.role == role) {
            (None, true) => {
                return Err(ApiError::invalid(
                    field,
                    "missing_scope",
                    format!("Vai trò {} cần trường `{field}`.", new.role.as_str()),
                    format!("Role {} needs `{field}`.", new.role.as_str()),
                ));
            }
            (Some(_), false) => {
                return Err(ApiError::invalid(
                    field,
                    "unexpected_scope",
                    format!("Vai trò {} không dùng trường `{field}`.", new.role.as_str()),
                    format!("Role {} does not take `{field}`.", new.role.as_str()),
                ));
            }
            (Some(id), true) if !exists(c.reborrow(), table, id).await? => {
                return Err(ApiError::invalid(
                    field,
                    "unknown_reference",
                    format!("Không có {vi} với mã số {id}."),
                    format!("{en} {id} does not exist."),
                ));
            }
            _ => {}
        }
    }
    if let Some(person) = new.person_id {
        let active: bool = on!(c.reborrow(), |c| {
            sqlx::query_scalar("SELECT active FROM person WHERE person_id = $1")
                .bind(person)
                .fetch_one(&mut *c)
                .await?
        });
        if !active {
            return Err(ApiError::invalid(
                "person_id",
                "inactive_person",
                "Người này đã ngừng hoạt động; không thể tạo tài khoản.",
                "This person is deactivated; no account can be made for them.",
            ));
        }
    }
    let taken: bool = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM app_user WHERE username = $1)")
            .bind(&username)
            .fetch_one(&mut *c)
            .await?
    });
    if taken {
        return Err(ApiError::conflict(
            "duplicate_username",
            format!("Tên đăng nhập «{username}» đã có."),
            format!("Username «{username}» is taken."),
        )
        .with_field("username"));
    }
    let hash = password::hash(&new.password)?;
    let created: UserView = on!(c.reborrow(), |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO app_user (username, display_name, password_hash, role, district_id, center_id, person_id, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, TRUE, $8) RETURNING {USER_COLUMNS}"
        )))
        .bind(&username)
        .bind(&display_name)
        .bind(&hash)
        .bind(new.role.as_str())
        .bind(new.district_id)
        .bind(new.center_id)
        .bind(new.person_id)
        .bind(now())
        .fetch_one(&mut *c)
        .await?
    });
    audit::record(c, actor, "create", "user", created.id, None::<&()>, Some(&created)).await?;
    Ok(created)
}

fn valid_display_name(name: &str) -> Result<String> {
    let name = crate::collation::clean_text(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            "display_name",
            "invalid_name",
            "Tên hiển thị cần từ 1 đến 200 ký tự.",
            "A display name needs 1 to 200 characters.",
        ));
    }
    Ok(name)
}

fn valid_password(p: &str) -> Result<&str> {
    if password::length(p) < password::MIN_LENGTH {
        return Err(ApiError::invalid(
            "password",
            "weak_password",
            format!("Mật khẩu cần ít nhất {} ký tự.", password::MIN_LENGTH),
            format!("A password needs at least {} characters.", password::MIN_LENGTH),
        ));
    }
    Ok(p)
}

/// An account as the accounts page lists it: its scope by name, and when it last signed in.
#[derive(Debug, sqlx::FromRow)]
pub struct AccountSummary {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    #[sqlx(try_from = "String")]
    pub role: UserRoleText,
    pub district_name: Option<String>,
    pub center_name: Option<String>,
    pub person_name: Option<String>,
    pub person_code: Option<String>,
    pub active: bool,
    /// The start of its latest session still on record (sessions end at sign-out and expire
    /// after 12 hours), if any.
    pub last_sign_in: Option<DateTime<Utc>>,
}

/// All accounts with their scopes' names (province board only).
pub async fn summaries(c: Conn<'_>, user: &AuthUser) -> Result<Vec<AccountSummary>> {
    user.require_admin()?;
    Ok(on!(c, |c| {
        sqlx::query_as(
            "SELECT u.user_id, u.username, u.display_name, u.role, d.name AS district_name, \
                    ce.name AS center_name, p.full_name AS person_name, p.code AS person_code, u.active, \
                    (SELECT MAX(s.created_at) FROM user_session s WHERE s.user_id = u.user_id) AS last_sign_in \
             FROM app_user u LEFT JOIN district d ON d.district_id = u.district_id \
             LEFT JOIN center ce ON ce.center_id = u.center_id \
             LEFT JOIN person p ON p.person_id = u.person_id \
             ORDER BY u.username",
        )
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Something an account's scope may name: a district, a center or a person.
#[derive(Debug, sqlx::FromRow)]
pub struct ScopeChoice {
    pub id: i64,
    pub name: String,
    /// The board's code.
    pub code: String,
}

/// What a new account's scope may be: every district and center, and the active people
/// without an account yet (in Vietnamese name order).
pub struct ScopeChoices {
    pub districts: Vec<ScopeChoice>,
    pub centers: Vec<ScopeChoice>,
    pub people: Vec<ScopeChoice>,
}

/// The districts, centers and people a new account may be for (province board only).
pub async fn scope_choices(c: Conn<'_>, user: &AuthUser) -> Result<ScopeChoices> {
    user.require_admin()?;
    let (districts, centers, mut people) = on!(c, |c| {
        let districts: Vec<ScopeChoice> =
            sqlx::query_as("SELECT district_id AS id, name, code FROM district ORDER BY code")
                .fetch_all(&mut *c)
                .await?;
        let centers: Vec<ScopeChoice> = sqlx::query_as("SELECT center_id AS id, name, code FROM center ORDER BY code")
            .fetch_all(&mut *c)
            .await?;
        let people: Vec<ScopeChoice> = sqlx::query_as(
            "SELECT p.person_id AS id, p.full_name AS name, p.code FROM person p WHERE p.active = TRUE \
             AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.person_id = p.person_id)",
        )
        .fetch_all(&mut *c)
        .await?;
        (districts, centers, people)
    });
    people.sort_by_cached_key(|p| (crate::collation::sort_key(&p.name), p.code.clone()));
    Ok(ScopeChoices {
        districts,
        centers,
        people,
    })
}
