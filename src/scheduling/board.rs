//! The board's hand on the scheduler: the objective's weights, pins, and "who can take this
//! session?".

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use roster_solver::{Pair, Weights};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{self, Scope as Period, session_key};
use super::runs::{self, person_ids};
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;

/// The objective's weights (see the scheduling format): what one unit of each term costs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsView {
    /// Per place left empty.
    pub uncovered: i64,
    /// Per minute of travel from home.
    pub travel_minute: i64,
    /// Per session of the busiest full-time lecturer, and of the busiest rapporteur.
    pub max_load: i64,
    /// Per extra person teaching one module of one class.
    pub continuity: i64,
    /// Per class session taught by a part-time lecturer.
    pub part_time: i64,
    /// Per assignment not in the audience's language.
    pub language: i64,
    /// Per published assignment a re-plan moves.
    pub change: i64,
}

impl From<WeightsView> for Weights {
    fn from(w: WeightsView) -> Weights {
        Weights {
            uncovered: w.uncovered,
            travel_minute: w.travel_minute,
            max_load: w.max_load,
            continuity: w.continuity,
            part_time: w.part_time,
            language: w.language,
            change: w.change,
        }
    }
}

/// The weights the next runs use.
pub async fn weights(c: Conn<'_>) -> Result<WeightsView> {
    let w: (i64, i64, i64, i64, i64, i64, i64) = on!(c, |c| {
        sqlx::query_as(
            "SELECT CAST(uncovered AS BIGINT), CAST(travel_minute AS BIGINT), CAST(max_load AS BIGINT), \
             CAST(continuity AS BIGINT), CAST(part_time AS BIGINT), CAST(language AS BIGINT), CAST(change AS BIGINT) \
             FROM scheduler_weights",
        )
        .fetch_one(&mut *c)
        .await?
    });
    Ok(WeightsView {
        uncovered: w.0,
        travel_minute: w.1,
        max_load: w.2,
        continuity: w.3,
        part_time: w.4,
        language: w.5,
        change: w.6,
    })
}

/// Set the weights the next runs use (province board only); each 0 to 1,000,000.
pub async fn set_weights(mut c: Conn<'_>, user: &AuthUser, body: WeightsView) -> Result<WeightsView> {
    user.require_admin()?;
    let w = body.clone();
    for (field, v) in [
        ("uncovered", w.uncovered),
        ("travel_minute", w.travel_minute),
        ("max_load", w.max_load),
        ("continuity", w.continuity),
        ("part_time", w.part_time),
        ("language", w.language),
        ("change", w.change),
    ] {
        if !(0..=1_000_000).contains(&v) {
            return Err(ApiError::invalid(
                field,
                "invalid_weight",
                "Trọng số từ 0 đến 1.000.000.",
                "A weight is 0 to 1,000,000.",
            ));
        }
    }
    let before = weights(c.reborrow()).await?;
    on!(c.reborrow(), |c| {
        sqlx::query(
            "UPDATE scheduler_weights SET uncovered = $1, travel_minute = $2, max_load = $3, continuity = $4, \
             part_time = $5, language = $6, change = $7",
        )
        .bind(w.uncovered)
        .bind(w.travel_minute)
        .bind(w.max_load)
        .bind(w.continuity)
        .bind(w.part_time)
        .bind(w.language)
        .bind(w.change)
        .execute(&mut *c)
        .await?;
    });
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "update",
        "scheduler_weights",
        1,
        Some(&before),
        Some(&body),
    )
    .await?;
    Ok(body)
}

/// The days around a session that its caps and conflicts reach.
async fn window(mut c: Conn<'_>, session: i64) -> Result<Period> {
    let start: Option<DateTime<Utc>> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT starts_at FROM session WHERE session_id = $1")
            .bind(session)
            .fetch_optional(&mut *c)
            .await?
    });
    let day = crate::time::local(start.ok_or_else(|| ApiError::not_found("buổi", "Session"))?).date_naive();
    Ok(Period {
        from: day,
        to: day,
        districts: None,
    }
    .cap_window())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidateView {
    pub person_id: i64,
    pub code: String,
    pub name: String,
    /// From the person's home district to the session's.
    pub travel_minutes: i64,
    /// Sessions the person holds in the published schedule, in the session's month.
    pub load: u32,
    /// What taking it adds to the objective on its own (travel, part-time, language).
    pub cost: i64,
}

