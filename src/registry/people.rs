//! People: lecturers and rapporteurs, their roles, levels, languages, qualifications and caps.
//!
//! A person with history (an account, later assignments) is deactivated, never deleted.

use std::collections::{BTreeSet, HashMap};

use axum::http::StatusCode;
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{duplicate_code, valid_code, valid_name};
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, PersonScope, Scope};
use crate::collation::{clean_text, search_key, sort_key};
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::paging::{Page, PageParams};
use crate::references::{delete_unreferenced, require_ref};
use crate::time::{local, stored};
use crate::vocab::{CenterKind, Gender, HalfDay, RapporteurLevel, Role, TheoryLevel, Weekday};

/// A person as sent to create or replace one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// The board's own ID; unique.
    pub code: String,
    /// e.g. "Nguyễn Thị Lan".
    pub full_name: String,
    /// A set: any of `lecturer_full_time`, `lecturer_part_time`, `rapporteur`.
    pub roles: Vec<Role>,
    /// Required for a rapporteur, absent for anyone else.
    #[serde(default)]
    pub rapporteur_level: Option<RapporteurLevel>,
    #[serde(default)]
    pub theory_level: Option<TheoryLevel>,
    #[serde(default)]
    pub home_district_id: Option<i64>,
    /// The center the person works for (full-time lecturers).
    #[serde(default)]
    pub center_id: Option<i64>,
    #[serde(default)]
    pub gender: Option<Gender>,
    /// e.g. "Kinh", "Khmer", "Hoa".
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// ISO 639 codes: `vi`, `km` (Khmer), `zh` (Hoa), `hmn` (H'Mông), …
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// Defaults to true; set false to deactivate.
    #[serde(default = "active_by_default")]
    pub active: bool,
    /// Topic ids: the modules the person may teach and the resolutions they may brief.
    #[serde(default)]
    pub qualification_ids: Vec<i64>,
    /// Most sessions a day; unlimited when absent.
    #[serde(default)]
    pub max_per_day: Option<u32>,
    #[serde(default)]
    pub max_per_week: Option<u32>,
    #[serde(default)]
    pub max_per_month: Option<u32>,
}

fn active_by_default() -> bool {
    true
}

impl Default for PersonInput {
    /// An empty, active person.
    fn default() -> PersonInput {
        PersonInput {
            code: String::new(),
            full_name: String::new(),
            roles: Vec::new(),
            rapporteur_level: None,
            theory_level: None,
            home_district_id: None,
            center_id: None,
            gender: None,
            ethnicity: None,
            languages: Vec::new(),
            phone: None,
            email: None,
            active: active_by_default(),
            qualification_ids: Vec::new(),
            max_per_day: None,
            max_per_week: None,
            max_per_month: None,
        }
    }
}

impl From<&PersonView> for PersonInput {
    /// The input that would store this person as they are.
    fn from(p: &PersonView) -> PersonInput {
        PersonInput {
            code: p.code.clone(),
            full_name: p.full_name.clone(),
            roles: p.roles.clone(),
            rapporteur_level: p.rapporteur_level,
            theory_level: p.theory_level,
            home_district_id: p.home_district_id,
            center_id: p.center_id,
            gender: p.gender,
            ethnicity: p.ethnicity.clone(),
            languages: p.languages.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            active: p.active,
            qualification_ids: p.qualification_ids.clone(),
            max_per_day: p.max_per_day,
            max_per_week: p.max_per_week,
            max_per_month: p.max_per_month,
        }
    }
}

/// A person input that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPerson {
    pub code: String,
    pub full_name: String,
    pub roles: BTreeSet<Role>,
    pub rapporteur_level: Option<RapporteurLevel>,
    pub theory_level: Option<TheoryLevel>,
    pub home_district_id: Option<i64>,
    pub center_id: Option<i64>,
    pub gender: Option<Gender>,
    pub ethnicity: Option<String>,
    pub languages: BTreeSet<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub qualification_ids: BTreeSet<i64>,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
    pub max_per_month: Option<u32>,
}

