//! Who is calling, and what they may touch.
//!
//! A caller is identified by a browser session cookie (after `POST /api/v1/auth/login`) or by a
//! bearer API token. Calendar feeds also take the token as an HTTP Basic password (see
//! [`basic_user`]): only there, since browsers replay Basic credentials on cross-site posts. The account's role says what it may do and its scope says where:
//! `province_admin` everywhere, `district_board` in one district, `center_coordinator` at one
//! center (and its district), `lecturer` for one person only.

pub mod password;
pub mod remembered;
pub mod session;
pub mod throttle;
pub mod tokens;
pub mod users;

use base64::Engine;
use sha2::{Digest, Sha256};

use crate::audit::Actor;
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::vocab::UserRole;

pub use session::SESSION_COOKIE;

/// Where an account's rights apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Province,
    District(i64),
    Center { center_id: i64, district_id: i64 },
    Person(i64),
}

/// The caller of an operation: an authenticated account, or the command line and the demo
/// loader acting for the province. Taking it as a handler argument makes the handler refuse
/// anonymous calls with 401.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// The account; none for the command line and the demo loader.
    pub user_id: Option<i64>,
    pub username: String,
    pub role: UserRole,
    pub scope: Scope,
}

/// What the access rules need to know about a person.
#[derive(Debug, Clone, Copy)]
pub struct PersonScope {
    pub person_id: i64,
    pub home_district_id: Option<i64>,
    pub center_id: Option<i64>,
}

impl AuthUser {
    /// The command line or the demo loader (`name` in the audit log), with the province's rights.
    pub fn system(name: &str) -> AuthUser {
        AuthUser {
            user_id: None,
            username: name.to_string(),
            role: UserRole::ProvinceAdmin,
            scope: Scope::Province,
        }
    }

    /// The caller's account: refused for the command line, which has none.
    pub fn account_id(&self) -> Result<i64> {
        self.user_id.ok_or_else(ApiError::forbidden)
    }

    pub fn is_admin(&self) -> bool {
        self.scope == Scope::Province
    }

    pub fn require_admin(&self) -> Result<()> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// The district whose plans, requests, drafts and schedule the caller reads: `None` for
    /// the province (everywhere), a board's or center's district; lecturers read none of them.
    pub fn readable_district(&self) -> Result<Option<i64>> {
        match self.scope {
            Scope::Province => Ok(None),
            Scope::District(d) | Scope::Center { district_id: d, .. } => Ok(Some(d)),
            Scope::Person(_) => Err(ApiError::forbidden()),
        }
    }

    /// A district board sees the people of its district, a coordinator those of its center and
    /// its center's district, a lecturer only themself.
    pub fn can_read_person(&self, p: PersonScope) -> bool {
        match self.scope {
            Scope::Province => true,
            Scope::District(d) => p.home_district_id == Some(d),
            Scope::Center { center_id, district_id } => {
                p.center_id == Some(center_id) || p.home_district_id == Some(district_id)
            }
            Scope::Person(id) => p.person_id == id,
        }
    }

    /// Leave, illness and weekly half-days may be kept by the board, by the person's own
    /// center, and by the person.
    pub fn can_edit_availability(&self, p: PersonScope) -> bool {
        match self.scope {
            Scope::Province => true,
            Scope::District(_) => false,
            Scope::Center { center_id, .. } => p.center_id == Some(center_id),
            Scope::Person(id) => p.person_id == id,
        }
    }
}

impl From<&AuthUser> for Actor {
    fn from(u: &AuthUser) -> Actor {
        Actor {
            user_id: u.user_id,
            name: u.username.clone(),
        }
    }
}

/// The account behind a bearer API token, if it is a live one.
pub async fn token_user(c: Conn<'_>, token: &str) -> Result<Option<AuthUser>> {
    tokens::authenticate(c, token).await
}

/// The account behind a session cookie, if it is a live one.
pub async fn session_user(c: Conn<'_>, cookie: &str) -> Result<Option<AuthUser>> {
    session::authenticate(c, cookie).await
}

/// The columns every authentication query selects, to build an [`AuthUser`].
#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    user_id: i64,
    username: String,
    role: String,
    district_id: Option<i64>,
    center_id: Option<i64>,
    person_id: Option<i64>,
    center_district_id: Option<i64>,
}

impl AccountRow {
    fn into_user(self) -> Option<AuthUser> {
        let role = UserRole::parse(&self.role)?;
        let scope = match role {
            UserRole::ProvinceAdmin => Scope::Province,
            UserRole::DistrictBoard => Scope::District(self.district_id?),
            UserRole::CenterCoordinator => Scope::Center {
                center_id: self.center_id?,
                district_id: self.center_district_id?,
            },
            UserRole::Lecturer => Scope::Person(self.person_id?),
        };
        Some(AuthUser {
            user_id: Some(self.user_id),
            username: self.username,
            role,
            scope,
        })
    }
}

/// The account behind HTTP Basic credentials (RFC 7617) whose password is one of its API
/// tokens, if the request carries such: how calendar apps subscribe to a district's feed.
pub async fn basic_user(c: Conn<'_>, headers: &axum::http::HeaderMap) -> Result<Option<AuthUser>> {
    let Some(encoded) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .map(|(_, credentials)| credentials.trim())
    else {
        return Ok(None);
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()
        .and_then(|d| String::from_utf8(d).ok());
    let Some((username, token)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
        return Ok(None);
    };
    Ok(tokens::authenticate(c, token)
        .await?
        .filter(|user| user.username == username))
}

/// A fresh random secret (256 bits, URL-safe) for a cookie or a token.
pub(crate) fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Only hashes of secrets are stored. The secrets are random, so a fast hash suffices.
pub fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
