//! The spreadsheet's columns: finding the header row and reading each row into a person.

use std::collections::HashMap;

use axum::http::StatusCode;

use super::RowError;
use super::sheet::Sheet;
use crate::collation::search_key;
use crate::db::Conn;
use crate::error::{ApiError, Result};
use crate::on;
use crate::registry::PersonInput;
use crate::registry::people::{center_fits, center_mismatch};
use crate::vocab::{CenterKind, Gender, LANGUAGES, RapporteurLevel, Role, TheoryLevel};

/// The columns of the people spreadsheet, in template order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    FullName,
    Code,
    Roles,
    RapporteurLevel,
    TheoryLevel,
    District,
    Topics,
    Languages,
    Ethnicity,
    Gender,
    Phone,
    Email,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::FullName,
        Column::Code,
        Column::Roles,
        Column::RapporteurLevel,
        Column::TheoryLevel,
        Column::District,
        Column::Topics,
        Column::Languages,
        Column::Ethnicity,
        Column::Gender,
        Column::Phone,
        Column::Email,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Column::FullName => "Họ và tên",
            Column::Code => "Mã",
            Column::Roles => "Loại",
            Column::RapporteurLevel => "Cấp báo cáo viên",
            Column::TheoryLevel => "Trình độ LLCT",
            Column::District => "Huyện",
            Column::Topics => "Chuyên đề",
            Column::Languages => "Ngôn ngữ",
            Column::Ethnicity => "Dân tộc",
            Column::Gender => "Giới tính",
            Column::Phone => "Điện thoại",
            Column::Email => "Email",
        }
    }

    /// The person field a column fills, as validation names it.
    fn field(self) -> &'static str {
        match self {
            Column::FullName => "full_name",
            Column::Code => "code",
            Column::Roles => "roles",
            Column::RapporteurLevel => "rapporteur_level",
            Column::TheoryLevel => "theory_level",
            Column::District => "home_district_id",
            Column::Topics => "qualification_ids",
            Column::Languages => "languages",
            Column::Ethnicity => "ethnicity",
            Column::Gender => "gender",
            Column::Phone => "phone",
            Column::Email => "email",
        }
    }

    fn required(self) -> bool {
        matches!(self, Column::FullName | Column::Code | Column::Roles)
    }
}

/// A data row and its number in the spreadsheet.
pub struct Row {
    pub number: usize,
    cells: Vec<String>,
}

/// The data rows and where each known column is. Unknown columns (such as "STT") are ignored;
/// a column left out keeps what is on record for people already registered.
pub struct Table {
    positions: HashMap<Column, usize>,
    pub rows: Vec<Row>,
}

/// Finds the header row: the first row, among the first ten, that names the required columns
/// (title lines above the table are common in boards' spreadsheets).
pub fn locate(sheet: &Sheet) -> Result<Table> {
    for (i, (_, cells)) in sheet.rows.iter().take(10).enumerate() {
        let mut positions = HashMap::new();
        for (pos, cell) in cells.iter().enumerate() {
            let key = search_key(cell);
            if let Some(col) = Column::ALL.into_iter().find(|c| search_key(c.header()) == key) {
                positions.entry(col).or_insert(pos);
            }
        }
        if Column::ALL
            .iter()
            .filter(|c| c.required())
            .all(|c| positions.contains_key(c))
        {
            let rows = sheet.rows[i + 1..]
                .iter()
                .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()))
                .map(|(number, cells)| Row {
                    number: *number,
                    cells: cells.clone(),
                })
                .collect();
            return Ok(Table { positions, rows });
        }
    }
    let required: Vec<&str> = Column::ALL
        .iter()
        .filter(|c| c.required())
        .map(|c| c.header())
        .collect();
    Err(ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "missing_columns",
        format!("Không thấy dòng tiêu đề có các cột bắt buộc: {}.", required.join(", ")),
        format!("No header row with the required columns: {}.", required.join(", ")),
    ))
}