impl PersonInput {
    /// Checks every field and reports every problem, each naming its field.
    pub fn validate(self) -> Result<ValidPerson, Vec<ApiError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, ApiError>| r.map_err(|e| errors.push(e)).unwrap_or_default();
        let code = keep(valid_code("code", &self.code));
        let full_name = keep(valid_name("full_name", &self.full_name));
        let roles: BTreeSet<Role> = self.roles.into_iter().collect();
        if roles.is_empty() {
            errors.push(ApiError::invalid(
                "roles",
                "missing_role",
                "Cần ít nhất một vai trò.",
                "At least one role is needed.",
            ));
        }
        if roles.contains(&Role::LecturerFullTime) && roles.contains(&Role::LecturerPartTime) {
            errors.push(ApiError::invalid(
                "roles",
                "conflicting_roles",
                "Một người không thể vừa là giảng viên chuyên trách vừa là giảng viên kiêm chức.",
                "A person cannot be both a full-time and a part-time lecturer.",
            ));
        }
        match (roles.contains(&Role::Rapporteur), self.rapporteur_level) {
            (true, None) => errors.push(ApiError::invalid(
                "rapporteur_level",
                "missing_rapporteur_level",
                "Báo cáo viên cần có cấp (cơ sở, cấp huyện hoặc cấp tỉnh).",
                "A rapporteur needs a level (grassroots, district or province).",
            )),
            (false, Some(_)) => errors.push(ApiError::invalid(
                "rapporteur_level",
                "unexpected_rapporteur_level",
                "Chỉ báo cáo viên mới có cấp báo cáo viên.",
                "Only a rapporteur has a rapporteur level.",
            )),
            _ => {}
        }
        let languages: BTreeSet<String> = self.languages.iter().map(|l| l.trim().to_ascii_lowercase()).collect();
        if let Some(bad) = languages
            .iter()
            .find(|l| !(2..=3).contains(&l.len()) || !l.chars().all(|c| c.is_ascii_lowercase()))
        {
            errors.push(ApiError::invalid(
                "languages",
                "invalid_language",
                format!("Mã ngôn ngữ «{bad}» không hợp lệ; dùng mã ISO 639 như vi, km, zh."),
                format!("Language code «{bad}» is not valid; use ISO 639 codes such as vi, km, zh."),
            ));
        }
        let ethnicity = optional_text(self.ethnicity);
        if ethnicity.as_ref().is_some_and(|e| e.chars().count() > 50) {
            errors.push(ApiError::invalid(
                "ethnicity",
                "invalid_ethnicity",
                "Dân tộc tối đa 50 ký tự.",
                "Ethnicity takes at most 50 characters.",
            ));
        }
        let phone = optional_text(self.phone);
        if let Some(p) = &phone {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(8..=15).contains(&digits)
                || p.len() > 30
                || !p.chars().all(|c| c.is_ascii_digit() || " +-.()".contains(c))
            {
                errors.push(ApiError::invalid(
                    "phone",
                    "invalid_phone",
                    format!("Số điện thoại «{p}» không hợp lệ."),
                    format!("Phone number «{p}» is not valid."),
                ));
            }
        }
        let email = optional_text(self.email);
        if let Some(e) = &email {
            let ok = e.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
            }) && !e.contains(char::is_whitespace)
                && e.len() <= 254;
            if !ok {
                errors.push(ApiError::invalid(
                    "email",
                    "invalid_email",
                    format!("Email «{e}» không hợp lệ."),
                    format!("E-mail «{e}» is not valid."),
                ));
            }
        }
        for (field, cap) in [
            ("max_per_day", self.max_per_day),
            ("max_per_week", self.max_per_week),
            ("max_per_month", self.max_per_month),
        ] {
            if cap.is_some_and(|c| !(1..=200).contains(&c)) {
                errors.push(ApiError::invalid(
                    field,
                    "invalid_cap",
                    "Giới hạn số buổi từ 1 đến 200.",
                    "A cap is 1 to 200 sessions.",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ValidPerson {
            code,
            full_name,
            roles,
            rapporteur_level: self.rapporteur_level,
            theory_level: self.theory_level,
            home_district_id: self.home_district_id,
            center_id: self.center_id,
            gender: self.gender,
            ethnicity,
            languages,
            phone,
            email,
            active: self.active,
            qualification_ids: self.qualification_ids.into_iter().collect(),
            max_per_day: self.max_per_day,
            max_per_week: self.max_per_week,
            max_per_month: self.max_per_month,
        })
    }
}

fn optional_text(t: Option<String>) -> Option<String> {
    t.map(|t| clean_text(&t)).filter(|t| !t.is_empty())
}

/// The first error, carrying the whole list when there are several.
fn first_of(mut errors: Vec<ApiError>) -> ApiError {
    let all: Vec<serde_json::Value> = errors
        .iter()
        .map(|e| serde_json::json!({"field": e.field, "code": e.code, "detail": e.vi, "detail_en": e.en}))
        .collect();
    let first = errors.swap_remove(0);
    if all.len() > 1 {
        first.with_errors(serde_json::Value::Array(all))
    } else {
        first
    }
}

/// One half-day of the week a part-time lecturer can come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HalfDaySlot {
    pub weekday: Weekday,
    pub half_day: HalfDay,
}

