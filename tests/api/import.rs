//! Spreadsheet import of people: XLSX and CSV with Vietnamese headers, every row checked before
//! anything is written, re-imports matched by code, the downloadable templates.

use reqwest::Method;
use roster::vocab::UserRole;
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};

use crate::helpers::{Caller, World, spawn_app, world};

const IMPORT: &str = "/api/v1/people/import";
pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The headers as a board's own sheet has them: an "STT" (row number) column first, which the
/// import ignores, then the template's columns.
pub(crate) const HEADERS: [&str; 13] = [
    "STT",
    "Họ và tên",
    "Mã",
    "Loại",
    "Cấp báo cáo viên",
    "Trình độ LLCT",
    "Huyện",
    "Chuyên đề",
    "Ngôn ngữ",
    "Dân tộc",
    "Giới tính",
    "Điện thoại",
    "Email",
];

/// Three people, one per row, in `HEADERS` order. The phone 912345678 is typed as a number, so
/// Excel has dropped its leading zero; districts are named with and without their kind and by code.
pub(crate) fn board_rows() -> Vec<Vec<&'static str>> {
    vec![
        vec![
            "1",
            "Nguyễn Thị Lan",
            "GV-0001",
            "Giảng viên kiêm chức, Báo cáo viên",
            "Cấp huyện",
            "Trung cấp",
            "Huyện Trần Đề",
            "SC-01, NQ-TW8-XIII",
            "Tiếng Khmer, vi",
            "Khmer",
            "Nữ",
            "912345678",
            "lan.nt@example.vn",
        ],
        vec![
            "2",
            "Trần Văn Đức",
            "GV-0002",
            "Giảng viên chuyên trách",
            "",
            "Cao cấp",
            "D01",
            "sc-01",
            "Tiếng Việt",
            "Kinh",
            "Nam",
            "0299 3822 111",
            "",
        ],
        vec![
            "3",
            "Thạch Thị Sô Phi",
            "BCV-0003",
            "Báo cáo viên",
            "Cấp tỉnh",
            "Cử nhân",
            "Trần Đề",
            "NQ-TW8-XIII",
            "Khmer",
            "Khmer",
            "Nữ",
            "",
            "sophi@soctrang.gov.vn",
        ],
    ]
}

/// The board's sheet as XLSX: a title on row 1, the headers on row 2, the people from row 3.
pub(crate) fn board_xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut sheet = vec![vec!["DANH SÁCH GIẢNG VIÊN, BÁO CÁO VIÊN NĂM 2025"], HEADERS.to_vec()];
    sheet.extend(rows.iter().cloned());
    xlsx(&sheet)
}

/// An XLSX workbook with these cells. A cell holding a number without a leading zero is written
/// as a number, as Excel stores what is typed into it; empty cells are left out.
fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match text.parse::<f64>() {
                _ if text.is_empty() => continue,
                Ok(n) if !text.starts_with('0') => sheet.write_number(r, c, n).map(|_| ()),
                _ => sheet.write_string(r, c, *text).map(|_| ()),
            }
            .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// A UTF-8 CSV file with a byte-order mark (as Excel saves "CSV UTF-8"), every cell quoted.
fn csv_bom(delimiter: &str, rows: &[Vec<&str>]) -> Vec<u8> {
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(delimiter)
        })
        .collect();
    format!("\u{feff}{}\r\n", lines.join("\r\n")).into_bytes()
}

/// The fields an import fills, for comparing with what was expected.
fn imported_fields(p: &Value) -> Value {
    let keys = [
        "full_name",
        "roles",
        "rapporteur_level",
        "theory_level",
        "home_district_id",
        "qualification_ids",
        "languages",
        "ethnicity",
        "gender",
        "phone",
        "email",
        "active",
    ];
    Value::Object(keys.iter().map(|k| (k.to_string(), p[*k].clone())).collect())
}