/// Who can take a session, best first (province board only): next to the published schedule,
/// or next to a run's draft while the board reviews it, so that nobody the draft already
/// holds on the session, or elsewhere at that time, is offered.
pub async fn candidates(
    mut c: Conn<'_>,
    user: &AuthUser,
    id: i64,
    draft_of: Option<i64>,
) -> Result<Vec<CandidateView>> {
    user.require_admin()?;
    let period = window(c.reborrow(), id).await?;
    let mut built = problem::build(c.reborrow(), &period, 60.0).await?.problem;
    // Only the schedule looked at counts here; pins are the next run's business.
    built.pinned.clear();
    let ids = person_ids(c.reborrow()).await?;
    let against = match draft_of {
        None => built.previous.clone(),
        Some(run) => {
            let codes: HashMap<i64, &String> = ids.iter().map(|(code, id)| (*id, code)).collect();
            // The draft may span more than the session's window: only the window's sessions
            // bear on who is free.
            let in_window: HashSet<&str> = built.sessions.iter().map(|s| s.id.as_str()).collect();
            let draft = runs::detail(c.reborrow(), run, None).await?.draft;
            draft
                .map(|d| d.assignments)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| {
                    let session = session_key(a.session_id);
                    in_window.contains(session.as_str()).then_some(())?;
                    Some(Pair {
                        session,
                        person: codes.get(&a.person_id)?.to_string(),
                    })
                })
                .collect()
        }
    };
    let list = roster_solver::candidates(&built, &against, &session_key(id))
        .map_err(|e| anyhow::anyhow!("candidates for session {id}: {}", e.message))?;
    Ok(list
        .into_iter()
        .filter_map(|c| {
            let person = built.people.iter().find(|p| p.id == c.person)?;
            Some(CandidateView {
                person_id: *ids.get(&c.person)?,
                code: c.person,
                name: person.name.clone(),
                travel_minutes: c.travel_minutes,
                load: c.load,
                cost: c.cost,
            })
        })
        .collect())
}

/// Pins a person on a session for every later run, within the rules (province board only).
pub async fn pin(mut c: Conn<'_>, user: &AuthUser, id: i64, person: i64) -> Result<()> {
    user.require_admin()?;
    let period = window(c.reborrow(), id).await?;
    let code: Option<String> = on!(c.reborrow(), |c| {
        sqlx::query_scalar("SELECT code FROM person WHERE person_id = $1")
            .bind(person)
            .fetch_optional(&mut *c)
            .await?
    });
    let code = code.ok_or_else(|| ApiError::not_found("người", "Person"))?;
    let mut built = problem::build(c.reborrow(), &period, 60.0).await?.problem;
    built.pinned.push(Pair {
        session: session_key(id),
        person: code,
    });
    if let Err(e) = roster_solver::validate(&built) {
        return Err(ApiError::invalid(
            "person_id",
            "pin_breaks_rule",
            format!("Không thể ghim: {}", e.message),
            format!("Cannot pin: {}", e.message),
        ));
    }
    on!(c.reborrow(), |c| {
        sqlx::query(
            "INSERT INTO pin (session_id, person_id, pinned_by, pinned_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (session_id, person_id) DO NOTHING",
        )
        .bind(id)
        .bind(person)
        .bind(&user.username)
        .bind(now())
        .execute(&mut *c)
        .await?;
    });
    let pinned = serde_json::json!({"session_id": id, "person_id": person});
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "create",
        "pin",
        format!("{id}/{person}"),
        None::<&()>,
        Some(&pinned),
    )
    .await?;
    Ok(())
}

pub async fn unpin(mut c: Conn<'_>, user: &AuthUser, (id, person): (i64, i64)) -> Result<()> {
    user.require_admin()?;
    let deleted = on!(c.reborrow(), |c| {
        sqlx::query("DELETE FROM pin WHERE session_id = $1 AND person_id = $2")
            .bind(id)
            .bind(person)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    if deleted == 0 {
        return Err(ApiError::not_found("ghim", "Pin"));
    }
    let pinned = serde_json::json!({"session_id": id, "person_id": person});
    audit::record(
        c.reborrow(),
        &Actor::from(user),
        "delete",
        "pin",
        format!("{id}/{person}"),
        Some(&pinned),
        None::<&()>,
    )
    .await?;
    Ok(())
}
