//! RSVP rules (报名/候补): who gets a place, who waits, and who moves up when places free.
//! Storage applies these decisions inside one transaction per occurrence.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RsvpStatus {
    Going,
    Waitlisted,
    NotGoing,
}

impl RsvpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RsvpStatus::Going => "going",
            RsvpStatus::Waitlisted => "waitlisted",
            RsvpStatus::NotGoing => "not-going",
        }
    }

    pub fn parse(s: &str) -> Option<RsvpStatus> {
        [
            RsvpStatus::Going,
            RsvpStatus::Waitlisted,
            RsvpStatus::NotGoing,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Places one RSVP takes: the resident plus their guests.
pub fn seats(guests: i64) -> i64 {
    1 + guests.max(0)
}

/// Whether a request for `seats` places is accepted at once or goes to the waitlist. Nobody
/// jumps a line that has people in it, even when a place the head of the line cannot use is free.
pub fn decide(taken: i64, capacity: i64, seats: i64, line_waiting: bool) -> RsvpStatus {
    if !line_waiting && taken + seats <= capacity {
        RsvpStatus::Going
    } else {
        RsvpStatus::Waitlisted
    }
}

/// Who moves up from the waitlist when `free` places are open. Strictly first come, first served:
/// the head of the line moves up while it fits; nobody overtakes a party that does not fit yet.
/// `waitlist` is in arrival order, `(id, seats)`.
pub fn promotions(mut free: i64, waitlist: &[(i64, i64)]) -> Vec<i64> {
    let mut up = Vec::new();
    for &(id, seats) in waitlist {
        if seats > free {
            break;
        }
        free -= seats;
        up.push(id);
    }
    up
}

/// The place in the waiting line of each answer, for answers in arrival order: `Some(n)` (1-based)
/// for the waitlisted, `None` for the rest. Attendee lists, exports and feeds all number the line
/// this way.
pub fn waitlist_positions(statuses: impl IntoIterator<Item = RsvpStatus>) -> Vec<Option<i64>> {
    let mut waiting = 0;
    statuses
        .into_iter()
        .map(|s| {
            (s == RsvpStatus::Waitlisted).then(|| {
                waiting += 1;
                waiting
            })
        })
        .collect()
}

/// RSVPs close `deadline_minutes` before the occurrence starts (times in local minutes).
pub fn is_open(now_minutes: i64, occurrence_start_minutes: i64, deadline_minutes: i64) -> bool {
    now_minutes < occurrence_start_minutes - deadline_minutes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_until_full_then_the_waitlist() {
        assert_eq!(decide(0, 50, 1, false), RsvpStatus::Going);
        assert_eq!(decide(49, 50, 1, false), RsvpStatus::Going);
        assert_eq!(decide(50, 50, 1, false), RsvpStatus::Waitlisted);
        assert_eq!(
            decide(49, 50, seats(1), false),
            RsvpStatus::Waitlisted,
            "a guest needs a place too"
        );
        assert_eq!(
            decide(49, 50, 1, true),
            RsvpStatus::Waitlisted,
            "newcomers queue behind people waiting"
        );
        assert_eq!(seats(-3), 1);
    }

    #[test]
    fn the_waitlist_moves_up_in_order_without_overtaking() {
        assert_eq!(promotions(2, &[(7, 1), (8, 1), (9, 1)]), vec![7, 8]);
        assert_eq!(
            promotions(2, &[(7, 3), (8, 1)]),
            Vec::<i64>::new(),
            "a party of 3 waits; nobody jumps it"
        );
        assert_eq!(promotions(4, &[(7, 3), (8, 1), (9, 1)]), vec![7, 8]);
        assert_eq!(promotions(0, &[(7, 1)]), Vec::<i64>::new());
    }

    #[test]
    fn deadline() {
        assert!(is_open(100, 200, 60));
        assert!(!is_open(140, 200, 60));
        assert!(!is_open(200, 200, 0), "closes when the occurrence starts");
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            RsvpStatus::Going,
            RsvpStatus::Waitlisted,
            RsvpStatus::NotGoing,
        ] {
            assert_eq!(RsvpStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn the_waiting_line_is_numbered_in_arrival_order() {
        use RsvpStatus::*;
        assert_eq!(
            waitlist_positions([Going, Waitlisted, NotGoing, Waitlisted, Going]),
            vec![None, Some(1), None, Some(2), None]
        );
    }
}
