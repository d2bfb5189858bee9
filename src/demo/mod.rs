//! The demo province: `roster serve --demo` loads it into an empty database.

mod data;
mod planning;

use chrono::{Datelike, Days, NaiveTime, TimeZone};

use crate::audit::{self, Actor};
use crate::auth::users::{self, NewUser};
use crate::db::{Db, now};
use crate::on;
use crate::registry::PersonInput;
use crate::registry::people::{self, HalfDaySlot};
use crate::time::ZONE;
use crate::vocab::{Gender, HalfDay, RapporteurLevel, Role, TheoryLevel, UserRole, Weekday};

use data::province;

/// The seed of the demo province; the same seed gives the same province.
const SEED: u64 = 2026;
pub const DEMO_PASSWORD: &str = "roster-demo";

/// A demo login: username, password, and what the account may do.
pub type Login = (String, String, String);

/// Loads the demo province and its accounts into an empty database (one transaction) and
/// returns the logins. A database that holds anything already is left as it is.
pub async fn load(db: &Db) -> anyhow::Result<Vec<Login>> {
    let mut tx = db.begin().await?;
    let records: i64 = on!(tx.conn(), |c| {
        sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM person) + (SELECT COUNT(*) FROM district) + (SELECT COUNT(*) FROM topic) \
             + (SELECT COUNT(*) FROM center) + (SELECT COUNT(*) FROM app_user)",
        )
        .fetch_one(&mut *c)
        .await?
    });
    if records > 0 {
        println!(
            "Cơ sở dữ liệu đã có dữ liệu; không nạp dữ liệu mẫu / the database is not empty: demo data not loaded."
        );
        return Ok(Vec::new());
    }
    let p = province(SEED);
    let t = now();
    let today = t.with_timezone(&ZONE).date_naive();
    let (district_ids, center_ids, topic_ids) = on!(tx.conn(), |c| {
        let mut districts = Vec::new();
        for d in &p.districts {
            let id: i64 = sqlx::query_scalar("INSERT INTO district (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING district_id")
                .bind(&d.code)
                .bind(&d.name)
                .bind(t)
                .fetch_one(&mut *c)
                .await?;
            districts.push(id);
        }
        for (from, row) in p.travel_minutes.iter().enumerate() {
            for (to, minutes) in row.iter().enumerate() {
                sqlx::query("INSERT INTO travel_time (from_district_id, to_district_id, minutes) VALUES ($1, $2, $3)")
                    .bind(districts[from])
                    .bind(districts[to])
                    .bind(*minutes as i32)
                    .execute(&mut *c)
                    .await?;
            }
        }
        let mut centers = Vec::new();
        for center in &p.centers {
            let kind = if center.provincial_school {
                "provincial_school"
            } else {
                "district_center"
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO center (code, name, kind, district_id, contact, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING center_id",
            )
            .bind(&center.code)
            .bind(&center.name)
            .bind(kind)
            .bind(districts[center.district])
            .bind(&center.contact)
            .bind(t)
            .fetch_one(&mut *c)
            .await?;
            centers.push(id);
        }
        let mut topics = Vec::new();
        for topic in &p.topics {
            let kind = if topic.resolution { "resolution" } else { "module" };
            let id: i64 = sqlx::query_scalar("INSERT INTO topic (code, name, kind, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING topic_id")
                .bind(&topic.code)
                .bind(&topic.name)
                .bind(kind)
                .bind(t)
                .fetch_one(&mut *c)
                .await?;
            topics.push(id);
        }
        (districts, centers, topics)
    });

    let mut person_ids = Vec::with_capacity(p.people.len());
    for person in &p.people {
        let input = PersonInput {
            code: person.code.clone(),
            full_name: person.full_name.clone(),
            roles: person.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            rapporteur_level: person.rapporteur_level.and_then(RapporteurLevel::parse),
            theory_level: person.theory_level.and_then(TheoryLevel::parse),
            home_district_id: Some(district_ids[person.home_district]),
            center_id: person.center.map(|i| center_ids[i]),
            gender: Gender::parse(person.gender),
            ethnicity: Some(person.ethnicity.to_string()),
            languages: person.languages.iter().map(|l| l.to_string()).collect(),
            phone: Some(person.phone.clone()),
            email: person.email.clone(),
            active: true,
            qualification_ids: person.qualifications.iter().map(|i| topic_ids[*i]).collect(),
            max_per_day: person.max_per_day,
            max_per_week: person.max_per_week,
            max_per_month: person.max_per_month,
        };
        let valid = input
            .validate()
            .map_err(|e| anyhow::anyhow!("demo person {}: {}", person.code, e[0].en))?;
        let id = people::store(tx.conn(), None, &valid).await?;
        let slots: Vec<HalfDaySlot> = person
            .weekly_half_days
            .iter()
            .map(|&(day, morning)| HalfDaySlot {
                weekday: Weekday::ALL[usize::from(day.clamp(1, 7)) - 1],
                half_day: if morning { HalfDay::Morning } else { HalfDay::Afternoon },
            })
            .collect();
        on!(tx.conn(), |c| {
            for s in &slots {
                sqlx::query("INSERT INTO weekly_availability (person_id, weekday, half_day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(s.weekday.as_str())
                    .bind(s.half_day.as_str())
                    .execute(&mut *c)
                    .await?;
            }
        });
        person_ids.push(id);
    }

    let midnight = |offset: i64| {
        let day = today.checked_add_days(Days::new(offset.max(0) as u64)).unwrap_or(today);
        ZONE.from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .map(|t| t.to_utc())
    };
    on!(tx.conn(), |c| {
        let mut last_end = std::collections::HashMap::new();
        for u in &p.unavailability {
            let (Some(start), Some(end)) = (
                midnight(u.start_day_offset),
                midnight(u.start_day_offset + u.days.max(1)),
            ) else {
                continue;
            };
            // Periods of one person never overlap, as the API requires.
            if last_end.get(&u.person).is_some_and(|e| start < *e) {
                continue;
            }
            last_end.insert(u.person, end);
            sqlx::query("INSERT INTO unavailability (person_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4)")
                .bind(person_ids[u.person])
                .bind(start)
                .bind(end)
                .bind(u.reason)
                .execute(&mut *c)
                .await?;
        }
    });

    // The coming year's plans, classes and briefings.
    let centers: Vec<planning::Center> = p
        .centers
        .iter()
        .zip(&center_ids)
        .filter(|(center, _)| !center.provincial_school)
        .map(|(center, &id)| planning::Center {
            id,
            district_id: district_ids[center.district],
            name: &center.name,
            khmer: p
                .people
                .iter()
                .filter(|x| x.home_district == center.district && x.languages.contains(&"km"))
                .count()
                * 4
                > p.people.iter().filter(|x| x.home_district == center.district).count(),
        })
        .collect();
    let topics: Vec<(i64, &str, bool)> = p
        .topics
        .iter()
        .zip(&topic_ids)
        .map(|(topic, &id)| (id, topic.code.as_str(), topic.resolution))
        .collect();
    planning::load(tx.conn(), today.year() + 1, &centers, &topics).await?;

    let actor = Actor {
        user_id: None,
        name: "demo".to_string(),
    };
    let full_time = p
        .people
        .iter()
        .position(|x| x.roles.contains(&"lecturer_full_time"))
        .unwrap_or(0);
    let accounts = [
        (
            "admin",
            "Ban Tuyên giáo Tỉnh ủy Sóc Trăng",
            UserRole::ProvinceAdmin,
            None,
            None,
            None,
        ),
        (
            "huyen.trande",
            "Ban Tuyên giáo Huyện ủy Trần Đề",
            UserRole::DistrictBoard,
            Some(district_ids[10]),
            None,
            None,
        ),
        (
            "ttct.vinhchau",
            "Trung tâm Chính trị thị xã Vĩnh Châu",
            UserRole::CenterCoordinator,
            None,
            Some(center_ids[9]),
            None,
        ),
        (
            "giangvien",
            p.people[full_time].full_name.as_str(),
            UserRole::Lecturer,
            None,
            None,
            Some(person_ids[full_time]),
        ),
    ];
    let mut logins = Vec::new();
    for (username, name, role, district_id, center_id, person_id) in accounts {
        let new = NewUser {
            username: username.to_string(),
            display_name: name.to_string(),
            password: DEMO_PASSWORD.to_string(),
            role,
            district_id,
            center_id,
            person_id,
        };
        users::insert(tx.conn(), &actor, new)
            .await
            .map_err(|e| anyhow::anyhow!("demo account {username}: {}", e.en))?;
        logins.push((
            username.to_string(),
            DEMO_PASSWORD.to_string(),
            format!("{} — {name}", role.label()),
        ));
    }
    let summary = serde_json::json!({
        "province": p.name, "districts": p.districts.len(), "centers": p.centers.len(),
        "topics": p.topics.len(), "people": p.people.len(),
    });
    audit::record(
        tx.conn(),
        &actor,
        "load_demo",
        "province",
        &p.name,
        None::<&()>,
        Some(&summary),
    )
    .await?;
    tx.commit().await?;
    Ok(logins)
}