/// Districts and topics by the names and codes a spreadsheet may use.
pub struct Lookup {
    districts: Vec<DistrictName>,
    topics: HashMap<String, i64>,
    /// Each center: whether it is the provincial school, and its district.
    centers: HashMap<i64, (bool, i64)>,
}

impl Lookup {
    pub async fn load(c: Conn<'_>) -> Result<Lookup> {
        type Rows = (Vec<(i64, String, String)>, Vec<(i64, String)>, Vec<(i64, String, i64)>);
        let (districts, topics, centers): Rows = on!(c, |c| {
            (
                sqlx::query_as("SELECT district_id, code, name FROM district")
                    .fetch_all(&mut *c)
                    .await?,
                sqlx::query_as("SELECT topic_id, code FROM topic")
                    .fetch_all(&mut *c)
                    .await?,
                sqlx::query_as("SELECT center_id, kind, district_id FROM center")
                    .fetch_all(&mut *c)
                    .await?,
            )
        });
        Ok(Lookup {
            districts: districts
                .into_iter()
                .map(|(id, code, name)| DistrictName::new(id, &code, &name))
                .collect(),
            topics: topics.into_iter().map(|(id, code)| (code.to_uppercase(), id)).collect(),
            centers: centers
                .into_iter()
                .map(|(id, kind, district)| (id, (kind == CenterKind::ProvincialSchool.as_str(), district)))
                .collect(),
        })
    }

    /// The district a cell names: by its code, or by its name with or without its kind ("Huyện
    /// Trần Đề", "Trần Đề", "tran de"). Without the kind, a name two districts share ("Thành
    /// phố Cao Lãnh", "Huyện Cao Lãnh") names neither.
    fn district(&self, cell: &str) -> Result<i64, DistrictMiss> {
        let code = search_key(cell);
        if let Some(d) = self.districts.iter().find(|d| d.code == code) {
            return Ok(d.id);
        }
        // "Quan Hóa" may be Huyện Quan Hóa, not a Quận "Hóa".
        let (kind, name) = district_key(cell);
        let whole = search_key(cell);
        let mut found = self
            .districts
            .iter()
            .filter(|d| (d.name == name && (kind.is_none() || d.kind.is_none() || d.kind == kind)) || d.name == whole);
        match (found.next(), found.next()) {
            (Some(d), None) => Ok(d.id),
            (None, _) => Err(DistrictMiss::Unknown),
            (Some(_), Some(_)) => Err(DistrictMiss::Ambiguous),
        }
    }
}

/// A district as a spreadsheet may name it.
struct DistrictName {
    id: i64,
    code: String,
    kind: Option<&'static str>,
    name: String,
}

impl DistrictName {
    fn new(id: i64, code: &str, name: &str) -> DistrictName {
        let (kind, name) = district_key(name);
        DistrictName {
            id,
            code: search_key(code),
            kind,
            name,
        }
    }
}

enum DistrictMiss {
    Unknown,
    Ambiguous,
}

/// A district name as its kind, when written, and the rest, without case or diacritics:
/// "TP. Cao Lãnh" gives ("thanh pho", "cao lanh").
fn district_key(name: &str) -> (Option<&'static str>, String) {
    let key = search_key(name);
    for (prefix, kind) in [
        ("thanh pho ", "thanh pho"),
        ("thi xa ", "thi xa"),
        ("huyen ", "huyen"),
        ("quan ", "quan"),
        ("tp. ", "thanh pho"),
        ("tp ", "thanh pho"),
        ("tx. ", "thi xa"),
        ("tx ", "thi xa"),
    ] {
        if let Some(rest) = key.strip_prefix(prefix) {
            return (Some(kind), rest.trim().to_string());
        }
    }
    (None, key)
}

/// Cell lists are separated by commas, semicolons or line breaks.
fn items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([',', ';', '\n']).map(str::trim).filter(|s| !s.is_empty())
}