/// A person as the API shows one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub code: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    pub rapporteur_level: Option<RapporteurLevel>,
    pub theory_level: Option<TheoryLevel>,
    pub home_district_id: Option<i64>,
    pub center_id: Option<i64>,
    pub gender: Option<Gender>,
    pub ethnicity: Option<String>,
    pub languages: Vec<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub qualification_ids: Vec<i64>,
    /// Empty when the person has no weekly restriction.
    pub weekly_pattern: Vec<HalfDaySlot>,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
    pub max_per_month: Option<u32>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl PersonView {
    pub fn scope(&self) -> PersonScope {
        PersonScope {
            person_id: self.id,
            home_district_id: self.home_district_id,
            center_id: self.center_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    person_id: i64,
    code: String,
    full_name: String,
    rapporteur_level: Option<String>,
    theory_level: Option<String>,
    home_district_id: Option<i64>,
    center_id: Option<i64>,
    gender: Option<String>,
    ethnicity: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    active: bool,
    max_per_day: Option<i32>,
    max_per_week: Option<i32>,
    max_per_month: Option<i32>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const PERSON_COLUMNS: &str = "p.person_id, p.code, p.full_name, p.rapporteur_level, p.theory_level, \
     p.home_district_id, p.center_id, p.gender, p.ethnicity, p.phone, p.email, p.active, \
     p.max_per_day, p.max_per_week, p.max_per_month, p.created_at, p.updated_at";

fn vocab<T>(parse: fn(&str) -> Option<T>, text: Option<String>) -> Result<Option<T>> {
    text.map(|t| parse(&t).ok_or_else(|| ApiError::from(anyhow::anyhow!("unknown value {t:?} in the database"))))
        .transpose()
}

fn cap(v: Option<i32>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

/// The people with these ids, in the order given, with their roles, languages,
/// qualifications and weekly pattern.
pub async fn load(c: Conn<'_>, ids: &[i64]) -> Result<Vec<PersonView>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let (rows, roles, languages, quals, weekly) = on!(c, |c| {
        let in_ids = |sql: &str| {
            let mut qb = sqlx::QueryBuilder::<DB>::new(sql);
            let mut list = qb.push(" IN (").separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            qb.push(")");
            qb
        };
        let rows: Vec<PersonRow> = in_ids(&format!("SELECT {PERSON_COLUMNS} FROM person p WHERE p.person_id"))
            .build_query_as()
            .fetch_all(&mut *c)
            .await?;
        let roles: Vec<(i64, String)> = in_ids("SELECT person_id, role FROM person_role WHERE person_id")
            .build_query_as()
            .fetch_all(&mut *c)
            .await?;
        let languages: Vec<(i64, String)> = in_ids("SELECT person_id, language FROM person_language WHERE person_id")
            .build_query_as()
            .fetch_all(&mut *c)
            .await?;
        let quals: Vec<(i64, i64)> = in_ids("SELECT person_id, topic_id FROM qualification WHERE person_id")
            .build_query_as()
            .fetch_all(&mut *c)
            .await?;
        let weekly: Vec<(i64, String, String)> =
            in_ids("SELECT person_id, weekday, half_day FROM weekly_availability WHERE person_id")
                .build_query_as()
                .fetch_all(&mut *c)
                .await?;
        (rows, roles, languages, quals, weekly)
    });
    let mut by_id: HashMap<i64, PersonView> = HashMap::with_capacity(rows.len());
    for r in rows {
        by_id.insert(
            r.person_id,
            PersonView {
                id: r.person_id,
                code: r.code,
                full_name: r.full_name,
                roles: Vec::new(),
                rapporteur_level: vocab(RapporteurLevel::parse, r.rapporteur_level)?,
                theory_level: vocab(TheoryLevel::parse, r.theory_level)?,
                home_district_id: r.home_district_id,
                center_id: r.center_id,
                gender: vocab(Gender::parse, r.gender)?,
                ethnicity: r.ethnicity,
                languages: Vec::new(),
                phone: r.phone,
                email: r.email,
                active: r.active,
                qualification_ids: Vec::new(),
                weekly_pattern: Vec::new(),
                max_per_day: cap(r.max_per_day),
                max_per_week: cap(r.max_per_week),
                max_per_month: cap(r.max_per_month),
                created_at: local(r.created_at),
                updated_at: local(r.updated_at),
            },
        );
    }
    for (id, role) in roles {
        if let (Some(p), Some(role)) = (by_id.get_mut(&id), vocab(Role::parse, Some(role))?) {
            p.roles.push(role);
        }
    }
    for (id, language) in languages {
        if let Some(p) = by_id.get_mut(&id) {
            p.languages.push(language);
        }
    }
    for (id, topic) in quals {
        if let Some(p) = by_id.get_mut(&id) {
            p.qualification_ids.push(topic);
        }
    }
    for (id, weekday, half) in weekly {
        if let (Some(p), Some(weekday), Some(half_day)) = (
            by_id.get_mut(&id),
            vocab(Weekday::parse, Some(weekday))?,
            vocab(HalfDay::parse, Some(half))?,
        ) {
            p.weekly_pattern.push(HalfDaySlot { weekday, half_day });
        }
    }
    let mut out: Vec<PersonView> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    for p in &mut out {
        p.roles.sort();
        p.languages.sort();
        p.qualification_ids.sort();
        p.weekly_pattern.sort();
    }
    Ok(out)
}

/// Takes the person's row lock for the rest of the transaction, so that checks followed by
/// writes (overlapping periods, replaced sets) cannot interleave on PostgreSQL. (SQLite
/// transactions here already hold the database's write lock.)
pub async fn lock(c: Conn<'_>, id: i64) -> Result<()> {
    on!(c, |c| {
        sqlx::query("UPDATE person SET active = active WHERE person_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

pub async fn find(c: Conn<'_>, id: i64) -> Result<PersonView> {
    load(c, &[id])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("người", "Person"))
}

/// The id of the person with this code, if any.
pub async fn id_by_code(c: Conn<'_>, code: &str) -> Result<Option<i64>> {
    Ok(on!(c, |c| {
        sqlx::query_scalar("SELECT person_id FROM person WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *c)
            .await?
    }))
}

/// Writes a checked person: a new row, or a replacement of person `existing`.
/// References must already have been checked. Returns the person's id.
pub async fn store(c: Conn<'_>, existing: Option<i64>, p: &ValidPerson) -> Result<i64> {
    Ok(store_many(c, &[(existing, p)]).await?[0])
}

/// Rows per multi-row statement: well under both backends' limits on bound parameters.
const BATCH: usize = 500;

/// Writes checked people in bulk, as [`store`] does one: a new row for `(None, p)`, a
/// replacement of person `id` for `(Some(id), p)`. Returns the ids in the order given.
pub async fn store_many(c: Conn<'_>, people: &[(Option<i64>, &ValidPerson)]) -> Result<Vec<i64>> {
    let t = now();
    let cap = |c: Option<u32>| c.map(|c| c as i32);
    let search = |p: &ValidPerson| format!("{} {}", search_key(&p.full_name), p.code.to_lowercase());
    Ok(on!(c, |c| {
        let mut ids: Vec<Option<i64>> = people.iter().map(|(id, _)| *id).collect();
        for (id, p) in people {
            let Some(id) = id else { continue };
            sqlx::query(
                "UPDATE person SET code = $1, full_name = $2, sort_key = $3, search_key = $4, rapporteur_level = $5, \
                 theory_level = $6, home_district_id = $7, center_id = $8, gender = $9, ethnicity = $10, phone = $11, \
                 email = $12, active = $13, max_per_day = $14, max_per_week = $15, max_per_month = $16, updated_at = $17 \
                 WHERE person_id = $18",
            )
            .bind(&p.code)
            .bind(&p.full_name)
            .bind(sort_key(&p.full_name))
            .bind(search(p))
            .bind(p.rapporteur_level.map(RapporteurLevel::as_str))
            .bind(p.theory_level.map(TheoryLevel::as_str))
            .bind(p.home_district_id)
            .bind(p.center_id)
            .bind(p.gender.map(Gender::as_str))
            .bind(&p.ethnicity)
            .bind(&p.phone)
            .bind(&p.email)
            .bind(p.active)
            .bind(cap(p.max_per_day))
            .bind(cap(p.max_per_week))
            .bind(cap(p.max_per_month))
            .bind(t)
            .bind(id)
            .execute(&mut *c)
            .await?;
        }
        let updated: Vec<i64> = ids.iter().flatten().copied().collect();
        for chunk in updated.chunks(BATCH) {
            for table in ["person_role", "person_language", "qualification"] {
                let mut q = sqlx::QueryBuilder::<DB>::new(format!("DELETE FROM {table} WHERE person_id IN ("));
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build().execute(&mut *c).await?;
            }
        }
        let new: Vec<&ValidPerson> = people.iter().filter(|(id, _)| id.is_none()).map(|(_, p)| *p).collect();
        let mut new_ids = std::collections::HashMap::with_capacity(new.len());
        for chunk in new.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::<DB>::new(
                "INSERT INTO person (code, full_name, sort_key, search_key, rapporteur_level, theory_level, \
                 home_district_id, center_id, gender, ethnicity, phone, email, active, max_per_day, max_per_week, \
                 max_per_month, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut row, p| {
                row.push_bind(p.code.clone())
                    .push_bind(p.full_name.clone())
                    .push_bind(sort_key(&p.full_name))
                    .push_bind(search(p))
                    .push_bind(p.rapporteur_level.map(RapporteurLevel::as_str))
                    .push_bind(p.theory_level.map(TheoryLevel::as_str))
                    .push_bind(p.home_district_id)
                    .push_bind(p.center_id)
                    .push_bind(p.gender.map(Gender::as_str))
                    .push_bind(p.ethnicity.clone())
                    .push_bind(p.phone.clone())
                    .push_bind(p.email.clone())
                    .push_bind(p.active)
                    .push_bind(cap(p.max_per_day))
                    .push_bind(cap(p.max_per_week))
                    .push_bind(cap(p.max_per_month))
                    .push_bind(t)
                    .push_bind(t);
            });
            // RETURNING gives no order guarantee; codes are unique, so they pair rows with ids.
            q.push(" RETURNING person_id, code");
            let rows: Vec<(i64, String)> = q.build_query_as().fetch_all(&mut *c).await?;
            new_ids.extend(rows.into_iter().map(|(id, code)| (code, id)));
        }
        for (slot, (_, p)) in ids.iter_mut().zip(people) {
            if slot.is_none() {
                *slot = new_ids.get(&p.code).copied();
            }
        }
        let ids: Vec<i64> = ids
            .into_iter()
            .map(|id| id.ok_or_else(|| anyhow::anyhow!("a stored person has no id")))
            .collect::<Result<_, _>>()?;

        let pairs = |f: &dyn Fn(&ValidPerson) -> Vec<String>| -> Vec<(i64, String)> {
            ids.iter()
                .zip(people)
                .flat_map(|(id, (_, p))| f(p).into_iter().map(move |v| (*id, v)))
                .collect()
        };
        let roles = pairs(&|p| p.roles.iter().map(|r| r.as_str().to_string()).collect());
        let languages = pairs(&|p| p.languages.iter().cloned().collect());
        let topics: Vec<(i64, i64)> = ids
            .iter()
            .zip(people)
            .flat_map(|(id, (_, p))| p.qualification_ids.iter().map(move |t| (*id, *t)))
            .collect();
        for (sql, rows) in [
            ("INSERT INTO person_role (person_id, role) ", &roles),
            ("INSERT INTO person_language (person_id, language) ", &languages),
        ] {
            for chunk in rows.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::<DB>::new(sql);
                q.push_values(chunk, |mut row, (id, v)| {
                    row.push_bind(*id).push_bind(v.clone());
                });
                q.build().execute(&mut *c).await?;
            }
        }
        for chunk in topics.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::<DB>::new("INSERT INTO qualification (person_id, topic_id) ");
            q.push_values(chunk, |mut row, (id, topic)| {
                row.push_bind(*id).push_bind(*topic);
            });
            q.build().execute(&mut *c).await?;
        }
        ids
    }))
}

/// Checks what needs the database: references exist and the code is free for person `id`.
async fn check_refs(mut c: Conn<'_>, id: Option<i64>, p: &ValidPerson) -> Result<()> {
    if let Some(d) = p.home_district_id {
        require_ref(c.reborrow(), "home_district_id", "district", d).await?;
    }
    if let Some(id) = id
        && loses_home_while_scheduled(c.reborrow(), id, p).await?
    {
        let (vi, en) = HOME_REQUIRED;
        return Err(ApiError::invalid("home_district_id", "home_district_required", vi, en));
    }
    if let Some(center) = p.center_id {
        let found: Option<(String, i64)> = on!(c.reborrow(), |c| {
            sqlx::query_as("SELECT kind, district_id FROM center WHERE center_id = $1")
                .bind(center)
                .fetch_optional(&mut *c)
                .await?
        });
        let Some((kind, district)) = found else {
            return require_ref(c, "center_id", "center", center).await;
        };
        if !center_fits(
            kind == CenterKind::ProvincialSchool.as_str(),
            district,
            p.home_district_id,
        ) {
            return Err(center_mismatch());
        }
    }
    for topic in &p.qualification_ids {
        require_ref(c.reborrow(), "qualification_ids", "topic", *topic).await?;
    }
    match id_by_code(c, &p.code).await? {
        Some(other) if Some(other) != id => Err(duplicate_code(&p.code)),
        _ => Ok(()),
    }
}

/// A district center's staff live in its district; the provincial school serves them all.
pub fn center_fits(provincial_school: bool, center_district: i64, home_district: Option<i64>) -> bool {
    provincial_school || home_district.is_none_or(|d| d == center_district)
}

/// Why a person holding sessions keeps a home district or a center, in Vietnamese and English.
pub const HOME_REQUIRED: (&str, &str) = (
    "Người này đang có buổi trong lịch đã công bố hoặc được ghim: cần có huyện nơi ở hoặc trung tâm để tính đường đi.",
    "This person holds published or pinned sessions: a home district or a center is needed, travel is counted from it.",
);

/// Whether these fields leave person `id` with no place for the scheduler to count travel
/// from (no home district, nor a center whose district stands in) while they hold published
/// or pinned sessions: runs leave such people out, and could then hold those sessions for
/// nobody.
pub async fn loses_home_while_scheduled(c: Conn<'_>, id: i64, p: &ValidPerson) -> Result<bool> {
    if p.home_district_id.is_some() || p.center_id.is_some() {
        return Ok(false);
    }
    Ok(on!(c, |c| {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM assignment WHERE person_id = $1 AND to_version IS NULL) \
             OR EXISTS (SELECT 1 FROM pin WHERE person_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *c)
        .await?
    }))
}

pub fn center_mismatch() -> ApiError {
    ApiError::invalid(
        "center_id",
        "center_district_mismatch",
        "Trung tâm chính trị cấp huyện này thuộc huyện khác với huyện của người này.",
        "This district center is in another district than the person's home district.",
    )
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PersonFilter {
    /// Home district.
    pub district_id: Option<i64>,
    pub center_id: Option<i64>,
    pub role: Option<Role>,
    /// A topic id the person holds.
    pub qualification_id: Option<i64>,
    /// An ISO 639 language code the person speaks.
    pub language: Option<String>,
    pub active: Option<bool>,
    /// With `available_to`: only people with no unavailable period meeting [from, to).
    pub available_from: Option<DateTime<FixedOffset>>,
    pub available_to: Option<DateTime<FixedOffset>>,
    /// Part of a name or code, with or without diacritics.
    pub q: Option<String>,
    /// 1-based page number (default 1).
    pub page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    pub per_page: Option<u32>,
}

/// How many people of a filtered set hold each role, are women, and are of an ethnic
/// minority (an ethnicity recorded and not Kinh).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct PeopleCounts {
    pub total: i64,
    pub lecturer_full_time: i64,
    pub lecturer_part_time: i64,
    pub rapporteur: i64,
    pub women: i64,
    pub ethnic_minority: i64,
}

/// People in the caller's scope, in Vietnamese name order (given name first), filtered and
/// paginated.
pub async fn list(c: Conn<'_>, user: &AuthUser, f: PersonFilter) -> Result<Page<PersonView>> {
    Ok(select(c, user, f, false).await?.0)
}

/// The counts by role, women and ethnic minority over the people [`list`] would give for the
/// same filter (all pages).
pub async fn counts(c: Conn<'_>, user: &AuthUser, f: PersonFilter) -> Result<PeopleCounts> {
    Ok(select(c, user, f, true).await?.1.unwrap_or_default())
}

/// One page of people and, when asked, the counts over the whole filtered set.
pub async fn list_with_counts(
    c: Conn<'_>,
    user: &AuthUser,
    f: PersonFilter,
) -> Result<(Page<PersonView>, PeopleCounts)> {
    let (page, counts) = select(c, user, f, true).await?;
    Ok((page, counts.unwrap_or_default()))
}

async fn select(
    mut c: Conn<'_>,
    user: &AuthUser,
    f: PersonFilter,
    with_counts: bool,
) -> Result<(Page<PersonView>, Option<PeopleCounts>)> {
    if [f.available_from, f.available_to]
        .into_iter()
        .flatten()
        .any(|t| !crate::time::in_range(t))
    {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "date_out_of_range",
            "Thời điểm phải trong các năm 1900-2200.",
            "Dates must fall in the years 1900-2200.",
        ));
    }
    let window = match (f.available_from, f.available_to) {
        (Some(from), Some(to)) if from < to => Some((stored(from), stored(to))),
        (None, None) => None,
        (Some(_), Some(_)) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "reversed_period",
                "`available_from` phải trước `available_to`.",
                "`available_from` must be before `available_to`.",
            )
            .with_field("available_from"));
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "incomplete_period",
                "Cần cả `available_from` và `available_to`.",
                "Give both `available_from` and `available_to`.",
            )
            .with_field(if f.available_from.is_none() {
                "available_from"
            } else {
                "available_to"
            }));
        }
    };
    let paging = PageParams::new(f.page, f.per_page);
    let (limit, offset) = paging.limit_offset();
    let search = f.q.as_deref().map(search_key).filter(|q| !q.is_empty());
    let (ids, total, counts) = on!(c.reborrow(), |c| {
        let filter = |qb: &mut sqlx::QueryBuilder<DB>| {
            qb.push(" FROM person p WHERE 1 = 1");
            match user.scope {
                Scope::Province => {}
                Scope::District(d) => {
                    qb.push(" AND p.home_district_id = ").push_bind(d);
                }
                Scope::Center { center_id, district_id } => {
                    qb.push(" AND (p.center_id = ")
                        .push_bind(center_id)
                        .push(" OR p.home_district_id = ")
                        .push_bind(district_id)
                        .push(")");
                }
                Scope::Person(id) => {
                    qb.push(" AND p.person_id = ").push_bind(id);
                }
            }
            if let Some(d) = f.district_id {
                qb.push(" AND p.home_district_id = ").push_bind(d);
            }
            if let Some(center) = f.center_id {
                qb.push(" AND p.center_id = ").push_bind(center);
            }
            if let Some(role) = f.role {
                qb.push(" AND EXISTS (SELECT 1 FROM person_role r WHERE r.person_id = p.person_id AND r.role = ")
                    .push_bind(role.as_str())
                    .push(")");
            }
            if let Some(topic) = f.qualification_id {
                qb.push(" AND EXISTS (SELECT 1 FROM qualification q WHERE q.person_id = p.person_id AND q.topic_id = ")
                    .push_bind(topic)
                    .push(")");
            }
            if let Some(language) = &f.language {
                qb.push(
                    " AND EXISTS (SELECT 1 FROM person_language l WHERE l.person_id = p.person_id AND l.language = ",
                )
                .push_bind(language.trim().to_ascii_lowercase())
                .push(")");
            }
            if let Some(active) = f.active {
                qb.push(" AND p.active = ").push_bind(active);
            }
            if let Some((from, to)) = window {
                qb.push(" AND NOT EXISTS (SELECT 1 FROM unavailability u WHERE u.person_id = p.person_id AND u.starts_at < ")
                    .push_bind(to)
                    .push(" AND u.ends_at > ")
                    .push_bind(from)
                    .push(")");
            }
            if let Some(q) = &search {
                let pattern = format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                qb.push(" AND p.search_key LIKE ")
                    .push_bind(pattern)
                    .push(" ESCAPE '\\'");
            }
        };
        let mut count = sqlx::QueryBuilder::<DB>::new("SELECT COUNT(*)");
        filter(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(&mut *c).await?;
        let mut q = sqlx::QueryBuilder::<DB>::new("SELECT p.person_id");
        filter(&mut q);
        q.push(" ORDER BY p.sort_key, p.person_id LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *c).await?;
        let counts = if with_counts {
            let mut q = sqlx::QueryBuilder::<DB>::new("SELECT COUNT(*)");
            for role in [Role::LecturerFullTime, Role::LecturerPartTime, Role::Rapporteur] {
                q.push(
                    ", CAST(COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM person_role r \
                     WHERE r.person_id = p.person_id AND r.role = ",
                )
                .push_bind(role.as_str())
                .push(") THEN 1 ELSE 0 END), 0) AS BIGINT)");
            }
            q.push(", CAST(COALESCE(SUM(CASE WHEN p.gender = ")
                .push_bind(Gender::Female.as_str())
                .push(" THEN 1 ELSE 0 END), 0) AS BIGINT)")
                .push(
                    ", CAST(COALESCE(SUM(CASE WHEN p.ethnicity IS NOT NULL AND LOWER(p.ethnicity) <> 'kinh' \
                     THEN 1 ELSE 0 END), 0) AS BIGINT)",
                );
            filter(&mut q);
            let (total, full, part, rapporteur, women, minority): (i64, i64, i64, i64, i64, i64) =
                q.build_query_as().fetch_one(&mut *c).await?;
            Some(PeopleCounts {
                total,
                lecturer_full_time: full,
                lecturer_part_time: part,
                rapporteur,
                women,
                ethnic_minority: minority,
            })
        } else {
            None
        };
        (ids, total, counts)
    });
    let items = load(c.reborrow(), &ids).await?;
    Ok((paging.page(items, total), counts))
}

/// One person, if in the caller's scope.
pub async fn get(c: Conn<'_>, user: &AuthUser, id: i64) -> Result<PersonView> {
    let person = find(c, id).await?;
    if !user.can_read_person(person.scope()) {
        return Err(ApiError::forbidden());
    }
    Ok(person)
}

/// Add a person (province board only).
pub async fn create(mut c: Conn<'_>, user: &AuthUser, body: PersonInput) -> Result<PersonView> {
    user.require_admin()?;
    let valid = body.validate().map_err(first_of)?;
    check_refs(c.reborrow(), None, &valid).await?;
    let id = store(c.reborrow(), None, &valid).await?;
    let created = find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "person",
        id,
        None::<&()>,
        Some(&created),
    )
    .await?;
    Ok(created)
}

