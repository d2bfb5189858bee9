//! The closed vocabularies of the domain, shared by the API, the database and the import.
//! Each value has one English identifier (API, database) and one Vietnamese label (users).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Defines a closed vocabulary: serde names in snake_case, a database text form and a
/// Vietnamese label. The database stores `as_str()`; reading uses `parse()`.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The Vietnamese label shown to users and accepted in spreadsheets.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

vocabulary!(
    /// What a person may do: teach (full-time or part-time) or brief resolutions.
    Role {
        LecturerFullTime = "lecturer_full_time" / "Giảng viên chuyên trách",
        LecturerPartTime = "lecturer_part_time" / "Giảng viên kiêm chức",
        Rapporteur = "rapporteur" / "Báo cáo viên",
    }
);

vocabulary!(
    /// The level of audience a rapporteur may brief; ordered low to high.
    RapporteurLevel {
        Grassroots = "grassroots" / "Cơ sở",
        District = "district" / "Cấp huyện",
        Province = "province" / "Cấp tỉnh",
    }
);

vocabulary!(
    /// Political-theory level (trình độ lý luận chính trị); ordered low to high.
    TheoryLevel {
        Elementary = "elementary" / "Sơ cấp",
        Intermediate = "intermediate" / "Trung cấp",
        Advanced = "advanced" / "Cao cấp",
    }
);

vocabulary!(
    Gender {
        Female = "female" / "Nữ",
        Male = "male" / "Nam",
    }
);

vocabulary!(
    /// A qualification is either a curriculum module (chuyên đề) or a resolution (nghị quyết).
    TopicKind {
        Module = "module" / "Chuyên đề",
        Resolution = "resolution" / "Nghị quyết",
    }
);

vocabulary!(
    CenterKind {
        DistrictCenter = "district_center" / "Trung tâm chính trị cấp huyện",
        ProvincialSchool = "provincial_school" / "Trường chính trị tỉnh",
    }
);

vocabulary!(
    Weekday {
        Monday = "monday" / "Thứ Hai",
        Tuesday = "tuesday" / "Thứ Ba",
        Wednesday = "wednesday" / "Thứ Tư",
        Thursday = "thursday" / "Thứ Năm",
        Friday = "friday" / "Thứ Sáu",
        Saturday = "saturday" / "Thứ Bảy",
        Sunday = "sunday" / "Chủ nhật",
    }
);

vocabulary!(
    /// Sessions are half days: morning about 07:30-11:00, afternoon about 13:30-17:00.
    HalfDay {
        Morning = "morning" / "Sáng",
        Afternoon = "afternoon" / "Chiều",
    }
);

vocabulary!(
    /// What an account may do; see `auth::Scope` for where.
    UserRole {
        ProvinceAdmin = "province_admin" / "Ban Tuyên giáo Tỉnh ủy",
        DistrictBoard = "district_board" / "Ban Tuyên giáo Huyện ủy",
        CenterCoordinator = "center_coordinator" / "Điều phối viên trung tâm",
        Lecturer = "lecturer" / "Giảng viên / báo cáo viên",
    }
);

vocabulary!(
    /// An annual plan is drafted, then approved by the district board or the province.
    PlanStatus {
        Draft = "draft" / "Dự thảo",
        Approved = "approved" / "Đã phê duyệt",
    }
);

vocabulary!(
    /// A class request: submitted → accepted → scheduled, or rejected with a reason.
    RequestStatus {
        Submitted = "submitted" / "Đã gửi",
        Accepted = "accepted" / "Đã chấp nhận",
        Rejected = "rejected" / "Bị từ chối",
        Scheduled = "scheduled" / "Đã xếp lịch",
    }
);

vocabulary!(
    /// A solve run: queued → running → finished or cancelled (both with a draft) or failed;
    /// a finished or cancelled run's draft may be published.
    RunStatus {
        Queued = "queued" / "Đang chờ",
        Running = "running" / "Đang giải",
        Finished = "finished" / "Đã xong",
        Cancelled = "cancelled" / "Đã dừng",
        Failed = "failed" / "Thất bại",
        Published = "published" / "Đã công bố",
    }
);

/// Languages commonly needed for briefings, as ISO 639 codes with their Vietnamese names.
/// Other ISO 639 codes are accepted too; these are the ones spreadsheets may name in words.
pub const LANGUAGES: &[(&str, &str)] = &[
    ("vi", "Tiếng Việt"),
    ("km", "Tiếng Khmer"),
    ("zh", "Tiếng Hoa"),
    ("hmn", "Tiếng H'Mông"),
    ("tyz", "Tiếng Tày"),
    ("nut", "Tiếng Nùng"),
    ("rad", "Tiếng Ê Đê"),
    ("cjm", "Tiếng Chăm"),
    ("jra", "Tiếng Gia Rai"),
    ("bdq", "Tiếng Ba Na"),
    ("blt", "Tiếng Thái"),
    ("en", "Tiếng Anh"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_match_serde() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert_eq!(Role::parse("lecturer"), None);
    }

    #[test]
    fn levels_are_ordered_low_to_high() {
        assert!(RapporteurLevel::Grassroots < RapporteurLevel::District);
        assert!(RapporteurLevel::District < RapporteurLevel::Province);
        assert!(TheoryLevel::Elementary < TheoryLevel::Advanced);
    }
}
