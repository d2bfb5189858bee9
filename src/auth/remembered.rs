//! Sessions looked up lately, kept for a few seconds so that a busy reader costs no query per
//! request. Any change made through this instance forgets them all (an account deactivated,
//! a session ended, a role changed: the next request looks again); a change made through
//! another instance sharing the database takes effect here within [`KEEP`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::AuthUser;

/// How long a looked-up session is trusted without looking again.
pub const KEEP: Duration = Duration::from_secs(5);
/// At most this many sessions are kept; beyond, all are forgotten and kept afresh.
const MOST: usize = 10_000;

#[derive(Default)]
pub struct RememberedSessions {
    by_hash: Mutex<HashMap<String, (AuthUser, Instant)>>,
}

impl RememberedSessions {
    /// The account behind a session cookie's hash, if it was looked up within [`KEEP`].
    pub fn get(&self, hash: &str) -> Option<AuthUser> {
        let by_hash = self.by_hash.lock().unwrap_or_else(|e| e.into_inner());
        by_hash
            .get(hash)
            .filter(|(_, at)| at.elapsed() < KEEP)
            .map(|(user, _)| user.clone())
    }

    pub fn keep(&self, hash: String, user: AuthUser) {
        let mut by_hash = self.by_hash.lock().unwrap_or_else(|e| e.into_inner());
        if by_hash.len() >= MOST {
            by_hash.clear();
        }
        by_hash.insert(hash, (user, Instant::now()));
    }

    pub fn forget_all(&self) {
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_session_is_found_until_everything_is_forgotten() {
        let remembered = RememberedSessions::default();
        assert!(remembered.get("h").is_none());
        remembered.keep("h".into(), AuthUser::system("bt.d01"));
        assert_eq!(remembered.get("h").map(|u| u.username), Some("bt.d01".to_string()));
        assert!(remembered.get("other").is_none());
        remembered.forget_all();
        assert!(remembered.get("h").is_none());
    }
}
