//! The one API error type. Every error leaves as `application/problem+json` (RFC 9457) with a
//! stable machine `code`, a message in Vietnamese or English (chosen by `Accept-Language` in
//! [`localize`]) and, for validation errors, the field at fault.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error as the API reports it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
    pub field: Option<String>,
    /// Further structured detail, e.g. every bad row of a rejected import (boxed: rare and
    /// large, and errors travel by value).
    pub errors: Option<Box<serde_json::Value>>,
    /// Seconds after which the same request may succeed (`Retry-After`), for 429 and 503.
    pub retry_after: Option<u64>,
}

/// The RFC 9457 document, as rendered for one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:roster:problem:<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// The human message, in the language the client asked for.
    pub detail: String,
    /// Stable machine code, e.g. `duplicate_code`, `invalid_field`, `forbidden`.
    pub code: String,
    /// The request path.
    pub instance: String,
    /// The input field at fault (a JSON path such as `roles[1]`, or a query parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every rule the request broke (every bad row of an import, every violation of a hand
    /// change), when there are several.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            vi: vi.into(),
            en: en.into(),
            field: None,
            errors: None,
            retry_after: None,
        }
    }

    /// A value the client sent that breaks a rule: 422 with the field at fault.
    pub fn invalid(field: impl Into<String>, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, vi, en).with_field(field)
    }

    pub fn not_found(what_vi: &str, what_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Không tìm thấy {what_vi}."),
            format!("{what_en} not found."),
        )
    }

    pub fn conflict(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, vi, en)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Cần đăng nhập hoặc mã truy cập API hợp lệ.",
            "Sign in or send a valid API token.",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản của bạn không có quyền thực hiện thao tác này.",
            "Your account may not do this.",
        )
    }

    /// The service cannot take the request now (a database lock, too many sign-ins at once):
    /// 503 `busy`, to be tried again after `seconds`.
    pub fn busy(seconds: u64) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Hệ thống đang bận, vui lòng thử lại.",
            "The service is busy; try again.",
        )
        .retry_after(seconds)
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// The same mistake made in a query string: a 400, as README.md promises.
    pub fn in_query(mut self) -> Self {
        self.status = StatusCode::BAD_REQUEST;
        self
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_errors(mut self, errors: serde_json::Value) -> Self {
        self.errors = Some(Box::new(errors));
        self
    }

    fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Lỗi hệ thống; sự cố đã được ghi lại.",
            "Internal error; it has been logged.",
        )
    }

    /// A generic problem for a bare error status produced outside the handlers (unknown route,
    /// wrong method, body over the size limit, …).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, vi, en) = match status {
            StatusCode::NOT_FOUND => ("not_found", "Không có tài nguyên này.", "No such resource."),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "Phương thức không được hỗ trợ cho địa chỉ này.",
                "This method is not allowed here.",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => payload_too_large(),
            StatusCode::REQUEST_TIMEOUT => (
                "request_timeout",
                "Yêu cầu gửi đến quá chậm.",
                "The request took too long to arrive.",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => unsupported_media_type(),
            s if s.is_server_error() => return Self::internal(),
            _ => ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
        };
        Self::new(status, code, vi, en)
    }

    fn render(&self, lang: Lang, instance: &str) -> Problem {
        let vi = lang == Lang::Vi;
        Problem {
            type_: format!("urn:roster:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: if vi { self.vi.clone() } else { self.en.clone() },
            code: self.code.to_string(),
            instance: instance.to_string(),
            field: self.field.clone(),
            errors: self.errors.as_deref().cloned(),
        }
    }
}

fn payload_too_large() -> (&'static str, &'static str, &'static str) {
    (
        "payload_too_large",
        "Nội dung gửi lên quá lớn.",
        "The request body is too large.",
    )
}

fn unsupported_media_type() -> (&'static str, &'static str, &'static str) {
    (
        "unsupported_media_type",
        "Kiểu nội dung không được hỗ trợ; hãy gửi application/json.",
        "Unsupported content type; send application/json.",
    )
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.en, self.code)?;
        if let Some(field) = &self.field {
            write!(f, " at `{field}`")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Rendered in Vietnamese here; `localize` re-renders it in the client's language.
        let body = serde_json::to_vec(&self.render(Lang::Vi, "")).unwrap_or_default();
        let mut response = (self.status, [(CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() && on_code_column(db.as_ref()) => {
                ApiError::conflict("duplicate_code", "Mã này đã được dùng.", "This code is already in use.")
                    .with_field("code")
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => ApiError::conflict(
                "conflict",
                "Dữ liệu trùng với một bản ghi đã có.",
                "This conflicts with an existing record.",
            ),
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => ApiError::conflict(
                "in_use",
                "Bản ghi đang được tham chiếu hoặc tham chiếu tới bản ghi không tồn tại.",
                "The record is referred to, or refers to a record that does not exist.",
            ),
            // PostgreSQL refuses NUL and invalid characters in text; they come from the client.
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("22021" | "22P05")) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_text",
                "Văn bản chứa ký tự không hợp lệ (ví dụ ký tự NUL).",
                "The text holds a character that is not allowed (such as NUL).",
            ),
            sqlx::Error::PoolTimedOut => ApiError::busy(BUSY_RETRY_SECONDS),
            sqlx::Error::Database(db) if is_lock_timeout(db.as_ref()) => ApiError::busy(BUSY_RETRY_SECONDS),
            _ => {
                tracing::error!(error = %e, "database error");
                ApiError::internal()
            }
        }
    }
}

