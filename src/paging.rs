//! Pagination of list endpoints: `?page=1&per_page=50`.

use serde::Serialize;
use utoipa::ToSchema;

pub const MAX_PER_PAGE: u32 = 500;
const DEFAULT_PER_PAGE: u32 = 50;

/// The page a list request asks for; filters carry `page` and `per_page` and build this.
#[derive(Debug, Clone, Copy)]
pub struct PageParams {
    page: u32,
    per_page: u32,
}

impl PageParams {
    /// Page numbers start at 1; `per_page` is kept within 1..=500 (default 50).
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> PageParams {
        PageParams {
            page: page.unwrap_or(1).max(1),
            per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE),
        }
    }

    pub fn limit_offset(&self) -> (i64, i64) {
        let per = i64::from(self.per_page);
        (per, (i64::from(self.page) - 1) * per)
    }

    pub fn page<T>(&self, items: Vec<T>, total: i64) -> Page<T> {
        Page {
            items,
            total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// One page of a list, with the total number of matching items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_clamped_and_offsets_follow() {
        assert_eq!(PageParams::new(None, None).limit_offset(), (50, 0));
        assert_eq!(PageParams::new(Some(3), Some(20)).limit_offset(), (20, 40));
        assert_eq!(PageParams::new(Some(0), Some(10_000)).limit_offset(), (500, 0));
    }
}
