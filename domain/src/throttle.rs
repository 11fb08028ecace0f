//! Login and registration throttling (ASVS V6.3.1, MLPS "限制非法登录次数"). Failures are counted
//! in a sliding window under three keys, and only the narrowest one ever locks:
//! - an account from one address (`pair`): five wrong passwords lock that account *from that
//!   address* for 15 minutes. A stranger guessing the administrator's password locks only
//!   themselves out; the administrator, from their own address, logs in as usual.
//! - an account from anywhere (`account`) and one address for any account (`address`): past their
//!   limits every further attempt waits `SLOW_DOWN_SECS` before its password is checked. That slows
//!   a distributed guesser (and a neighbour behind the same NAT address) without handing anyone a
//!   lock-out of somebody else.
//!
//! Registrations are counted per address (`REGISTRATION`): a few an hour are what a family or a
//! community desk needs; more are refused for an hour.
//! The state lives in the database so every server instance sees the same counts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window_secs: i64,
    /// How long the key stays over its limit once it reaches it.
    pub lockout_secs: i64,
}

impl ThrottlePolicy {
    /// One account from one address: five wrong passwords in 15 minutes lock the pair 15 minutes.
    pub const PAIR: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        window_secs: 900,
        lockout_secs: 900,
    };
    /// One account from any address: past ten failures in 15 minutes, attempts are slowed.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        max_failures: 10,
        window_secs: 900,
        lockout_secs: 900,
    };
    /// One address for any account: generous, because many residents share one NAT address;
    /// past it, attempts from the address are slowed.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        max_failures: 30,
        window_secs: 900,
        lockout_secs: 900,
    };
    /// Registrations from one address: ten an hour, then none for an hour.
    pub const REGISTRATION: ThrottlePolicy = ThrottlePolicy {
        max_failures: 10,
        window_secs: 3600,
        lockout_secs: 3600,
    };
}

/// How long an attempt waits while its account or address is over its limit.
pub const SLOW_DOWN_SECS: u64 = 2;

/// What to do with a login attempt, from the state of its three keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Check the password after `SLOW_DOWN_SECS`.
    Slow,
    /// Refuse without checking; seconds until the lock lifts.
    Locked(i64),
}

/// The verdict for an attempt given the lock time left on each key (`ThrottlePolicy::locked_for`).
pub fn verdict(pair: Option<i64>, account: Option<i64>, address: Option<i64>) -> Verdict {
    match (pair, account.or(address)) {
        (Some(secs), _) => Verdict::Locked(secs),
        (None, Some(_)) => Verdict::Slow,
        (None, None) => Verdict::Go,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attempts {
    pub failures: u32,
    pub window_start: i64,
    pub locked_until: i64,
}

impl ThrottlePolicy {
    /// Seconds left on a lock, if the key is locked at `now`.
    pub fn locked_for(&self, a: &Attempts, now: i64) -> Option<i64> {
        (a.locked_until > now).then(|| a.locked_until - now)
    }

    /// The state after one more failure at `now`.
    pub fn record_failure(&self, a: Attempts, now: i64) -> Attempts {
        let mut a = if now - a.window_start >= self.window_secs {
            Attempts {
                failures: 0,
                window_start: now,
                locked_until: a.locked_until,
            }
        } else {
            a
        };
        a.failures += 1;
        if a.failures >= self.max_failures {
            a.locked_until = now + self.lockout_secs;
            a.failures = 0;
            a.window_start = now;
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_pair_locks_the_rest_slows() {
        assert_eq!(verdict(None, None, None), Verdict::Go);
        assert_eq!(verdict(Some(60), Some(10), None), Verdict::Locked(60));
        assert_eq!(verdict(None, Some(10), None), Verdict::Slow);
        assert_eq!(verdict(None, None, Some(10)), Verdict::Slow);
        // The stranger's five failures lock only their own pair.
        let mut stranger = Attempts::default();
        for t in 0..5 {
            stranger = ThrottlePolicy::PAIR.record_failure(stranger, 1000 + t);
        }
        assert!(ThrottlePolicy::PAIR.locked_for(&stranger, 1010).is_some());
        let mut account = Attempts::default();
        for t in 0..5 {
            account = ThrottlePolicy::ACCOUNT.record_failure(account, 1000 + t);
        }
        assert_eq!(ThrottlePolicy::ACCOUNT.locked_for(&account, 1010), None);
    }

    #[test]
    fn locks_after_max_failures_in_window() {
        let p = ThrottlePolicy {
            max_failures: 3,
            window_secs: 60,
            lockout_secs: 300,
        };
        let mut a = Attempts::default();
        a = p.record_failure(a, 1000);
        a = p.record_failure(a, 1010);
        assert_eq!(p.locked_for(&a, 1011), None);
        a = p.record_failure(a, 1020);
        assert_eq!(p.locked_for(&a, 1021), Some(299));
        assert_eq!(p.locked_for(&a, 1320), None, "the lock expires");
    }

    #[test]
    fn old_failures_fall_out_of_the_window() {
        let p = ThrottlePolicy {
            max_failures: 3,
            window_secs: 60,
            lockout_secs: 300,
        };
        let mut a = Attempts::default();
        a = p.record_failure(a, 1000);
        a = p.record_failure(a, 1010);
        a = p.record_failure(a, 1100);
        assert_eq!(p.locked_for(&a, 1101), None);
        assert_eq!(a.failures, 1);
    }
}
