//! Demo data for a Vietnamese province (Sóc Trăng): districts, travel times, political centers,
//! curriculum modules and Party resolutions, about 240 lecturers and rapporteurs, and leave periods.
//!
//! Plain data only: no I/O, no database. Everything is derived from the seed, so the same seed
//! always gives the same province. Strings are Vietnamese in NFC (precomposed) form.

use std::collections::HashSet;
use std::ops::{Range, RangeInclusive};

use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDistrict {
    pub code: String,
    pub name: String,
    /// Its unit type in running text: "huyện", "thị xã" or "thành phố".
    pub unit: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCenter {
    pub code: String,
    pub name: String,
    pub provincial_school: bool,
    /// Index into `DemoProvince::districts`.
    pub district: usize,
    /// Whom to call, shown in calendar feeds.
    pub contact: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoTopic {
    pub code: String,
    pub name: String,
    /// `true` = a Party resolution (briefed by rapporteurs), `false` = a curriculum module.
    pub resolution: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    /// The board's own ID, unique: "GV-0001" for lecturers, "BCV-0001" for rapporteurs only.
    pub code: String,
    pub full_name: String,
    /// Subset of "lecturer_full_time", "lecturer_part_time", "rapporteur"; never both lecturer kinds.
    pub roles: Vec<&'static str>,
    /// "grassroots" | "district" | "province"; `Some` iff the person is a rapporteur.
    pub rapporteur_level: Option<&'static str>,
    /// "elementary" | "intermediate" | "advanced".
    pub theory_level: Option<&'static str>,
    pub home_district: usize,
    pub center: Option<usize>,
    pub gender: &'static str,
    pub ethnicity: &'static str,
    /// ISO 639-1 codes, always including "vi".
    pub languages: Vec<&'static str>,
    pub phone: String,
    pub email: Option<String>,
    /// Indices into `DemoProvince::topics`, sorted.
    pub qualifications: Vec<usize>,
    pub max_per_day: Option<u32>,
    pub max_per_week: Option<u32>,
    pub max_per_month: Option<u32>,
    /// Part-time lecturers only: (weekday 1=Monday..7=Sunday, true=morning), sorted.
    pub weekly_half_days: Vec<(u8, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUnavailability {
    pub person: usize,
    pub start_day_offset: i64,
    pub days: i64,
    pub reason: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoProvince {
    pub name: String,
    pub districts: Vec<DemoDistrict>,
    /// `[from][to]` in minutes by road, 0 on the diagonal.
    pub travel_minutes: Vec<Vec<u32>>,
    pub centers: Vec<DemoCenter>,
    pub topics: Vec<DemoTopic>,
    pub people: Vec<DemoPerson>,
    pub unavailability: Vec<DemoUnavailability>,
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

const PROVINCE: &str = "Sóc Trăng";
const EMAIL_DOMAIN: &str = "soctrang.dcs.vn";

/// (name, unit type in running text, latitude and longitude of the seat,
///  Khmer % and Hoa % among the district's cadres, weight for where people live)
#[rustfmt::skip]
const DISTRICTS: [(&str, &str, f64, f64, u32, u32, u32); 11] = [
    ("Thành phố Sóc Trăng", "thành phố", 9.6025, 105.9739, 8, 10, 18),
    ("Huyện Châu Thành", "huyện", 9.6950, 105.9000, 35, 2, 9),
    ("Huyện Kế Sách", "huyện", 9.7700, 105.9850, 8, 2, 10),
    ("Huyện Mỹ Tú", "huyện", 9.6380, 105.8200, 15, 2, 9),
    ("Huyện Cù Lao Dung", "huyện", 9.6400, 106.1800, 3, 1, 6),
    ("Huyện Long Phú", "huyện", 9.6120, 106.1230, 15, 2, 9),
    ("Huyện Mỹ Xuyên", "huyện", 9.5560, 105.9870, 30, 3, 10),
    ("Thị xã Ngã Năm", "thị xã", 9.5640, 105.5980, 5, 2, 8),
    ("Huyện Thạnh Trị", "huyện", 9.4330, 105.7420, 15, 3, 8),
    ("Thị xã Vĩnh Châu", "thị xã", 9.3250, 105.9800, 45, 12, 11),
    ("Huyện Trần Đề", "huyện", 9.5100, 106.1900, 35, 2, 10),
];
const CITY: usize = 0;
const CU_LAO_DUNG: usize = 4;
const VINH_CHAU: usize = 9;
const TRAN_DE: usize = 10;

/// (code, name, resolution?)
#[rustfmt::skip]
const TOPICS: &[(&str, &str, bool)] = &[
    // Sơ cấp lý luận chính trị
    ("SC-01", "Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh - nền tảng tư tưởng, kim chỉ nam cho hành động của Đảng", false),
    ("SC-02", "Những vấn đề cơ bản về Đảng Cộng sản Việt Nam", false),
    ("SC-03", "Những vấn đề cơ bản về Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam", false),
    ("SC-04", "Đường lối, chính sách của Đảng, pháp luật của Nhà nước về phát triển kinh tế", false),
    ("SC-05", "Đường lối, chính sách của Đảng về văn hóa, xã hội, dân tộc, tôn giáo", false),
    ("SC-06", "Đường lối, chính sách của Đảng về quốc phòng, an ninh, đối ngoại", false),
    ("SC-07", "Hệ thống chính trị ở cơ sở và công tác xây dựng Đảng ở cơ sở", false),
    ("SC-08", "Công tác dân vận, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội ở cơ sở", false),
    ("SC-09", "Kỹ năng lãnh đạo, quản lý và nghiệp vụ công tác ở cơ sở", false),
    ("SC-10", "Tình hình, nhiệm vụ phát triển kinh tế - xã hội của tỉnh Sóc Trăng", false),
    // Bồi dưỡng lý luận chính trị cho đảng viên mới
    ("DVM-01", "Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh - nền tảng tư tưởng, kim chỉ nam cho hành động của Đảng", false),
    ("DVM-02", "Độc lập dân tộc gắn liền với chủ nghĩa xã hội - mục tiêu, lý tưởng của Đảng", false),
    ("DVM-03", "Đường lối phát triển kinh tế, văn hóa, xã hội và bảo vệ môi trường", false),
    ("DVM-04", "Đường lối quốc phòng, an ninh, đối ngoại của Đảng", false),
    ("DVM-05", "Phát huy dân chủ xã hội chủ nghĩa và sức mạnh đại đoàn kết toàn dân tộc", false),
    ("DVM-06", "Xây dựng, chỉnh đốn Đảng trong sạch, vững mạnh", false),
    ("DVM-07", "Nâng cao vai trò tiền phong, gương mẫu; nhiệm vụ của người đảng viên", false),
    ("DVM-08", "Tình hình, nhiệm vụ của địa phương và của tổ chức cơ sở đảng", false),
    // Bồi dưỡng nhận thức về Đảng
    ("NTD-01", "Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh - nền tảng tư tưởng của Đảng", false),
    ("NTD-02", "Đảng Cộng sản Việt Nam - đội tiên phong của giai cấp công nhân, nhân dân lao động và dân tộc Việt Nam", false),
    ("NTD-03", "Mục tiêu, lý tưởng của Đảng Cộng sản Việt Nam", false),
    ("NTD-04", "Tổ chức và hoạt động của Đảng Cộng sản Việt Nam", false),
    ("NTD-05", "Phấn đấu trở thành đảng viên Đảng Cộng sản Việt Nam", false),
    // Party resolutions
    ("NQ-DH-XIII", "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng", true),
    ("NQ-TW5-XIII", "Nghị quyết số 19-NQ/TW Hội nghị Trung ương 5 khóa XIII về nông nghiệp, nông dân, nông thôn đến năm 2030, tầm nhìn đến năm 2045", true),
    ("NQ-TW6-XIII", "Nghị quyết số 27-NQ/TW Hội nghị Trung ương 6 khóa XIII về tiếp tục xây dựng và hoàn thiện Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam trong giai đoạn mới", true),
    ("NQ-TW8-XIII", "Nghị quyết số 44-NQ/TW Hội nghị Trung ương 8 khóa XIII về Chiến lược bảo vệ Tổ quốc trong tình hình mới", true),
    ("NQ-13-BCT", "Nghị quyết số 13-NQ/TW của Bộ Chính trị về phương hướng phát triển kinh tế - xã hội, bảo đảm quốc phòng, an ninh vùng đồng bằng sông Cửu Long đến năm 2030, tầm nhìn đến năm 2045", true),
    ("NQ-18-TW6-XII", "Nghị quyết số 18-NQ/TW Hội nghị Trung ương 6 khóa XII về tiếp tục đổi mới, sắp xếp tổ chức bộ máy của hệ thống chính trị tinh gọn, hoạt động hiệu lực, hiệu quả", true),
    ("NQ-57-BCT", "Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia", true),
    ("NQ-59-BCT", "Nghị quyết số 59-NQ/TW của Bộ Chính trị về hội nhập quốc tế trong tình hình mới", true),
    ("NQ-66-BCT", "Nghị quyết số 66-NQ/TW của Bộ Chính trị về đổi mới công tác xây dựng và thi hành pháp luật đáp ứng yêu cầu phát triển đất nước trong kỷ nguyên mới", true),
    ("NQ-68-BCT", "Nghị quyết số 68-NQ/TW của Bộ Chính trị về phát triển kinh tế tư nhân", true),
    ("NQ-DHT-XIV", "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Sóc Trăng lần thứ XIV, nhiệm kỳ 2020 - 2025", true),
];

#[rustfmt::skip]
const KINH_FAMILY: &[(&str, u32)] = &[
    ("Nguyễn", 28), ("Trần", 10), ("Lê", 9), ("Huỳnh", 6), ("Phạm", 6), ("Võ", 5), ("Phan", 4),
    ("Trương", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2), ("Ngô", 2), ("Dương", 2),
    ("Lâm", 2), ("Lý", 1), ("Hoàng", 1), ("Vũ", 1), ("Đoàn", 1), ("Châu", 1), ("Tô", 1),
    ("Mai", 1), ("Cao", 1), ("Lưu", 1), ("Đinh", 1), ("Tạ", 1), ("Thái", 1), ("Quách", 1),
];
#[rustfmt::skip]
const KINH_MIDDLE_M: &[(&str, u32)] = &[
    ("Văn", 12), ("Minh", 3), ("Quốc", 3), ("Thanh", 3), ("Hữu", 2), ("Hoàng", 2), ("Công", 2),
    ("Tấn", 2), ("Ngọc", 1), ("Phước", 1), ("Trung", 1), ("Thành", 1), ("Chí", 1), ("Đức", 1),
];
#[rustfmt::skip]
const KINH_MIDDLE_F: &[(&str, u32)] = &[
    ("Thị", 12), ("Ngọc", 3), ("Thanh", 2), ("Kim", 2), ("Mỹ", 2), ("Hồng", 2), ("Thu", 1),
    ("Bích", 1), ("Phương", 1), ("Thùy", 1), ("Cẩm", 1),
];
#[rustfmt::skip]
const KINH_GIVEN_M: &[&str] = &[
    "Hùng", "Dũng", "Tuấn", "Minh", "Hải", "Phong", "Long", "Nam", "Sơn", "Thắng", "Trí", "Tâm",
    "Khoa", "Phúc", "Tài", "Lộc", "Hiếu", "Nghĩa", "Toàn", "Vinh", "Quang", "Bình", "Cường", "Đạt",
    "Hậu", "Thái", "Hưng", "Khánh", "Kiệt", "Lợi", "Nhân", "Phát", "Tín", "Huy", "Thịnh", "Thuận",
    "Trung", "Tùng", "Hòa", "Việt",
];
#[rustfmt::skip]
const KINH_GIVEN_F: &[&str] = &[
    "Lan", "Hoa", "Hương", "Hạnh", "Thảo", "Trang", "Nga", "Linh", "Mai", "Loan", "Phượng", "Diễm",
    "Nhung", "Thủy", "Tuyết", "Yến", "Vân", "Xuân", "Hằng", "Huyền", "Thúy", "Oanh", "Duyên",
    "Quyên", "Trinh", "Nhi", "Hiền", "Cúc", "Liên", "Dung", "Ngân", "Thơ", "My", "Anh", "Giang",
];
#[rustfmt::skip]
const KHMER_FAMILY: &[(&str, u32)] = &[
    ("Thạch", 8), ("Sơn", 5), ("Lâm", 4), ("Danh", 3), ("Kim", 3), ("Lý", 2), ("Triệu", 2),
    ("Dương", 1), ("Châu", 1),
];
#[rustfmt::skip]
const KHMER_GIVEN_M: &[&str] = &[
    "Sóc", "Sên", "Phol", "Sa Rết", "Sa Ri", "Chanh", "Kha", "Sô Thon", "Sa Muôn", "Đa Ra",
    "Ro Tha", "Sây", "Dên", "Mách", "Phách", "Bô Ra", "Sóc Kha", "Sa Quành", "Ô Ne", "Sà Rươne",
    "Khuôl", "Sóc Khun", "Pa Ri", "Chăn Thi",
];
#[rustfmt::skip]
const KHMER_GIVEN_F: &[&str] = &[
    "Sô Phia", "Chanh Đa", "Sa Ly", "Na Ry", "Sô Phi", "Thi Da", "Sa Vết", "Ra Ni", "Sa Mây",
    "Đa Vi", "Sa Rinh", "Chanh Thi", "Pha Ly", "Sô Khom", "Mô Ni", "Ca Ri Na", "Sà Phon",
    "Đa Ly", "Sa Rươm", "Sô Đa",
];
#[rustfmt::skip]
const HOA_FAMILY: &[(&str, u32)] = &[
    ("Lý", 3), ("Quách", 3), ("Lâm", 3), ("Trần", 2), ("Trương", 2), ("Tăng", 2), ("Mã", 2),
    ("Huỳnh", 2), ("Hứa", 2), ("Châu", 2), ("La", 1), ("Thái", 1), ("Lư", 1), ("Tạ", 1),
    ("Quan", 1), ("Diệp", 1), ("Giang", 1),
];
#[rustfmt::skip]
const HOA_MIDDLE_M: &[&str] = &["Hoàng", "Quốc", "Chí", "Vĩnh", "Gia", "Kiến", "Thế", "Văn"];
#[rustfmt::skip]
const HOA_MIDDLE_F: &[&str] = &["Thị", "Mỹ", "Tú", "Ngọc", "Bội", "Uyển", "Tuệ"];
#[rustfmt::skip]
const HOA_GIVEN_M: &[&str] =
    &["Minh", "Huy", "Cường", "Phát", "Bảo", "Trung", "Hào", "Vinh", "Kiệt", "Thành", "Sang"];
#[rustfmt::skip]
const HOA_GIVEN_F: &[&str] =
    &["Mỹ", "Linh", "Anh", "Hân", "Trân", "Nhi", "Huệ", "Phụng", "Quyên", "Mẫn", "Hoa"];

#[rustfmt::skip]
const PHONE_PREFIXES: &[&str] = &[
    "091", "094", "088", "083", "084", "085", "081", "082", "090", "093", "089", "070", "076",
    "077", "078", "079", "096", "097", "098", "086", "032", "033", "034", "035", "036", "039",
];

/// (reason, weight, min days, max days)
#[rustfmt::skip]
const UNAVAILABILITY_REASONS: &[(&str, u32, i64, i64)] = &[
    ("Nghỉ phép", 10, 2, 7),
    ("Đi công tác", 9, 1, 5),
    ("Học tập trung", 4, 5, 10),
    ("Ốm đau", 5, 1, 6),
    ("Việc gia đình", 4, 1, 3),
    ("Tập huấn nghiệp vụ", 3, 2, 4),
];

const FULL_TIME: &str = "lecturer_full_time";
const PART_TIME: &str = "lecturer_part_time";
const RAPPORTEUR: &str = "rapporteur";

/// Kinds of person, in the order they are generated: (first role, how many, share of women,
/// share with an e-mail address, theory-level weights as in `THEORY`).
#[rustfmt::skip]
const KINDS: [(&str, usize, f64, f64, [u32; 4]); 3] = [
    (FULL_TIME, 45, 0.45, 0.9, [85, 15, 0, 0]),
    (PART_TIME, 110, 0.40, 0.7, [55, 45, 0, 0]),
    (RAPPORTEUR, 84, 0.42, 0.5, [0, 0, 0, 0]), // rapporteurs only: theory level from `LEVELS`
];
const FT: usize = 0;
const PT: usize = 1;
const RO: usize = 2;
const THEORY: [Option<&str>; 4] = [Some("advanced"), Some("intermediate"), Some("elementary"), None];

/// Rapporteur levels: (level, weight, resolutions held min and max, theory-level weights for
/// rapporteurs who do not lecture).
#[rustfmt::skip]
const LEVELS: [(&str, u32, usize, usize, [u32; 4]); 3] = [
    ("province", 15, 5, 9, [100, 0, 0, 0]),
    ("district", 40, 3, 6, [65, 35, 0, 0]),
    ("grassroots", 45, 2, 4, [0, 55, 35, 10]),
];

const SCHOOL_STAFF: usize = 12; // full-time lecturers of the provincial school (the rest: 3 per center)
const SCHOOL_RAPPORTEURS: usize = 4; // of whom provincial rapporteurs too
const PART_TIME_RAPPORTEURS: usize = 36; // a third of the part-time lecturers

/// Who to generate: (kind, home district, center, rapporteur level index, forced Khmer).
type Slot = (usize, usize, Option<usize>, Option<usize>, bool);

struct Gen {
    rng: StdRng,
    names: HashSet<String>,
    phones: HashSet<String>,
    emails: HashSet<String>,
}

/// Builds the demo province for `seed`. The same seed always gives the same data.
pub fn province(seed: u64) -> DemoProvince {
    let rng = StdRng::seed_from_u64(seed);
    let (names, phones, emails) = (HashSet::new(), HashSet::new(), HashSet::new());
    let mut g = Gen {
        rng,
        names,
        phones,
        emails,
    };
    let rng = &mut g.rng;

    let districts = (0..DISTRICTS.len())
        .map(|i| DemoDistrict {
            code: format!("D{:02}", i + 1),
            name: DISTRICTS[i].0.into(),
            unit: DISTRICTS[i].1,
        })
        .collect();
    let mut centers: Vec<DemoCenter> = (0..DISTRICTS.len())
        .map(|i| DemoCenter {
            code: format!("TTCT-D{:02}", i + 1),
            name: format!("Trung tâm Chính trị {}", in_running_text(i)),
            provincial_school: false,
            district: i,
            contact: format!("Văn phòng trung tâm, 0299 38{:02} 123", i + 1),
        })
        .collect();
    let school = centers.len();
    centers.push(DemoCenter {
        code: "TCT-ST".into(),
        name: format!("Trường Chính trị tỉnh {PROVINCE}"),
        provincial_school: true,
        district: CITY,
        contact: "Phòng Đào tạo, 0299 3822 456".into(),
    });
    let topics = TOPICS
        .iter()
        .map(|t| DemoTopic {
            code: t.0.into(),
            name: t.1.into(),
            resolution: t.2,
        })
        .collect();

    // Full-time lecturers: the provincial school, then three per district center; the
    // Khmer-majority areas always have a Khmer-speaking full-time lecturer.
    let mut slots: Vec<Slot> = Vec::new();
    for k in 0..SCHOOL_STAFF {
        let home = if rng.random_bool(0.7) {
            CITY
        } else {
            *[1, 3, 6].choose(rng).unwrap()
        };
        slots.push((FT, home, Some(school), (k < SCHOOL_RAPPORTEURS).then_some(0), false));
    }
    let per_center = (KINDS[FT].1 - SCHOOL_STAFF) / DISTRICTS.len();
    for d in 0..DISTRICTS.len() {
        for k in 0..per_center {
            slots.push((FT, d, Some(d), None, k == 0 && (d == VINH_CHAU || d == TRAN_DE)));
        }
    }
    let mut dual: Vec<bool> = (0..KINDS[PT].1).map(|i| i < PART_TIME_RAPPORTEURS).collect();
    dual.shuffle(rng);
    for rapporteur in dual {
        let home = district_by_weight(rng);
        let level = rapporteur.then(|| level_by_weight(rng));
        slots.push((PT, home, rng.random_bool(0.25).then_some(home), level, false));
    }
    for _ in 0..KINDS[RO].1 {
        let level = level_by_weight(rng);
        let city = level == 0 && rng.random_bool(0.65); // provincial rapporteurs: mostly the city
        let home = if city { CITY } else { district_by_weight(rng) };
        slots.push((RO, home, None, Some(level), false));
    }

    let (mut lecturers, mut rapporteurs) = (0, 0);
    let mut people: Vec<DemoPerson> = Vec::with_capacity(slots.len());
    for slot in slots {
        let counter = if slot.0 == RO { &mut rapporteurs } else { &mut lecturers };
        *counter += 1;
        let code = format!("{}-{:04}", if slot.0 == RO { "BCV" } else { "GV" }, *counter);
        people.push(person(&mut g, slot, code));
    }
    ensure_coverage(&mut g.rng, &mut people);
    let unavailability = unavailability(&mut g.rng, people.len());

    DemoProvince {
        name: PROVINCE.into(),
        districts,
        travel_minutes: travel_matrix(),
        centers,
        topics,
        people,
        unavailability,
    }
}

/// "Huyện Kế Sách" -> "huyện Kế Sách": the unit type is lower case in running text.
fn in_running_text(district: usize) -> String {
    let (name, unit) = (DISTRICTS[district].0, DISTRICTS[district].1);
    let rest: String = name.chars().skip(unit.chars().count()).collect();
    format!("{unit}{rest}")
}

fn pick_index(rng: &mut StdRng, weights: impl IntoIterator<Item = u32> + Clone) -> usize {
    let mut r = rng.random_range(0..weights.clone().into_iter().sum::<u32>());
    for (i, w) in weights.into_iter().enumerate() {
        if r < w {
            return i;
        }
        r -= w;
    }
    unreachable!("r is below the sum of the weights")
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    items[pick_index(rng, items.iter().map(|x| x.1))].0
}

fn district_by_weight(rng: &mut StdRng) -> usize {
    pick_index(rng, DISTRICTS.iter().map(|d| d.6))
}

fn level_by_weight(rng: &mut StdRng) -> usize {
    pick_index(rng, LEVELS.iter().map(|l| l.1))
}

/// Between `k.start()` and `k.end()` distinct values from `range`, sorted.
fn sample(rng: &mut StdRng, range: Range<usize>, k: RangeInclusive<usize>) -> Vec<usize> {
    let mut pool: Vec<usize> = range.collect();
    pool.shuffle(rng);
    pool.truncate(rng.random_range(k));
    pool.sort_unstable();
    pool
}

fn n_modules() -> usize {
    TOPICS.iter().take_while(|t| !t.2).count()
}

fn person(g: &mut Gen, (kind, home, center, level, force_khmer): Slot, code: String) -> DemoPerson {
    let rng = &mut g.rng;
    let (first_role, _, female_share, email_share, theory) = KINDS[kind];
    let (khmer, hoa) = (DISTRICTS[home].4, DISTRICTS[home].5);
    let roll = rng.random_range(0..100);
    let ethnicity = match roll {
        _ if force_khmer || roll < khmer => "Khmer",
        _ if roll < khmer + hoa => "Hoa",
        _ => "Kinh",
    };
    let female = rng.random_bool(female_share);
    let (full_name, email_local) = loop {
        let (name, local) = make_name(rng, ethnicity, female);
        if g.names.insert(name.clone()) {
            break (name, local);
        }
    };

    let mut languages = vec!["vi"];
    match ethnicity {
        "Khmer" => languages.push("km"),
        "Hoa" => languages.push("zh"),
        _ if khmer >= 30 && rng.random_bool(0.15) => languages.push("km"),
        _ => {}
    }
    let phone = loop {
        let prefix = PHONE_PREFIXES.choose(rng).unwrap();
        let (a, b, c) = (
            rng.random_range(0..10),
            rng.random_range(0..1000),
            rng.random_range(0..1000),
        );
        let p = format!("{prefix}{a} {b:03} {c:03}");
        if g.phones.insert(p.clone()) {
            break p;
        }
    };
    let email = rng.random_bool(email_share).then(|| {
        let (mut local, mut n) = (email_local.clone(), 1);
        while !g.emails.insert(local.clone()) {
            n += 1;
            local = format!("{email_local}{n}");
        }
        format!("{local}@{EMAIL_DOMAIN}")
    });

    let theory = if kind == RO { LEVELS[level.unwrap()].4 } else { theory };
    let theory_level = THEORY[pick_index(rng, theory)];
    let modules = n_modules();
    let mut qualifications = match kind {
        FT => sample(rng, 0..modules, 6..=12),
        PT => sample(rng, 0..modules, 2..=5),
        _ => Vec::new(),
    };
    let mut roles = vec![first_role];
    if let Some(l) = level {
        qualifications.extend(sample(rng, modules..TOPICS.len(), LEVELS[l].2..=LEVELS[l].3));
        if kind != RO {
            roles.push(RAPPORTEUR);
        }
    }

    let (max_per_day, max_per_week, max_per_month) = match kind {
        FT => (Some(2), rng.random_bool(0.5).then_some(8), None),
        PT => {
            let week = rng.random_bool(0.3).then_some(3);
            (Some(rng.random_range(1..=2)), week, Some(rng.random_range(4..=8)))
        }
        _ => (Some(2), None, rng.random_bool(0.4).then(|| rng.random_range(4..=8))),
    };
    let mut weekly_half_days = Vec::new();
    if kind == PT {
        // Weekdays mostly, Saturday often, Sunday rarely.
        let weights = (0..14).map(|s| [6, 6, 6, 6, 6, 4, 1][s / 2]);
        let k = rng.random_range(2..=5);
        while weekly_half_days.len() < k {
            let s = pick_index(rng, weights.clone());
            let slot = (s as u8 / 2 + 1, s % 2 == 0);
            if !weekly_half_days.contains(&slot) {
                weekly_half_days.push(slot);
            }
        }
        weekly_half_days.sort_by_key(|&(d, morning)| (d, !morning));
    }

    DemoPerson {
        code,
        full_name,
        roles,
        rapporteur_level: level.map(|l| LEVELS[l].0),
        theory_level,
        home_district: home,
        center,
        gender: if female { "female" } else { "male" },
        ethnicity,
        languages,
        phone,
        email,
        qualifications,
        max_per_day,
        max_per_week,
        max_per_month,
        weekly_half_days,
    }
}

/// Returns (full name, ASCII e-mail local part such as "lan.nt").
fn make_name(rng: &mut StdRng, ethnicity: &str, female: bool) -> (String, String) {
    let one = |rng: &mut StdRng, list: &[&'static str]| *list.choose(rng).unwrap();
    let (family, middle, given) = match (ethnicity, female) {
        ("Khmer", true) => (
            pick(rng, KHMER_FAMILY),
            rng.random_bool(0.8).then_some("Thị"),
            KHMER_GIVEN_F,
        ),
        ("Khmer", false) => (
            pick(rng, KHMER_FAMILY),
            rng.random_bool(0.5).then_some("Văn"),
            KHMER_GIVEN_M,
        ),
        ("Hoa", true) => (pick(rng, HOA_FAMILY), Some(one(rng, HOA_MIDDLE_F)), HOA_GIVEN_F),
        ("Hoa", false) => (pick(rng, HOA_FAMILY), Some(one(rng, HOA_MIDDLE_M)), HOA_GIVEN_M),
        (_, true) => (pick(rng, KINH_FAMILY), Some(pick(rng, KINH_MIDDLE_F)), KINH_GIVEN_F),
        (_, false) => (pick(rng, KINH_FAMILY), Some(pick(rng, KINH_MIDDLE_M)), KINH_GIVEN_M),
    };
    let given = loop {
        let g = one(rng, given);
        if Some(g) != middle && g != family {
            break g;
        }
    };
    let words: Vec<&str> = [Some(family), middle, Some(given)].into_iter().flatten().collect();
    let initials: String = words[..words.len() - 1]
        .iter()
        .flat_map(|w| ascii_fold(w).chars().next())
        .collect();
    let full = words.join(" ");
    let local = format!("{}.{initials}", ascii_fold(given).replace(' ', ""));
    (full, local)
}

/// Lower-cases and strips Vietnamese diacritics: "Đa Vi" -> "da vi".
fn ascii_fold(s: &str) -> String {
    #[rustfmt::skip]
    const FOLD: [(&str, char); 7] = [
        ("àáạảãâầấậẩẫăằắặẳẵ", 'a'), ("èéẹẻẽêềếệểễ", 'e'), ("ìíịỉĩ", 'i'),
        ("òóọỏõôồốộổỗơờớợởỡ", 'o'), ("ùúụủũưừứựửữ", 'u'), ("ỳýỵỷỹ", 'y'), ("đ", 'd'),
    ];
    let fold = |c: char| FOLD.iter().find(|(set, _)| set.contains(c)).map_or(c, |&(_, a)| a);
    s.chars().flat_map(char::to_lowercase).map(fold).collect()
}

/// Every module has at least 4 lecturers; every resolution at least 4 rapporteurs, of whom
/// at least 2 are provincial-level.
fn ensure_coverage(rng: &mut StdRng, people: &mut [DemoPerson]) {
    let modules = n_modules();
    let lecturers: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].roles[0] != RAPPORTEUR)
        .collect();
    let rapporteurs: Vec<usize> = (0..people.len())
        .filter(|&i| people[i].rapporteur_level.is_some())
        .collect();
    let provincial: Vec<usize> = rapporteurs
        .iter()
        .copied()
        .filter(|&i| people[i].rapporteur_level == Some("province"))
        .collect();
    for t in 0..TOPICS.len() {
        let needs = if t < modules {
            vec![(&lecturers, 4)]
        } else {
            vec![(&rapporteurs, 4), (&provincial, 2)]
        };
        for (eligible, need) in needs {
            let mut have = eligible
                .iter()
                .filter(|&&i| people[i].qualifications.contains(&t))
                .count();
            while have < need {
                let q = &mut people[*eligible.choose(rng).unwrap()].qualifications;
                if !q.contains(&t) {
                    q.push(t);
                    q.sort_unstable();
                    have += 1;
                }
            }
        }
    }
}

/// About 40 leave periods over the coming six months; one person's periods do not overlap.
fn unavailability(rng: &mut StdRng, n_people: usize) -> Vec<DemoUnavailability> {
    let count = rng.random_range(36..=44);
    let mut out: Vec<DemoUnavailability> = Vec::with_capacity(count);
    while out.len() < count {
        let (reason, _, min, max) = UNAVAILABILITY_REASONS[pick_index(rng, UNAVAILABILITY_REASONS.iter().map(|r| r.1))];
        let (person, start_day_offset) = (rng.random_range(0..n_people), rng.random_range(0..=180));
        let u = DemoUnavailability {
            person,
            start_day_offset,
            days: rng.random_range(min..=max),
            reason,
        };
        let overlaps = out.iter().any(|o| {
            o.person == u.person
                && o.start_day_offset < u.start_day_offset + u.days
                && u.start_day_offset < o.start_day_offset + o.days
        });
        if !overlaps {
            out.push(u);
        }
    }
    out.sort_by_key(|u| (u.start_day_offset, u.person));
    out
}

/// Road minutes between district seats: straight-line distance × 1.3 for the roads, about
/// 52 km/h, 8 minutes to get going, and the Đại Ngãi ferry for Cù Lao Dung (an island).
/// Slightly asymmetric (one-way streets, ferry queues). Clamped to 15..=120.
fn travel_matrix() -> Vec<Vec<u32>> {
    let minutes = |i: usize, j: usize| -> u32 {
        let (a, b) = (DISTRICTS[i], DISTRICTS[j]);
        let dy = (a.2 - b.2) * 110.6;
        let dx = (a.3 - b.3) * 111.3 * a.2.to_radians().cos();
        let road_km = (dx * dx + dy * dy).sqrt() * 1.3;
        let ferry = if i == CU_LAO_DUNG || j == CU_LAO_DUNG {
            25.0
        } else {
            0.0
        };
        let asymmetry = ((i * 7 + j * 3) % 4) as f64;
        (8.0 + road_km * 1.15 + ferry + asymmetry).round().clamp(15.0, 120.0) as u32
    };
    let n = DISTRICTS.len();
    (0..n)
        .map(|i| (0..n).map(|j| if i == j { 0 } else { minutes(i, j) }).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_a_seed() {
        assert_eq!(province(7), province(7));
        assert_ne!(province(7).people, province(8).people);
    }

    #[test]
    fn districts_centers_topics_and_travel() {
        let p = province(1);
        assert_eq!(p.name, "Sóc Trăng");
        assert_eq!(p.districts.len(), 11);
        assert_eq!(
            (p.districts[0].code.as_str(), p.districts[10].code.as_str()),
            ("D01", "D11")
        );
        assert_eq!(p.travel_minutes.len(), 11);
        for (i, row) in p.travel_minutes.iter().enumerate() {
            assert_eq!(row.len(), 11);
            for (j, &m) in row.iter().enumerate() {
                assert!(if i == j { m == 0 } else { (15..=120).contains(&m) }, "{i}->{j}: {m}");
            }
        }
        assert_eq!(p.centers.len(), 12);
        assert_eq!(p.centers.iter().filter(|c| c.provincial_school).count(), 1);
        assert_eq!(p.centers[0].name, "Trung tâm Chính trị thành phố Sóc Trăng");
        assert_eq!(p.centers[1].name, "Trung tâm Chính trị huyện Châu Thành");
        assert_eq!(p.centers[9].name, "Trung tâm Chính trị thị xã Vĩnh Châu");
        assert!(p.topics.iter().any(|t| t.code == "NQ-TW8-XIII" && t.resolution));
        assert!(p.topics.iter().any(|t| t.code == "SC-01" && !t.resolution));
    }

    #[test]
    fn people_are_consistent() {
        for seed in [1, 2, 3, 42, 1234] {
            let p = province(seed);
            let n = p.people.len();
            assert!((230..=270).contains(&n), "{n} people");
            let mut codes = HashSet::new();
            let district_codes = p.districts.iter().map(|d| &d.code);
            let other_codes = p
                .centers
                .iter()
                .map(|c| &c.code)
                .chain(p.topics.iter().map(|t| &t.code));
            for c in district_codes
                .chain(other_codes)
                .chain(p.people.iter().map(|x| &x.code))
            {
                assert!(codes.insert(c.clone()), "duplicate code {c}");
            }
            assert!(p.centers.iter().all(|c| c.district < p.districts.len()));
            let mut emails = HashSet::new();
            for x in &p.people {
                let has = |role: &str| x.roles.contains(&role);
                assert!(!x.roles.is_empty() && x.roles.iter().all(|r| [FULL_TIME, PART_TIME, RAPPORTEUR].contains(r)));
                assert!(!(has(FULL_TIME) && has(PART_TIME)), "{}", x.code);
                assert_eq!(has(RAPPORTEUR), x.rapporteur_level.is_some(), "{}", x.code);
                assert!(x.home_district < p.districts.len());
                assert!(x.center.is_none_or(|c| c < p.centers.len()));
                assert!(!has(FULL_TIME) || x.center.is_some());
                assert!(x.qualifications.iter().all(|&q| q < p.topics.len()));
                let held = |resolution: bool| x.qualifications.iter().any(|&q| p.topics[q].resolution == resolution);
                assert_eq!(x.roles[0] != RAPPORTEUR, held(false), "{}", x.code);
                assert_eq!(has(RAPPORTEUR), held(true), "{}", x.code);
                assert!(x.languages.contains(&"vi"));
                assert_eq!(has(PART_TIME), !x.weekly_half_days.is_empty());
                assert!(x.weekly_half_days.len() <= 5 && x.weekly_half_days.iter().all(|h| (1..=7).contains(&h.0)));
                // NFC: no combining diacritics (U+0300..U+036F).
                assert!(!x.full_name.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)));
                assert_eq!(x.phone.len(), 12, "{}", x.phone);
                if let Some(e) = &x.email {
                    assert!(
                        e.is_ascii() && e.ends_with("@soctrang.dcs.vn") && emails.insert(e.clone()),
                        "{e}"
                    );
                }
            }
            assert!((36..=44).contains(&p.unavailability.len()));
            for u in &p.unavailability {
                assert!(u.person < n && (0..=180).contains(&u.start_day_offset) && (1..=10).contains(&u.days));
            }
            for t in 0..p.topics.len() {
                assert!(
                    p.people.iter().filter(|x| x.qualifications.contains(&t)).count() >= 4,
                    "topic {t}"
                );
            }
        }
    }

    #[test]
    fn khmer_speakers_in_vinh_chau() {
        for seed in 0..20 {
            let p = province(seed);
            let vc = p.districts.iter().position(|d| d.name == "Thị xã Vĩnh Châu").unwrap();
            let khmer = |x: &&DemoPerson| x.ethnicity == "Khmer" && x.languages.contains(&"km");
            assert!(p.people.iter().filter(|x| x.home_district == vc).any(|x| khmer(&x)));
        }
    }
}
