//! Sign-in protection: how many password hashes run at once, and how often one account or one
//! client address may fail.
//!
//! argon2 is memory-hard by design (19 MiB a hash): hashes run a few at a time, a few more
//! requests wait briefly for their turn, the rest are refused at once with 503, so memory stays
//! bounded whatever arrives. Failures are counted per account and per client address: past a
//! few free ones, each failure closes the door for a doubling delay capped at
//! [`MAX_BACKOFF`], so a guesser gets a handful of tries a minute while the real user, locked out
//! by someone else's guesses, waits seconds, not hours.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

/// The longest a run of failures closes the door.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Failures in a row before the first delay: per account, per client address (offices share one).
pub const ACCOUNT_FREE_FAILURES: u32 = 5;
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// A run of failures is forgotten this long after its last failure.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Keys remembered at most per table, so a flood of addresses cannot exhaust memory.
const MAX_KEYS: usize = 50_000;
/// How long a sign-in waits for a hashing slot before it is refused.
const HASHING_WAIT: Duration = Duration::from_secs(2);

/// Sign-in limits shared by the API and the sign-in page.
pub struct SignInLimits {
    hashing: Semaphore,
    waiting: Semaphore,
    accounts: Backoff<String>,
    addresses: Backoff<IpAddr>,
}

impl Default for SignInLimits {
    /// As many hashes at once as there are cores, and four times that waiting.
    fn default() -> SignInLimits {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        SignInLimits::new(cores, 4 * cores)
    }
}

impl SignInLimits {
    pub fn new(hashing: usize, waiting: usize) -> SignInLimits {
        SignInLimits {
            hashing: Semaphore::new(hashing),
            waiting: Semaphore::new(waiting),
            accounts: Backoff::new(ACCOUNT_FREE_FAILURES),
            addresses: Backoff::new(ADDRESS_FREE_FAILURES),
        }
    }

    /// Refuses a sign-in while its account or address is in a delay: 429 with `Retry-After`.
    pub fn check(&self, username: &str, address: Option<IpAddr>) -> Result<(), ApiError> {
        let now = Instant::now();
        let wait = [
            self.accounts.closed_for(&account_key(username), now),
            address.and_then(|a| self.addresses.closed_for(&address_key(a), now)),
        ]
        .into_iter()
        .flatten()
        .max();
        match wait {
            Some(wait) => Err(too_many_attempts(wait)),
            None => Ok(()),
        }
    }

    /// Counts a failure; gives how many the account has failed in a row.
    pub fn failed(&self, username: &str, address: Option<IpAddr>) -> u32 {
        let now = Instant::now();
        if let Some(a) = address {
            self.addresses.fail(address_key(a), now);
        }
        self.accounts.fail(account_key(username), now)
    }

    /// A right password ends the account's run of failures (not the address's: one good
    /// account must not reset a guesser's count).
    pub fn succeeded(&self, username: &str) {
        self.accounts.forget(&account_key(username));
    }

    /// A slot to hash a password in, waiting briefly; refused with 503 `busy` when too many
    /// sign-ins are already hashing or waiting.
    pub async fn hashing_slot(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        let refused = || ApiError::busy(HASHING_WAIT.as_secs());
        let _waiting = self.waiting.try_acquire().map_err(|_| refused())?;
        tokio::time::timeout(HASHING_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| refused())?
            .map_err(|_| refused())
    }
}

/// The account as typed, bounded in length (its memory is the caller's choice).
fn account_key(username: &str) -> String {
    username.trim().to_lowercase().chars().take(64).collect()
}

/// An IPv6 client holds a whole /64: count it as one address.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("checked above")),
        v4 => v4,
    }
}

fn too_many_attempts(wait: Duration) -> ApiError {
    let seconds = wait.as_secs_f64().ceil() as u64;
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("Đăng nhập sai quá nhiều lần; hãy thử lại sau {seconds} giây."),
        format!("Too many failed sign-ins; try again in {seconds} seconds."),
    )
    .retry_after(seconds)
}

/// Runs of failures by key.
struct Backoff<K> {
    free: u32,
    runs: Mutex<HashMap<K, Run>>,
}

#[derive(Clone, Copy)]
struct Run {
    failures: u32,
    last: Instant,
}

impl Run {
    /// The delay after this run's last failure: none before the `free`-th, then 1 s, 2 s, 4 s, …
    fn delay(self, free: u32) -> Duration {
        match self.failures.checked_sub(free) {
            None => Duration::ZERO,
            Some(past) => Duration::from_secs(1u64 << past.min(16)).min(MAX_BACKOFF),
        }
    }
}

impl<K: Hash + Eq + Clone> Backoff<K> {
    fn new(free: u32) -> Backoff<K> {
        Backoff {
            free,
            runs: Mutex::new(HashMap::new()),
        }
    }

    fn closed_for(&self, key: &K, now: Instant) -> Option<Duration> {
        let runs = self.runs.lock().expect("no panic holds the lock");
        let run = runs.get(key)?;
        (run.last + run.delay(self.free))
            .checked_duration_since(now)
            .filter(|d| !d.is_zero())
    }

    fn fail(&self, key: K, now: Instant) -> u32 {
        let mut runs = self.runs.lock().expect("no panic holds the lock");
        if runs.len() >= MAX_KEYS && !runs.contains_key(&key) {
            runs.retain(|_, run| now.duration_since(run.last) < FORGET_AFTER);
            if runs.len() >= MAX_KEYS {
                return 0;
            }
        }
        let run = runs.entry(key).or_insert(Run { failures: 0, last: now });
        if now.duration_since(run.last) >= FORGET_AFTER {
            run.failures = 0;
        }
        run.failures += 1;
        run.last = now;
        run.failures
    }

    fn forget(&self, key: &K) {
        self.runs.lock().expect("no panic holds the lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_a_doubling_delay_capped_at_thirty_seconds() {
        let backoff = Backoff::new(3);
        let t = Instant::now();
        for _ in 0..2 {
            backoff.fail("a", t);
            assert_eq!(backoff.closed_for(&"a", t), None);
        }
        let delays: Vec<u64> = (0..8)
            .map(|_| {
                backoff.fail("a", t);
                backoff.closed_for(&"a", t).unwrap().as_secs()
            })
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(
            backoff
                .closed_for(&"a", t + Duration::from_secs(29))
                .map(|d| d.as_secs()),
            Some(1)
        );
        assert_eq!(backoff.closed_for(&"a", t + MAX_BACKOFF), None);
        assert_eq!(backoff.closed_for(&"b", t), None);
    }

    #[test]
    fn a_run_is_forgotten_after_a_quiet_while() {
        let backoff = Backoff::new(1);
        let t = Instant::now();
        backoff.fail("a", t);
        backoff.fail("a", t);
        assert_eq!(backoff.fail("a", t + FORGET_AFTER), 1);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_prefix() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        assert_eq!(address_key(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[tokio::test]
    async fn hashing_beyond_the_slots_and_the_queue_is_refused_at_once() {
        let limits = SignInLimits::new(1, 1);
        let _hashing = limits.hashing_slot().await.unwrap();
        let refused = limits.hashing_slot().await.unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (503, "busy"));
        assert!(refused.retry_after.is_some());
    }
}
