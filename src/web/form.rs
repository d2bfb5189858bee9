//! Forms sent back with their errors: each error beside its field (linked to the input by
//! `aria-describedby`), the rest above the form.

use maud::{Markup, html};

use crate::error::{ApiError, Lang};

/// The error's message in the reader's language.
pub fn message(lang: Lang, error: &ApiError) -> &str {
    match lang {
        Lang::Vi => &error.vi,
        Lang::En => &error.en,
    }
}

/// Whether an error is about this field or a part of it (`roles` covers `roles[1]`).
fn about(error: &ApiError, field: &str) -> bool {
    error
        .field
        .as_deref()
        .is_some_and(|f| f == field || f.strip_prefix(field).is_some_and(|rest| rest.starts_with(['[', '.'])))
}

/// The id an input names in `aria-describedby` when its field has an error.
pub fn error_id(field: &str) -> String {
    format!("error-{field}")
}

/// Whether any error is about this field: the input then carries `aria-invalid` and
/// `aria-describedby`.
pub fn has_error(errors: &[ApiError], field: &str) -> bool {
    errors.iter().any(|e| about(e, field))
}

/// The errors about one field, to show beside it.
pub fn field_errors(lang: Lang, errors: &[ApiError], field: &str) -> Markup {
    html! {
        @if has_error(errors, field) {
            span.field-error id=(error_id(field)) {
                @for e in errors.iter().filter(|e| about(e, field)) { (message(lang, e)) " " }
            }
        }
    }
}

/// The errors about none of the form's fields, above the form.
pub fn other_errors(lang: Lang, errors: &[ApiError], fields: &[&str]) -> Markup {
    html! {
        @for e in errors.iter().filter(|e| !fields.iter().any(|f| about(e, f))) {
            p.error role="alert" { (message(lang, e)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_goes_beside_its_field_or_above_the_form() {
        let errors = [
            ApiError::invalid("roles[1]", "invalid_role", "Vai trò không hợp lệ.", "Unknown role."),
            ApiError::forbidden(),
        ];
        assert!(has_error(&errors, "roles") && !has_error(&errors, "role"));
        let beside = field_errors(Lang::Vi, &errors, "roles").into_string();
        assert!(beside.contains("Vai trò không hợp lệ.") && beside.contains("id=\"error-roles\""));
        let above = other_errors(Lang::En, &errors, &["roles"]).into_string();
        assert!(above.contains("Your account may not do this.") && !above.contains("Unknown role"));
    }
}