/// Every person, as the admin lists them.
async fn people(admin: &Caller) -> Vec<Value> {
    let page = admin.get("/api/v1/people?per_page=500").await.ok(200).clone();
    assert_eq!(
        page["total"].as_u64().unwrap() as usize,
        page["items"].as_array().unwrap().len()
    );
    page["items"].as_array().unwrap().clone()
}

fn by_code<'a>(people: &'a [Value], code: &str) -> &'a Value {
    people
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no person {code} in {people:?}"))
}

/// Where the errors of an `import_invalid` problem are, as "row column", each place once.
fn error_places(problem: &Value) -> Vec<String> {
    let mut places: Vec<String> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    places.dedup();
    places
}

async fn audit_total(admin: &Caller) -> u64 {
    admin.get("/api/v1/audit").await.ok(200)["total"].as_u64().unwrap()
}

async fn import(admin: &Caller, content_type: &str, bytes: Vec<u8>) -> Value {
    admin
        .send_bytes(Method::POST, IMPORT, content_type, bytes)
        .await
        .ok(200)
        .clone()
}

/// What the three people of `board_rows` must look like once imported.
fn expected_board(w: &World) -> [(&'static str, Value); 3] {
    [
        (
            "GV-0001",
            json!({
                "full_name": "Nguyễn Thị Lan",
                "roles": ["lecturer_part_time", "rapporteur"],
                "rapporteur_level": "district",
                "theory_level": "intermediate",
                "home_district_id": w.d2,
                "qualification_ids": [w.module, w.resolution],
                "languages": ["km", "vi"],
                "ethnicity": "Khmer",
                "gender": "female",
                "phone": "0912345678",
                "email": "lan.nt@example.vn",
                "active": true,
            }),
        ),
        (
            "GV-0002",
            json!({
                "full_name": "Trần Văn Đức",
                "roles": ["lecturer_full_time"],
                "rapporteur_level": null,
                "theory_level": "advanced",
                "home_district_id": w.d1,
                "qualification_ids": [w.module],
                "languages": ["vi"],
                "ethnicity": "Kinh",
                "gender": "male",
                "phone": "0299 3822 111",
                "email": null,
                "active": true,
            }),
        ),
        (
            "BCV-0003",
            json!({
                "full_name": "Thạch Thị Sô Phi",
                "roles": ["rapporteur"],
                "rapporteur_level": "province",
                "theory_level": "advanced",
                "home_district_id": w.d2,
                "qualification_ids": [w.resolution],
                "languages": ["km"],
                "ethnicity": "Khmer",
                "gender": "female",
                "phone": null,
                "email": "sophi@soctrang.gov.vn",
                "active": true,
            }),
        ),
    ]
}

#[tokio::test]
async fn an_xlsx_sheet_with_a_title_row_imports_every_field_exactly() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let audit_before = audit_total(&admin).await;

    // Act
    let report = import(&admin, XLSX, board_xlsx(&board_rows())).await;

    // Assert
    assert_eq!(report, json!({"created": 3, "updated": 0, "unchanged": 0}));
    let people = people(&admin).await;
    assert_eq!(people.len(), 3);
    for (code, expected) in expected_board(&w) {
        let p = by_code(&people, code);
        assert_eq!(imported_fields(p), expected, "person {code}");
        assert_eq!(p["center_id"], Value::Null);
    }
    // One audit entry per person written, by the admin, saying it came from an import.
    assert_eq!(audit_total(&admin).await, audit_before + 3);
    let log = admin.get("/api/v1/audit?entity=person").await.ok(200).clone();
    assert_eq!(log["total"], 3);
    for entry in log["items"].as_array().unwrap() {
        assert_eq!(
            (entry["action"].as_str(), entry["actor"].as_str()),
            (Some("import"), Some("admin"))
        );
        assert_eq!(entry["before"], Value::Null);
    }
    let mut audited: Vec<String> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity_id"].as_str().unwrap().to_string())
        .collect();
    let mut imported: Vec<String> = people.iter().map(|p| p["id"].to_string()).collect();
    audited.sort();
    imported.sort();
    assert_eq!(audited, imported, "one entry for each person imported");
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let file = board_xlsx(&board_rows());
    import(&admin, XLSX, file.clone()).await;
    let before = people(&admin).await;
    let audit_before = audit_total(&admin).await;

    // Act
    let report = import(&admin, XLSX, file).await;

    // Assert: nothing created, nothing rewritten, not even `updated_at`, nothing audited.
    assert_eq!(report, json!({"created": 0, "updated": 0, "unchanged": 3}));
    assert_eq!(people(&admin).await, before);
    assert_eq!(audit_total(&admin).await, audit_before);
}

