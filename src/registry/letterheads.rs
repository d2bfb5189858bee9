//! Letterheads of printed documents, in the Party's document layout: the committee and its
//! board at the top left, the place before the date, "Nơi nhận" and the signature block. One
//! for the province board and one per unit's board; the province board keeps them all.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::valid_name;
use crate::audit::{self, Actor};
use crate::auth::AuthUser;
use crate::db::{Conn, now};
use crate::error::{ApiError, Result};
use crate::on;
use crate::references::require_ref;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterheadInput {
    /// The unit whose board signs; none for the province board.
    #[serde(default)]
    pub district_id: Option<i64>,
    /// The Party committee, e.g. "TỈNH ỦY SÓC TRĂNG", "HUYỆN ỦY TRẦN ĐỀ".
    pub committee: String,
    /// The board under it, e.g. "BAN TUYÊN GIÁO".
    pub board: String,
    /// The place before the date, e.g. "Sóc Trăng".
    pub place: String,
    /// "Nơi nhận", one recipient a line, e.g. "Thường trực Tỉnh ủy (b/c)".
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Who signs on whose behalf, e.g. "K/T TRƯỞNG BAN"; may be blank.
    #[serde(default)]
    pub signer_authority: String,
    /// e.g. "PHÓ TRƯỞNG BAN THƯỜNG TRỰC".
    pub signer_title: String,
    pub signer_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Letterhead {
    pub district_id: Option<i64>,
    pub committee: String,
    pub board: String,
    pub place: String,
    pub recipients: Vec<String>,
    pub signer_authority: String,
    pub signer_title: String,
    pub signer_name: String,
    /// False when the province board has not set it yet: a printed document then carries
    /// blanks to fill in by hand.
    pub configured: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    district_id: Option<i64>,
    committee: String,
    board: String,
    place: String,
    recipients: String,
    signer_authority: String,
    signer_title: String,
    signer_name: String,
}

/// At most this many lines of "Nơi nhận".
const MAX_RECIPIENTS: usize = 20;

/// The letterhead of the province board (`None`) or of a unit's board, or one with blanks.
pub async fn get(c: Conn<'_>, district_id: Option<i64>) -> Result<Letterhead> {
    let row: Option<Row> = on!(c, |c| {
        sqlx::query_as(
            "SELECT district_id, committee, board, place, recipients, signer_authority, signer_title, signer_name \
             FROM letterhead WHERE (district_id = $1 OR (district_id IS NULL AND $1 IS NULL))",
        )
        .bind(district_id)
        .fetch_optional(&mut *c)
        .await?
    });
    Ok(match row {
        Some(r) => Letterhead {
            district_id: r.district_id,
            committee: r.committee,
            board: r.board,
            place: r.place,
            recipients: r.recipients.lines().map(str::to_string).collect(),
            signer_authority: r.signer_authority,
            signer_title: r.signer_title,
            signer_name: r.signer_name,
            configured: true,
        },
        None => Letterhead {
            district_id,
            committee: String::new(),
            board: "BAN TUYÊN GIÁO".to_string(),
            place: String::new(),
            recipients: vec!["Lưu VT.".to_string()],
            signer_authority: String::new(),
            signer_title: "TRƯỞNG BAN".to_string(),
            signer_name: String::new(),
            configured: false,
        },
    })
}

/// A line of at most 200 characters, cleaned; blank allowed.
fn valid_line(field: &str, text: &str) -> Result<String> {
    let text = crate::collation::clean_text(text);
    if text.chars().count() > 200 {
        return Err(ApiError::invalid(
            field,
            "invalid_line",
            "Mỗi dòng dài tối đa 200 ký tự.",
            "A line has at most 200 characters.",
        ));
    }
    Ok(text)
}

/// Sets a letterhead (province board only); recorded in the audit.
pub async fn set(mut c: Conn<'_>, user: &AuthUser, body: LetterheadInput) -> Result<Letterhead> {
    user.require_admin()?;
    if let Some(id) = body.district_id {
        require_ref(c.reborrow(), "district_id", "district", id).await?;
    }
    let recipients = body
        .recipients
        .iter()
        .enumerate()
        .map(|(i, r)| valid_line(&format!("recipients[{i}]"), r))
        .filter(|r| r.as_ref().map_or(true, |r| !r.is_empty()))
        .collect::<Result<Vec<_>>>()?;
    if recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::invalid(
            "recipients",
            "too_many_recipients",
            format!("Nơi nhận có tối đa {MAX_RECIPIENTS} dòng."),
            format!("At most {MAX_RECIPIENTS} recipients."),
        ));
    }
    let after = Letterhead {
        district_id: body.district_id,
        committee: valid_name("committee", &body.committee)?,
        board: valid_name("board", &body.board)?,
        place: valid_name("place", &body.place)?,
        recipients,
        signer_authority: valid_line("signer_authority", &body.signer_authority)?,
        signer_title: valid_name("signer_title", &body.signer_title)?,
        signer_name: valid_name("signer_name", &body.signer_name)?,
        configured: true,
    };
    let before = get(c.reborrow(), body.district_id).await?;
    on!(c.reborrow(), |c| {
        sqlx::query("DELETE FROM letterhead WHERE (district_id = $1 OR (district_id IS NULL AND $1 IS NULL))")
            .bind(after.district_id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "INSERT INTO letterhead (district_id, committee, board, place, recipients, signer_authority, \
             signer_title, signer_name, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(after.district_id)
        .bind(&after.committee)
        .bind(&after.board)
        .bind(&after.place)
        .bind(after.recipients.join("\n"))
        .bind(&after.signer_authority)
        .bind(&after.signer_title)
        .bind(&after.signer_name)
        .bind(now())
        .execute(&mut *c)
        .await?;
    });
    let entity_id = after.district_id.map_or("province".to_string(), |d| d.to_string());
    audit::record(
        c,
        &Actor::from(user),
        "update",
        "letterhead",
        entity_id,
        before.configured.then_some(&before),
        Some(&after),
    )
    .await?;
    Ok(after)
}
