//! The demo province: `roster serve --demo` loads it into an empty database.

mod data;
mod planning;

use chrono::{Datelike, Days, NaiveTime, TimeZone};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::auth::users::{self, NewUser};
use crate::db::{Db, now};
use crate::error::ApiError;
use crate::on;
use crate::registry::PersonInput;
use crate::registry::availability::{self, UnavailabilityInput};
use crate::registry::letterheads::{self, LetterheadInput};
use crate::registry::people::{self, HalfDaySlot};
use crate::registry::{centers, districts, topics, unit_kinds};
use crate::time::ZONE;
use crate::vocab::{Gender, HalfDay, RapporteurLevel, Role, TheoryLevel, UserRole, Weekday};

use data::province;

/// The seed of the demo province; the same seed gives the same province.
const SEED: u64 = 2026;
pub const DEMO_PASSWORD: &str = "roster-demo";
/// The center of the demo coordinator's account: Trung tâm Chính trị thị xã Vĩnh Châu.
const DEMO_CENTER: usize = 9;

/// The kinds of unit that plan: code, name, and the unit type of the districts of that kind.
const UNIT_KINDS: [(&str, &str, &str); 4] = [
    ("HU", "Huyện ủy", "huyện"),
    ("TXU", "Thị ủy", "thị xã"),
    ("TPU", "Thành ủy", "thành phố"),
    ("DUTT", "Đảng ủy trực thuộc Tỉnh ủy", ""),
];
const COMMITTEE_KIND: usize = 3;
/// The Party committees directly under the province that the demo plans for.
const PARTY_COMMITTEES: [(&str, &str); 2] = [
    ("DU-KCQDN", "Đảng ủy Khối Cơ quan và Doanh nghiệp tỉnh"),
    ("DU-QS", "Đảng ủy Quân sự tỉnh"),
];

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
    let demo = AuthUser::system("demo");
    // The registry through its own functions, as the API writes it (each write audited).
    let mut kind_ids = Vec::new();
    for (code, name, _) in UNIT_KINDS {
        let input = from_json(json!({"code": code, "name": name}))?;
        let created = unit_kinds::create(tx.conn(), &demo, input).await.map_err(demo_error)?;
        kind_ids.push(created.id);
    }
    let mut district_ids = Vec::new();
    for d in &p.districts {
        let kind = UNIT_KINDS.iter().position(|k| k.2 == d.unit).map(|i| kind_ids[i]);
        let input = from_json(json!({"code": d.code, "name": d.name, "unit_kind_id": kind}))?;
        let created = districts::create(tx.conn(), &demo, input).await.map_err(demo_error)?;
        district_ids.push(id_of(&created)?);
    }
    let mut entries = Vec::new();
    for (from, row) in p.travel_minutes.iter().enumerate() {
        for (to, minutes) in row.iter().enumerate() {
            entries.push(
                json!({"from_district_id": district_ids[from], "to_district_id": district_ids[to], "minutes": minutes}),
            );
        }
    }
    districts::set_travel_times(tx.conn(), &demo, from_json(json!({ "entries": entries }))?)
        .await
        .map_err(demo_error)?;
    // The Party committees under the province, seated in the provincial capital.
    let mut committee_ids = Vec::new();
    for (code, name) in PARTY_COMMITTEES {
        let input = from_json(
            json!({"code": code, "name": name, "unit_kind_id": kind_ids[COMMITTEE_KIND],
            "seat_district_id": district_ids[0]}),
        )?;
        let created = districts::create(tx.conn(), &demo, input).await.map_err(demo_error)?;
        committee_ids.push(id_of(&created)?);
    }
    let mut center_ids = Vec::new();
    for center in &p.centers {
        let kind = if center.provincial_school {
            "provincial_school"
        } else {
            "district_center"
        };
        let input = from_json(json!({"code": center.code, "name": center.name, "kind": kind,
            "district_id": district_ids[center.district], "contact": center.contact}))?;
        let created = centers::create(tx.conn(), &demo, input).await.map_err(demo_error)?;
        center_ids.push(id_of(&created)?);
    }
    let mut topic_ids = Vec::new();
    for topic in &p.topics {
        let kind = if topic.resolution { "resolution" } else { "module" };
        let input = from_json(json!({"code": topic.code, "name": topic.name, "kind": kind}))?;
        let created = topics::create(tx.conn(), &demo, input).await.map_err(demo_error)?;
        topic_ids.push(id_of(&created)?);
    }

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
        if !slots.is_empty() {
            availability::set_weekly_pattern(tx.conn(), &demo, id, from_json(json!({ "half_days": slots }))?)
                .await
                .map_err(demo_error)?;
        }
        person_ids.push(id);
    }

    let midnight = |offset: i64| {
        let day = today.checked_add_days(Days::new(offset.max(0) as u64)).unwrap_or(today);
        ZONE.from_local_datetime(&day.and_time(NaiveTime::MIN))
            .single()
            .map(|t| t.to_utc())
    };
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
        let input = UnavailabilityInput {
            start: start.fixed_offset(),
            end: end.fixed_offset(),
            reason: Some(u.reason.to_string()),
        };
        availability::add(tx.conn(), &demo, person_ids[u.person], input)
            .await
            .map_err(demo_error)?;
    }

    letterheads(tx.conn(), &demo, &p, &district_ids, &committee_ids).await?;

    // The coming year's plans, classes and briefings; the Party committees' classes meet at
    // the provincial school.
    let school_id = p
        .centers
        .iter()
        .position(|c| c.provincial_school)
        .map(|i| center_ids[i])
        .ok_or_else(|| anyhow::anyhow!("the demo province has no provincial school"))?;
    let centers: Vec<planning::Center> = p
        .centers
        .iter()
        .zip(&center_ids)
        .enumerate()
        .filter(|(_, (center, _))| !center.provincial_school)
        .map(|(i, (center, &id))| planning::Center {
            id,
            // The demo coordinator's center (`ttct.vinhchau`) has classes left to request.
            unrequested: if i == DEMO_CENTER { 2 } else { 0 },
            district_id: district_ids[center.district],
            venue: format!("Hội trường {}", center.name),
            conference_venue: "Hội trường Huyện ủy",
            classes: &planning::CLASSES,
            khmer: p
                .people
                .iter()
                .filter(|x| x.home_district == center.district && x.languages.contains(&"km"))
                .count()
                * 4
                > p.people.iter().filter(|x| x.home_district == center.district).count(),
        })
        .chain(
            PARTY_COMMITTEES
                .iter()
                .zip(&committee_ids)
                .map(|((_, name), &id)| planning::Center {
                    id: school_id,
                    unrequested: 0,
                    district_id: id,
                    venue: format!("Hội trường {name}"),
                    conference_venue: "Hội trường Trường Chính trị tỉnh",
                    classes: &planning::COMMITTEE_CLASSES,
                    khmer: false,
                }),
        )
        .collect();
    let topics: Vec<(i64, &str, bool)> = p
        .topics
        .iter()
        .zip(&topic_ids)
        .map(|(topic, &id)| (id, topic.code.as_str(), topic.resolution))
        .collect();
    planning::load(tx.conn(), today.year() + 1, &centers, &topics).await?;

    let demo = AuthUser::system("demo");
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
            "du.quansu",
            "Ban Tuyên giáo Đảng ủy Quân sự tỉnh",
            UserRole::DistrictBoard,
            Some(committee_ids[1]),
            None,
            None,
        ),
        (
            "ttct.vinhchau",
            "Trung tâm Chính trị thị xã Vĩnh Châu",
            UserRole::CenterCoordinator,
            None,
            Some(center_ids[DEMO_CENTER]),
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
        users::create(tx.conn(), &demo, new)
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
        &Actor::from(&demo),
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

/// The letterheads of the province board and of every unit's board, as the seed's own plan
/// ends; a district's signer is one of its people.
async fn letterheads(
    mut c: crate::db::Conn<'_>,
    demo: &AuthUser,
    p: &data::DemoProvince,
    district_ids: &[i64],
    committee_ids: &[i64],
) -> anyhow::Result<()> {
    let upper = |s: &str| s.to_uppercase();
    let mut heads = vec![LetterheadInput {
        district_id: None,
        committee: upper(&format!("Tỉnh ủy {}", p.name)),
        board: "BAN TUYÊN GIÁO".into(),
        place: p.name.clone(),
        recipients: [
            "Thường trực Tỉnh ủy (b/c)",
            "Lãnh đạo Ban",
            "BTG, TTCT các huyện, thành phố",
            "Các Đảng ủy trực thuộc Tỉnh ủy",
            "Lưu VPTU, BTGTU",
        ]
        .map(String::from)
        .to_vec(),
        signer_authority: "K/T TRƯỞNG BAN".into(),
        signer_title: "PHÓ TRƯỞNG BAN THƯỜNG TRỰC".into(),
        signer_name: p.people[0].full_name.clone(),
    }];
    for (i, d) in p.districts.iter().enumerate() {
        let place: String = d.name.chars().skip(d.unit.chars().count() + 1).collect();
        let committee = UNIT_KINDS.iter().find(|k| k.2 == d.unit).map_or("", |k| k.1);
        let signer = p.people.iter().find(|x| x.home_district == i).unwrap_or(&p.people[0]);
        heads.push(LetterheadInput {
            district_id: Some(district_ids[i]),
            committee: upper(&format!("{committee} {place}")),
            board: "BAN TUYÊN GIÁO".into(),
            place: place.clone(),
            recipients: vec![
                "Ban Tuyên giáo Tỉnh ủy (b/c)".into(),
                format!("Thường trực {committee} (b/c)"),
                format!("Trung tâm Chính trị {} {place}", d.unit),
                "Lưu VT".into(),
            ],
            signer_authority: String::new(),
            signer_title: "TRƯỞNG BAN".into(),
            signer_name: signer.full_name.clone(),
        });
    }
    for ((_, name), &id) in PARTY_COMMITTEES.iter().zip(committee_ids) {
        heads.push(LetterheadInput {
            district_id: Some(id),
            committee: upper(name),
            board: "BAN TUYÊN GIÁO".into(),
            place: p.name.clone(),
            recipients: vec!["Ban Tuyên giáo Tỉnh ủy (b/c)".into(), "Lưu VT".into()],
            signer_authority: String::new(),
            signer_title: "TRƯỞNG BAN".into(),
            signer_name: p.people[1].full_name.clone(),
        });
    }
    for head in heads {
        letterheads::set(c.reborrow(), demo, head).await.map_err(demo_error)?;
    }
    Ok(())
}

/// An input of the registry, built as the API receives it.
fn from_json<T: DeserializeOwned>(v: Value) -> anyhow::Result<T> {
    Ok(serde_json::from_value(v)?)
}

/// The id of a record as the API shows it.
fn id_of<T: Serialize>(record: &T) -> anyhow::Result<i64> {
    serde_json::to_value(record)?["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("a record without an id"))
}

fn demo_error(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo data: {}", e.en)
}