/// Replace a person's record (province board only); `active: false` deactivates.
pub async fn update(mut c: Conn<'_>, user: &AuthUser, id: i64, body: PersonInput) -> Result<PersonView> {
    user.require_admin()?;
    let valid = body.validate().map_err(first_of)?;
    lock(c.reborrow(), id).await?;
    let before = find(c.reborrow(), id).await?;
    check_refs(c.reborrow(), Some(id), &valid).await?;
    store(c.reborrow(), Some(id), &valid).await?;
    let after = find(c.reborrow(), id).await?;
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "person",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Delete a person without history (province board only). A person with history (an account,
/// assignments) is kept: the answer is 409, and the way out is to deactivate.
pub async fn delete(mut c: Conn<'_>, user: &AuthUser, id: i64) -> Result<()> {
    user.require_admin()?;
    let before = find(c.reborrow(), id).await?;
    delete_unreferenced(
        c.reborrow(),
        &Actor::from(user),
        "person",
        id,
        &before,
        &[
            ("app_user", "person_id", "tài khoản"),
            ("assignment", "person_id", "lần được phân công"),
            ("pin", "person_id", "buổi được ghim"),
        ],
        has_history,
    )
    .await?;
    Ok(())
}

/// The 409 for deleting a person others refer to: keep them, deactivated.
fn has_history(refs: &[String]) -> ApiError {
    ApiError::conflict(
        "person_has_history",
        format!(
            "Người này đã có lịch sử ({}); hãy ngừng kích hoạt (active = false) thay vì xóa.",
            refs.join(", ")
        ),
        format!(
            "This person has history ({}); deactivate (active = false) instead of deleting.",
            refs.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> PersonInput {
        PersonInput {
            code: "GV-001".into(),
            full_name: "  Nguyễn   Thị Lan ".into(),
            roles: vec![Role::LecturerPartTime, Role::Rapporteur, Role::Rapporteur],
            rapporteur_level: Some(RapporteurLevel::District),
            languages: vec!["vi".into(), "KM".into()],
            email: Some("lan.nt@soctrang.dcs.vn".into()),
            phone: Some("0912 345 678".into()),
            active: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_sound_person_is_cleaned_into_sets() {
        let p = input().validate().unwrap();
        assert_eq!(p.full_name, "Nguyễn Thị Lan");
        assert_eq!(p.roles.len(), 2);
        assert_eq!(p.languages.iter().map(String::as_str).collect::<Vec<_>>(), ["km", "vi"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_field() {
        let bad = PersonInput {
            code: "mã có dấu".into(),
            full_name: " ".into(),
            roles: vec![Role::LecturerFullTime, Role::LecturerPartTime],
            rapporteur_level: Some(RapporteurLevel::Province),
            email: Some("not-an-email".into()),
            phone: Some("12".into()),
            languages: vec!["khmer".into()],
            max_per_day: Some(0),
            ..Default::default()
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .filter_map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "code",
                "full_name",
                "roles",
                "rapporteur_level",
                "languages",
                "phone",
                "email",
                "max_per_day"
            ]
        );
    }

    #[test]
    fn a_rapporteur_needs_a_level() {
        let p = PersonInput {
            rapporteur_level: None,
            ..input()
        };
        let errors = p.validate().unwrap_err();
        assert_eq!(errors[0].code, "missing_rapporteur_level");
    }
}
