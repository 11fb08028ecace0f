//! Undo and redo over snapshots of an editor's state. Snapshots should be cheap to clone (share
//! unchanged parts, e.g. `Vec<Arc<T>>`).

#[derive(Debug, Clone)]
pub struct History<S> {
    undo: Vec<S>,
    redo: Vec<S>,
    limit: usize,
}

impl<S: Clone> History<S> {
    pub fn new(limit: usize) -> Self {
        History {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
        }
    }

    /// Records the state as it was before an edit; a new edit forgets what could be redone.
    pub fn record(&mut self, before: S) {
        if self.undo.len() == self.limit {
            self.undo.remove(0);
        }
        self.undo.push(before);
        self.redo.clear();
    }

    /// The state to go back to, given the current one (kept for redo).
    pub fn undo(&mut self, current: S) -> Option<S> {
        let prev = self.undo.pop()?;
        self.redo.push(current);
        Some(prev)
    }

    pub fn redo(&mut self, current: S) -> Option<S> {
        let next = self.redo.pop()?;
        self.undo.push(current);
        Some(next)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_redo_walk_back_and_forth_and_a_new_edit_drops_redo() {
        let mut h = History::new(10);
        let mut s = 0;
        for next in 1..=3 {
            h.record(s);
            s = next;
        }
        s = h.undo(s).unwrap();
        assert_eq!(s, 2);
        s = h.undo(s).unwrap();
        assert_eq!(s, 1);
        s = h.redo(s).unwrap();
        assert_eq!(s, 2);
        h.record(s);
        s = 9;
        assert!(!h.can_redo());
        assert_eq!(h.undo(s), Some(2));
    }

    #[test]
    fn the_limit_forgets_the_oldest() {
        let mut h = History::new(2);
        h.record(1);
        h.record(2);
        h.record(3);
        assert_eq!(h.undo(4), Some(3));
        assert_eq!(h.undo(3), Some(2));
        assert_eq!(h.undo(2), None);
    }
}