/// Matches a vocabulary value by its Vietnamese label or its English identifier, without
/// regard to case, diacritics or a leading "cấp".
fn match_label<T: Copy>(all: &[T], label: fn(T) -> &'static str, id: fn(T) -> &'static str, text: &str) -> Option<T> {
    let strip = |s: String| s.strip_prefix("cap ").map(str::to_string).unwrap_or(s);
    let key = strip(search_key(text));
    all.iter()
        .copied()
        .find(|v| strip(search_key(label(*v))) == key || id(*v) == text.trim())
}

fn role_of(text: &str) -> Option<Role> {
    match_label(Role::ALL, Role::label, Role::as_str, text).or_else(|| match search_key(text).as_str() {
        "chuyen trach" => Some(Role::LecturerFullTime),
        "kiem chuc" => Some(Role::LecturerPartTime),
        _ => None,
    })
}

fn theory_level_of(text: &str) -> Option<TheoryLevel> {
    if search_key(text) == "cu nhan" {
        return Some(TheoryLevel::Advanced); // a bachelor's in political theory ranks with cao cấp
    }
    match_label(TheoryLevel::ALL, TheoryLevel::label, TheoryLevel::as_str, text)
}

fn language_of(text: &str) -> Option<String> {
    let key = search_key(text);
    let bare = key.strip_prefix("tieng ").unwrap_or(&key);
    LANGUAGES
        .iter()
        .find(|(code, name)| *code == key || search_key(name).strip_prefix("tieng ") == Some(bare))
        .map(|(code, _)| code.to_string())
        .or_else(|| (key.len() <= 3 && key.chars().all(|c| c.is_ascii_lowercase())).then_some(key.clone()))
        .or_else(|| (bare == "khome" || bare == "kho me" || bare == "kho-me").then(|| "km".to_string()))
}

