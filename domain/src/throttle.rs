//! Login throttling (ASVS V6.3.1, MLPS "限制非法登录次数"): failures are counted per account and per
//! client address in a sliding window; past the limit the key is locked for a while. The state lives
//! in the database so every server instance sees the same counts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    pub max_failures: u32,
    pub window_secs: i64,
    pub lockout_secs: i64,
}

impl ThrottlePolicy {
    /// Per account: five wrong passwords in 15 minutes lock it for 15 minutes.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        window_secs: 900,
        lockout_secs: 900,
    };
    /// Per client address: generous, because many residents share one NAT address.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        max_failures: 30,
        window_secs: 900,
        lockout_secs: 900,
    };
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