/// When to try again after the database was busy: locks are held for a transaction, briefly.
const BUSY_RETRY_SECONDS: u64 = 2;

/// Whether the database gave up waiting for a lock: SQLite's `SQLITE_BUSY` / `SQLITE_LOCKED`
/// (after its busy timeout), PostgreSQL's lock timeout, deadlock or serialization failure.
fn is_lock_timeout(e: &dyn sqlx::error::DatabaseError) -> bool {
    let code = e.code();
    let code = code.as_deref().unwrap_or("");
    // SQLite's extended codes keep the primary code in the low byte.
    let sqlite_busy = code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
    sqlite_busy || matches!(code, "55P03" | "40P01" | "40001")
}

/// Whether a unique violation is on a table's `code` column (the board's own identifiers):
/// PostgreSQL names the constraint `<table>_code_key`, SQLite names the column `<table>.code`.
fn on_code_column(e: &dyn sqlx::error::DatabaseError) -> bool {
    match e.constraint() {
        Some(constraint) => constraint.ends_with("_code_key"),
        None => e.message().ends_with(".code"),
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        tracing::error!(error = format!("{e:#}"), "internal error");
        ApiError::internal()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    /// Vietnamese unless the client prefers English (`Accept-Language`, by q-value).
    pub fn from_headers(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::Vi;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("vi") => Lang::Vi,
                Some("en") => Lang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map_or(Lang::Vi, |(_, l)| l)
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// Middleware: renders every error response as a problem document in the client's language,
/// including bare statuses from the router and the body-size limit.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = Lang::from_headers(request.headers());
    let instance = request.uri().path().to_string();
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // Web pages render their own errors (see `web`).
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return response;
    }
    let error = match response.extensions().get::<ApiError>() {
        Some(e) => e.clone(),
        None => ApiError::from_status(status),
    };
    let body = serde_json::to_vec(&error.render(lang, &instance)).unwrap_or_default();
    let (mut parts, _) = response.into_parts();
    parts
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    parts
        .headers
        .insert(CONTENT_LANGUAGE, HeaderValue::from_static(lang.tag()));
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// A JSON body extractor whose every failure is an [`ApiError`]: malformed JSON is a 400,
/// a value of the wrong shape (unknown field, wrong enum value, missing field) a 422 naming
/// the field, a body over the limit a 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            let (code, vi, en) = unsupported_media_type();
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, code, vi, en));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                let (code, vi, en) = payload_too_large();
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, code, vi, en)
            } else {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "unreadable_body",
                    "Không đọc được nội dung yêu cầu.",
                    "The request body could not be read.",
                )
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON with the path of the value at fault in any error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let field = if path == "." { String::new() } else { path };
            ApiError::invalid(
                field.clone(),
                "invalid_field",
                format!("Giá trị không hợp lệ ở trường `{field}`: {inner}"),
                format!("Invalid value at `{field}`: {inner}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("JSON không hợp lệ: {inner}"),
                format!("Malformed JSON: {inner}"),
            )
        }
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("JSON không hợp lệ: {e}"),
            format!("Malformed JSON: {e}"),
        )
    })?;
    Ok(value)
}

/// A path extractor whose failures are problems: a segment that is not a valid id names no
/// resource, so `/people/abc` is a 404 like `/people/99999`.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ApiPath(value)),
            // A route whose parameters do not fit its handler: ours to fix.
            Err(rejection) if rejection.status().is_server_error() => {
                tracing::error!("path parameters: {rejection}");
                Err(ApiError::internal())
            }
            Err(_) => Err(ApiError::from_status(StatusCode::NOT_FOUND)),
        }
    }
}

/// A query-string extractor whose failures are 400 problems naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let inner = e.into_inner();
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_query",
                format!("Tham số truy vấn không hợp lệ: {inner}"),
                format!("Invalid query parameter: {inner}"),
            )
            .with_field(field)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(value: &str) -> Lang {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
        Lang::from_headers(&h)
    }

    #[test]
    fn vietnamese_unless_english_is_preferred() {
        assert_eq!(Lang::from_headers(&HeaderMap::new()), Lang::Vi);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("vi-VN,vi;q=0.9,en;q=0.8"), Lang::Vi);
        assert_eq!(lang("fr, en;q=0.5, vi;q=0.7"), Lang::Vi);
        assert_eq!(lang("fr"), Lang::Vi);
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        items: Vec<crate::vocab::Role>,
    }

    #[test]
    fn json_errors_name_the_field_and_tell_syntax_from_shape() {
        let e = parse_json::<Sample>(br#"{"items": ["rapporteur", "pilot"]}"#).unwrap_err();
        assert_eq!(
            (e.status.as_u16(), e.code, e.field.as_deref()),
            (422, "invalid_field", Some("items[1]"))
        );
        let e = parse_json::<Sample>(br#"{"items": [], "extra": 1}"#).unwrap_err();
        assert_eq!(e.code, "invalid_field");
        let e = parse_json::<Sample>(br#"{"items": ["#).unwrap_err();
        assert_eq!((e.status.as_u16(), e.code), (400, "malformed_json"));
        let e = parse_json::<Sample>(br#"{"items": []} trailing"#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
    }
}
