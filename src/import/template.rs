//! The downloadable template: the headers, an example row, and a sheet of accepted values.

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use utoipa::IntoParams;

use super::Column;
use crate::db::Conn;
use crate::error::Result;
use crate::on;
use crate::vocab::{Gender, LANGUAGES, RapporteurLevel, Role, TheoryLevel};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const EXAMPLE: [&str; 12] = [
    "Nguyễn Thị Lan",
    "GV-0001",
    "Giảng viên kiêm chức, Báo cáo viên",
    "Cấp huyện",
    "Trung cấp",
    "Huyện Trần Đề",
    "SC-01, NQ-TW8-XIII",
    "Tiếng Việt, Tiếng Khmer",
    "Khmer",
    "Nữ",
    "0912 345 678",
    "lan.nt@example.vn",
];

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    /// `xlsx` (default) or `csv`.
    #[param(inline)]
    pub format: Option<TemplateFormat>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateFormat {
    Xlsx,
    Csv,
}

/// CSV with a byte-order mark, so that Excel shows the diacritics.
pub fn csv_template() -> String {
    let line = |cells: Vec<&str>| cells.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(",");
    format!(
        "\u{feff}{}\r\n{}\r\n",
        line(Column::ALL.iter().map(|c| c.header()).collect()),
        line(EXAMPLE.to_vec())
    )
}

/// The XLSX template, listing the districts and topics now registered.
pub async fn template(c: Conn<'_>) -> Result<Vec<u8>> {
    type CodesAndNames = Vec<(String, String)>;
    let (districts, topics): (CodesAndNames, CodesAndNames) = on!(c, |c| {
        (
            sqlx::query_as("SELECT code, name FROM district ORDER BY code")
                .fetch_all(&mut *c)
                .await?,
            sqlx::query_as("SELECT code, name FROM topic ORDER BY code")
                .fetch_all(&mut *c)
                .await?,
        )
    });
    Ok(workbook(&districts, &topics).map_err(anyhow::Error::from)?)
}

fn workbook(districts: &[(String, String)], topics: &[(String, String)]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("Danh sách")?;
    for (i, (col, example)) in Column::ALL.iter().zip(EXAMPLE).enumerate() {
        let i = i as u16;
        sheet.write_string_with_format(0, i, col.header(), &bold)?;
        sheet.write_string(1, i, example)?;
        sheet.set_column_width(i, 22)?;
    }

    let help = book.add_worksheet().set_name("Giá trị hợp lệ")?;
    let lists: Vec<(&str, Vec<String>)> = vec![
        ("Loại", Role::ALL.iter().map(|r| r.label().to_string()).collect()),
        (
            "Cấp báo cáo viên",
            RapporteurLevel::ALL.iter().map(|l| l.label().to_string()).collect(),
        ),
        (
            "Trình độ LLCT",
            TheoryLevel::ALL
                .iter()
                .map(|l| l.label().to_string())
                .chain(["Cử nhân".to_string()])
                .collect(),
        ),
        ("Giới tính", Gender::ALL.iter().map(|g| g.label().to_string()).collect()),
        (
            "Ngôn ngữ",
            LANGUAGES
                .iter()
                .map(|(code, name)| format!("{name} ({code})"))
                .collect(),
        ),
        (
            "Huyện",
            districts
                .iter()
                .map(|(code, name)| format!("{name} ({code})"))
                .collect(),
        ),
        (
            "Chuyên đề",
            topics.iter().map(|(code, name)| format!("{code}: {name}")).collect(),
        ),
    ];
    for (i, (header, values)) in lists.iter().enumerate() {
        let i = i as u16;
        help.write_string_with_format(0, i, *header, &bold)?;
        help.set_column_width(i, if *header == "Chuyên đề" { 60 } else { 28 })?;
        for (r, v) in values.iter().enumerate() {
            help.write_string(r as u32 + 1, i, v)?;
        }
    }
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_templates_read_back_with_every_column() {
        for bytes in [workbook(&[], &[]).unwrap(), csv_template().into_bytes()] {
            let sheet = super::super::sheet::read(&bytes).unwrap();
            let table = super::super::columns::locate(&sheet).unwrap();
            assert_eq!(table.rows.len(), 1);
            assert_eq!(table.code(&table.rows[0]).as_deref(), Some("GV-0001"));
        }
    }
}
