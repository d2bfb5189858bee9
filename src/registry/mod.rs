//! The registry: districts and travel times, centers, topics, and people with their
//! qualifications and availability.

pub mod availability;
pub mod centers;
pub mod districts;
pub mod letterheads;
pub mod people;
pub mod topics;
pub mod unit_kinds;

use crate::error::{ApiError, Result};

pub use people::{PersonInput, PersonView};

/// Checks a short code (the board's own identifiers): 1-50 characters of letters, digits,
/// `.`, `_`, `-` or `/`.
pub fn valid_code(field: &str, code: &str) -> Result<String, ApiError> {
    let code = code.trim();
    if code.is_empty() || code.len() > 50 || !code.chars().all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c)) {
        return Err(ApiError::invalid(
            field,
            "invalid_code",
            "Mã cần 1-50 ký tự: chữ không dấu, số, '.', '_', '-' hoặc '/'.",
            "A code needs 1-50 characters: ASCII letters, digits, '.', '_', '-' or '/'.",
        ));
    }
    Ok(code.to_string())
}

/// Checks a name: 1-200 characters once spaces are tidied; kept in composed form (NFC).
pub fn valid_name(field: &str, name: &str) -> Result<String, ApiError> {
    let name = crate::collation::clean_text(name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid(
            field,
            "invalid_name",
            "Tên cần từ 1 đến 200 ký tự.",
            "A name needs 1 to 200 characters.",
        ));
    }
    Ok(name)
}

/// The 409 for a code that another record already has.
pub fn duplicate_code(code: &str) -> ApiError {
    ApiError::conflict(
        "duplicate_code",
        format!("Mã «{code}» đã được dùng."),
        format!("Code «{code}» is already in use."),
    )
    .with_field("code")
}
