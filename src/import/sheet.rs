//! Reading a spreadsheet (XLSX or CSV) into text cells with their row numbers.

use std::collections::BTreeMap;
use std::io::Cursor;

use std::io::Read;

use calamine::{Data, Reader, Xlsx};

/// Rows as text, each with its row number as the spreadsheet shows it (1-based).
#[derive(Debug, Default)]
pub struct Sheet {
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("the XLSX file could not be read: {0}")]
    Xlsx(String),
    #[error("the workbook has no worksheet")]
    NoWorksheet,
    #[error("the worksheet has more than {MAX_SHEET_ROWS} rows")]
    TooLarge,
    #[error("the XLSX file unpacks to more than {} MiB", MAX_INFLATED >> 20)]
    Inflated,
    #[error("the cell at row {row}, column {column} holds more than {MAX_CELL_CHARS} characters")]
    LongCell { row: usize, column: usize },
    #[error("a CSV file must be UTF-8 text (in Excel: Save As \u{2192} CSV UTF-8)")]
    NotUtf8,
    #[error("the CSV file could not be read: {0}")]
    Csv(#[from] csv::Error),
}

/// XLSX when the bytes are a zip archive, CSV (UTF-8, comma or semicolon) otherwise.
pub fn read(bytes: &[u8]) -> Result<Sheet, SheetError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

/// Rows and columns beyond these are not read: a sheet's declared size can be enormous
/// (one cell at XFD1048576) while the table is small.
const MAX_SHEET_ROWS: u32 = 60_000;
const MAX_SHEET_COLUMNS: u32 = 100;
/// What an XLSX file may unpack to: a 20 MB upload of repeated bytes could otherwise inflate
/// to 20 GiB (a 5,000-row register unpacks to a few MiB).
const MAX_INFLATED: u64 = 64 << 20;
/// The longest cell, Excel's own limit: no spreadsheet program writes a longer one.
const MAX_CELL_CHARS: usize = 32_767;

/// Unpacks every member of the archive into nothing, counting: the sizes an archive declares
/// can lie, so the real ones are measured before the workbook is read.
fn check_inflated(bytes: &[u8]) -> Result<(), SheetError> {
    let zip_error = |e: zip::result::ZipError| SheetError::Xlsx(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    if archive
        .decompressed_size()
        .is_some_and(|declared| declared > u128::from(MAX_INFLATED))
    {
        return Err(SheetError::Inflated);
    }
    let mut left = MAX_INFLATED;
    for i in 0..archive.len() {
        let member = archive.by_index(i).map_err(zip_error)?;
        let unpacked = std::io::copy(&mut member.take(left + 1), &mut std::io::sink())
            .map_err(|e| SheetError::Xlsx(e.to_string()))?;
        left = left.checked_sub(unpacked).ok_or(SheetError::Inflated)?;
    }
    Ok(())
}

/// Checks a cell's length; `row` and `column` count from 1, as the spreadsheet shows them.
fn bounded(text: String, row: usize, column: usize) -> Result<String, SheetError> {
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        Err(SheetError::LongCell { row, column })
    } else {
        Ok(text)
    }
}

/// Reads the first worksheet cell by cell, so that memory follows the cells present.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, SheetError> {
    check_inflated(bytes)?;
    let xlsx_error = |e: calamine::XlsxError| SheetError::Xlsx(e.to_string());
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let name = book.sheet_names().first().cloned().ok_or(SheetError::NoWorksheet)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(xlsx_error)?;
    let mut rows: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        if row >= MAX_SHEET_ROWS {
            return Err(SheetError::TooLarge);
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if col >= MAX_SHEET_COLUMNS || text.is_empty() {
            continue;
        }
        let text = bounded(text, row as usize + 1, col as usize + 1)?;
        let cells = rows.entry(row).or_default();
        if cells.len() <= col as usize {
            cells.resize(col as usize + 1, String::new());
        }
        cells[col as usize] = text;
    }
    Ok(Sheet {
        rows: rows.into_iter().map(|(r, cells)| (r as usize + 1, cells)).collect(),
    })
}

/// A cell as text. Whole numbers lose their ".0"; phone numbers typed as numbers lose their
/// leading zero in Excel, which `import` puts back.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

fn read_csv(bytes: &[u8]) -> Result<Sheet, SheetError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Excel writes semicolons where the comma is the decimal mark; a title line above the
    // table may hold a comma, so the first lines are weighed together.
    let head: String = text.lines().take(10).collect();
    let delimiter = if head.matches(';').count() > head.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut counter = RowCounter::default();
    for record in reader.records() {
        let record = record?;
        if rows.len() >= MAX_SHEET_ROWS as usize {
            return Err(SheetError::TooLarge);
        }
        let start = record.position().map_or(text.len(), |p| p.byte() as usize);
        let row = counter.row_at(text.as_bytes(), start);
        let cells = record
            .iter()
            .take(MAX_SHEET_COLUMNS as usize)
            .enumerate()
            .map(|(i, cell)| bounded(cell.to_string(), row, i + 1))
            .collect::<Result<_, _>>()?;
        rows.push((row, cells));
    }
    Ok(Sheet { rows })
}

