//! Session lifetime rules (ASVS V7.3): an idle timeout and an absolute timeout, both documented
//! in SECURITY.md. Times are Unix seconds.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPolicy {
    pub idle_secs: i64,
    pub absolute_secs: i64,
    /// `last_seen` is written back at most this often, so reads do not turn into writes.
    pub touch_every_secs: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_secs: 30 * 60,
            absolute_secs: 12 * 3600,
            touch_every_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    Valid { touch: bool },
    Expired,
}

impl SessionPolicy {
    pub fn check(&self, created_at: i64, last_seen_at: i64, now: i64) -> SessionCheck {
        if now - created_at >= self.absolute_secs || now - last_seen_at >= self.idle_secs {
            SessionCheck::Expired
        } else {
            SessionCheck::Valid {
                touch: now - last_seen_at >= self.touch_every_secs,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_limits() {
        let p = SessionPolicy {
            idle_secs: 100,
            absolute_secs: 1000,
            touch_every_secs: 10,
        };
        assert_eq!(p.check(0, 0, 5), SessionCheck::Valid { touch: false });
        assert_eq!(p.check(0, 0, 50), SessionCheck::Valid { touch: true });
        assert_eq!(p.check(0, 0, 100), SessionCheck::Expired);
        assert_eq!(p.check(0, 950, 999), SessionCheck::Valid { touch: true });
        assert_eq!(
            p.check(0, 990, 1000),
            SessionCheck::Expired,
            "absolute limit holds while active"
        );
    }
}