impl Table {
    fn cell<'a>(&self, row: &'a Row, col: Column) -> Option<&'a str> {
        self.positions
            .get(&col)
            .map(|&i| row.cells.get(i).map_or("", |s| s.trim()))
    }

    /// The row's code, as validation will read it.
    pub fn code(&self, row: &Row) -> Option<String> {
        self.cell(row, Column::Code)
            .map(str::to_string)
            .filter(|c| !c.is_empty())
    }

    pub fn error(&self, row: &Row, col: Column, message: String, message_en: String) -> RowError {
        RowError {
            row: row.number,
            column: col.header().to_string(),
            value: self.cell(row, col).unwrap_or_default().to_string(),
            message,
            message_en,
        }
    }

    /// A validation error on a person field, placed in the column that fills the field.
    pub fn field_error(&self, row: &Row, e: ApiError) -> RowError {
        let field = e.field.as_deref().unwrap_or("");
        let field = field.split(['[', '.']).next().unwrap_or(field);
        let col = Column::ALL
            .into_iter()
            .find(|c| c.field() == field)
            .unwrap_or(Column::FullName);
        self.error(row, col, e.vi, e.en)
    }

    /// Fills `base` (the person on record, or an empty one) from the row's cells.
    pub fn person(&self, row: &Row, mut p: PersonInput, lookup: &Lookup) -> (PersonInput, Vec<RowError>) {
        let mut errors = Vec::new();
        let mut bad = |col: Column, value: &str, vi: &str, en: &str| {
            errors.push(self.error(row, col, format!("«{value}»: {vi}"), format!("«{value}»: {en}")));
        };
        if let Some(v) = self.cell(row, Column::FullName) {
            p.full_name = v.to_string();
        }
        if let Some(v) = self.cell(row, Column::Code) {
            p.code = v.to_string();
        }
        if let Some(v) = self.cell(row, Column::Roles) {
            p.roles.clear();
            for item in items(v) {
                match role_of(item) {
                    Some(r) => p.roles.push(r),
                    None => bad(
                        Column::Roles,
                        item,
                        "không phải loại đã biết (Giảng viên chuyên trách, Giảng viên kiêm chức, Báo cáo viên).",
                        "not a known kind (Giảng viên chuyên trách, Giảng viên kiêm chức, Báo cáo viên).",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::RapporteurLevel) {
            p.rapporteur_level = None;
            if !v.is_empty() {
                match match_label(RapporteurLevel::ALL, RapporteurLevel::label, RapporteurLevel::as_str, v) {
                    Some(l) => p.rapporteur_level = Some(l),
                    None => bad(
                        Column::RapporteurLevel,
                        v,
                        "cần là Cơ sở, Cấp huyện hoặc Cấp tỉnh.",
                        "must be Cơ sở, Cấp huyện or Cấp tỉnh.",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::TheoryLevel) {
            p.theory_level = None;
            if !v.is_empty() {
                match theory_level_of(v) {
                    Some(l) => p.theory_level = Some(l),
                    None => bad(
                        Column::TheoryLevel,
                        v,
                        "cần là Sơ cấp, Trung cấp, Cao cấp hoặc Cử nhân.",
                        "must be Sơ cấp, Trung cấp, Cao cấp or Cử nhân.",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::District) {
            p.home_district_id = None;
            if !v.is_empty() {
                match lookup.district(v) {
                    Ok(id) => p.home_district_id = Some(id),
                    Err(DistrictMiss::Unknown) => bad(
                        Column::District,
                        v,
                        "không có huyện này trong danh mục.",
                        "no such district in the registry.",
                    ),
                    Err(DistrictMiss::Ambiguous) => bad(
                        Column::District,
                        v,
                        "tên này là của hơn một huyện: ghi rõ Huyện, Thành phố hay Thị xã, hoặc mã huyện.",
                        "more than one district has this name: write Huyện, Thành phố or Thị xã, or the district's code.",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::Topics) {
            p.qualification_ids.clear();
            for item in items(v) {
                match lookup.topics.get(&item.to_uppercase()) {
                    Some(id) => p.qualification_ids.push(*id),
                    None => bad(
                        Column::Topics,
                        item,
                        "không có mã chuyên đề / nghị quyết này.",
                        "no topic with this code.",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::Languages) {
            p.languages.clear();
            for item in items(v) {
                match language_of(item) {
                    Some(code) => p.languages.push(code),
                    None => bad(
                        Column::Languages,
                        item,
                        "không phải ngôn ngữ đã biết; dùng tên (Tiếng Khmer) hoặc mã ISO 639 (km).",
                        "not a known language; use a name (Tiếng Khmer) or an ISO 639 code (km).",
                    ),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::Gender) {
            p.gender = None;
            if !v.is_empty() {
                match match_label(Gender::ALL, Gender::label, Gender::as_str, v) {
                    Some(g) => p.gender = Some(g),
                    None => bad(Column::Gender, v, "cần là Nam hoặc Nữ.", "must be Nam or Nữ."),
                }
            }
        }
        if let Some(v) = self.cell(row, Column::Ethnicity) {
            p.ethnicity = Some(v.to_string());
        }
        if let Some(v) = self.cell(row, Column::Phone) {
            // Excel drops the leading zero of a phone number typed as a number.
            let digits_only = v.chars().all(|c| c.is_ascii_digit());
            p.phone = Some(if digits_only && v.len() == 9 {
                format!("0{v}")
            } else {
                v.to_string()
            });
        }
        if let Some(v) = self.cell(row, Column::Email) {
            p.email = Some(v.to_string());
        }
        let center = p.center_id.and_then(|c| lookup.centers.get(&c));
        if center.is_some_and(|&(school, district)| !center_fits(school, district, p.home_district_id)) {
            let e = center_mismatch();
            errors.push(self.error(row, Column::District, e.vi, e.en));
        }
        (p, errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_without_case_diacritics_or_cap() {
        assert_eq!(role_of("giảng viên KIÊM CHỨC"), Some(Role::LecturerPartTime));
        assert_eq!(role_of("Chuyên trách"), Some(Role::LecturerFullTime));
        assert_eq!(role_of("rapporteur"), Some(Role::Rapporteur));
        assert_eq!(role_of("Phóng viên"), None);
        let level = |t| match_label(RapporteurLevel::ALL, RapporteurLevel::label, RapporteurLevel::as_str, t);
        assert_eq!(level("Tỉnh"), Some(RapporteurLevel::Province));
        assert_eq!(level("cấp cơ sở"), Some(RapporteurLevel::Grassroots));
        assert_eq!(theory_level_of("Cử nhân"), Some(TheoryLevel::Advanced));
    }

    #[test]
    fn languages_by_name_or_code() {
        assert_eq!(language_of("Tiếng Khmer").as_deref(), Some("km"));
        assert_eq!(language_of("Khmer").as_deref(), Some("km"));
        assert_eq!(language_of("Khơ-me").as_deref(), Some("km"));
        assert_eq!(language_of("H'Mông").as_deref(), Some("hmn"));
        assert_eq!(language_of("vi").as_deref(), Some("vi"));
        assert_eq!(language_of("Tiếng Klingon"), None);
    }

    #[test]
    fn district_names_match_with_or_without_their_kind_unless_two_districts_share_the_name() {
        let lookup = Lookup {
            districts: vec![
                DistrictName::new(1, "D01", "Thành phố Cao Lãnh"),
                DistrictName::new(2, "D02", "Huyện Cao Lãnh"),
                DistrictName::new(3, "D03", "Huyện Trần Đề"),
                DistrictName::new(4, "D04", "Vĩnh Châu"),
                DistrictName::new(5, "D05", "Huyện Quan Hóa"),
            ],
            topics: HashMap::new(),
            centers: HashMap::new(),
        };
        let found = |cell| match lookup.district(cell) {
            Ok(id) => Some(Ok(id)),
            Err(DistrictMiss::Ambiguous) => Some(Err(())),
            Err(DistrictMiss::Unknown) => None,
        };
        assert_eq!(found("Huyện Cao Lãnh"), Some(Ok(2)));
        assert_eq!(found("TP. Cao Lãnh"), Some(Ok(1)));
        assert_eq!(found("thanh pho cao lanh"), Some(Ok(1)));
        assert_eq!(found("Cao Lãnh"), Some(Err(())), "names both");
        assert_eq!(found("d02"), Some(Ok(2)));
        assert_eq!(found("tran de"), Some(Ok(3)));
        assert_eq!(found("Huyện Trần Đề"), Some(Ok(3)));
        assert_eq!(
            found("Thị xã Vĩnh Châu"),
            Some(Ok(4)),
            "the registry's name has no kind"
        );
        assert_eq!(found("Thị xã Trần Đề"), None, "another kind");
        assert_eq!(found("Huyện Mỹ Tú"), None);
        assert_eq!(found("Quan Hóa"), Some(Ok(5)), "not a Quận");
    }

    #[test]
    fn the_header_row_may_sit_below_a_title() {
        let sheet = Sheet {
            rows: vec![
                (1, vec!["DANH SÁCH GIẢNG VIÊN".into()]),
                (2, vec!["STT".into(), "Họ và tên".into(), "Mã".into(), "Loại".into()]),
                (
                    3,
                    vec!["1".into(), "Lê Văn Tám".into(), "GV-8".into(), "Báo cáo viên".into()],
                ),
                (4, vec!["".into(), " ".into()]),
            ],
        };
        let table = locate(&sheet).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].number, 3);
        assert_eq!(table.code(&table.rows[0]).as_deref(), Some("GV-8"));
        assert!(table.cell(&table.rows[0], Column::Email).is_none());
    }

    #[test]
    fn a_sheet_without_the_required_headers_is_refused() {
        let sheet = Sheet {
            rows: vec![(1, vec!["Tên".into(), "Mã".into()])],
        };
        assert_eq!(locate(&sheet).err().map(|e| e.code), Some("missing_columns"));
    }
}