/// Numbers CSV records as a spreadsheet shows them: blank lines are rows, line breaks inside
/// quoted cells are not, and CR LF is one break.
#[derive(Default)]
struct RowCounter {
    scanned: usize,
    breaks: usize,
    in_quotes: bool,
}

impl RowCounter {
    /// The row of the record starting at byte `start`; records come in order.
    fn row_at(&mut self, text: &[u8], mut start: usize) -> usize {
        while start < text.len() && matches!(text[start], b'\r' | b'\n') {
            start += 1;
        }
        while self.scanned < start {
            match text[self.scanned] {
                b'"' => self.in_quotes = !self.in_quotes,
                b'\n' if !self.in_quotes => self.breaks += 1,
                b'\r' if !self.in_quotes && text.get(self.scanned + 1) != Some(&b'\n') => self.breaks += 1,
                _ => {}
            }
            self.scanned += 1;
        }
        self.breaks + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons_keeps_diacritics_and_line_numbers() {
        let sheet = read("\u{feff}Họ và tên;Mã\nNguyễn Thị Lan;GV-1\n\"Trần; Văn An\";GV-2\n".as_bytes()).unwrap();
        assert_eq!(sheet.rows[0], (1, vec!["Họ và tên".to_string(), "Mã".to_string()]));
        assert_eq!(sheet.rows[2], (3, vec!["Trần; Văn An".to_string(), "GV-2".to_string()]));
    }

    #[test]
    fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
        let rows = |text: &str| {
            read(text.as_bytes())
                .unwrap()
                .rows
                .into_iter()
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(rows("a,b\r\nc,d\r\n\r\ne,f\r\n"), [1, 2, 4]);
        assert_eq!(rows("a,b\n\"two\nlines\",d\ne,f\n"), [1, 2, 3]);
        assert_eq!(rows("a,b\rc,d\r"), [1, 2]);
    }

    #[test]
    fn a_title_with_a_comma_does_not_decide_the_delimiter() {
        let sheet =
            read("DANH SÁCH GIẢNG VIÊN, BÁO CÁO VIÊN\nHọ và tên;Mã;Loại\nLê Văn Tám;GV-1;Báo cáo viên\n".as_bytes())
                .unwrap();
        assert_eq!(sheet.rows[1].1, ["Họ và tên", "Mã", "Loại"]);
    }

    #[test]
    fn other_encodings_are_refused_with_a_reason() {
        assert!(matches!(read(b"H\xe4 v\xe0 t\xean,M\xe3\n"), Err(SheetError::NotUtf8)));
    }

    #[test]
    fn xlsx_written_by_a_spreadsheet_program_is_read() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Họ và tên").unwrap();
        sheet.write_string(1, 0, "Lê Thị Ánh").unwrap();
        sheet.write_number(1, 1, 912345678.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let read = read(&bytes).unwrap();
        assert_eq!(
            read.rows[1],
            (2, vec!["Lê Thị Ánh".to_string(), "912345678".to_string()])
        );
    }

    #[test]
    fn a_far_away_cell_costs_nothing() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Họ và tên").unwrap();
        sheet.write_string(1_048_575, 16_383, "xa").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(matches!(read(&bytes), Err(SheetError::TooLarge)));
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Họ và tên").unwrap();
        sheet.write_string(5, 16_383, "xa").unwrap();
        let read = read(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(read.rows, vec![(1, vec!["Họ và tên".to_string()])]);
    }

    /// A zip bomb: a member of zeros that unpacks to more than the limit, declaring a tiny size.
    #[test]
    fn an_archive_that_inflates_past_the_limit_is_refused_before_reading() {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        let mut zip = zip::ZipWriter::new(&mut out);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", deflated).unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..=(MAX_INFLATED >> 20) {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
        let bytes = out.into_inner();
        assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
        assert!(matches!(read(&bytes), Err(SheetError::Inflated)));
    }

    #[test]
    fn an_over_long_cell_is_refused_with_its_place() {
        // (An XLSX one cannot be written with a spreadsheet library: the limit is Excel's.)
        let csv = format!("Họ và tên,Mã\nLê Văn Tám,{}\n", "x".repeat(MAX_CELL_CHARS + 1));
        assert!(matches!(
            read(csv.as_bytes()),
            Err(SheetError::LongCell { row: 2, column: 2 })
        ));
    }

    #[test]
    fn a_damaged_xlsx_is_an_error_not_a_panic() {
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(SheetError::Xlsx(_))));
    }
}
