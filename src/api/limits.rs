//! Limits on a request's head: an address over [`MAX_URI_BYTES`] is a 414, headers over
//! [`MAX_HEADERS`] or [`MAX_HEADER_BYTES`] a 431, both as problem documents. The HTTP layer
//! refuses only far larger heads (with a bare status), so the service's own limits come first.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub const MAX_URI_BYTES: usize = 8 * 1024;
pub const MAX_HEADERS: usize = 100;
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Headers the HTTP layer reads before refusing on its own.
pub const HYPER_MAX_HEADERS: usize = 4 * MAX_HEADERS;

pub async fn request_head(request: Request, next: Next) -> Response {
    let uri = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!("Địa chỉ yêu cầu dài quá {MAX_URI_BYTES} byte."),
            format!("The request address is longer than {MAX_URI_BYTES} bytes."),
        )
        .into_response();
    }
    let headers = request.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || header_bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers_too_large",
            format!("Phần đầu yêu cầu vượt quá {MAX_HEADERS} trường hoặc {MAX_HEADER_BYTES} byte."),
            format!("The request headers exceed {MAX_HEADERS} fields or {MAX_HEADER_BYTES} bytes."),
        )
        .into_response();
    }
    next.run(request).await
}
