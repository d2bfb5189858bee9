//! The yearly report (seed III.1, due before 22 February): per district, classes planned
//! (with their trainees), staffed but still to come, and held (every session taken place with
//! its people) by program, sessions and hours by kind of person, briefing
//! conferences per resolution with their rapporteurs' levels, coverage, and the sessions left
//! short by reason. As JSON, CSV (UTF-8 with a BOM, so Excel shows the diacritics) and XLSX.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::facts::{Facts, NOT_SCHEDULED, SessionFact};
use crate::error::Lang;

#[derive(Debug, Serialize, ToSchema)]
pub struct YearlyReport {
    pub year: i32,
    pub districts: Vec<DistrictYear>,
    /// The districts added up.
    pub total: DistrictYear,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistrictYear {
    /// None for the total.
    pub district_id: Option<i64>,
    pub district_name: String,
    pub programs: Vec<ProgramYear>,
    pub full_time: Work,
    pub part_time: Work,
    pub rapporteurs: Work,
    pub resolutions: Vec<ResolutionYear>,
    /// Sessions of the year in the district, and those with all the people they need.
    pub sessions: i64,
    pub covered_sessions: i64,
    /// covered / sessions; 0 without sessions.
    pub coverage_rate: f64,
    /// Short sessions by reason code (the scheduler's, or `not_scheduled`).
    pub uncovered_by_reason: BTreeMap<String, i64>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgramYear {
    pub program_code: String,
    pub program_name: String,
    pub classes_planned: i64,
    /// Of the classes planned.
    pub planned_trainees: i64,
    pub planned_women: i64,
    pub planned_ethnic_minority: i64,
    /// Classes whose every session has its people, some still to come.
    pub classes_staffed: i64,
    /// Classes whose every session has taken place with its people.
    pub classes_held: i64,
    /// Of the classes held.
    pub trainees: i64,
    pub women: i64,
    pub ethnic_minority: i64,
}

/// Sessions taken (one per person on a session) and their hours.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Work {
    pub sessions: i64,
    pub hours: f64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResolutionYear {
    pub topic_code: String,
    pub topic_name: String,
    pub conferences_planned: i64,
    /// Conferences whose every session has its rapporteurs, some still to come.
    pub conferences_staffed: i64,
    /// Conferences whose every session has taken place with its rapporteurs.
    pub conferences_held: i64,
    /// Rapporteurs on them, counted once per conference, by level.
    pub rapporteurs_grassroots: i64,
    pub rapporteurs_district: i64,
    pub rapporteurs_province: i64,
}

/// The reasons a session is short, in report order, with their Vietnamese and English labels.
pub const REASONS: [(&str, &str, &str); 6] = [
    ("no_qualified_person", "Không có người đủ chuẩn", "Nobody qualified"),
    (
        "no_available_person",
        "Người đủ chuẩn đều vắng",
        "Everyone qualified is away",
    ),
    (
        "all_busy",
        "Người đủ chuẩn đều bận buổi khác",
        "Everyone qualified is busy elsewhere",
    ),
    (
        "caps_reached",
        "Người đủ chuẩn đã đủ số buổi tối đa",
        "Everyone qualified is at a limit",
    ),
    (
        "not_chosen",
        "Có người nhận được, lịch tối ưu không chọn",
        "Someone could, the best schedule did not choose them",
    ),
    (NOT_SCHEDULED, "Chưa xếp lịch", "Not scheduled yet"),
];

/// A reason's label in the language asked for.
pub fn reason_label(code: &str, lang: Lang) -> &'static str {
    let (_, vi, en) = REASONS
        .iter()
        .find(|(c, _, _)| *c == code)
        .copied()
        .unwrap_or(("", "Không rõ", "Unknown"));
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The report of a year: of the whole province, or of one district (`district`), whose total
/// row then is the district's own and is named as such, not "Toàn tỉnh".
pub fn compute(year: i32, facts: &Facts, district: Option<i64>) -> YearlyReport {
    let mut districts: Vec<DistrictYear> = facts
        .districts
        .iter()
        .map(|(id, name)| DistrictYear {
            district_id: Some(*id),
            district_name: name.clone(),
            ..Default::default()
        })
        .collect();
    let index: HashMap<i64, usize> = facts
        .districts
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut briefing_sessions: HashMap<i64, Vec<&SessionFact>> = HashMap::new();

    for s in &facts.sessions {
        let Some(&d) = index.get(&s.district_id) else { continue };
        let report = &mut districts[d];
        report.sessions += 1;
        if s.covered() {
            report.covered_sessions += 1;
        }
        if let Some(reason) = &s.reason {
            *report.uncovered_by_reason.entry(reason.clone()).or_default() += 1;
        }
        for h in &s.holders {
            let work = match (s.class_id.is_some(), h.full_time) {
                (true, true) => &mut report.full_time,
                (true, false) => &mut report.part_time,
                (false, _) => &mut report.rapporteurs,
            };
            work.sessions += 1;
            work.hours += s.hours;
        }
        if let Some(briefing) = s.briefing_id {
            briefing_sessions.entry(briefing).or_default().push(s);
        }
    }
    let staffed =
        |sessions: Option<&Vec<&SessionFact>>| sessions.is_some_and(|s| !s.is_empty() && s.iter().all(|s| s.covered()));
    let over = |sessions: Option<&Vec<&SessionFact>>| sessions.is_some_and(|s| s.iter().all(|s| s.ended));

    let mut programs: BTreeMap<(usize, &str), ProgramYear> = BTreeMap::new();
    for c in &facts.planned_classes {
        let Some(&d) = index.get(&c.district_id) else { continue };
        let line = programs
            .entry((d, c.program_code.as_str()))
            .or_insert_with(|| ProgramYear {
                program_code: c.program_code.clone(),
                program_name: c.program_name.clone(),
                ..Default::default()
            });
        line.classes_planned += 1;
        line.planned_trainees += c.trainees;
        line.planned_women += c.women;
        line.planned_ethnic_minority += c.ethnic_minority;
        if c.class_id.is_some_and(|id| facts.staffed_classes.contains(&id)) {
            line.classes_staffed += 1;
        }
        if c.class_id.is_some_and(|id| facts.held_classes.contains(&id)) {
            line.classes_held += 1;
            line.trainees += c.trainees;
            line.women += c.women;
            line.ethnic_minority += c.ethnic_minority;
        }
    }
    for ((d, _), line) in programs {
        districts[d].programs.push(line);
    }

    let mut resolutions: BTreeMap<(usize, &str), ResolutionYear> = BTreeMap::new();
    for (id, b) in &facts.briefings {
        let Some(&d) = index.get(&b.district_id) else { continue };
        let line = resolutions
            .entry((d, b.topic_code.as_str()))
            .or_insert_with(|| ResolutionYear {
                topic_code: b.topic_code.clone(),
                topic_name: b.topic_name.clone(),
                ..Default::default()
            });
        line.conferences_planned += 1;
        let sessions = briefing_sessions.get(id);
        if staffed(sessions) {
            if over(sessions) {
                line.conferences_held += 1;
            } else {
                line.conferences_staffed += 1;
            }
        }
        let people: BTreeSet<(i64, Option<&str>)> = sessions
            .into_iter()
            .flatten()
            .flat_map(|s| s.holders.iter().map(|h| (h.person_id, h.rapporteur_level.as_deref())))
            .collect();
        for (_, level) in people {
            match level {
                Some("grassroots") => line.rapporteurs_grassroots += 1,
                Some("district") => line.rapporteurs_district += 1,
                Some("province") => line.rapporteurs_province += 1,
                _ => {}
            }
        }
    }
    for ((d, _), line) in resolutions {
        districts[d].resolutions.push(line);
    }

    let mut total = DistrictYear {
        district_name: if district.is_some() {
            "Tổng cộng"
        } else {
            "Toàn tỉnh"
        }
        .into(),
        ..Default::default()
    };
    for d in &mut districts {
        d.coverage_rate = rate(d.covered_sessions, d.sessions);
        add(&mut total, d);
    }
    total.coverage_rate = rate(total.covered_sessions, total.sessions);
    YearlyReport { year, districts, total }
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// Adds a district's figures into the total (programs and resolutions merged by code).
pub fn add(total: &mut DistrictYear, d: &DistrictYear) {
    total.sessions += d.sessions;
    total.covered_sessions += d.covered_sessions;
    for (work, from) in [
        (&mut total.full_time, d.full_time),
        (&mut total.part_time, d.part_time),
        (&mut total.rapporteurs, d.rapporteurs),
    ] {
        work.sessions += from.sessions;
        work.hours += from.hours;
    }
    for (reason, n) in &d.uncovered_by_reason {
        *total.uncovered_by_reason.entry(reason.clone()).or_default() += n;
    }
    for p in &d.programs {
        match total.programs.iter_mut().find(|t| t.program_code == p.program_code) {
            Some(t) => {
                t.classes_planned += p.classes_planned;
                t.planned_trainees += p.planned_trainees;
                t.planned_women += p.planned_women;
                t.planned_ethnic_minority += p.planned_ethnic_minority;
                t.classes_staffed += p.classes_staffed;
                t.classes_held += p.classes_held;
                t.trainees += p.trainees;
                t.women += p.women;
                t.ethnic_minority += p.ethnic_minority;
            }
            None => total.programs.push(p.clone()),
        }
    }
    total.programs.sort_by(|a, b| a.program_code.cmp(&b.program_code));
    for r in &d.resolutions {
        match total.resolutions.iter_mut().find(|t| t.topic_code == r.topic_code) {
            Some(t) => {
                t.conferences_planned += r.conferences_planned;
                t.conferences_staffed += r.conferences_staffed;
                t.conferences_held += r.conferences_held;
                t.rapporteurs_grassroots += r.rapporteurs_grassroots;
                t.rapporteurs_district += r.rapporteurs_district;
                t.rapporteurs_province += r.rapporteurs_province;
            }
            None => total.resolutions.push(r.clone()),
        }
    }
    total.resolutions.sort_by(|a, b| a.topic_code.cmp(&b.topic_code));
}

/// One cell of the summary table.
pub enum Cell {
    Text(String),
    Count(i64),
    Hours(f64),
    Rate(f64),
}

/// The summary table, one row per district then the total: the CSV, the XLSX's first sheet
/// and the report page.
pub fn summary(report: &YearlyReport, lang: Lang) -> (Vec<String>, Vec<Vec<Cell>>) {
    let words = |vi: &str, en: &str| match lang {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    };
    let mut header: Vec<String> = [
        ("Đơn vị", "Unit"),
        ("Lớp theo kế hoạch", "Classes planned"),
        ("Học viên theo kế hoạch", "Trainees planned"),
        ("Học viên nữ theo kế hoạch", "Women trainees planned"),
        (
            "Học viên dân tộc thiểu số theo kế hoạch",
            "Ethnic-minority trainees planned",
        ),
        ("Lớp đã xếp đủ người, chưa học xong", "Classes staffed, still to come"),
        ("Lớp đã tổ chức", "Classes held"),
        ("Học viên đã học", "Trainees taught"),
        ("Học viên nữ đã học", "Women trainees taught"),
        ("Học viên dân tộc thiểu số đã học", "Ethnic-minority trainees taught"),
        ("Buổi giảng viên chuyên trách", "Full-time lecturers' sessions"),
        ("Giờ giảng viên chuyên trách", "Full-time lecturers' hours"),
        ("Buổi giảng viên kiêm chức", "Part-time lecturers' sessions"),
        ("Giờ giảng viên kiêm chức", "Part-time lecturers' hours"),
        ("Buổi báo cáo viên", "Rapporteurs' sessions"),
        ("Giờ báo cáo viên", "Rapporteurs' hours"),
        ("Hội nghị theo kế hoạch", "Conferences planned"),
        (
            "Hội nghị đã xếp đủ người, chưa diễn ra",
            "Conferences staffed, still to come",
        ),
        ("Hội nghị đã tổ chức", "Conferences held"),
        ("Buổi cần người", "Sessions needing people"),
        ("Buổi đủ người", "Sessions staffed"),
        ("Tỉ lệ bao phủ", "Coverage"),
    ]
    .iter()
    .map(|(vi, en)| words(vi, en))
    .collect();
    header.extend(
        REASONS
            .iter()
            .map(|(_, vi, en)| words(&format!("Buổi thiếu người: {vi}"), &format!("Short sessions: {en}"))),
    );
    let rows = report
        .districts
        .iter()
        .chain(std::iter::once(&report.total))
        .map(|d| {
            let sum = |f: fn(&ProgramYear) -> i64| d.programs.iter().map(f).sum::<i64>();
            let conferences = |f: fn(&ResolutionYear) -> i64| d.resolutions.iter().map(f).sum::<i64>();
            let mut row = vec![
                Cell::Text(d.district_name.clone()),
                Cell::Count(sum(|p| p.classes_planned)),
                Cell::Count(sum(|p| p.planned_trainees)),
                Cell::Count(sum(|p| p.planned_women)),
                Cell::Count(sum(|p| p.planned_ethnic_minority)),
                Cell::Count(sum(|p| p.classes_staffed)),
                Cell::Count(sum(|p| p.classes_held)),
                Cell::Count(sum(|p| p.trainees)),
                Cell::Count(sum(|p| p.women)),
                Cell::Count(sum(|p| p.ethnic_minority)),
                Cell::Count(d.full_time.sessions),
                Cell::Hours(d.full_time.hours),
                Cell::Count(d.part_time.sessions),
                Cell::Hours(d.part_time.hours),
                Cell::Count(d.rapporteurs.sessions),
                Cell::Hours(d.rapporteurs.hours),
                Cell::Count(conferences(|r| r.conferences_planned)),
                Cell::Count(conferences(|r| r.conferences_staffed)),
                Cell::Count(conferences(|r| r.conferences_held)),
                Cell::Count(d.sessions),
                Cell::Count(d.covered_sessions),
                Cell::Rate(d.coverage_rate),
            ];
            row.extend(
                REASONS
                    .iter()
                    .map(|(code, _, _)| Cell::Count(d.uncovered_by_reason.get(*code).copied().unwrap_or(0))),
            );
            row
        })
        .collect();
    (header, rows)
}

/// The summary as CSV: UTF-8 with a byte-order mark, comma-separated, rates in percent.
pub fn to_csv(report: &YearlyReport) -> Vec<u8> {
    let (header, rows) = summary(report, Lang::Vi);
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record(&header).expect("writing to memory");
        for row in rows {
            let fields: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Text(t) => inert(t),
                    Cell::Count(n) => n.to_string(),
                    Cell::Hours(h) => format!("{h:.1}"),
                    Cell::Rate(r) => format!("{:.1}", r * 100.0),
                })
                .collect();
            writer.write_record(&fields).expect("writing to memory");
        }
        writer.flush().expect("writing to memory");
    }
    out
}

