//! The names a planning form offers and a planning page shows in place of ids: districts,
//! centers, programs and resolutions.

use crate::db::Conn;
use crate::error::Result;
use crate::on;

#[derive(sqlx::FromRow)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

#[derive(sqlx::FromRow)]
pub struct CenterName {
    pub id: i64,
    pub name: String,
    pub district_id: i64,
    pub kind: String,
}

pub struct Choices {
    pub districts: Vec<Named>,
    pub centers: Vec<CenterName>,
    pub programs: Vec<Named>,
    pub resolutions: Vec<Named>,
}

impl Choices {
    fn find(list: &[Named], id: i64) -> String {
        list.iter()
            .find(|n| n.id == id)
            .map_or_else(|| format!("#{id}"), |n| n.name.clone())
    }
    pub fn district(&self, id: i64) -> String {
        Self::find(&self.districts, id)
    }
    pub fn program(&self, id: i64) -> String {
        Self::find(&self.programs, id)
    }
    pub fn resolution(&self, id: i64) -> String {
        Self::find(&self.resolutions, id)
    }
    pub fn center(&self, id: i64) -> String {
        self.centers
            .iter()
            .find(|n| n.id == id)
            .map_or_else(|| format!("#{id}"), |n| n.name.clone())
    }
    /// The centers that may run a class of `district_id`'s plan: its own, and the provincial
    /// school.
    pub fn centers_for(&self, district_id: i64) -> impl Iterator<Item = &CenterName> {
        self.centers
            .iter()
            .filter(move |c| c.district_id == district_id || c.kind == "provincial_school")
    }
}

/// Every district, center, program and resolution, by name.
pub async fn load(mut c: Conn<'_>) -> Result<Choices> {
    let districts: Vec<Named> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT district_id AS id, name FROM district ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let centers: Vec<CenterName> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT center_id AS id, name, district_id, kind FROM center ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let programs: Vec<Named> = on!(c.reborrow(), |c| {
        sqlx::query_as("SELECT program_id AS id, name FROM program ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    let resolutions: Vec<Named> = on!(c, |c| {
        sqlx::query_as("SELECT topic_id AS id, name FROM topic WHERE kind = 'resolution' ORDER BY code")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(Choices {
        districts,
        centers,
        programs,
        resolutions,
    })
}