#[tokio::test]
async fn the_same_people_written_differently_are_unchanged() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    import(&admin, XLSX, board_xlsx(&board_rows())).await;
    let before = people(&admin).await;
    let mut rows = board_rows();
    // Lists in another order, labels without diacritics or in other cases, the district by
    // another of its names, the phone with its leading zero.
    rows[0][3] = "bao cao vien; GIẢNG VIÊN KIÊM CHỨC";
    rows[0][4] = "huyện";
    rows[0][6] = "tran de";
    rows[0][7] = "NQ-TW8-XIII\nSC-01";
    rows[0][8] = "vi, Khmer";
    rows[0][10] = "nữ";
    rows[0][11] = "0912345678";
    rows[2][5] = "Cao cấp";

    // Act
    let report = import(&admin, XLSX, board_xlsx(&rows)).await;

    // Assert
    assert_eq!(report, json!({"created": 0, "updated": 0, "unchanged": 3}));
    assert_eq!(people(&admin).await, before);
}

#[tokio::test]
async fn a_changed_cell_updates_that_person_by_code_and_no_one_else() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    import(&admin, XLSX, board_xlsx(&board_rows())).await;
    let before = people(&admin).await;
    let audit_before = audit_total(&admin).await;
    let mut rows = board_rows();
    rows[1][11] = "0299 3822 999"; // Trần Văn Đức's phone

    // Act
    let report = import(&admin, XLSX, board_xlsx(&rows)).await;

    // Assert
    assert_eq!(report, json!({"created": 0, "updated": 1, "unchanged": 2}));
    let after = people(&admin).await;
    assert_eq!(after.len(), 3);
    let (old, new) = (by_code(&before, "GV-0002"), by_code(&after, "GV-0002"));
    assert_eq!(new["id"], old["id"], "updated in place, matched by code");
    assert_eq!(new["phone"], "0299 3822 999");
    let mut rest_of_new = imported_fields(new);
    rest_of_new["phone"] = old["phone"].clone();
    assert_eq!(rest_of_new, imported_fields(old), "only the phone changed");
    for code in ["GV-0001", "BCV-0003"] {
        assert_eq!(by_code(&after, code), by_code(&before, code), "{code} untouched");
    }
    let log = admin.get("/api/v1/audit?entity=person").await.ok(200).clone();
    assert_eq!(audit_total(&admin).await, audit_before + 1);
    let entry = &log["items"][0];
    assert_eq!(entry["action"], "import");
    assert_eq!(entry["entity_id"], old["id"].to_string());
    assert_eq!(entry["before"]["phone"], "0299 3822 111");
    assert_eq!(entry["after"]["phone"], "0299 3822 999");
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row_and_column() {
    // Arrange: three people already registered.
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    import(&admin, XLSX, board_xlsx(&board_rows())).await;
    let before = people(&admin).await;
    let audit_before = audit_total(&admin).await;
    let row = |code, name, roles, level, district, email| {
        vec![
            "",
            name,
            code,
            roles,
            level,
            "Trung cấp",
            district,
            "SC-01",
            "vi",
            "Kinh",
            "Nam",
            "",
            email,
        ]
    };
    let (full_time, d01) = ("Giảng viên chuyên trách", "D01");
    let mut sheet = vec![HEADERS.to_vec()]; // headers on row 1, people from row 2
    sheet.extend([
        // row 2: a sound change to a registered person, which must not land either
        row(
            "GV-0001",
            "Nguyễn Thị Lan",
            "Giảng viên kiêm chức",
            "",
            d01,
            "lan.moi@example.vn",
        ),
        // row 3: an unknown kind of person
        row("GV-0101", "Lê Văn Tám", "Phóng viên", "", d01, ""),
        // row 4: a rapporteur without a level
        row("GV-0102", "Lý Thị Mai", "Báo cáo viên", "", d01, ""),
        // row 5: an unknown district
        row("GV-0103", "Kim Văn Sơn", full_time, "", "Huyện Không Có", ""),
        // row 6: a sound new person; row 7: the same code again
        row("GV-0104", "Đỗ Thị Hoa", full_time, "", d01, ""),
        row("GV-0104", "Đỗ Văn Hùng", full_time, "", d01, ""),
        // row 8: a bad e-mail address
        row("GV-0105", "Châu Thị Ngọc", full_time, "", d01, "ngoc.example.vn"),
    ]);

    // Act
    let reply = admin.send_bytes(Method::POST, IMPORT, XLSX, xlsx(&sheet)).await;

    // Assert
    let body = reply.problem(422, "import_invalid");
    assert_eq!(body["detail"], "5 dòng có lỗi; chưa nhập dòng nào.");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(
        error_places(body),
        ["3 Loại", "4 Cấp báo cáo viên", "5 Huyện", "7 Mã", "8 Email"]
    );
    let message = |row: u64, column: &str| -> String {
        errors
            .iter()
            .filter(|e| e["row"] == row && e["column"] == column)
            .map(|e| {
                format!(
                    "{} / {}",
                    e["message"].as_str().unwrap(),
                    e["message_en"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join(" | ")
    };
    assert!(message(3, "Loại").contains("«Phóng viên»"), "{}", message(3, "Loại"));
    assert!(
        message(4, "Cấp báo cáo viên").contains("Báo cáo viên cần có cấp"),
        "{}",
        message(4, "Cấp báo cáo viên")
    );
    assert!(
        message(5, "Huyện").contains("«Huyện Không Có»"),
        "{}",
        message(5, "Huyện")
    );
    assert!(
        message(7, "Mã").contains("«GV-0104» trùng với dòng 6"),
        "{}",
        message(7, "Mã")
    );
    assert!(
        message(8, "Email").contains("ngoc.example.vn"),
        "{}",
        message(8, "Email")
    );

    assert_eq!(people(&admin).await, before, "no one added, no one changed");
    assert_eq!(audit_total(&admin).await, audit_before);
}

#[tokio::test]
async fn a_csv_file_in_utf8_with_bom_and_semicolons_imports() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    // A title row as Excel writes it, padded to the table's width, then the headers.
    let mut title = vec![""; HEADERS.len()];
    title[0] = "DANH SÁCH GIẢNG VIÊN, BÁO CÁO VIÊN";
    let mut sheet = vec![title, HEADERS.to_vec()];
    sheet.extend(board_rows());
    let file = csv_bom(";", &sheet);
    assert!(file.starts_with("\u{feff}\"DANH SÁCH GIẢNG VIÊN, BÁO CÁO VIÊN\";\"\";".as_bytes()));

    // Act
    let report = import(&admin, "text/csv", file.clone()).await;
    let again = import(&admin, "text/csv; charset=utf-8", file).await;

    // Assert: the same people as from the XLSX sheet, the phone written with its leading zero.
    assert_eq!(report, json!({"created": 3, "updated": 0, "unchanged": 0}));
    assert_eq!(again, json!({"created": 0, "updated": 0, "unchanged": 3}));
    let people = people(&admin).await;
    assert_eq!(people.len(), 3);
    for (code, expected) in expected_board(&w) {
        assert_eq!(imported_fields(by_code(&people, code)), expected, "person {code}");
    }
}

#[tokio::test]
async fn csv_row_numbers_are_the_spreadsheet_rows_in_a_file_saved_by_excel() {
    // Arrange: Excel's "CSV UTF-8" ends lines with CR LF; rows 3 and 4 are bad.
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let file = csv_bom(
        ",",
        &[
            vec!["Họ và tên", "Mã", "Loại", "Huyện", "Email"],
            vec!["Nguyễn Thị Lan", "GV-0001", "Giảng viên chuyên trách", "D01", ""],
            vec![
                "Trần Văn Đức",
                "GV-0002",
                "Giảng viên chuyên trách",
                "D01",
                "duc.example.vn",
            ],
            vec!["Lý Thị Mai", "GV-0003", "Giảng viên chuyên trách", "Huyện Không Có", ""],
        ],
    );
    assert!(file.windows(2).filter(|w| w == b"\r\n").count() == 4);

    // Act
    let reply = admin.send_bytes(Method::POST, IMPORT, "text/csv", file).await;

    // Assert
    let body = reply.problem(422, "import_invalid");
    assert_eq!(error_places(body), ["3 Email", "4 Huyện"], "{body}");
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn csv_row_numbers_count_records_even_when_a_cell_spans_lines() {
    // Arrange: a cell listing topics one per line (Alt+Enter in Excel) makes row 2 two lines
    // long; lines end with LF, as most programs other than Excel write them.
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let sheet = [
        vec!["Họ và tên", "Mã", "Loại", "Chuyên đề", "Email"],
        vec![
            "Nguyễn Thị Lan",
            "GV-0001",
            "Giảng viên chuyên trách",
            "SC-01\nNQ-TW8-XIII",
            "",
        ],
        vec![
            "Trần Văn Đức",
            "GV-0002",
            "Giảng viên chuyên trách",
            "SC-01",
            "duc.example.vn",
        ],
    ];
    let file = String::from_utf8(csv_bom(",", &sheet)).unwrap().replace("\r\n", "\n");

    // Act
    let reply = admin
        .send_bytes(Method::POST, IMPORT, "text/csv", file.into_bytes())
        .await;

    // Assert: the bad e-mail is on row 3, as a spreadsheet program shows the file.
    let body = reply.problem(422, "import_invalid");
    assert_eq!(error_places(body), ["3 Email"], "{body}");
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn xlsx_row_numbers_count_title_and_blank_rows_as_the_spreadsheet_shows_them() {
    // Arrange: row 1 empty, a title on rows 2 and 3, headers on row 4, people on rows 5 and 7.
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    let sheet = xlsx(&[
        vec![],
        vec!["", "BAN TUYÊN GIÁO TỈNH ỦY SÓC TRĂNG"],
        vec!["", "Danh sách báo cáo viên"],
        vec!["", "Họ và tên", "Mã", "Loại", "Cấp báo cáo viên"],
        vec!["", "Nguyễn Thị Lan", "BCV-1", "Báo cáo viên", "Cơ sở"],
        vec![],
        vec!["", "Trần Văn Đức", "BCV-2", "Báo cáo viên", "Cấp xã"],
    ]);

    // Act
    let reply = admin.send_bytes(Method::POST, IMPORT, XLSX, sheet).await;

    // Assert
    let body = reply.problem(422, "import_invalid");
    assert_eq!(error_places(body), ["7 Cấp báo cáo viên"], "{body}");
    assert!(
        body["errors"][0]["message"].as_str().unwrap().starts_with("«Cấp xã»"),
        "{body}"
    );
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn a_csv_file_that_is_not_utf8_is_refused_as_unreadable() {
    // Arrange: "Họ và tên;Mã;Loại" and a row in a legacy single-byte encoding.
    let app = spawn_app().await;
    let admin = app.admin().await;
    let file = b"H\xf5 v\xe0 t\xean;M\xe3;Lo\xe1i\r\nL\xea V\xe3n T\xe1m;GV-1;B\xe1o c\xe1o vi\xean\r\n".to_vec();

    // Act
    let reply = admin.send_bytes(Method::POST, IMPORT, "text/csv", file).await;

    // Assert
    let body = reply.problem(422, "unreadable_file");
    assert!(body["detail"].as_str().unwrap().contains("UTF-8"), "{body}");
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn a_file_without_the_required_headers_is_refused_naming_them() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let file = csv_bom(
        ";",
        &[
            vec!["Tên", "Mã số", "Vai trò"],
            vec!["Lê Văn Tám", "GV-1", "Báo cáo viên"],
        ],
    );

    // Act
    let vi = admin.send_bytes(Method::POST, IMPORT, "text/csv", file.clone()).await;
    let en = admin
        .language("en")
        .send_bytes(Method::POST, IMPORT, "text/csv", file)
        .await;

    // Assert
    assert_eq!(
        vi.problem(422, "missing_columns")["detail"],
        "Không thấy dòng tiêu đề có các cột bắt buộc: Họ và tên, Mã, Loại."
    );
    assert_eq!(
        en.problem(422, "missing_columns")["detail"],
        "No header row with the required columns: Họ và tên, Mã, Loại."
    );
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn columns_left_out_of_the_file_keep_what_is_on_record() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    world(&admin).await;
    import(&admin, XLSX, board_xlsx(&board_rows())).await;
    let before = people(&admin).await;
    let names_only = csv_bom(
        ",",
        &[
            vec!["Mã", "Họ và tên", "Loại"],
            vec!["GV-0001", "Nguyễn Thị Lan", "Giảng viên kiêm chức, Báo cáo viên"],
            vec!["GV-0002", "Trần Văn Đức Anh", "Giảng viên chuyên trách"],
        ],
    );

    // Act
    let report = import(&admin, "text/csv", names_only).await;

    // Assert
    assert_eq!(report, json!({"created": 0, "updated": 1, "unchanged": 1}));
    let after = people(&admin).await;
    assert_eq!(by_code(&after, "GV-0001"), by_code(&before, "GV-0001"));
    let mut expected = imported_fields(by_code(&before, "GV-0002"));
    expected["full_name"] = json!("Trần Văn Đức Anh");
    assert_eq!(imported_fields(by_code(&after, "GV-0002")), expected);
}

#[tokio::test]
async fn the_downloaded_templates_import_their_example_row_as_is() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;

    // Act
    let xlsx_template = admin.get("/api/v1/people/import/template").await;
    let csv_template = admin.get("/api/v1/people/import/template?format=csv").await;

    // Assert: the files themselves.
    xlsx_template.ok(200);
    assert_eq!(xlsx_template.content_type(), XLSX);
    assert_eq!(
        xlsx_template.headers["content-disposition"],
        "attachment; filename=\"mau-nhap-danh-sach.xlsx\""
    );
    assert!(xlsx_template.bytes.starts_with(b"PK\x03\x04"));
    csv_template.ok(200);
    assert_eq!(csv_template.content_type(), "text/csv; charset=utf-8");
    assert_eq!(
        csv_template.headers["content-disposition"],
        "attachment; filename=\"mau-nhap-danh-sach.csv\""
    );
    let csv_text = String::from_utf8(csv_template.bytes.clone()).unwrap();
    assert!(
        csv_text.starts_with(
            "\u{feff}\"Họ và tên\",\"Mã\",\"Loại\",\"Cấp báo cáo viên\",\"Trình độ LLCT\",\"Huyện\",\"Chuyên đề\",\
             \"Ngôn ngữ\",\"Dân tộc\",\"Giới tính\",\"Điện thoại\",\"Email\"\r\n"
        ),
        "{csv_text}"
    );

    // Act: both templates sent back unchanged.
    let from_xlsx = import(&admin, XLSX, xlsx_template.bytes.clone()).await;
    let from_csv = import(&admin, "text/csv", csv_template.bytes.clone()).await;

    // Assert: the example person, once; the CSV describes exactly the same person.
    assert_eq!(from_xlsx, json!({"created": 1, "updated": 0, "unchanged": 0}));
    assert_eq!(from_csv, json!({"created": 0, "updated": 0, "unchanged": 1}));
    let people = people(&admin).await;
    assert_eq!(people.len(), 1);
    assert_eq!(
        imported_fields(by_code(&people, "GV-0001")),
        // The board's first person, with the phone written as the template writes it.
        {
            let [(_, mut lan), ..] = expected_board(&w);
            lan["phone"] = json!("0912 345 678");
            lan
        }
    );
}

#[tokio::test]
async fn a_file_of_more_than_50000_people_is_refused_whole() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let mut file = String::from("Họ và tên,Mã,Loại\n");
    for i in 1..=50_001 {
        file.push_str(&format!("Người thứ {i},GV-{i},Giảng viên chuyên trách\n"));
    }

    // Act
    let reply = admin
        .send_bytes(Method::POST, IMPORT, "text/csv", file.into_bytes())
        .await;

    // Assert
    assert_eq!(
        reply.problem(422, "too_many_rows")["detail"],
        "Tệp có 50001 dòng; tối đa 50000."
    );
    assert_eq!(people(&admin).await.len(), 0);
}

#[tokio::test]
async fn only_the_province_board_may_import() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    let w = world(&admin).await;
    let board = app.account("b", UserRole::DistrictBoard, Some(w.d1)).await;
    let audit_before = audit_total(&admin).await;
    let file = board_xlsx(&board_rows());

    // Act
    let district = board.send_bytes(Method::POST, IMPORT, XLSX, file.clone()).await;
    let anonymous = app.anonymous().send_bytes(Method::POST, IMPORT, XLSX, file).await;

    // Assert
    district.problem(403, "forbidden");
    anonymous.problem(401, "unauthorized");
    assert_eq!(people(&admin).await.len(), 0);
    assert_eq!(audit_total(&admin).await, audit_before);
}

#[tokio::test]
async fn files_up_to_20_mib_are_read_and_larger_ones_refused() {
    // Arrange
    let app = spawn_app().await;
    let admin = app.admin().await;
    const LIMIT: usize = 20 * 1024 * 1024;
    // A sound CSV over the 1 MiB JSON limit: long notes (each as long as Excel allows) in
    // columns the import ignores.
    let note = "x".repeat(32_767);
    let mut header = vec!["Họ và tên", "Mã", "Loại"];
    let mut row = vec!["Lê Văn Tám", "GV-1", "Giảng viên chuyên trách"];
    for _ in 0..40 {
        header.push("Ghi chú");
        row.push(&note);
    }
    let big_but_fine = csv_bom(",", &[header, row]);
    // Exactly at the limit (not UTF-8, so refused for what it is, not for its size), and one byte over.
    let at_limit = vec![0xff_u8; LIMIT];
    let over_limit = vec![0xff_u8; LIMIT + 1];

    // Act
    let fine = admin.send_bytes(Method::POST, IMPORT, "text/csv", big_but_fine).await;
    let at = admin.send_bytes(Method::POST, IMPORT, "text/csv", at_limit).await;
    let over = admin.send_bytes(Method::POST, IMPORT, "text/csv", over_limit).await;

    // Assert
    assert_eq!(fine.ok(200), &json!({"created": 1, "updated": 0, "unchanged": 0}));
    at.problem(422, "unreadable_file");
    assert_eq!(
        over.problem(413, "payload_too_large")["detail"],
        "Tệp quá lớn (tối đa 20 MB)."
    );
    assert_eq!(people(&admin).await.len(), 1);
}