/// Text as a spreadsheet reads it literally: a cell starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is a formula to Excel (`=HYPERLINK(…)` in a district's name), so it
/// gets a leading apostrophe, which Excel shows as text and hides.
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The report as a workbook: the summary, classes by program, conferences by resolution.
pub fn to_xlsx(report: &YearlyReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#DDEBF7")
        .set_border(FormatBorder::Thin);
    let text = Format::new().set_border(FormatBorder::Thin);
    let count = Format::new().set_num_format("#,##0").set_border(FormatBorder::Thin);
    let hours = Format::new().set_num_format("#,##0.0").set_border(FormatBorder::Thin);
    let percent = Format::new().set_num_format("0.0%").set_border(FormatBorder::Thin);

    let (header, rows) = summary(report, Lang::Vi);
    let sheet = book.add_worksheet().set_name("Tổng hợp")?;
    sheet.write_string_with_format(
        0,
        0,
        format!(
            "Báo cáo năm {}: lớp bồi dưỡng lý luận chính trị và hội nghị báo cáo viên",
            report.year
        ),
        &title,
    )?;
    write_header(sheet, &header, &head)?;
    for (r, row) in rows.iter().enumerate() {
        let r = (r + 3) as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => sheet.write_string_with_format(r, c, t, &text)?,
                Cell::Count(n) => sheet.write_number_with_format(r, c, *n as f64, &count)?,
                Cell::Hours(h) => sheet.write_number_with_format(r, c, *h, &hours)?,
                Cell::Rate(x) => sheet.write_number_with_format(r, c, *x, &percent)?,
            };
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_freeze_panes(3, 1)?;

    let sheet = book.add_worksheet().set_name("Lớp theo chương trình")?;
    sheet.write_string_with_format(0, 0, format!("Lớp theo chương trình, năm {}", report.year), &title)?;
    let header = [
        "Đơn vị",
        "Mã chương trình",
        "Chương trình",
        "Lớp theo kế hoạch",
        "Học viên theo kế hoạch",
        "Học viên nữ theo kế hoạch",
        "Học viên dân tộc thiểu số theo kế hoạch",
        "Lớp đã xếp đủ người, chưa học xong",
        "Lớp đã tổ chức",
        "Học viên đã học",
        "Học viên nữ đã học",
        "Học viên dân tộc thiểu số đã học",
    ]
    .map(String::from);
    write_header(sheet, &header, &head)?;
    let mut r = 3;
    for d in report.districts.iter().chain(std::iter::once(&report.total)) {
        for p in &d.programs {
            sheet.write_string_with_format(r, 0, &d.district_name, &text)?;
            sheet.write_string_with_format(r, 1, &p.program_code, &text)?;
            sheet.write_string_with_format(r, 2, &p.program_name, &text)?;
            for (c, n) in [
                p.classes_planned,
                p.planned_trainees,
                p.planned_women,
                p.planned_ethnic_minority,
                p.classes_staffed,
                p.classes_held,
                p.trainees,
                p.women,
                p.ethnic_minority,
            ]
            .into_iter()
            .enumerate()
            {
                sheet.write_number_with_format(r, 3 + c as u16, n as f64, &count)?;
            }
            r += 1;
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(2, 36)?;

    let sheet = book.add_worksheet().set_name("Hội nghị theo nghị quyết")?;
    sheet.write_string_with_format(
        0,
        0,
        format!("Hội nghị báo cáo viên theo nghị quyết, năm {}", report.year),
        &title,
    )?;
    let header = [
        "Đơn vị",
        "Mã nghị quyết",
        "Nghị quyết",
        "Hội nghị theo kế hoạch",
        "Hội nghị đã xếp đủ người, chưa diễn ra",
        "Hội nghị đã tổ chức",
        "Báo cáo viên cơ sở",
        "Báo cáo viên cấp huyện",
        "Báo cáo viên cấp tỉnh",
    ]
    .map(String::from);
    write_header(sheet, &header, &head)?;
    let mut r = 3;
    for d in report.districts.iter().chain(std::iter::once(&report.total)) {
        for x in &d.resolutions {
            sheet.write_string_with_format(r, 0, &d.district_name, &text)?;
            sheet.write_string_with_format(r, 1, &x.topic_code, &text)?;
            sheet.write_string_with_format(r, 2, &x.topic_name, &text)?;
            let figures = [
                x.conferences_planned,
                x.conferences_staffed,
                x.conferences_held,
                x.rapporteurs_grassroots,
                x.rapporteurs_district,
                x.rapporteurs_province,
            ];
            for (c, n) in figures.into_iter().enumerate() {
                sheet.write_number_with_format(r, 3 + c as u16, n as f64, &count)?;
            }
            r += 1;
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(2, 36)?;
    book.save_to_buffer()
}

/// The header row (row 3 of the sheet, under the title).
fn write_header(sheet: &mut Worksheet, header: &[String], format: &Format) -> Result<(), XlsxError> {
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, h, format)?;
        sheet.set_column_width(c as u16, 14)?;
    }
    sheet.set_row_height(2, 48)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::inert;

    #[test]
    fn cells_a_spreadsheet_would_run_as_formulas_are_made_text() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert(formula), format!("'{formula}"));
        }
        assert_eq!(inert("Huyện Trần Đề"), "Huyện Trần Đề");
        assert_eq!(inert(""), "");
    }
}
