//! Forms sent back with their errors: each error beside its field (linked to the input by
//! `aria-describedby`), the rest above the form.

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, Lang};

/// A form's values by field name, as sent or as on record.
#[derive(Default)]
pub struct Values(HashMap<String, Vec<String>>);

impl Values {
    pub fn from_pairs(pairs: &[(String, String)]) -> Values {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in pairs {
            map.entry(k.clone()).or_default().push(v.clone());
        }
        Values(map)
    }

    pub fn set(&mut self, k: &str, v: String) {
        self.0.insert(k.to_string(), vec![v]);
    }

    pub fn add(&mut self, k: &str, v: &str) {
        self.0.entry(k.to_string()).or_default().push(v.to_string());
    }

    pub fn set_all(&mut self, k: &str, v: &[String]) {
        self.0.insert(k.to_string(), v.to_vec());
    }

    /// The field's (first) value, trimmed; blank when absent.
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).and_then(|v| v.first()).map_or("", |v| v.trim())
    }

    /// Every value of a repeated field, in the form's order.
    pub fn all(&self, k: &str) -> &[String] {
        self.0.get(k).map_or(&[], Vec::as_slice)
    }

    pub fn has(&self, k: &str, v: &str) -> bool {
        self.all(k).iter().any(|x| x == v)
    }
}

/// A day as a Vietnamese reader types it, dd/mm/yyyy (or d/m/yyyy), whatever the browser's
/// language; yyyy-mm-dd too, as addresses and older forms carry it.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

/// `deserialize_with` for a form's day field, read by [`parse_day`].
pub fn day<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_day(&text).ok_or_else(|| serde::de::Error::custom(format!("not a day as dd/mm/yyyy: {text:?}")))
}

/// What a day input asks for in its placeholder and checks in its pattern: dd/mm/yyyy.
pub const DAY_PLACEHOLDER: &str = "dd/mm/yyyy";
pub const DAY_PATTERN: &str = "[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}";

/// An error the form can show beside its fields (rather than as a page of its own).
pub fn is_form_error(e: &ApiError) -> bool {
    matches!(e.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT)
}

/// Every error an answer carries: the first, and the others listed with it.
pub fn all_errors(e: ApiError) -> Vec<ApiError> {
    let Some(list) = e.errors.as_deref().and_then(|v| v.as_array()).filter(|l| l.len() > 1) else {
        return vec![e];
    };
    list.iter()
        .map(|x| {
            let text = |k: &str| x[k].as_str().unwrap_or_default().to_string();
            let mut err = ApiError::new(e.status, "invalid_field", text("detail"), text("detail_en"));
            err.field = x["field"].as_str().map(str::to_string);
            err
        })
        .collect()
}

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

/// `aria-invalid` and `aria-describedby` for a field's input.
pub fn described(errors: &[ApiError], field: &str) -> (Option<&'static str>, Option<String>) {
    if has_error(errors, field) {
        (Some("true"), Some(error_id(field)))
    } else {
        (None, None)
    }
}

/// A labelled input with its value and, below it, its errors.
pub fn text_field(
    lang: Lang,
    v: &Values,
    errors: &[ApiError],
    field: &str,
    label: &str,
    kind: &str,
    required: bool,
) -> Markup {
    let (invalid, by) = described(errors, field);
    html! {
        label { (label) br;
            input type=(kind) name=(field) value=(v.get(field)) required[required] aria-invalid=[invalid] aria-describedby=[by]; }
        (field_errors(lang, errors, field))
    }
}

/// A labelled choice among `(value, text)` options, "—" for none, and its errors.
pub fn select_field(
    lang: Lang,
    v: &Values,
    errors: &[ApiError],
    field: &str,
    label: &str,
    options: &[(String, String)],
) -> Markup {
    let (invalid, by) = described(errors, field);
    html! {
        label { (label) br;
            select name=(field) aria-invalid=[invalid] aria-describedby=[by] {
                option value="" { "—" }
                @for (value, text) in options { option value=(value) selected[v.get(field) == value] { (text) } }
            } }
        (field_errors(lang, errors, field))
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
    fn days_read_as_a_vietnamese_reader_types_them() {
        let march = NaiveDate::from_ymd_opt(2027, 3, 1);
        for text in ["01/03/2027", "1/3/2027", " 01/03/2027 ", "2027-03-01"] {
            assert_eq!(parse_day(text), march, "{text}");
        }
        for text in ["03/13/2027", "31/02/2027", "2027", "", "mai"] {
            assert_eq!(parse_day(text), None, "{text}");
        }
    }

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
